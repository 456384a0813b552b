// What the coordinators' meeting flows share: the parsers of their answers,
// the steps asking a time, a place, seats and a deadline (create asks them
// all, edit one of them), the schemas reading those answers, and the answer
// they and the entries end with. Times come from LINE's datetime picker (or
// typed "5/12/2569 09:30") and are kept as ISO instants; the flows check
// everything again when saving.
import { z } from "zod";
import { parseThaiDateTime } from "../engine/datetime.ts";
import { entryButton } from "../engine/engine.ts";
import { withMenu, type Outcome } from "../engine/outcome.ts";
import type { Choice, FlowData, LocationAnswer, ParseResult, Reply, TurnContext } from "../engine/types.ts";
import { bangkokInstant, bangkokIsoDate, thaiDateTime } from "../thai/format.ts";
import { meetingWhen } from "./format.ts";
import { liveRegistrations, organisedMeeting, type ChangeOutcome } from "./organize-store.ts";
import { ORGANIZE_ENTRIES } from "./refs.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

export const MAX_TITLE = 100;
export const MAX_PLACE = 200;
export const MAX_AGENDA = 1_000;
export const MAX_CAPACITY = 10_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const NONE = "none";

export const text = (t: string): Reply => ({ kind: "text", text: t });
export const instant = (v: unknown): Date | null => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);

// --- answers ---------------------------------------------------------------

export const mineButton = () => entryButton(ORGANIZE_ENTRIES.mine, T.menu.mine);

import { outcome } from "../engine/outcome.ts";
export { outcome };

/** A line, then "ประชุมที่ฉันจัด" and the menu's buttons. */
export const reply = (message: string): Outcome => outcome([text(message)], withMenu([mineButton()]));

export function outcomeText(outcome: Exclude<ChangeOutcome, { kind: "changed" }>): string {
  if (outcome.kind === "closed") return outcome.why === "cancelled" ? T.alreadyCancelled : T.alreadyOver;
  if (outcome.kind === "invalid") return outcome.taken !== undefined ? T.capacityBelowTaken(outcome.taken) : T.deadlineAfterStart;
  return T.notFound;
}

/** The meeting an edit or cancel flow is about, for its questions (null: no longer this coordinator's). */
export async function describeMeeting(ctx: TurnContext) {
  const meeting = await organisedMeeting(ctx.tx, ctx.userId, String(ctx.state.data.meetingId));
  if (!meeting) return null;
  const notify = (await liveRegistrations(ctx.tx, meeting.id)).length;
  return { title: meeting.title, when: meetingWhen(meeting.startsAt, meeting.endsAt), notify };
}

// --- parsers -------------------------------------------------------------------

export function parseTitle(typed: string): ParseResult {
  const t = typed.trim();
  if (!t) return { ok: false, message: T.titleEmpty };
  if ([...t].length > MAX_TITLE) return { ok: false, message: T.titleTooLong };
  return { ok: true, value: t };
}

export function parsePlaceName(typed: string): ParseResult {
  const t = typed.trim();
  if (!t) return { ok: false, message: T.placeEmpty };
  if ([...t].length > MAX_PLACE) return { ok: false, message: T.placeTooLong };
  return { ok: true, value: { name: t } };
}

export function parseAgenda(typed: string): ParseResult {
  if (typed === `~${NONE}`) return { ok: true, value: "" };
  const t = typed.trim();
  if ([...t].length > MAX_AGENDA) return { ok: false, message: T.agendaTooLong };
  return { ok: true, value: t };
}

/** Seats: 1–10000, "ไม่จำกัด" (null). */
export function parseCapacity(typed: string): ParseResult {
  if (typed === `~${NONE}` || typed.replace(/\s+/g, "") === T.unlimited) return { ok: true, value: null };
  const t = typed.replace(/[\s,]/g, "").replace(/(ที่|คน|ที่นั่ง)$/, "");
  if (!/^\d{1,6}$/.test(t) || Number(t) < 1 || Number(t) > MAX_CAPACITY) return { ok: false, message: T.capacityBad };
  return { ok: true, value: Number(t) };
}

function parseTyped(invalid: string) {
  return (typed: string): ParseResult => {
    const at = parseThaiDateTime(typed);
    return at ? { ok: true, value: at } : { ok: false, message: invalid };
  };
}

/** The place as saved: a pin (its address or title as the name) or a typed name. */
export function placeOf(answer: unknown): { placeName: string; latitude: number | null; longitude: number | null; address: string | null } {
  const a = answer as Partial<LocationAnswer> & { name?: string };
  if (typeof a?.latitude === "number" && typeof a.longitude === "number") {
    return { placeName: a.address?.slice(0, MAX_PLACE) || T.pinnedPlace, latitude: a.latitude, longitude: a.longitude, address: null };
  }
  return { placeName: String(a?.name ?? ""), latitude: null, longitude: null, address: null };
}

// --- schemas: the steps' answers as complete() gets them -----------------------

/** A datetime step's answer (an ISO instant). */
export const instantSchema = z.iso.datetime().transform((v) => new Date(v));
/** The deadline step's answer: an instant, or none (registration open until the start). */
export const deadlineSchema = z.union([z.literal(NONE).transform(() => null), instantSchema]);
/** The seats step's answer; null: no limit. */
export const capacitySchema = z.number().int().positive().nullable();
/** The place step's answer (a pin or a typed name), as saved. */
export const placeSchema = z
  .union([z.object({ latitude: z.number(), longitude: z.number(), address: z.string().optional() }), z.object({ name: z.string() })])
  .transform(placeOf);

// --- steps -------------------------------------------------------------------

const startOf = (data: FlowData) => instant(data.startsAt);

/** Quick durations after the chosen start. */
function durationChoices(ctx: TurnContext): Choice[] {
  const start = startOf(ctx.state.data);
  if (!start) return [];
  return [1, 2, 3, 4].map((h) => ({ label: T.hours(h), value: new Date(start.getTime() + h * HOUR).toISOString() }));
}

function deadlineChoices(ctx: TurnContext): Choice[] {
  const start = startOf(ctx.state.data);
  const choices: Choice[] = [{ label: T.noDeadline, value: NONE }];
  if (start && start.getTime() - DAY > ctx.now.getTime())
    choices.push({ label: T.dayBefore, value: new Date(start.getTime() - DAY).toISOString() });
  return choices;
}

/** Tomorrow 09:00 Bangkok: where the picker opens. */
const tomorrowNine = (now: Date) => bangkokInstant(bangkokIsoDate(new Date(now.getTime() + DAY)), "09:00");

/** The steps create and edit both ask; `next` where the flow goes after each. */
export const meetingSteps = {
  start: (next?: () => string) => ({
    id: "start",
    slot: "startsAt",
    prompt: () => [text(T.askStart)],
    expects: T.startExpects,
    input: {
      kind: "datetime" as const,
      label: T.startLabel,
      parse: parseTyped(T.startInvalid),
      min: (ctx: TurnContext) => ctx.now,
      initial: (ctx: TurnContext) => tomorrowNine(ctx.now),
      invalid: T.startInvalid,
    },
    ...(next ? { next } : {}),
  }),
  end: (next: (data: FlowData) => string) => ({
    id: "end",
    slot: "endsAt",
    prompt: (ctx: TurnContext) => [text(T.askEnd(thaiDateTime(startOf(ctx.state.data) ?? ctx.now)))],
    expects: T.endExpects,
    input: {
      kind: "datetime" as const,
      label: T.endLabel,
      parse: parseTyped(T.endInvalid),
      min: (ctx: TurnContext) => startOf(ctx.state.data) ?? ctx.now,
      initial: (ctx: TurnContext) => new Date((startOf(ctx.state.data) ?? ctx.now).getTime() + 3 * HOUR),
      check: (at: Date, ctx: TurnContext) => (at.getTime() <= (startOf(ctx.state.data)?.getTime() ?? 0) ? T.endBeforeStart : null),
      choices: durationChoices,
      invalid: T.endBeforeStart,
    },
    next,
  }),
  place: (next?: () => string) => ({
    id: "place",
    slot: "place",
    prompt: () => [text(T.askPlace)],
    expects: T.placeExpects,
    input: { kind: "location" as const, label: T.placeLabel, parse: parsePlaceName },
    ...(next ? { next } : {}),
  }),
  capacity: (next?: () => string) => ({
    id: "capacity",
    slot: "capacity",
    prompt: () => [text(T.askCapacity)],
    expects: T.capacityExpects,
    input: {
      kind: "text" as const,
      parse: parseCapacity,
      suggestions: () => [
        { label: T.unlimited, value: `~${NONE}` },
        ...[30, 50, 100].map((n) => ({ label: T.seats(n), value: String(n) })),
      ],
    },
    ...(next ? { next } : {}),
  }),
  deadline: (next?: () => string) => ({
    id: "deadline",
    slot: "deadline",
    prompt: () => [text(T.askDeadline)],
    expects: T.deadlineExpects,
    input: {
      kind: "datetime" as const,
      label: T.deadlineLabel,
      parse: parseTyped(T.deadlineInvalid),
      min: (ctx: TurnContext) => ctx.now,
      max: (ctx: TurnContext) => startOf(ctx.state.data) ?? undefined,
      check: (at: Date, ctx: TurnContext) =>
        at.getTime() >= (startOf(ctx.state.data)?.getTime() ?? Infinity) ? T.deadlineAfterStart : null,
      choices: deadlineChoices,
      invalid: T.deadlineInvalid,
    },
    ...(next ? { next } : {}),
  }),
};

export const capacityText = (v: unknown) => (typeof v === "number" ? T.seats(v) : T.unlimited);
export const deadlineText = (v: unknown) => (instant(v) ? thaiDateTime(instant(v)!) : T.untilStart);
