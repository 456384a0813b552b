// Cancelling a meeting: one yes/no, then every live registrant hears of it
// (organize-store.ts). The flow starts with the meeting's id, set by the
// menu entry; cancelling asks again whether this coordinator may organise it.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import { meetingIdSchema } from "./meeting-store.ts";
import { describeMeeting, outcomeText, reply, text } from "./organize-steps.ts";
import { cancelMeeting } from "./organize-store.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

export const organizeCancelFlow = defineFlow({
  id: "organize-cancel",
  version: 1,
  title: T.flowTitles.cancel,
  // ยกเลิก typed here stops the cancelling: the meeting stays, said as such.
  cancelled: T.cancelKept,
  schema: z.object({ meetingId: meetingIdSchema, confirmed: z.enum([YES, NO]) }),
  steps: [
    confirmStep({
      prompt: async (ctx) => {
        const m = await describeMeeting(ctx);
        return [text(m ? T.askCancel(m.title, m.when, m.notify) : T.notFound)];
      },
      expects: T.cancelExpects,
      yes: T.cancelYes,
      no: T.cancelNo,
      // ยืนยันยกเลิกประชุม / ไม่ยกเลิก: no third cancel word beside them.
      ownCancel: true,
      slow: true,
      next: () => END,
    }),
  ],
  async complete(ctx, d) {
    if (d.confirmed !== YES) return reply(T.cancelKept);
    const outcome = await cancelMeeting(ctx.tx, ctx.userId, d.meetingId, ctx.now);
    if (outcome.kind !== "changed") return reply(outcomeText(outcome));
    return reply(T.cancelledMeeting(outcome.meeting.title, outcome.notified));
  },
});
