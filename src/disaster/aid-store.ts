// Relief handed out, as rows of aid_distribution: who it is for (a flood
// request, or a member from the unanswered list), the window in which a
// second distribution of one kind to one household is flagged, the saving
// (which checks again under a lock on the household), and the reads for the
// cards, the villager's view and the coordinators' totals.
//
// The window: the active situation covering the council, when there is one
// (the aid of one flood is counted against that flood, however long it
// lasts); without one, the last 30 days (aid handed out before a
// declaration, or after the end, is still the same flood to the household
// most of the time, and a month is longer than any one round of relief).
import type { Tx } from "../db/database.ts";
import type { AidKind, HelpRequestKind } from "../generated/prisma/client.ts";
import { memberHousehold, requestHousehold } from "./household.ts";
import { situationCoveringCouncil } from "./situation-store.ts";

export const AID_KINDS: readonly AidKind[] = ["FOOD_PACK", "WATER", "MEDICINE", "CASH"];
/** Without an active situation, a second distribution within this many days is flagged. */
export const AID_WINDOW_DAYS = 30;

export interface AidRequest {
  id: number;
  kind: HelpRequestKind;
  caseNumber: string;
  councilId: number;
  householdKey: string;
}

/** A request aid may be recorded against (its current council and household); null when there is none. */
export async function requestForAid(tx: Tx, id: number): Promise<AidRequest | null> {
  const r = await tx.helpRequest.findUnique({
    where: { id },
    select: { id: true, kind: true, caseNumber: true, councilId: true, memberId: true, forSomeoneElse: true, householdName: true },
  });
  return r ? { id: r.id, kind: r.kind, caseNumber: r.caseNumber, councilId: r.councilId, householdKey: requestHousehold(r) } : null;
}

export interface AidMember {
  id: number;
  councilId: number;
  fullName: string | null;
  householdKey: string;
}

/** An active member of a council; null for anyone else. */
export async function memberForAid(tx: Tx, id: number): Promise<AidMember | null> {
  const m = await tx.member.findUnique({ where: { id }, select: { id: true, councilId: true, fullName: true, status: true } });
  if (m?.status !== "ACTIVE" || m.councilId === null) return null;
  return { id: m.id, councilId: m.councilId, fullName: m.fullName, householdKey: memberHousehold(m.id) };
}

/** Where a second distribution is looked for: one situation's, or since a time. */
export type AidWindow = { situationId: number; since: null } | { situationId: null; since: Date };

export async function aidWindow(tx: Tx, councilId: number, now: Date): Promise<AidWindow> {
  const situation = await situationCoveringCouncil(tx, councilId);
  if (situation) return { situationId: situation.id, since: null };
  return { situationId: null, since: new Date(now.getTime() - AID_WINDOW_DAYS * 86_400_000) };
}

const inWindow = (w: AidWindow) => (w.situationId !== null ? { situationId: w.situationId } : { recordedAt: { gte: w.since } });

/** The latest distribution of each kind to the household within the window. */
export async function previousAid(tx: Tx, householdKey: string, window: AidWindow): Promise<Partial<Record<AidKind, Date>>> {
  const rows = await tx.aidDistribution.groupBy({
    by: ["kind"],
    where: { householdKey, ...inWindow(window) },
    _max: { recordedAt: true },
  });
  return Object.fromEntries(rows.flatMap((r) => (r._max.recordedAt ? [[r.kind, r._max.recordedAt]] : [])));
}

export interface NewAid {
  councilId: number;
  helpRequestId: number | null;
  householdKey: string;
  kind: AidKind;
  amount: number | null;
  recordedBy: string;
  recordedAt: Date;
}

export type AidSaved = { saved: true; id: number; situationId: number | null } | { saved: false; previous: Date };

/**
 * Saves a distribution unless the household received the same kind within
 * the window after `acknowledged` (what the secretary was shown and chose to
 * record anyway; null: nothing). The household is locked until commit, so
 * of two secretaries saving at once the second sees the first's row.
 */
export async function recordAid(tx: Tx, aid: NewAid, options: { acknowledged: Date | null }): Promise<AidSaved> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`aid:${aid.householdKey}`}, 0))`;
  const window = await aidWindow(tx, aid.councilId, aid.recordedAt);
  const latest = await tx.aidDistribution.findFirst({
    where: { householdKey: aid.householdKey, kind: aid.kind, ...inWindow(window) },
    orderBy: { recordedAt: "desc" },
    select: { recordedAt: true },
  });
  if (latest && (options.acknowledged === null || latest.recordedAt.getTime() > options.acknowledged.getTime())) {
    return { saved: false, previous: latest.recordedAt };
  }
  const row = await tx.aidDistribution.create({
    data: { ...aid, amount: aid.kind === "CASH" ? aid.amount : null, situationId: window.situationId },
    select: { id: true },
  });
  if (aid.helpRequestId !== null) {
    await tx.helpRequest.update({ where: { id: aid.helpRequestId }, data: { updatedAt: aid.recordedAt } });
  }
  return { saved: true, id: row.id, situationId: window.situationId };
}

/**
 * The request's history row: a staff NOTE saying what was handed out.
 * HelpRequestEventKind has no kind for aid; a note is what both the staff
 * card and the villager's card already show.
 */
export async function recordAidEvent(tx: Tx, requestId: number, by: { userId: string; at: Date; note: string }): Promise<void> {
  await tx.helpRequestEvent.create({ data: { requestId, kind: "NOTE", at: by.at, actorUserId: by.userId, byStaff: true, note: by.note } });
}

export interface AidRow {
  id: number;
  helpRequestId: number | null;
  kind: AidKind;
  amount: number | null;
  recordedAt: Date;
}

const ROW = { id: true, helpRequestId: true, kind: true, amount: true, recordedAt: true } as const;

/** The aid recorded against these requests, oldest first. */
export async function aidOfRequests(tx: Tx, requestIds: number[]): Promise<AidRow[]> {
  if (requestIds.length === 0) return [];
  return tx.aidDistribution.findMany({
    where: { helpRequestId: { in: requestIds } },
    select: ROW,
    orderBy: [{ recordedAt: "asc" }, { id: "asc" }],
  });
}

/** Aid recorded for a user's own household (as a member) without a request, oldest first; [] for a non-member. */
export async function householdAidOfUser(tx: Tx, lineUserId: string, take = 20): Promise<AidRow[]> {
  const member = await tx.member.findUnique({ where: { lineUserId }, select: { id: true } });
  if (!member) return [];
  const rows = await tx.aidDistribution.findMany({
    where: { householdKey: memberHousehold(member.id), helpRequestId: null },
    select: ROW,
    orderBy: [{ recordedAt: "desc" }, { id: "desc" }],
    take,
  });
  return rows.reverse();
}

/** Count and cash per kind, in AID_KINDS order, kinds with none left out. */
export function aidCounts(rows: Pick<AidRow, "kind" | "amount">[]): { kind: AidKind; count: number; cash: number }[] {
  return AID_KINDS.map((kind) => {
    const of = rows.filter((r) => r.kind === kind);
    return { kind, count: of.length, cash: of.reduce((sum, r) => sum + (r.amount ?? 0), 0) };
  }).filter((c) => c.count > 0);
}

export interface AidTotal {
  councilId: number;
  kind: AidKind;
  count: number;
  /** Baht, CASH only (0 for the others). */
  cash: number;
}

/** Per council and kind: how many distributions and how much cash, in one situation (or all) for these councils. */
export async function aidTotals(tx: Tx, options: { situationId?: number; councilIds: number[] }): Promise<AidTotal[]> {
  if (options.councilIds.length === 0) return [];
  const rows = await tx.aidDistribution.groupBy({
    by: ["councilId", "kind"],
    where: {
      councilId: { in: options.councilIds },
      ...(options.situationId !== undefined ? { situationId: options.situationId } : {}),
    },
    _count: { _all: true },
    _sum: { amount: true },
    orderBy: [{ councilId: "asc" }, { kind: "asc" }],
  });
  return rows.map((r) => ({ councilId: r.councilId, kind: r.kind, count: r._count._all, cash: r._sum.amount ?? 0 }));
}
