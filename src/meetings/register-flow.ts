// The meeting registration flow: how many people come → confirm. The
// meeting id comes in the flow's data from the card's button (checked by the
// menu entry before the flow starts, and again at the end: the deadline may
// pass, or the last seats go, while the member answers).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, YES } from "../engine/steps.ts";
import { END, type ParseResult, type TurnContext } from "../engine/types.ts";
import { parseThaiAmount } from "../thai/format.ts";
import { answer, closedMessage, guard, mineButton, refuse, text } from "./answers.ts";
import { meetingPlace, meetingWhen } from "./format.ts";
import { meetingForArea, meetingIdSchema, meetingWithSeats, register } from "./meeting-store.ts";
import { notifyRegistration } from "./registration-notice.ts";
import { MAX_PARTY, MEETING_TEXT as T } from "./texts.ts";

/** How many people come: 1–20, typed as "3", "๓", "3 คน", "สามคน". */
export function parsePeople(typed: string): ParseResult {
  const n = parseThaiAmount(typed, ["คน"]);
  if (n === null || !Number.isInteger(n)) return { ok: false, message: T.peopleNotNumber };
  if (n < 1) return { ok: false, message: T.peopleZero };
  if (n > MAX_PARTY) return { ok: false, message: T.peopleTooMany };
  return { ok: true, value: n };
}

/** The meeting of the flow, as the member sees it in the summary (null if it vanished). */
async function meetingOf(ctx: TurnContext) {
  const m = await meetingWithSeats(ctx.tx, Number(ctx.state.data.meetingId));
  return m && { title: m.title, when: meetingWhen(m.startsAt, m.endsAt), place: meetingPlace(m), seatsLeft: m.seatsLeft };
}

export const meetingRegisterFlow = defineFlow({
  id: "meeting-register",
  version: 1,
  title: T.flowTitles.register,
  schema: z.object({ meetingId: meetingIdSchema, people: z.number().int(), confirmed: z.literal(YES) }),
  steps: [
    {
      id: "people",
      slot: "people",
      prompt: async (ctx) => [text(T.askPeople((await meetingOf(ctx))?.title ?? "-"))],
      expects: T.peopleExpects,
      input: {
        kind: "text",
        parse: parsePeople,
        suggestions: () => [1, 2, 3, 4, 5].map((n) => ({ label: T.peopleChoice(n), value: String(n) })),
      },
    },
    confirmStep({
      prompt: async (ctx) => {
        const m = await meetingOf(ctx);
        const people = Number(ctx.state.data.people);
        if (!m) return [text(T.notFound)];
        const seats = m.seatsLeft === null ? T.seatsOpen : m.seatsLeft > 0 ? T.seatsLeft(m.seatsLeft) : T.full;
        const lines = [T.summary(m.title, m.when, m.place, people, seats)];
        if (m.seatsLeft !== null && people > m.seatsLeft) lines.push(T.willWaitlist);
        return [text(lines.join("\n\n"))];
      },
      expects: T.confirmExpects,
      yes: T.confirm,
      edits: [{ label: T.editPeople, step: "people" }],
      slow: true,
      next: () => END,
    }),
  ],
  async complete(ctx, { meetingId, people }) {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const m = await meetingForArea(ctx.tx, meetingId, g.area);
    if (!m) return refuse(T.notFound);
    const outcome = await register(ctx.tx, { meetingId, lineUserId: ctx.userId, memberId: g.member.id, people, now: ctx.now });
    if (outcome.kind === "registered" || outcome.kind === "waitlisted") {
      await notifyRegistration(ctx.tx, {
        councilId: g.area.councilId,
        meeting: m,
        lineUserId: ctx.userId,
        name: g.member.fullName,
        people,
        waitlistPosition: outcome.kind === "waitlisted" ? outcome.position : null,
        now: ctx.now,
      });
    }
    switch (outcome.kind) {
      case "registered":
        return answer([text(T.registered(m.title, meetingWhen(m.startsAt, m.endsAt), outcome.people))], [mineButton()]);
      case "waitlisted":
        return answer([text(T.waitlisted(m.title, outcome.position))], [mineButton()]);
      case "already":
        return answer(
          [text(outcome.status === "REGISTERED" ? T.alreadyRegistered(outcome.people) : T.alreadyWaitlisted(outcome.position))],
          [mineButton()],
        );
      case "closed":
        return refuse(closedMessage(outcome.closed));
      case "not-found":
        return refuse(T.notFound);
    }
  },
});
