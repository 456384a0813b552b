// Creating a meeting: title → start → end → place → agenda → audience →
// capacity → deadline → summary with edits → confirm. Saving checks again
// that the user coordinates every area of the audience and that the times
// still fit together (an edit of one answer may have broken another).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { withMenu } from "../engine/outcome.ts";
import { confirmStep, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { meetingWhen } from "./format.ts";
import { areaNames, coordinatorAreasStep, parseAreas } from "../staff/areas.ts";
import {
  capacitySchema,
  capacityText,
  deadlineSchema,
  deadlineText,
  instant,
  instantSchema,
  meetingSteps as steps,
  NONE,
  outcome,
  parseAgenda,
  parseTitle,
  placeOf,
  placeSchema,
  reply,
  text,
} from "./organize-steps.ts";
import { createMeeting } from "./organize-store.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

const coordinator = staffOnly("COORDINATOR");

export const organizeCreateFlow = defineFlow({
  id: "organize-create",
  version: 1,
  title: T.flowTitles.create,
  schema: z.object({
    title: z.string(),
    startsAt: instantSchema,
    endsAt: instantSchema,
    place: placeSchema,
    /** "" (none) is saved as no agenda. */
    agenda: z.string().transform((a) => a || null),
    audience: z.array(z.string()).transform(parseAreas),
    capacity: capacitySchema,
    deadline: deadlineSchema,
    confirmed: z.literal(YES),
  }),
  steps: [
    {
      id: "title",
      slot: "title",
      prompt: () => [text(T.askTitle)],
      expects: T.titleExpects,
      input: { kind: "text", parse: parseTitle, prose: true },
    },
    // A new start makes the end and the deadline questionable: both are asked again.
    { ...steps.start(), clears: ["endsAt", "deadline"] },
    // From an edit of the start, the deadline (cleared) comes next; on the first pass, the place.
    steps.end((data) => (data.place !== undefined && data.deadline === undefined ? "deadline" : "place")),
    steps.place(),
    {
      id: "agenda",
      slot: "agenda",
      prompt: () => [text(T.askAgenda)],
      expects: T.agendaExpects,
      input: { kind: "text", parse: parseAgenda, suggestions: () => [{ label: T.noAgenda, value: `~${NONE}` }], prose: true },
    },
    coordinatorAreasStep({
      id: "audience",
      slot: "audience",
      prompt: () => [text(T.askAudience)],
      expects: T.audienceExpects,
      doneLabel: T.audienceDone,
      required: T.audienceRequired,
    }),
    steps.capacity(),
    steps.deadline(),
    confirmStep({
      prompt: async (ctx) => {
        const d = ctx.state.data;
        const start = instant(d.startsAt)!;
        const end = instant(d.endsAt) ?? start;
        return [
          text(
            T.summary({
              title: String(d.title),
              when: meetingWhen(start, end),
              place: placeOf(d.place).placeName,
              agenda: String(d.agenda ?? "") || T.noAgenda,
              audience: await areaNames(ctx.tx, parseAreas(d.audience)),
              capacity: capacityText(d.capacity),
              deadline: deadlineText(d.deadline),
            }),
          ),
        ];
      },
      expects: T.confirmExpects,
      yes: T.confirm,
      edits: [
        { label: T.edit.title, step: "title" },
        { label: T.edit.start, step: "start" },
        { label: T.edit.end, step: "end" },
        { label: T.edit.place, step: "place" },
        { label: T.edit.agenda, step: "agenda" },
        { label: T.edit.audience, step: "audience" },
        { label: T.edit.capacity, step: "capacity" },
        { label: T.edit.deadline, step: "deadline" },
      ],
      slow: true,
      next: () => END,
    }),
  ],
  async complete(ctx, d) {
    if (!(await coordinator(ctx))) return outcome([text(T.notCoordinator)], withMenu());
    if (d.startsAt.getTime() <= ctx.now.getTime()) return reply(T.startInvalid);
    if (d.endsAt.getTime() <= d.startsAt.getTime()) return reply(T.endBeforeStart);
    if (d.deadline && d.deadline.getTime() >= d.startsAt.getTime()) return reply(T.deadlineAfterStart);
    const meeting = await createMeeting(
      ctx.tx,
      ctx.userId,
      {
        title: d.title,
        agenda: d.agenda,
        startsAt: d.startsAt,
        endsAt: d.endsAt,
        ...d.place,
        capacity: d.capacity,
        registrationDeadline: d.deadline,
        audience: d.audience,
      },
      ctx.now,
    );
    if (!meeting) return reply(T.outsideArea);
    return reply(T.created(meeting.title, meetingWhen(meeting.startsAt, meeting.endsAt)));
  },
});
