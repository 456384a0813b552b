// "ไม่รับเรื่อง" on a case: why (a tapped reason, or the secretary's own
// words; the villager reads it), then yes or no. The case is REJECTED and
// the villager told with the reason (case-actions.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END, type ParseResult } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { changeStatus } from "./case-actions.ts";
import { caseOf, ON_CASE, recheck, showCase, text } from "./case-answers.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { maskNote } from "./request-notes.ts";

const REASON_MAX = 200;
const REJECT_REASONS = ["criteria", "incomplete", "duplicate", "helped", "other"] as const;

/** A tapped reason is its code; anything typed is the secretary's own reason. */
function parseReason(typed: string): ParseResult {
  if ((REJECT_REASONS as readonly string[]).includes(typed)) return { ok: true, value: { code: typed } };
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX
    ? { ok: true, value: { code: "other", text: t } }
    : { ok: false, message: T.reasonInvalid };
}

function parseReasonDetail(typed: string): ParseResult {
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX ? { ok: true, value: t } : { ok: false, message: T.reasonInvalid };
}

const reasonSchema = z.object({ code: z.enum(REJECT_REASONS), text: z.string().optional() });

/** The reason as stored and told to the villager: the typed words, else the chosen label. */
function rejectReason(data: { reason?: unknown; reasonDetail?: unknown }): string {
  const parsed = reasonSchema.safeParse(data.reason);
  const reason = parsed.success ? parsed.data : { code: "other" as const, text: undefined };
  const detail = typeof data.reasonDetail === "string" && data.reasonDetail ? data.reasonDetail : undefined;
  return reason.text ?? detail ?? T.rejectReasons[reason.code];
}

export function caseRejectFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "case-reject",
    version: 1,
    title: T.flowTitles.reject,
    schema: z.object({ ...ON_CASE, reason: reasonSchema, reasonDetail: z.string().optional(), confirmed: z.enum([YES, NO]) }),
    steps: [
      {
        id: "reason",
        slot: "reason",
        clears: ["reasonDetail"],
        prompt: (ctx) => [text(T.askRejectReason(caseOf(ctx)))],
        expects: T.rejectReasonExpects,
        input: {
          kind: "text",
          parse: parseReason,
          suggestions: () => REJECT_REASONS.map((code) => ({ label: T.rejectReasonLabels[code], value: code })),
          prose: true,
        },
        // "อื่น ๆ" tapped without words: the villager needs to read a reason.
        next: (data) => {
          const r = reasonSchema.safeParse(data.reason);
          return r.success && r.data.code === "other" && r.data.text === undefined ? "detail" : "confirm";
        },
      },
      {
        id: "detail",
        slot: "reasonDetail",
        prompt: () => [text(T.askRejectDetail)],
        expects: T.rejectDetailExpects,
        input: { kind: "text", parse: parseReasonDetail, prose: true },
      },
      confirmStep({
        prompt: (ctx) => [text(T.confirmReject(caseOf(ctx), maskNote(rejectReason(ctx.state.data))))],
        expects: T.confirmRejectExpects,
        yes: T.confirmRejectYes,
        no: T.confirmNo,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      const checked = await recheck(ctx, data.requestId, "reject", options.media);
      if (!checked.ok) return checked.answer;
      const request = checked.request;
      if (data.confirmed !== YES) return showCase(ctx, request.id, options.media, [T.unchanged(request.caseNumber)]);
      await changeStatus(ctx.tx, request, "reject", { userId: ctx.userId, now: ctx.now, note: rejectReason(data) });
      return showCase(ctx, request.id, options.media, [T.rejected(request.caseNumber)]);
    },
  });
}
