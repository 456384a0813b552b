// Cancelling one's registration (or place on the waitlist): one yes/no. The
// meeting id comes in the flow's data from the entry, which checked that
// this user holds a registration for it; cancelRegistration checks again.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import { answer, listButton, mineButton, refuse, text } from "./answers.ts";
import { meetingWhen } from "./format.ts";
import { cancelRegistration, meetingById, meetingIdSchema } from "./meeting-store.ts";
import { MEETING_TEXT as T } from "./texts.ts";

export const meetingCancelFlow = defineFlow({
  id: "meeting-cancel",
  version: 1,
  title: T.flowTitles.cancel,
  cancelled: T.cancelKept,
  schema: z.object({ meetingId: meetingIdSchema, confirmed: z.enum([YES, NO]) }),
  steps: [
    confirmStep({
      prompt: async (ctx) => {
        const m = await meetingById(ctx.tx, Number(ctx.state.data.meetingId));
        return [text(m ? T.askCancel(m.title, meetingWhen(m.startsAt, m.endsAt)) : T.notRegistered)];
      },
      expects: T.cancelExpects,
      yes: T.cancelYes,
      no: T.cancelNo,
      ownCancel: true,
      next: () => END,
    }),
  ],
  async complete(ctx, { meetingId, confirmed }) {
    if (confirmed !== YES) return answer([text(T.cancelKept)], [mineButton()]);
    const outcome = await cancelRegistration(ctx.tx, { meetingId, lineUserId: ctx.userId, now: ctx.now });
    switch (outcome.kind) {
      case "cancelled":
        return answer([text(T.cancelledRegistration(outcome.title))], [listButton()]);
      case "started":
        return refuse(T.started);
      case "not-registered":
        return refuse(T.notRegistered);
    }
  },
});
