// Sends each active situation's safety check-in to every member of its area,
// exactly once, through the outbox.
//
// One batch (5,000 members = 10 multicast chunks of 500 on PostgreSQL, one
// chunk on PGlite) is one transaction: lock the situation's row (FOR NO
// KEY UPDATE SKIP LOCKED: another instance doing a batch of the same
// situation makes this one skip it; an end or a change waits for the batch
// and then cancels what it queued; answers are not held up),
// select the next members without a safety_check_in row (by LINE user id),
// queue the multicasts (purpose "situation.checkin", dedupe key
// "checkin:<situationId>:<first LINE user id of the batch>#<chunk>"), and
// write each member's check-in row tied to their chunk's outbox row.
// A crash before the commit leaves nothing and the next run does the batch
// again; after it, the rows keep those members out of every later batch and
// the outbox worker sends each chunk once (its retry key). A situation whose
// area grew has members without a row again: they, and only they, get it.
// A change of level or message sends nothing to those already sent.
import type { Database, Tx } from "../db/database.ts";
import type { Job } from "../jobs/scheduler.ts";
import type { Logger } from "../log.ts";
import { enqueueMulticast, MULTICAST_CHUNK } from "../outbox/outbox.ts";
import { checkInMessages } from "./checkin-message.ts";
import { activeSituations, situationCouncils } from "./situation-store.ts";
import { CHECKIN_PURPOSE, checkInKey, lockActiveSituation, nextCheckInBatch, outboxKeyUsed, recordCheckIns } from "./situation-write.ts";

/** How long a fully sent situation is left alone (unless it changes). */
const RECHECK_MS = 5 * 60_000;

/**
 * Members per transaction: 10 multicast chunks on PostgreSQL. On PGlite a
 * transaction holds the one session, so every webhook insert and every
 * answer waits for it: one chunk a transaction there (a province's 5,000-
 * member batch held it for about a second).
 */
export const CHECKIN_BATCH = 10 * MULTICAST_CHUNK;
export const CHECKIN_BATCH_PGLITE = MULTICAST_CHUNK;

export interface CheckInJobOptions {
  db: Database;
  logger: Logger;
  /** Members per batch (tests use small ones to stop mid-send); CHECKIN_BATCH or CHECKIN_BATCH_PGLITE by the database. */
  batch?: number;
  /** Batches per run, over all situations (the scheduler runs it again at once while it has work). */
  batchesPerRun?: number;
  /** Tests: runs inside a batch's transaction, just before its commit. */
  beforeCommit?: (tx: Tx, situationId: number) => Promise<void>;
}

export function checkInJob(options: CheckInJobOptions): Job {
  const { db, logger } = options;
  const batch = options.batch ?? (db.kind === "pglite" ? CHECKIN_BATCH_PGLITE : CHECKIN_BATCH);

  // A situation's message and councils, by its updatedAt (which every change moves, under the
  // row lock each batch takes): read once per change, not once per batch. A province's send is
  // 200 batches on PGlite, each of which read the situation through Prisma and resolved its
  // councils while answers waited on the same event loop (docs/performance.md §6).
  const known = new Map<number, { updatedAt: number; s: Parameters<typeof checkInMessages>[0]; councils: number[] }>();
  /**
   * One batch of one situation, after `after` (the last id of this run's
   * previous batch); resolves the members it queued (none left: []; null:
   * ended, or another instance has it).
   */
  async function sendBatch(situationId: number, now: Date, after: string | null): Promise<string[] | null> {
    return db.transaction(async (tx) => {
      const updatedAt = await lockActiveSituation(tx, situationId);
      if (updatedAt === null) return null;
      let hit = known.get(situationId);
      if (hit?.updatedAt !== updatedAt.getTime()) {
        const read = await tx.situation.findUniqueOrThrow({ where: { id: situationId }, include: { areas: true } });
        hit = { updatedAt: read.updatedAt.getTime(), s: read, councils: await situationCouncils(tx, read) };
        known.set(situationId, hit);
      }
      const { s, councils } = hit;
      const members = await nextCheckInBatch(tx, situationId, councils, batch, after);
      if (members.length === 0) return [];
      const ids = members.map((m) => m.lineUserId);
      let key = checkInKey(situationId, ids[0]!);
      // The first member's check-in was sent before and erased since (a withdrawal, a rejoin): a key of its own.
      if (await outboxKeyUsed(tx, key)) key = checkInKey(situationId, `${ids[0]!}@${now.getTime()}`);
      const chunks = await enqueueMulticast(tx, ids, checkInMessages(s), { purpose: CHECKIN_PURPOSE, now, dedupeKey: key });
      if (chunks.length !== Math.ceil(ids.length / MULTICAST_CHUNK)) throw new Error(`check-in chunks of ${key} already queued`);
      await recordCheckIns(
        tx,
        situationId,
        members.map((m, i) => ({ ...m, outboxMessageId: chunks[Math.floor(i / MULTICAST_CHUNK)]! })),
        now,
      );
      await options.beforeCommit?.(tx, situationId);
      return ids;
    });
  }

  // Situations found fully sent, by their updatedAt: looked at again when
  // they change, or after RECHECK_MS (members who joined since), not on
  // every turn that wakes the job (each look scans the area's members).
  const done = new Map<number, { updatedAt: number; at: number }>();

  return {
    name: "situation-checkin",
    async runOnce(now) {
      let batches = 0;
      const limit = options.batchesPerRun ?? 20;
      const active = await activeSituations(db.prisma);
      for (const id of done.keys()) if (!active.some((s) => s.id === id)) done.delete(id);
      for (const id of known.keys()) if (!active.some((s) => s.id === id)) known.delete(id);
      for (const s of active) {
        const seen = done.get(s.id);
        if (seen && seen.updatedAt === s.updatedAt.getTime() && Math.abs(now.getTime() - seen.at) < RECHECK_MS) continue;
        done.delete(s.id);
        let after: string | null = null;
        while (batches < limit) {
          const sent = await sendBatch(s.id, now, after);
          if (sent === null) break;
          // None left after the cursor: looked at again from the start next run, then left alone.
          if (sent.length === 0) {
            if (after === null) done.set(s.id, { updatedAt: s.updatedAt.getTime(), at: now.getTime() });
            break;
          }
          batches += 1;
          after = sent.at(-1)!;
          logger.info("situation check-ins queued", {
            situationId: s.id,
            members: sent.length,
            chunks: Math.ceil(sent.length / MULTICAST_CHUNK),
          });
          if (sent.length < batch) break;
        }
        if (batches >= limit) break;
      }
      return batches;
    },
  };
}
