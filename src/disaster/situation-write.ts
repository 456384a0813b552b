// Declaring, changing and ending a situation, and the queries the flow and
// the check-in job share. Every write takes the situations' advisory lock
// first, so two coordinators declaring over the same tambon at once cannot
// both pass the "one active situation per area" check (situation-store.ts);
// every write adds its situation_change row in the same transaction.
//
// Who gets a check-in: active members of the covered councils whose LINE
// account follows the bot, who hold no staff role (staff get the summary),
// and who have no safety_check_in row for the situation yet.
//
// Stopping the rest (an end, or a change): the situation's check-in chunks
// still PENDING and not in flight are marked CANCELLED, and their members'
// check-in rows deleted (they were never sent); the job then sends to
// whoever is still covered (after a change) or to nobody (after an end).
// "In flight" is a chunk whose multicast is on its way to LINE (the worker
// marks it just before the call: sendingAt): it still goes, at most one per
// worker lane. A chunk a worker has claimed in its batch but not started is
// withdrawn: the worker checks just before it calls, and skips it.
import type { Tx } from "../db/database.ts";
import { ownerGoneSql } from "../db/instance-lock.ts";
import { Prisma, type SituationAction, type SituationLevel } from "../generated/prisma/client.ts";
import { quotaMonth } from "../outbox/quota.ts";
import { councilsOf, type Area } from "../staff/areas.ts";
import { coordinatesAll } from "../staff/roles.ts";
import { activeSituations, type SituationWithAreas } from "./situation-store.ts";

export const CHECKIN_PURPOSE = "situation.checkin";
/** The outbox dedupe key of one batch of a situation's check-ins ("#<chunk>" is appended by enqueueMulticast). */
export const checkInKey = (situationId: number, batch: string) => `checkin:${situationId}:${batch}`;

/** The key of pg_advisory_xact_lock taken by every situation write (any constant of our own). */
const SITUATIONS_LOCK = 1_409_140;

export interface SituationFields {
  areas: Area[];
  level: SituationLevel;
  message: string;
}

const areaRows = (areas: Area[]) => areas.map(({ level, areaId }) => ({ level, areaId }));

/** Serialises situation writes (declare, change, end) across instances until the transaction ends. */
export async function lockSituations(tx: Tx): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${SITUATIONS_LOCK}::bigint)::text AS locked`;
}

/** The members a check-in would go to now, in these councils, who have not had it for this situation (null: a new one). */
export async function checkInAudienceCount(tx: Tx, councils: number[], situationId: number | null): Promise<number> {
  if (councils.length === 0) return 0;
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM member m
    JOIN line_user u ON u.id = m."lineUserId" AND u.following
    WHERE m.status = 'ACTIVE' AND m."councilId" = ANY(${councils}::int[])
      AND NOT EXISTS (SELECT 1 FROM staff_role r WHERE r."lineUserId" = m."lineUserId")
      AND NOT EXISTS (SELECT 1 FROM safety_check_in c WHERE c."situationId" = ${situationId ?? 0} AND c."lineUserId" = m."lineUserId")`;
  return Number(rows[0]?.n ?? 0);
}

/**
 * The next members to send a situation's check-in to, by LINE user id;
 * `after`: the last id of the batch just sent in this run (everyone before it
 * has a row), so a big area is not read from the start for every batch.
 */
export async function nextCheckInBatch(
  tx: Tx,
  situationId: number,
  councils: number[],
  limit: number,
  after: string | null = null,
): Promise<{ lineUserId: string; councilId: number }[]> {
  if (councils.length === 0) return [];
  return tx.$queryRaw<{ lineUserId: string; councilId: number }[]>`
    SELECT m."lineUserId", m."councilId" FROM member m
    JOIN line_user u ON u.id = m."lineUserId" AND u.following
    WHERE m.status = 'ACTIVE' AND m."councilId" = ANY(${councils}::int[]) AND m."lineUserId" > ${after ?? ""}
      AND NOT EXISTS (SELECT 1 FROM staff_role r WHERE r."lineUserId" = m."lineUserId")
      AND NOT EXISTS (SELECT 1 FROM safety_check_in c WHERE c."situationId" = ${situationId} AND c."lineUserId" = m."lineUserId")
    ORDER BY m."lineUserId"
    LIMIT ${limit}`;
}

/**
 * Locks an active situation's row for one batch of its check-ins; resolves
 * its updatedAt, or null when it ended or another instance holds it. FOR NO
 * KEY UPDATE, not FOR UPDATE: every answer's insert checks its foreign key
 * to this row (FOR KEY SHARE),
 * which FOR UPDATE blocks, so an answer coming in while the check-in goes
 * out would wait for the batch's commit. An end or a change (lockForWrite)
 * still waits for the batch.
 */
export async function lockActiveSituation(tx: Tx, situationId: number): Promise<Date | null> {
  const rows = await tx.$queryRaw<{ updatedAt: Date }[]>`
    SELECT "updatedAt" FROM situation WHERE id = ${situationId} AND status = 'ACTIVE' FOR NO KEY UPDATE SKIP LOCKED`;
  return rows[0]?.updatedAt ?? null;
}

/** Whether a dedupe key was already used (a member's earlier check-in erased, then sent again). */
export async function outboxKeyUsed(tx: Tx, key: string): Promise<boolean> {
  return (await tx.outboxMessage.count({ where: { dedupeKey: `${key}#0` } })) > 0;
}

export async function recordCheckIns(
  tx: Tx,
  situationId: number,
  rows: { lineUserId: string; councilId: number; outboxMessageId: number }[],
  at: Date,
): Promise<void> {
  // One raw statement with the rows as arrays: Prisma's createMany compiles a query of every row on the
  // event loop (its query compiler), thousands of rows a batch, while webhooks and answers wait.
  await tx.$executeRaw`
    INSERT INTO safety_check_in ("situationId", "lineUserId", "councilId", "outboxMessageId", "sentAt")
    SELECT ${situationId}, r.u, r.c, r.o, ${at}
    FROM unnest(${rows.map((r) => r.lineUserId)}::text[], ${rows.map((r) => r.councilId)}::int[],
                ${rows.map((r) => r.outboxMessageId)}::int[]) AS r(u, c, o)`;
}

/** Active situations whose every area this coordinator covers now (they may change or end them). */
export async function manageableSituations(tx: Tx, userId: string): Promise<SituationWithAreas[]> {
  const out: SituationWithAreas[] = [];
  for (const s of await activeSituations(tx)) if (await coordinatesAll(tx, userId, s.areas)) out.push(s);
  return out;
}

/** Active situations (other than `except`) covering any of these councils. */
export async function overlappingSituations(tx: Tx, councils: number[], except: number | null): Promise<SituationWithAreas[]> {
  const wanted = new Set(councils);
  const out: SituationWithAreas[] = [];
  for (const s of await activeSituations(tx)) {
    if (s.id === except) continue;
    if ((await councilsOf(tx, s.areas)).some((c) => wanted.has(c))) out.push(s);
  }
  return out;
}

async function recordChange(tx: Tx, situationId: number, action: SituationAction, f: SituationFields, by: string, at: Date) {
  await tx.situationChange.create({
    data: { situationId, action, level: f.level, areas: areaRows(f.areas), message: f.message, by, at },
  });
}

export async function declareSituation(tx: Tx, f: SituationFields, by: string, at: Date): Promise<number> {
  const s = await tx.situation.create({
    data: {
      level: f.level,
      message: f.message,
      declaredBy: by,
      declaredAt: at,
      updatedAt: at,
      areas: { create: areaRows(f.areas) },
    },
  });
  await recordChange(tx, s.id, "DECLARED", f, by, at);
  return s.id;
}

/** Locks the situation's row (waiting for a check-in batch in progress); null when it is not active. */
export async function lockForWrite(tx: Tx, situationId: number): Promise<SituationWithAreas | null> {
  const rows = await tx.$queryRaw<
    { id: number }[]
  >`SELECT id FROM situation WHERE id = ${situationId} AND status = 'ACTIVE' FOR NO KEY UPDATE`;
  if (rows.length === 0) return null;
  return tx.situation.findUnique({ where: { id: situationId }, include: { areas: { select: { level: true, areaId: true } } } });
}

/** The members whose check-in still waits in a chunk not yet on its way to LINE (what an end or change would stop). */
export async function pendingCheckIns(tx: Tx, situationId: number, now: Date): Promise<number> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM safety_check_in c JOIN outbox_message o ON o.id = c."outboxMessageId"
    WHERE c."situationId" = ${situationId} AND ${notInFlight(now)}`;
  return Number(rows[0]?.n ?? 0);
}

// A chunk a worker has claimed but not started is withdrawn too (the worker
// checks just before its LINE call: src/outbox/queries.ts startSending); one
// in flight is not, unless its worker is gone (lease over, or owner dead).
const notInFlight = (now: Date) =>
  Prisma.sql`o.status = 'PENDING' AND (o."sendingAt" IS NULL OR o."leaseUntil" IS NULL OR o."leaseUntil" <= ${now} OR ${Prisma.raw(ownerGoneSql(`o."leaseOwner"`))})`;

/**
 * Cancels the situation's check-in chunks still PENDING and not in flight (lastError
 * says why) and deletes their members' check-in rows. Resolves how many
 * members' check-ins were stopped.
 */
export async function cancelPendingCheckIns(tx: Tx, situationId: number, reason: string, now: Date): Promise<number> {
  const chunks = await tx.$queryRaw<{ id: number }[]>`
    UPDATE outbox_message o SET status = 'CANCELLED', "lastError" = ${reason}, "leaseUntil" = NULL, "sendingAt" = NULL
    WHERE o.id IN (SELECT DISTINCT c."outboxMessageId" FROM safety_check_in c
                   WHERE c."situationId" = ${situationId} AND c."outboxMessageId" IS NOT NULL)
      AND o.purpose = ${CHECKIN_PURPOSE} AND ${notInFlight(now)}
    RETURNING o.id`;
  if (chunks.length === 0) return 0;
  const removed = await tx.safetyCheckIn.deleteMany({
    where: { situationId, outboxMessageId: { in: chunks.map((c) => Number(c.id)) } },
  });
  return removed.count;
}

export async function changeSituation(tx: Tx, s: SituationWithAreas, f: SituationFields, by: string, at: Date): Promise<number> {
  const situationId = s.id;
  await tx.situationArea.deleteMany({ where: { situationId } });
  await tx.situationArea.createMany({ data: areaRows(f.areas).map((a) => ({ situationId, ...a })) });
  // updatedAt moves on every change, even within a millisecond: the check-in job looks again when it does.
  const updatedAt = new Date(Math.max(at.getTime(), s.updatedAt.getTime() + 1));
  await tx.situation.update({ where: { id: situationId }, data: { level: f.level, message: f.message, updatedAt } });
  await recordChange(tx, situationId, "CHANGED", f, by, at);
  // Those not sent yet get the new words (and nobody outside the new area gets it): the job queues them again.
  return cancelPendingCheckIns(tx, situationId, "cancelled: the situation changed before this chunk was sent", at);
}

export async function endSituation(tx: Tx, s: SituationWithAreas, by: string, at: Date): Promise<number> {
  await tx.situation.update({ where: { id: s.id }, data: { status: "ENDED", endedBy: by, endedAt: at, updatedAt: at } });
  await recordChange(tx, s.id, "ENDED", { areas: s.areas, level: s.level, message: s.message }, by, at);
  return cancelPendingCheckIns(tx, s.id, "cancelled: the situation ended before this chunk was sent", at);
}

/** This month's pushes left in the plan; null when no quota is configured (0). As announcements' preview. */
export async function remainingPushQuota(tx: Tx, monthly: number, now: Date): Promise<number | null> {
  if (monthly <= 0) return null;
  const usage = await tx.pushQuotaUsage.findUnique({ where: { month: quotaMonth(now) } });
  return Math.max(0, monthly - (usage?.messages ?? 0));
}
