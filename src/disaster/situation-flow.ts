// The coordinator's flows over a flood situation, as data:
// - declare: areas (buttons, several) → level → a short message → preview
//   (the check-in as members will see it, the members it reaches, the push
//   quota it uses and what is left this month) → confirm;
// - change: the same preview of the situation as it is, with "แก้พื้นที่",
//   "แก้ระดับ", "แก้ข้อความ" → confirm (only members newly covered get the
//   check-in; nobody gets it twice);
// - end: confirm → ended, and the check-ins not yet sent stop.
// Every completion asks the roles again (the buttons can be forged, a role
// revoked meanwhile) and writes under the situations' lock (situation-write.ts).
import { z } from "zod";
import { entryButton } from "../engine/engine.ts";
import { defineFlow } from "../engine/module.ts";
import { outcome, withMenu, type Outcome } from "../engine/outcome.ts";
import { entryRef } from "../engine/refs.ts";
import { confirmStep } from "../engine/steps.ts";
import type { ParseResult, Reply, StepDef, TurnContext } from "../engine/types.ts";
import type { SituationLevel } from "../generated/prisma/client.ts";
import { allWithin, areaNames, areaValue, coordinatorAreasStep, councilsOf, parseAreas, type Area } from "../staff/areas.ts";
import { coordinatesAll } from "../staff/roles.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { checkInAlt, checkInBubble } from "./checkin-message.ts";
import { situationById } from "./situation-store.ts";
import { MAX_SITUATION_MESSAGE, SITUATION_TEXT as T } from "./situation-texts.ts";
import {
  changeSituation,
  checkInAudienceCount,
  declareSituation,
  endSituation,
  lockForWrite,
  lockSituations,
  manageableSituations,
  overlappingSituations,
  pendingCheckIns,
  remainingPushQuota,
} from "./situation-write.ts";
import { LEVEL_NAMES } from "./texts.ts";

/** The coordinator's entry: declare, change, end. */
export const SITUATION_ENTRY = entryRef("situation");
export const LEVELS = ["WATCH", "INCIDENT", "CRISIS"] as const satisfies readonly SituationLevel[];

export const text = (t: string): Reply => ({ kind: "text", text: t });
/** A line, then the situation entry's button and the menu's. */
export const reply = (message: string, first = [entryButton(SITUATION_ENTRY, T.menu)]): Outcome =>
  outcome([text(message)], withMenu(first));

export function parseSituationMessage(typed: string): ParseResult {
  const t = typed.trim();
  if (!t) return { ok: false, message: T.messageEmpty };
  if (t.length > MAX_SITUATION_MESSAGE) return { ok: false, message: T.messageTooLong(t.length) };
  return { ok: true, value: t };
}

const levelOf = (v: unknown): SituationLevel => (LEVELS.includes(v as SituationLevel) ? (v as SituationLevel) : "WATCH");
const idOf = (v: unknown): number | null =>
  typeof v === "number" && Number.isSafeInteger(v) ? v : typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : null;

function situationSteps(change: boolean): StepDef[] {
  return [
    coordinatorAreasStep({
      id: "areas",
      slot: "areas",
      prompt: () => [text(change ? T.askAreasChange : T.askAreas)],
      expects: T.areasExpects,
      doneLabel: T.areasDone,
      required: T.areasRequired,
    }),
    {
      id: "level",
      slot: "level",
      prompt: () => [text(T.askLevel)],
      expects: T.levelExpects,
      input: { kind: "choice", choices: () => LEVELS.map((l) => ({ label: LEVEL_NAMES[l], value: l })) },
    },
    {
      id: "message",
      slot: "message",
      prompt: () => [text(T.askMessage)],
      expects: T.messageExpects,
      input: { kind: "text", parse: parseSituationMessage, prose: true },
    },
  ];
}

/** The preview: the check-in as members will see it, then the areas, level, reach and quota. */
async function preview(ctx: TurnContext, pushQuotaMonthly: number, situationId: number | null): Promise<Reply[]> {
  const d = ctx.state.data;
  const areas = parseAreas(d.areas);
  const level = levelOf(d.level);
  const message = String(d.message ?? "");
  const councils = await councilsOf(ctx.tx, areas);
  const recipients = await checkInAudienceCount(ctx.tx, councils, situationId);
  const remaining = await remainingPushQuota(ctx.tx, pushQuotaMonthly, ctx.now);
  const lines = [
    T.preview({
      title: situationId === null ? T.previewDeclare : T.previewChange,
      areas: await areaNames(ctx.tx, areas),
      level: LEVEL_NAMES[level],
      recipients,
      remaining,
      monthly: pushQuotaMonthly,
    }),
  ];
  const overlap = await overlappingSituations(ctx.tx, councils, situationId);
  if (overlap.length > 0)
    lines.push(
      T.overlap(
        await areaNames(
          ctx.tx,
          overlap.flatMap((s) => s.areas),
        ),
      ),
    );
  if (recipients === 0) lines.push(T.noRecipients);
  else if (remaining !== null && recipients > remaining) lines.push(T.overQuota);
  const bubble = checkInBubble({ id: situationId ?? 0, level, message });
  return [text(T.previewIntro), { kind: "flex", altText: checkInAlt(level), contents: bubble }, text(lines.join("\n"))];
}

const coordinator = staffOnly("COORDINATOR");

/** Refused because an area is inside another active situation: offer to change that one (if this coordinator may). */
async function overlapRefused(ctx: TurnContext, councils: number[], except: number | null): Promise<Outcome | null> {
  const overlap = await overlappingSituations(ctx.tx, councils, except);
  if (overlap.length === 0) return null;
  const mine = new Set((await manageableSituations(ctx.tx, ctx.userId)).map((s) => s.id));
  const buttons = overlap.filter((s) => mine.has(s.id)).map((s) => entryButton(SITUATION_ENTRY, T.changeExisting, `change:${s.id}`));
  return reply(
    T.overlapRefused(
      await areaNames(
        ctx.tx,
        overlap.flatMap((s) => s.areas),
      ),
    ),
    buttons,
  );
}

const FIELDS = {
  areas: z.array(z.string()).transform(parseAreas),
  level: z.enum(LEVELS),
  message: z.string(),
  confirmed: z.literal("yes"),
};

const edits = [
  { label: T.edit.areas, step: "areas" },
  { label: T.edit.level, step: "level" },
  { label: T.edit.message, step: "message" },
];

export function declareFlow(options: { pushQuotaMonthly: number }) {
  return defineFlow({
    id: "situation-declare",
    version: 1,
    title: T.flowTitles.declare,
    schema: z.object(FIELDS),
    steps: [
      ...situationSteps(false),
      confirmStep({
        slow: true,
        prompt: (ctx) => preview(ctx, options.pushQuotaMonthly, null),
        expects: T.previewExpects,
        yes: T.confirmDeclare,
        edits,
      }),
    ],
    async complete(ctx, d) {
      if (!(await coordinator(ctx))) return reply(T.notCoordinator, []);
      if (!(await allWithin(ctx.tx, ctx.userId, d.areas))) return reply(T.outsideArea);
      await lockSituations(ctx.tx);
      const councils = await councilsOf(ctx.tx, d.areas);
      const refused = await overlapRefused(ctx, councils, null);
      if (refused) return refused;
      const id = await declareSituation(ctx.tx, { areas: d.areas, level: d.level, message: d.message }, ctx.userId, ctx.now);
      // The check-in job (woken by this turn) sends it, in batches.
      return reply(T.declared(await areaNames(ctx.tx, d.areas), await checkInAudienceCount(ctx.tx, councils, id)));
    },
  });
}

export function changeFlow(options: { pushQuotaMonthly: number }) {
  return defineFlow({
    id: "situation-change",
    version: 1,
    title: T.flowTitles.change,
    schema: z.object({ situationId: z.coerce.number().int().positive(), ...FIELDS }),
    steps: [
      ...situationSteps(true),
      confirmStep({
        slow: true,
        prompt: (ctx) => preview(ctx, options.pushQuotaMonthly, idOf(ctx.state.data.situationId)),
        expects: T.previewExpects,
        yes: T.confirmChange,
        edits,
      }),
    ],
    async complete(ctx, d) {
      if (!(await coordinator(ctx))) return reply(T.notCoordinator, []);
      await lockSituations(ctx.tx);
      const s = await lockForWrite(ctx.tx, d.situationId);
      if (!s) return reply(T.gone);
      // Both what it covered and what it will cover must be this coordinator's.
      if (!(await coordinatesAll(ctx.tx, ctx.userId, s.areas))) return reply(T.notCoordinator);
      if (!(await allWithin(ctx.tx, ctx.userId, d.areas))) return reply(T.outsideArea);
      const councils = await councilsOf(ctx.tx, d.areas);
      const refused = await overlapRefused(ctx, councils, s.id);
      if (refused) return refused;
      await changeSituation(ctx.tx, s, { areas: d.areas, level: d.level, message: d.message }, ctx.userId, ctx.now);
      return reply(T.changed(await areaNames(ctx.tx, d.areas), await checkInAudienceCount(ctx.tx, councils, s.id)));
    },
  });
}

export const endFlow = defineFlow({
  id: "situation-end",
  version: 1,
  title: T.flowTitles.end,
  schema: z.object({ situationId: z.coerce.number().int().positive(), confirmed: z.enum(["yes", "no"]) }),
  steps: [
    confirmStep({
      prompt: async (ctx) => {
        const s = await situationById(ctx.tx, idOf(ctx.state.data.situationId) ?? 0);
        if (!s) return [text(T.gone)];
        return [text(T.endPreview(await areaNames(ctx.tx, s.areas), LEVEL_NAMES[s.level], await pendingCheckIns(ctx.tx, s.id, ctx.now)))];
      },
      expects: T.endExpects,
      yes: T.endYes,
      no: T.endNo,
      ownCancel: true,
    }),
  ],
  async complete(ctx, d) {
    if (d.confirmed === "no") return reply(T.endKept);
    if (!(await coordinator(ctx))) return reply(T.notCoordinator, []);
    await lockSituations(ctx.tx);
    const s = await lockForWrite(ctx.tx, d.situationId);
    if (!s) return reply(T.gone);
    if (!(await coordinatesAll(ctx.tx, ctx.userId, s.areas))) return reply(T.notCoordinator);
    const cancelled = await endSituation(ctx.tx, s, ctx.userId, ctx.now);
    return reply(T.ended(await areaNames(ctx.tx, s.areas), cancelled));
  },
});

/** The data a change starts with: the situation as it is. */
export function changeStart(s: { id: number; level: SituationLevel; message: string; areas: Area[] }) {
  return {
    situationId: String(s.id),
    areas: s.areas.map(areaValue),
    level: s.level,
    message: s.message,
  };
}
