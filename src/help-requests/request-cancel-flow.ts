// "ยกเลิกคำขอ" on the villager's own open request: why (a tapped reason, or
// their own words), then yes or no. The request is CANCELLED with the
// reason in its history, and the council's staff are told (case-notify.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END, type ParseResult } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { notifyCouncilOfUpdate } from "./case-notify.ts";
import { caseOf, ON_REQUEST, showRequest, stillOpen, text } from "./my-requests-card.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { shortNote } from "./request-notes.ts";
import { recordRequestEvent, setRequestStatus } from "./request-store.ts";

const REASON_MAX = 200;
const SKIP = "~skip";
const CANCEL_REASONS = ["helped", "solved", "duplicate", "other"] as const;
type CancelReason = (typeof CANCEL_REASONS)[number];

/** A tapped reason is its code; anything typed is the villager's own reason. */
function parseReason(typed: string): ParseResult {
  if ((CANCEL_REASONS as readonly string[]).includes(typed)) return { ok: true, value: { code: typed } };
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX
    ? { ok: true, value: { code: "other", text: t } }
    : { ok: false, message: T.reasonInvalid };
}

function parseReasonDetail(typed: string): ParseResult {
  if (typed === SKIP) return { ok: true, value: "" };
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX ? { ok: true, value: t } : { ok: false, message: T.reasonInvalid };
}

const reasonSchema = z.object({ code: z.enum(CANCEL_REASONS), text: z.string().optional() });

/** The reason as stored in the history: the typed words, else the chosen label. */
function reasonText(data: { reason?: unknown; reasonDetail?: unknown }): string {
  const parsed = reasonSchema.safeParse(data.reason);
  const reason = parsed.success ? parsed.data : { code: "other" as CancelReason, text: undefined };
  const detail = typeof data.reasonDetail === "string" && data.reasonDetail ? data.reasonDetail : undefined;
  return reason.text ?? detail ?? T.reasons[reason.code];
}

export function requestCancelFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "request-cancel",
    version: 1,
    title: T.flowTitles.cancel,
    // ยกเลิก typed on the way stops the cancelling: the request stays, said as such.
    cancelled: T.keptAny,
    schema: z.object({ ...ON_REQUEST, reason: reasonSchema, reasonDetail: z.string().optional(), confirmed: z.enum([YES, NO]) }),
    steps: [
      {
        id: "reason",
        slot: "reason",
        clears: ["reasonDetail"],
        prompt: (ctx) => [text(T.askReason(caseOf(ctx)))],
        expects: T.reasonExpects,
        input: {
          kind: "text",
          parse: parseReason,
          suggestions: () => CANCEL_REASONS.map((code) => ({ label: T.reasons[code], value: code })),
          prose: true,
        },
        // "อื่น ๆ" tapped without words: ask for them (optional).
        next: (data) => {
          const r = reasonSchema.safeParse(data.reason);
          return r.success && r.data.code === "other" && r.data.text === undefined ? "detail" : "confirm";
        },
      },
      {
        id: "detail",
        slot: "reasonDetail",
        prompt: () => [text(T.askReasonDetail)],
        expects: T.reasonDetailExpects,
        input: { kind: "text", parse: parseReasonDetail, suggestions: () => [{ label: T.skip, value: SKIP }], prose: true },
      },
      confirmStep({
        prompt: (ctx) => [text(T.confirmCancel(caseOf(ctx), shortNote(reasonText(ctx.state.data))))],
        expects: T.confirmExpects,
        yes: T.confirm,
        no: T.keep,
        // ยืนยันยกเลิกคำขอ / ไม่ยกเลิก: no third cancel word beside them.
        ownCancel: true,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      const request = await stillOpen(ctx, data.requestId, options.media);
      if (!request.ok) return request.answer;
      if (data.confirmed !== YES) return showRequest(ctx, request.id, options.media, [T.kept(request.caseNumber)]);
      const reason = reasonText(data);
      await setRequestStatus(ctx.tx, request.id, "CANCELLED");
      await recordRequestEvent(ctx.tx, request.id, {
        kind: "STATUS",
        at: ctx.now,
        actorUserId: ctx.userId,
        fromStatus: request.status,
        toStatus: "CANCELLED",
        note: reason,
      });
      await notifyCouncilOfUpdate(ctx.tx, request.id, { kind: "cancelled", reason }, ctx.now);
      return showRequest(ctx, request.id, options.media, [T.cancelledDone(request.caseNumber)]);
    },
  });
}
