// "ยกเลิกคำขอ" on the villager's own open request: why (a tapped reason, or
// their own words), then yes or no. The request is CANCELLED with the
// reason in its history, and the council's staff are told (case-notify.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { notifyCouncilOfUpdate } from "./case-notify.ts";
import { caseOf, ON_REQUEST, showRequest, stillOpen, text } from "./my-requests-card.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { reasonSteps } from "./reason-steps.ts";
import { shortNote } from "./request-notes.ts";
import { recordRequestEvent, setRequestStatus } from "./request-store.ts";

const CANCEL_REASONS = ["helped", "solved", "duplicate", "other"] as const;

const reason = reasonSteps({
  codes: CANCEL_REASONS,
  labels: T.reasons,
  names: T.reasons,
  invalid: T.reasonInvalid,
  prompt: (ctx) => [text(T.askReason(caseOf(ctx)))],
  expects: T.reasonExpects,
  // "อื่น ๆ" tapped without words: ask for them (optional).
  detailPrompt: T.askReasonDetail,
  detailExpects: T.reasonDetailExpects,
  skipLabel: T.skip,
});
const reasonText = reason.reasonText;

export function requestCancelFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "request-cancel",
    version: 1,
    title: T.flowTitles.cancel,
    // ยกเลิก typed on the way stops the cancelling: the request stays, said as such.
    cancelled: T.keptAny,
    schema: z.object({ ...ON_REQUEST, reason: reason.schema, reasonDetail: z.string().optional(), confirmed: z.enum([YES, NO]) }),
    steps: [
      ...reason.steps,
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
