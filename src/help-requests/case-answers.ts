// What staff are answered in case handling, by the module (case-module.ts)
// and its flows (case-*-flow.ts) alike: the case's staff card under a line
// saying what happened, or why an action cannot be done now; the menu under
// it, with the pending list first.
import { z } from "zod";
import { type Next, type Outcome, withMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import type { Button, Reply, TurnContext } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { canHandleCouncil } from "../staff/roles.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { thaiDateTime } from "../thai/format.ts";
import { checkCase, type CaseCheck } from "./case-actions.ts";
import { CASES_ENTRY, type CaseVerb, detailCard, staffNamesOf } from "./case-card.ts";
import { acceptance, loadCase, type LockedCase } from "./case-store.ts";
import { CASE_TEXT as T } from "./case-texts.ts";

export const STAFF_ROLES = ["SECRETARY", "COORDINATOR"] as const;
export const isCaseStaff = staffOnly(...STAFF_ROLES);

export const text = (t: string): Reply => ({ kind: "text", text: t });

/** What the case flows start with: the request, checked again when they complete (recheck). */
export const ON_CASE = { requestId: z.number(), caseNumber: z.string() };
export const onCase = (r: LockedCase) => ({ requestId: r.id, caseNumber: r.caseNumber });

/** The flow's case number, for its questions. */
export const caseOf = (ctx: TurnContext) => String(ctx.state.data.caseNumber ?? "");

/** The menu's buttons under an answer, with `first` and then the pending list in front: where staff go next. */
export async function staffMenu(ctx: TurnContext, first: Button[] = []): Promise<Next> {
  // The list is not offered to someone who just lost the role (refused at the end of a flow).
  const list: Button[] = (await isCaseStaff(ctx))
    ? [{ kind: "postback", label: T.buttons.list, data: encodePostback({ kind: "menu", entry: CASES_ENTRY }), displayText: T.buttons.list }]
    : [];
  return withMenu([...first, ...list]);
}

export const say = async (ctx: TurnContext, lead: string[]): Promise<Outcome> => ({ say: lead.map(text), next: await staffMenu(ctx) });

/** An unknown id and one outside the user's area answer alike. */
export const notFound = (ctx: TurnContext) => say(ctx, [T.notFound]);

/**
 * The lead lines and the request's staff card; without access (handed
 * away), only the lines. `media` signs the links of its photos (none without it).
 */
export async function showCase(ctx: TurnContext, id: number, media: MediaLinks | undefined, lead: string[] = []): Promise<Outcome> {
  const request = await loadCase(ctx.tx, id);
  if (!request || !(await canHandleCouncil(ctx.tx, ctx.userId, request.councilId))) {
    return lead.length > 0 ? say(ctx, lead) : notFound(ctx);
  }
  return {
    say: [...lead.map(text), ...(await detailCard(ctx.tx, request, { media, now: ctx.now }))],
    next: await staffMenu(ctx),
  };
}

/** Why the action cannot be done now, with the current card. */
export async function refusal(
  ctx: TurnContext,
  check: Exclude<CaseCheck, { ok: true }>,
  verb: CaseVerb,
  media: MediaLinks | undefined,
): Promise<Outcome> {
  if (check.reason === "not-found") return notFound(ctx);
  const r = check.request;
  if (verb === "accept" && (r.status === "ACCEPTED" || r.status === "IN_PROGRESS")) {
    const by = await acceptance(ctx.tx, r.id);
    if (by?.actorUserId === ctx.userId) return showCase(ctx, r.id, media, [T.alreadyAcceptedByYou(r.caseNumber)]);
    const name = by?.actorUserId ? (await staffNamesOf(ctx.tx, [by.actorUserId])).get(by.actorUserId) : undefined;
    return showCase(ctx, r.id, media, [T.alreadyAcceptedBy(r.caseNumber, name ?? T.anotherStaff, by ? thaiDateTime(by.at) : T.dash)]);
  }
  return showCase(ctx, r.id, media, [T.notAllowed(r.caseNumber, T.statuses[r.status], T.actionNames[verb])]);
}

/** At the end of a flow, checks again: the status or the user's roles may have changed meanwhile. */
export async function recheck(
  ctx: TurnContext,
  requestId: number,
  verb: CaseVerb,
  media: MediaLinks | undefined,
): Promise<{ ok: true; request: LockedCase } | { ok: false; answer: Outcome }> {
  const check = await checkCase(ctx.tx, ctx.userId, requestId, verb);
  return check.ok ? check : { ok: false, answer: await refusal(ctx, check, verb, media) };
}
