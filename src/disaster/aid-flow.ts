// "บันทึกการช่วยเหลือ": a secretary records aid handed out to a household,
// for a flood request (from its case card) or a member (from the unanswered
// list). The kind; the amount for cash; then, when the household already
// received that kind within the window (aid-store.ts), the warning with
// บันทึกซ้ำ / ยกเลิก, else a confirmation. The entry (aid-module.ts) starts
// it with who it is for and what the household received so far; the end
// checks the staff's rights and the duplicate again (under a lock) before
// saving: another secretary may have recorded meanwhile.
import { z } from "zod";
import { entryButton } from "../engine/engine.ts";
import { defineFlow } from "../engine/module.ts";
import { type Outcome, startFlow, withMenu } from "../engine/outcome.ts";
import type { FlowRef } from "../engine/refs.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END, type FlowData, type ParseResult, type Reply, type TurnContext } from "../engine/types.ts";
import type { AidKind } from "../generated/prisma/client.ts";
import { canHandleCouncil } from "../staff/roles.ts";
import { parseThaiAmount, thaiDateTime } from "../thai/format.ts";
import { AID_KINDS, memberForAid, recordAid, recordAidEvent, requestForAid } from "./aid-store.ts";
import { AID_TEXT as T, aidName } from "./aid-texts.ts";
import { AID_NAMES } from "./texts.ts";

export const AID_FLOW_ID = "aid-record";
/** The most one distribution of cash may be, in baht: a typo with an extra zero is refused, not recorded. */
export const MAX_CASH = 100_000;

const text = (t: string): Reply => ({ kind: "text", text: t });

/** Who the aid is for: "r" a request, "m" a member; `label` says so in the questions. */
export const AID_TARGET = {
  target: z.enum(["r", "m"]),
  targetId: z.number().int(),
  label: z.string(),
  /** The latest distribution of each kind to the household within the window, ISO (what the warning shows). */
  previous: z.record(z.string(), z.string()),
};
export type AidFlowStart = { target: "r" | "m"; targetId: number; label: string; previous: Partial<Record<AidKind, string>> };

const schema = z.object({
  ...AID_TARGET,
  kind: z.enum(AID_KINDS as [AidKind, ...AidKind[]]),
  amount: z.number().int().optional(),
  duplicate: z.enum([YES, NO]).optional(),
  confirmed: z.enum([YES, NO]).optional(),
});

const previousOf = (data: FlowData): Record<string, string> =>
  data.previous && typeof data.previous === "object" ? (data.previous as Record<string, string>) : {};
const kindOf = (data: FlowData) => ((AID_KINDS as readonly unknown[]).includes(data.kind) ? (data.kind as AidKind) : null);
/** After the kind (and the amount): the warning when the household already has this kind, else the confirmation. */
const afterKind = (data: FlowData) => {
  const kind = kindOf(data);
  return kind && previousOf(data)[kind] ? "duplicate" : "confirm";
};
const labelOf = (ctx: TurnContext) => String(ctx.state.data.label ?? "");
const whatOf = (data: FlowData) => {
  const kind = kindOf(data);
  return kind ? aidName(kind, typeof data.amount === "number" ? data.amount : null) : "";
};

function parseAmount(typed: string): ParseResult {
  const n = parseThaiAmount(typed, ["บาท"]);
  return n !== null && Number.isSafeInteger(n) && n >= 1 && n <= MAX_CASH
    ? { ok: true, value: n }
    : { ok: false, message: T.amountInvalid(MAX_CASH) };
}

/** `casesEntry`: the staff entry opening a request's card ("42"), for a button after saving; bot.ts passes it. */
export function aidFlow(options: { casesEntry?: string } = {}) {
  // This flow itself, asked again at the warning when a colleague saved first (no flowRef: it names its own flow).
  const self: FlowRef<AidFlowStart> = { id: AID_FLOW_ID };
  return defineFlow({
    id: AID_FLOW_ID,
    version: 1,
    title: T.title,
    schema,
    steps: [
      {
        id: "kind",
        slot: "kind",
        prompt: (ctx) => [text(T.askKind(labelOf(ctx)))],
        expects: T.kindExpects,
        input: { kind: "choice", choices: () => AID_KINDS.map((k) => ({ label: AID_NAMES[k], value: k })) },
        clears: ["amount", "duplicate"],
        next: (data) => (data.kind === "CASH" ? "amount" : afterKind(data)),
      },
      {
        id: "amount",
        slot: "amount",
        prompt: () => [text(T.askAmount)],
        expects: T.amountExpects,
        input: { kind: "text", parse: parseAmount },
        next: afterKind,
      },
      {
        id: "duplicate",
        slot: "duplicate",
        prompt: (ctx) => {
          const kind = kindOf(ctx.state.data);
          const at = kind ? previousOf(ctx.state.data)[kind] : undefined;
          return [text(T.duplicate(kind ? AID_NAMES[kind] : "", at ? thaiDateTime(new Date(at)) : "-"))];
        },
        expects: T.duplicateExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.recordAgain, value: YES },
            { label: T.cancel, value: NO },
          ],
        },
        ownCancel: true,
        next: () => END,
      },
      confirmStep({
        prompt: (ctx) => [text(T.confirm(labelOf(ctx), whatOf(ctx.state.data)))],
        expects: T.confirmExpects,
        yes: T.save,
        no: T.cancel,
        ownCancel: true,
        next: () => END,
      }),
    ],
    async complete(ctx, data): Promise<Outcome> {
      if (data.duplicate === NO || (data.duplicate === undefined && data.confirmed !== YES)) {
        return { say: [text(T.notSaved)], next: withMenu() };
      }
      // Who it is for, now: a request may have been handed to another council meanwhile.
      const request = data.target === "r" ? await requestForAid(ctx.tx, data.targetId) : null;
      const member = data.target === "m" ? await memberForAid(ctx.tx, data.targetId) : null;
      const target = request ?? member;
      if (!target || (request && request.kind !== "FLOOD") || !(await canHandleCouncil(ctx.tx, ctx.userId, target.councilId))) {
        return { say: [text(T.gone)], next: withMenu() };
      }
      const amount = data.kind === "CASH" ? (data.amount ?? null) : null;
      const seen = data.duplicate === YES ? data.previous[data.kind] : undefined;
      const result = await recordAid(
        ctx.tx,
        {
          councilId: target.councilId,
          helpRequestId: request?.id ?? null,
          householdKey: target.householdKey,
          kind: data.kind,
          amount,
          recordedBy: ctx.userId,
          recordedAt: ctx.now,
        },
        { acknowledged: seen ? new Date(seen) : null },
      );
      const what = aidName(data.kind, amount);
      if (!result.saved) {
        // Recorded by someone else since the question was asked: ask again, with that date.
        const { duplicate: _d, confirmed: _c, ...rest } = data;
        const previous = { ...data.previous, [data.kind]: result.previous.toISOString() };
        return { next: startFlow(self, { data: { ...rest, previous }, at: "duplicate" }) };
      }
      if (request) await recordAidEvent(ctx.tx, request.id, { userId: ctx.userId, at: ctx.now, note: T.historyNote(what) });
      const buttons = request && options.casesEntry ? [entryButton(options.casesEntry, T.backToCase, String(request.id))] : [];
      return { say: [text(T.saved(data.label, what))], next: withMenu(buttons) };
    },
  });
}
