// Editing one thing of a meeting: which (time, place, seats, deadline) →
// its new value → confirm. The flow starts with the meeting's id and its
// current start (the deadline's bound), set by the menu entry; saving asks
// again whether this coordinator may organise it.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import { meetingWhen } from "./format.ts";
import { meetingIdSchema } from "./meeting-store.ts";
import {
  capacitySchema,
  capacityText,
  deadlineSchema,
  deadlineText,
  describeMeeting,
  instant,
  instantSchema,
  meetingSteps as steps,
  outcomeText,
  placeOf,
  placeSchema,
  reply,
  text,
} from "./organize-steps.ts";
import { changeMeeting, type MeetingChange } from "./organize-store.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

const ANSWERED = { meetingId: meetingIdSchema, confirmed: z.enum([YES, NO]) };

/** What the coordinator changes, by the field they chose. */
const EDIT_SCHEMA = z.discriminatedUnion("field", [
  z.object({ ...ANSWERED, field: z.literal("time"), startsAt: instantSchema, endsAt: instantSchema }),
  z.object({ ...ANSWERED, field: z.literal("place"), place: placeSchema }),
  z.object({ ...ANSWERED, field: z.literal("capacity"), capacity: capacitySchema }),
  z.object({ ...ANSWERED, field: z.literal("deadline"), deadline: deadlineSchema }),
]);

function changeOf(d: z.output<typeof EDIT_SCHEMA>): MeetingChange {
  switch (d.field) {
    case "time":
      return { kind: "time", startsAt: d.startsAt, endsAt: d.endsAt };
    case "place":
      return { kind: "place", ...d.place };
    case "capacity":
      return { kind: "capacity", capacity: d.capacity };
    case "deadline":
      return { kind: "deadline", registrationDeadline: d.deadline };
  }
}

const toConfirm = () => "confirm";

export const organizeEditFlow = defineFlow({
  id: "organize-edit",
  version: 1,
  title: T.flowTitles.edit,
  schema: EDIT_SCHEMA,
  steps: [
    {
      id: "field",
      slot: "field",
      prompt: async (ctx) => [text(T.askField((await describeMeeting(ctx))?.title ?? "-"))],
      expects: T.fieldExpects,
      input: {
        kind: "choice",
        choices: () => (Object.keys(T.fields) as (keyof typeof T.fields)[]).map((k) => ({ label: T.fields[k], value: k })),
      },
      next: (data) => ({ time: "start", place: "place", capacity: "capacity", deadline: "deadline" })[String(data.field)] ?? "field",
    },
    steps.start(() => "end"),
    steps.end(toConfirm),
    steps.place(toConfirm),
    steps.capacity(toConfirm),
    steps.deadline(toConfirm),
    confirmStep({
      prompt: async (ctx) => {
        const d = ctx.state.data;
        const m = await describeMeeting(ctx);
        let change = "";
        if (d.field === "time") change = T.changeTime(meetingWhen(instant(d.startsAt)!, instant(d.endsAt)!));
        if (d.field === "place") change = T.changePlace(placeOf(d.place).placeName);
        if (d.field === "capacity") change = T.changeCapacity(capacityText(d.capacity));
        if (d.field === "deadline") change = T.changeDeadline(deadlineText(d.deadline));
        const notify = d.field === "time" || d.field === "place" ? (m?.notify ?? 0) : 0;
        return [text(T.askEditConfirm(m?.title ?? "-", change, notify))];
      },
      expects: T.confirmExpects,
      yes: T.editConfirm,
      no: T.editNo,
      slow: true,
      next: () => END,
    }),
  ],
  async complete(ctx, d) {
    if (d.confirmed !== YES) return reply(T.editKept);
    const outcome = await changeMeeting(ctx.tx, ctx.userId, d.meetingId, changeOf(d), ctx.now);
    if (outcome.kind !== "changed") return reply(outcomeText(outcome));
    return reply(T.edited(outcome.meeting.title, outcome.notified));
  },
});
