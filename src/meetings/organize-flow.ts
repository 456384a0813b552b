// The coordinators' meeting flows, as data: create (title → start → end →
// place → agenda → audience → capacity → deadline → summary with edits →
// confirm), edit one thing of a meeting (time, place, seats, deadline), and
// cancel. Times come from LINE's datetime picker (or typed "5/12/2569 09:30")
// and are kept as ISO instants; the module re-checks everything when saving.
import { parseThaiDateTime } from "../engine/datetime.ts";
import {
  EDIT_PREFIX,
  END,
  type Choice,
  type FlowData,
  type FlowDef,
  type LocationAnswer,
  type Outgoing,
  type ParseResult,
  type TurnContext,
} from "../engine/types.ts";
import { bangkokInstant, bangkokIsoDate, thaiDateTime } from "../thai/format.ts";
import { meetingWhen } from "./format.ts";
import { areaChoices, areaNames, parseAreas } from "./organize-areas.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

export const ORGANIZE_CREATE_FLOW = "organize-create";
export const ORGANIZE_EDIT_FLOW = "organize-edit";
export const ORGANIZE_CANCEL_FLOW = "organize-cancel";

export const MAX_TITLE = 100;
export const MAX_PLACE = 200;
export const MAX_AGENDA = 1_000;
export const MAX_CAPACITY = 10_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NONE = "none";

const text = (t: string) => ({ kind: "text" as const, text: t });
const instant = (v: unknown): Date | null => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);

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

const steps = {
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

const capacityText = (v: unknown) => (typeof v === "number" ? T.seats(v) : T.unlimited);
const deadlineText = (v: unknown) => (instant(v) ? thaiDateTime(instant(v)!) : T.untilStart);

export const areaLabels = { province: (n: string) => `ทั้งจังหวัด${n}`, district: (n: string) => `ทั้งอำเภอ${n}` };

/** The create flow; `complete` saves (and re-checks) the answers. */
export function organizeCreateFlow(complete: (ctx: TurnContext, data: FlowData) => Promise<Outgoing>): FlowDef {
  return {
    id: ORGANIZE_CREATE_FLOW,
    version: 1,
    title: T.flowTitles.create,
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
      {
        id: "audience",
        slot: "audience",
        prompt: () => [text(T.askAudience)],
        expects: T.audienceExpects,
        input: {
          kind: "multi",
          choices: (ctx) => areaChoices(ctx.tx, ctx.userId, areaLabels),
          doneLabel: T.audienceDone,
          required: T.audienceRequired,
        },
      },
      steps.capacity(),
      steps.deadline(),
      {
        id: "confirm",
        slot: "confirmed",
        prompt: async (ctx) => {
          const d = ctx.state.data;
          const start = startOf(d)!;
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
        input: {
          kind: "choice",
          choices: () => [
            { label: T.confirm, value: "yes" },
            { label: T.edit.title, value: `${EDIT_PREFIX}title` },
            { label: T.edit.start, value: `${EDIT_PREFIX}start` },
            { label: T.edit.end, value: `${EDIT_PREFIX}end` },
            { label: T.edit.place, value: `${EDIT_PREFIX}place` },
            { label: T.edit.agenda, value: `${EDIT_PREFIX}agenda` },
            { label: T.edit.audience, value: `${EDIT_PREFIX}audience` },
            { label: T.edit.capacity, value: `${EDIT_PREFIX}capacity` },
            { label: T.edit.deadline, value: `${EDIT_PREFIX}deadline` },
          ],
        },
        slow: true,
        next: () => END,
      },
    ],
    complete,
  };
}

/**
 * Edit one thing of a meeting. The flow's data holds meetingId, and the
 * meeting's current startsAt (the deadline's bound) set by the menu entry.
 */
export function organizeEditFlow(options: {
  describe: (ctx: TurnContext) => Promise<{ title: string; notify: number } | null>;
  complete: (ctx: TurnContext, data: FlowData) => Promise<Outgoing>;
}): FlowDef {
  const toConfirm = () => "confirm";
  return {
    id: ORGANIZE_EDIT_FLOW,
    version: 1,
    title: T.flowTitles.edit,
    steps: [
      {
        id: "field",
        slot: "field",
        prompt: async (ctx) => [text(T.askField((await options.describe(ctx))?.title ?? "-"))],
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
      {
        id: "confirm",
        slot: "confirmed",
        prompt: async (ctx) => {
          const d = ctx.state.data;
          const m = await options.describe(ctx);
          let change = "";
          if (d.field === "time") change = T.changeTime(meetingWhen(startOf(d)!, instant(d.endsAt)!));
          if (d.field === "place") change = T.changePlace(placeOf(d.place).placeName);
          if (d.field === "capacity") change = T.changeCapacity(capacityText(d.capacity));
          if (d.field === "deadline") change = T.changeDeadline(deadlineText(d.deadline));
          const notify = d.field === "time" || d.field === "place" ? (m?.notify ?? 0) : 0;
          return [text(T.askEditConfirm(m?.title ?? "-", change, notify))];
        },
        expects: T.confirmExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.editConfirm, value: "yes" },
            { label: T.editNo, value: "no" },
          ],
        },
        slow: true,
        next: () => END,
      },
    ],
    complete: options.complete,
  };
}

export function organizeCancelFlow(options: {
  describe: (ctx: TurnContext) => Promise<{ title: string; when: string; notify: number } | null>;
  complete: (ctx: TurnContext, data: FlowData) => Promise<Outgoing>;
}): FlowDef {
  return {
    id: ORGANIZE_CANCEL_FLOW,
    version: 1,
    title: T.flowTitles.cancel,
    // ยกเลิก typed here stops the cancelling: the meeting stays, said as such.
    cancelled: T.cancelKept,
    steps: [
      {
        id: "confirm",
        slot: "confirmed",
        prompt: async (ctx) => {
          const m = await options.describe(ctx);
          return [text(m ? T.askCancel(m.title, m.when, m.notify) : T.notFound)];
        },
        expects: T.cancelExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.cancelYes, value: "yes" },
            { label: T.cancelNo, value: "no" },
          ],
        },
        // ยืนยันยกเลิกประชุม / ไม่ยกเลิก: no third cancel word beside them.
        ownCancel: true,
        slow: true,
        next: () => END,
      },
    ],
    complete: options.complete,
  };
}
