// The meeting registration flow: how many people come → confirm. The
// meeting id comes in the flow's data from the card's button (checked by the
// menu entry before the flow starts, and again at the end: the deadline may
// pass, or the last seats go, while the member answers).
import { EDIT_PREFIX, END, type FlowDef, type Outgoing, type ParseResult, type TurnContext } from "../engine/types.ts";
import { parseThaiAmount } from "../thai/format.ts";
import { MAX_PARTY, MEETING_TEXT as T } from "./texts.ts";

export const MEETING_REGISTER_FLOW = "meeting-register";

const text = (t: string) => ({ kind: "text" as const, text: t });

/** How many people come: 1–20, typed as "3", "๓", "3 คน", "สามคน". */
export function parsePeople(typed: string): ParseResult {
  const n = parseThaiAmount(typed, ["คน"]);
  if (n === null || !Number.isInteger(n)) return { ok: false, message: T.peopleNotNumber };
  if (n < 1) return { ok: false, message: T.peopleZero };
  if (n > MAX_PARTY) return { ok: false, message: T.peopleTooMany };
  return { ok: true, value: n };
}

/** What the summary says about seats for a party of `people`. */
export interface SeatView {
  title: string;
  when: string;
  place: string;
  seatsLeft: number | null;
}

export function meetingRegisterFlow(options: {
  /** The meeting of the flow, as the member sees it (null if it vanished). */
  meeting: (ctx: TurnContext, meetingId: number) => Promise<SeatView | null>;
  complete: (ctx: TurnContext, meetingId: number, people: number) => Promise<Outgoing>;
}): FlowDef {
  const meetingOf = (ctx: TurnContext) => options.meeting(ctx, Number(ctx.state.data.meetingId));
  return {
    id: MEETING_REGISTER_FLOW,
    version: 1,
    title: T.flowTitles.register,
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
      {
        id: "confirm",
        slot: "confirmed",
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
        input: {
          kind: "choice",
          choices: () => [
            { label: T.confirm, value: "yes" },
            { label: T.editPeople, value: `${EDIT_PREFIX}people` },
          ],
        },
        slow: true,
        next: () => END,
      },
    ],
    complete: (ctx, data) => options.complete(ctx, Number(data.meetingId), Number(data.people)),
  };
}
