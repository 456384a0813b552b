// The processor's side of the webhook_event table (the webhook's side is inbox-writer.ts).
import type { Database, Tx } from "../db/database.ts";

// ---------------------------------------------------------------------------
// The processor's queries. Hand-written SQL on purpose: this path runs for
// every event, and Prisma's query compiler costs ~2 ms of CPU per model query
// here against ~0.2 ms for the same SQL through the driver (measured with
// scratch benchmarks, see the closing note of issue 2). Timestamps travel as
// ISO strings and epoch milliseconds so no driver converts them to local time.

export interface HandledRow {
  id: string;
  sourceKey: string;
  replyToken: string | null;
  occurredAt: Date;
  outgoing: unknown;
  attempts: number;
  leaseUntil: Date | null;
  nextAttemptAt: Date | null;
}

const iso = (d: Date) => d.toISOString();
const ms = (column: string) => `(extract(epoch from "${column}") * 1000)::float8 AS "${column}"`;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
export const EVENT_ORDER_SQL = `"occurredAt", "receivedAt", id`;

/** Outside any transaction, through the SQL driver. */
export function inboxQueries(db: Database) {
  const sql = db.sql;
  return {
    async hasReceived(sourceKey: string): Promise<boolean> {
      const rows = await sql.query(`SELECT 1 FROM webhook_event WHERE "sourceKey" = $1 AND status = 'RECEIVED' LIMIT 1`, [sourceKey]);
      return rows.length > 0;
    },

    /** Events to resume: not handled yet, or handled and due for delivery. */
    async resumable(now: Date, limit = 500): Promise<{ id: string; sourceKey: string | null }[]> {
      return sql.query(
        `SELECT id, "sourceKey" FROM webhook_event
          WHERE status = 'RECEIVED'
             OR (status = 'HANDLED' AND ("leaseUntil" IS NULL OR "leaseUntil" <= $1::timestamp)
                 AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= $1::timestamp))
          ORDER BY "occurredAt" LIMIT $2`,
        [iso(now), limit],
      );
    },

    /** Events with no source (nothing to answer) are closed as they are. */
    async closeWithoutAnswer(ids: string[], now: Date): Promise<void> {
      if (ids.length === 0) return;
      await sql.query(
        `UPDATE webhook_event SET status = 'DONE', "doneAt" = $2::timestamp, payload = NULL WHERE id = ANY($1::text[])`,
        [ids, iso(now)],
      );
    },

    async handled(sourceKey: string): Promise<HandledRow[]> {
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT id, "sourceKey", "replyToken", outgoing, attempts, ${ms("occurredAt")}, ${ms("leaseUntil")}, ${ms("nextAttemptAt")}
           FROM webhook_event WHERE "sourceKey" = $1 AND status = 'HANDLED' ORDER BY ${EVENT_ORDER_SQL}`,
        [sourceKey],
      );
      return rows.map((r) => ({
        id: String(r.id),
        sourceKey: String(r.sourceKey),
        replyToken: (r.replyToken as string | null) ?? null,
        outgoing: r.outgoing,
        attempts: Number(r.attempts),
        occurredAt: date(r.occurredAt)!,
        leaseUntil: date(r.leaseUntil),
        nextAttemptAt: date(r.nextAttemptAt),
      }));
    },

    /** Takes an expired lease; only one instance can win it. */
    async claim(id: string, now: Date, leaseUntil: Date): Promise<boolean> {
      const rows = await sql.query(
        `UPDATE webhook_event SET "leaseUntil" = $3::timestamp
          WHERE id = $1 AND status = 'HANDLED' AND ("leaseUntil" IS NULL OR "leaseUntil" <= $2::timestamp)
          RETURNING id`,
        [id, iso(now), iso(leaseUntil)],
      );
      return rows.length === 1;
    },

    async release(ids: string[], now: Date): Promise<void> {
      if (ids.length === 0) return;
      await sql.query(`UPDATE webhook_event SET "leaseUntil" = $2::timestamp WHERE id = ANY($1::text[])`, [ids, iso(now)]);
    },

    /** Accepted by LINE. The messages can hold a name: not kept after. */
    async delivered(id: string, now: Date): Promise<void> {
      await sql.query(
        `UPDATE webhook_event SET status = 'DONE', "doneAt" = $2::timestamp, "replyToken" = NULL, outgoing = NULL WHERE id = $1`,
        [id, iso(now)],
      );
    },

    /** Released so that any instance may retry once it is due. */
    async retryLater(id: string, attempts: number, reason: string, next: Date, now: Date): Promise<void> {
      await sql.query(
        `UPDATE webhook_event SET attempts = $2, "lastError" = $3, "nextAttemptAt" = $4::timestamp, "leaseUntil" = $5::timestamp
          WHERE id = $1`,
        [id, attempts, reason, iso(next), iso(now)],
      );
    },

    async failed(id: string, attempts: number, reason: string, now: Date): Promise<void> {
      await sql.query(
        `UPDATE webhook_event SET status = 'FAILED', attempts = $2, "lastError" = $3, "doneAt" = $4::timestamp,
                "replyToken" = NULL, outgoing = NULL
          WHERE id = $1`,
        [id, attempts, reason, iso(now)],
      );
    },

    async purge(before: Date): Promise<number> {
      const rows = await sql.query(
        `DELETE FROM webhook_event WHERE status IN ('DONE', 'FAILED') AND "doneAt" < $1::timestamp RETURNING 1`,
        [iso(before)],
      );
      return rows.length;
    },
  };
}

export type InboxQueries = ReturnType<typeof inboxQueries>;

/** Inside the turn's transaction: Prisma's raw queries on its connection. */
export const inboxInTx = {
  async oldestReceived(tx: Tx, sourceKey: string): Promise<{ id: string; type: string; payload: unknown; attempts: number } | null> {
    const rows = await tx.$queryRawUnsafe<{ id: string; type: string; payload: unknown; attempts: number }[]>(
      `SELECT id, type, payload, attempts FROM webhook_event
        WHERE "sourceKey" = $1 AND status = 'RECEIVED' ORDER BY ${EVENT_ORDER_SQL} LIMIT 1`,
      sourceKey,
    );
    return rows[0] ?? null;
  },

  /** Engine done: payload cleared (it can hold personal data), answer stored. */
  async handled(tx: Tx, id: string, type: string, outgoing: unknown[] | null, now: Date, leaseUntil: Date): Promise<void> {
    await tx.$executeRaw`
      UPDATE webhook_event
         SET status = ${outgoing ? "HANDLED" : "DONE"}::"EventStatus",
             outgoing = ${outgoing ? JSON.stringify(outgoing) : null}::jsonb,
             payload = ${JSON.stringify({ type })}::jsonb,
             attempts = 0,
             "handledAt" = ${now},
             "doneAt" = ${outgoing ? null : now},
             "leaseUntil" = ${leaseUntil}
       WHERE id = ${id}`;
  },

  async handlingFailed(tx: Tx, id: string, attempts: number, reason: string): Promise<void> {
    await tx.$executeRaw`UPDATE webhook_event SET attempts = ${attempts}, "lastError" = ${reason} WHERE id = ${id}`;
  },

  async noteError(tx: Tx, id: string, reason: string): Promise<void> {
    await tx.$executeRaw`UPDATE webhook_event SET "lastError" = ${reason} WHERE id = ${id}`;
  },
};
