// Cancelling a scheduled announcement: one yes/no. The flow starts with the
// announcement's id, set by the menu entry after checking that this
// coordinator may cancel it; cancelling asks again (and finds it too late
// once the send job has started it).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { isStaff } from "../staff/roles.ts";
import { thaiDateTime } from "../thai/format.ts";
import { cancelAnnouncement, manageableAnnouncement } from "./announcement-store.ts";
import { announcementIdOf, reply, text } from "./answers.ts";
import { announcementExcerpt as excerpt } from "./message.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

export const announceCancelFlow = defineFlow({
  id: "announce-cancel",
  version: 1,
  title: T.flowTitles.cancel,
  schema: z.object({ announcementId: z.coerce.number<string>().int().positive(), confirmed: z.enum([YES, NO]) }),
  steps: [
    confirmStep({
      prompt: async (ctx) => {
        const id = announcementIdOf(ctx.state.data.announcementId);
        const a = id === null ? null : await manageableAnnouncement(ctx.tx, ctx.userId, id);
        return [text(a ? T.askCancel(excerpt(a.text), thaiDateTime(a.scheduledAt)) : T.notFound)];
      },
      expects: T.cancelExpects,
      yes: T.cancelYes,
      no: T.cancelNo,
      next: () => END,
    }),
  ],
  async complete(ctx, d) {
    if (d.confirmed !== YES) return reply(T.cancelKept);
    const outcome = await cancelAnnouncement(ctx.tx, ctx.userId, d.announcementId, ctx.now);
    if (outcome.kind !== "cancelled") return reply(outcome.kind === "too-late" ? T.cancelTooLate : T.notFound);
    const a = outcome.announcement;
    // The author hears that a colleague stopped it, while they are still a coordinator to hear it.
    if (a.createdBy !== ctx.userId && (await isStaff(ctx.tx, a.createdBy, "COORDINATOR"))) {
      await enqueuePush(ctx.tx, a.createdBy, [{ type: "text", text: T.cancelledByOther(excerpt(a.text), thaiDateTime(a.scheduledAt)) }], {
        purpose: "announcement.cancelled",
        now: ctx.now,
        dedupeKey: `announcement-cancelled:${a.id}`,
      });
    }
    return reply(T.cancelled);
  },
});
