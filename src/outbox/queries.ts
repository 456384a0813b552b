// The outbox worker's SQL, through the SQL driver as in src/inbox/inbox.ts
// (no Prisma query compiler on a path that runs per message). Timestamps
// travel as ISO strings so no driver converts them to local time.
//
// Every write after a send is guarded: "sent" only moves a PENDING row (two
// workers that both got LINE's yes count the quota once), and a retry or a
// failure only lands while the writer still holds the lease it claimed with
// (a worker whose lease ran out must not undo another worker's progress).
import { ownerGoneSql } from "../db/instance-lock.ts";
import { randomUUID } from "node:crypto";
import type { messagingApi } from "@line/bot-sdk";
import type { Database } from "../db/database.ts";
import type { SqlRunner } from "../db/driver.ts";

export interface ClaimedMessage {
  id: number;
  /** What caused it ("announcement", "request.status", …). */
  purpose: string;
  recipients: string[];
  messages: messagingApi.Message[];
  retryKey: string;
  attempts: number;
  /** The lease this worker holds; its later writes are guarded by it. */
  leaseUntil: Date;
}

const iso = (d: Date) => d.toISOString();
const json = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

export function outboxQueries(db: Database) {
  const sql = db.sql;
  return {
    /**
     * Leases up to `limit` due messages, oldest first. SKIP LOCKED lets
     * several instances claim at once without waiting on each other; a row
     * whose lease ran out, or whose owner holds no instance lock any more
     * (killed), is due again.
     */
    async claim(now: Date, leaseUntil: Date, limit: number, owner: string | null = null): Promise<ClaimedMessage[]> {
      const rows = await sql.query<Record<string, unknown>>(
        `UPDATE outbox_message SET "leaseUntil" = $2::timestamp, "leaseOwner" = $4::bigint, "sendingAt" = NULL
          WHERE id IN (SELECT id FROM outbox_message
                        WHERE status = 'PENDING' AND "notBefore" <= $1::timestamp
                          AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= $1::timestamp)
                          AND ("leaseUntil" IS NULL OR "leaseUntil" <= $1::timestamp OR ${ownerGoneSql(`"leaseOwner"`)})
                        ORDER BY id LIMIT $3
                        FOR UPDATE SKIP LOCKED)
          RETURNING id, purpose, recipients, messages, "retryKey", attempts`,
        [iso(now), iso(leaseUntil), limit, owner],
      );
      return rows
        .map((r) => ({
          id: Number(r.id),
          purpose: String(r.purpose),
          recipients: (json(r.recipients) as unknown[]).map(String),
          messages: json(r.messages) as messagingApi.Message[],
          retryKey: String(r.retryKey),
          attempts: Number(r.attempts),
          leaseUntil,
        }))
        .sort((a, b) => a.id - b.id);
    },

    /**
     * Just before the LINE call: the row is still PENDING and still this
     * claim's, so it goes, and from now on it is in flight (sendingAt), which
     * a withdrawal leaves alone. False: it was withdrawn (a flood situation
     * ended, src/disaster/situation-write.ts) or taken over since the claim.
     */
    async startSending(row: ClaimedMessage, now: Date): Promise<boolean> {
      const rows = await sql.query(
        `UPDATE outbox_message SET "sendingAt" = $3::timestamp
          WHERE id = $1 AND status = 'PENDING' AND "leaseUntil" = $2::timestamp RETURNING id`,
        [row.id, iso(row.leaseUntil), iso(now)],
      );
      return rows.length > 0;
    },

    /** Gives a claimed message back untouched (the channel is paused, or the lease is nearly over). */
    async release(row: ClaimedMessage): Promise<void> {
      await sql.query(
        `UPDATE outbox_message SET "leaseUntil" = NULL, "sendingAt" = NULL WHERE id = $1 AND status = 'PENDING' AND "leaseUntil" = $2::timestamp`,
        [row.id, iso(row.leaseUntil)],
      );
    },

    /**
     * Accepted by LINE: SENT, and its recipients added to the month's push
     * count, in one transaction. The messages can hold a name: not kept
     * after (as for answers in the inbox). Resolves the month's count before
     * and after, or null when the row was already SENT by another worker.
     * LINE took a push, so the month's quota is not used up (held.ts).
     */
    async sent(row: ClaimedMessage, now: Date, month: string, onCounted?: (tx: SqlRunner, before: number, after: number) => Promise<void>) {
      return sql.transaction(async (tx) => {
        const counted = await tx.query<{ messages: number }>(
          `WITH sent AS (
             UPDATE outbox_message SET status = 'SENT', "sentAt" = $2::timestamp, "leaseUntil" = NULL, "sendingAt" = NULL, messages = '[]'::jsonb
              WHERE id = $1 AND status = 'PENDING' RETURNING id)
           INSERT INTO push_quota_usage (month, messages) SELECT $3, $4::int FROM sent
           ON CONFLICT (month) DO UPDATE SET messages = push_quota_usage.messages + EXCLUDED.messages,
             "exhaustedAt" = NULL, "probeAt" = NULL
           RETURNING messages`,
          [row.id, iso(now), month, row.recipients.length],
        );
        if (counted.length === 0) return null;
        const after = Number(counted[0]!.messages);
        const before = after - row.recipients.length;
        await onCounted?.(tx, before, after);
        return { before, after };
      });
    },

    /** Released for any instance to try again once `next` has come. */
    async retryLater(row: ClaimedMessage, attempts: number, reason: string, next: Date): Promise<void> {
      await sql.query(
        `UPDATE outbox_message SET attempts = $2, "lastError" = $3, "nextAttemptAt" = $4::timestamp, "leaseUntil" = NULL, "sendingAt" = NULL
          WHERE id = $1 AND status = 'PENDING' AND "leaseUntil" = $5::timestamp`,
        [row.id, attempts, reason, iso(next), iso(row.leaseUntil)],
      );
    },

    /** FAILED for good; `then` runs in the same transaction (the refusal reported), only if this writer still held the row. */
    async failed(row: ClaimedMessage, attempts: number, reason: string, then?: (tx: SqlRunner) => Promise<void>): Promise<void> {
      await sql.transaction(async (tx) => {
        const updated = await tx.query(
          `UPDATE outbox_message SET status = 'FAILED', attempts = $2, "lastError" = $3, "leaseUntil" = NULL, "sendingAt" = NULL
            WHERE id = $1 AND status = 'PENDING' AND "leaseUntil" = $4::timestamp
            RETURNING id`,
          [row.id, attempts, reason, iso(row.leaseUntil)],
        );
        if (updated.length > 0) await then?.(tx);
      });
    },

    /**
     * LINE said the month's quota is used up: the row waits for it (PENDING,
     * its attempts untouched: the quota is the channel's, not the message's)
     * and `record` notes the quota state in the same transaction (held.ts).
     * The month's row is locked first: rows refused together queue on it
     * instead of each holding its own row while the first one queues the
     * admins' warning (a deadlock when that warning is among them).
     */
    async heldForQuota<T>(row: ClaimedMessage, reason: string, record: (tx: SqlRunner) => Promise<T>): Promise<T> {
      return sql.transaction(async (tx) => {
        const recorded = await record(tx);
        await tx.query(
          `UPDATE outbox_message SET "lastError" = $2, "nextAttemptAt" = NULL, "leaseUntil" = NULL, "sendingAt" = NULL
            WHERE id = $1 AND status = 'PENDING' AND "leaseUntil" = $3::timestamp`,
          [row.id, reason, iso(row.leaseUntil)],
        );
        return recorded;
      });
    },
  };
}

export type OutboxQueries = ReturnType<typeof outboxQueries>;

/**
 * Queues one message to many users inside a driver transaction (the quota
 * warning is written with the count that crossed the threshold). Same rows
 * as enqueueMulticast in outbox.ts, which takes a Prisma transaction.
 */
export async function enqueueInSql(
  tx: SqlRunner,
  to: readonly string[],
  messages: messagingApi.Message[],
  options: { purpose: string; now: Date; dedupeKey: string; chunk: number },
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < to.length; i += options.chunk) {
    const rows = await tx.query<{ id: number }>(
      `INSERT INTO outbox_message (purpose, recipients, messages, "retryKey", "dedupeKey", "notBefore", "createdAt")
       VALUES ($1, $2::jsonb, $3::jsonb, $4::uuid, $5, $6::timestamp, $6::timestamp)
       ON CONFLICT ("dedupeKey") DO NOTHING
       RETURNING id`,
      [
        options.purpose,
        JSON.stringify(to.slice(i, i + options.chunk)),
        JSON.stringify(messages),
        randomUUID(),
        `${options.dedupeKey}#${i / options.chunk}`,
        iso(options.now),
      ],
    );
    if (rows[0]) ids.push(Number(rows[0].id));
  }
  return ids;
}
