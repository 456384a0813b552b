// "ไม่รับเรื่อง" on a case: why (a tapped reason, or the secretary's own
// words; the villager reads it), then yes or no. The case is REJECTED and
// the villager told with the reason (case-actions.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { changeStatus } from "./case-actions.ts";
import { caseOf, ON_CASE, recheck, showCase, text } from "./case-answers.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { reasonSteps } from "./reason-steps.ts";
import { maskNote } from "./request-notes.ts";

const REJECT_REASONS = ["criteria", "incomplete", "duplicate", "helped", "other"] as const;

const reason = reasonSteps({
  codes: REJECT_REASONS,
  labels: T.rejectReasonLabels,
  names: T.rejectReasons,
  invalid: T.reasonInvalid,
  prompt: (ctx) => [text(T.askRejectReason(caseOf(ctx)))],
  expects: T.rejectReasonExpects,
  // "อื่น ๆ" tapped without words: the villager needs to read a reason.
  detailPrompt: T.askRejectDetail,
  detailExpects: T.rejectDetailExpects,
});
const rejectReason = reason.reasonText;

export function caseRejectFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "case-reject",
    version: 1,
    title: T.flowTitles.reject,
    schema: z.object({ ...ON_CASE, reason: reason.schema, reasonDetail: z.string().optional(), confirmed: z.enum([YES, NO]) }),
    steps: [
      ...reason.steps,
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
