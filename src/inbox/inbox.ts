// The processor's side of the webhook_event table (the webhook's side is inbox-writer.ts).
import type { Database, Tx } from "../db/database.ts";
import type { SqlRunner } from "../db/driver.ts";
import { ownerGoneSql } from "../db/instance-lock.ts";
import { type ConversationRow, conversationState, lockConversationCtes, saveConversationStatement } from "../engine/state-store.ts";
import type { ConversationState } from "../engine/types.ts";
import { quotaExhaustedSql } from "../outbox/quota.ts";

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
  /** A reply LINE may have taken (tried, never confirmed), or null. */
  replyAttemptedAt: Date | null;
  /** Handled under the rate limit: by reply or not at all, never pushed. */
  throttled: boolean;
}

const iso = (d: Date) => d.toISOString();
const ms = (column: string) => `(extract(epoch from "${column}") * 1000)::float8 AS "${column}"`;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
export const EVENT_ORDER_SQL = `"occurredAt", "receivedAt", id`;

const HANDLED_COLUMNS = `id, "sourceKey", "replyToken", outgoing, attempts, throttled,
  ${ms("occurredAt")}, ${ms("leaseUntil")}, ${ms("nextAttemptAt")}, ${ms("replyAttemptedAt")}`;

const handledRow = (r: Record<string, unknown>): HandledRow => ({
  id: String(r.id),
  sourceKey: String(r.sourceKey),
  replyToken: (r.replyToken as string | null) ?? null,
  outgoing: r.outgoing,
  attempts: Number(r.attempts),
  occurredAt: date(r.occurredAt)!,
  leaseUntil: date(r.leaseUntil),
  nextAttemptAt: date(r.nextAttemptAt),
  replyAttemptedAt: date(r.replyAttemptedAt),
  throttled: r.throttled === true,
});

/**
 * A handled event's lease may be taken ($now: ISO time, $me: this
 * instance's key or null): it ran out, it is this instance's own (one run
 * per user at a time in a process, so nothing of ours is sending it), or
 * the instance that took it is gone.
 */
const leaseFree = (now: string, me: string) =>
  `("leaseUntil" IS NULL OR "leaseUntil" <= ${now}::timestamp OR "leaseOwner" = ${me}::bigint OR ${ownerGoneSql(`"leaseOwner"`)})`;

/** Outside any transaction, through the SQL driver. */
export function inboxQueries(db: Database) {
  const sql = db.sql;
  return {
    async hasReceived(sourceKey: string): Promise<boolean> {
      const rows = await sql.query(`SELECT 1 FROM webhook_event WHERE "sourceKey" = $1 AND status = 'RECEIVED' LIMIT 1`, [sourceKey]);
      return rows.length > 0;
    },

    /**
     * Events to resume: not handled yet, or handled and due for delivery
     * with a lease that may be taken. `mine`: leased by this instance and
     * not run out (it may be sending it right now).
     */
    async resumable(now: Date, me: string | null, limit = 500): Promise<{ id: string; sourceKey: string | null; mine: boolean }[]> {
      const rows = await sql.query<{ id: string; sourceKey: string | null; mine: boolean | null }>(
        `SELECT id, "sourceKey", ("leaseOwner" = $3::bigint AND "leaseUntil" > $1::timestamp) AS mine FROM webhook_event
          WHERE status = 'RECEIVED'
             OR (status = 'HANDLED' AND ${leaseFree("$1", "$3")}
                 AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= $1::timestamp))
          ORDER BY "occurredAt" LIMIT $2`,
        [iso(now), limit, me],
      );
      return rows.map((r) => ({ id: String(r.id), sourceKey: r.sourceKey, mine: r.mine === true }));
    },

    /** Events with no source (nothing to answer) are closed as they are. */
    async closeWithoutAnswer(ids: string[], now: Date): Promise<void> {
      if (ids.length === 0) return;
      await sql.query(`UPDATE webhook_event SET status = 'DONE', "doneAt" = $2::timestamp, payload = NULL WHERE id = ANY($1::text[])`, [
        ids,
        iso(now),
      ]);
    },

    async handled(sourceKey: string): Promise<HandledRow[]> {
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT ${HANDLED_COLUMNS} FROM webhook_event WHERE "sourceKey" = $1 AND status = 'HANDLED' ORDER BY ${EVENT_ORDER_SQL}`,
        [sourceKey],
      );
      return rows.map(handledRow);
    },

    /**
     * What of this source waits, in one statement: its handled answers
     * (as handled() reads them) and whether an event waits to be handled.
     */
    async pending(sourceKey: string): Promise<{ handled: HandledRow[]; received: boolean }> {
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT EXISTS (SELECT 1 FROM webhook_event WHERE "sourceKey" = $1 AND status = 'RECEIVED') AS "anyReceived",
                ${HANDLED_COLUMNS}
           FROM (SELECT 1) AS one
           LEFT JOIN webhook_event ON "sourceKey" = $1 AND status = 'HANDLED'
          ORDER BY webhook_event."occurredAt", webhook_event."receivedAt", webhook_event.id`,
        [sourceKey],
      );
      return { handled: rows.filter((r) => r.id !== null && r.id !== undefined).map(handledRow), received: rows[0]?.anyReceived === true };
    },

    /** Takes a lease that is free (see leaseFree); only one instance can win it. */
    async claim(id: string, now: Date, leaseUntil: Date, me: string | null): Promise<boolean> {
      const rows = await sql.query(
        `UPDATE webhook_event SET "leaseUntil" = $3::timestamp, "leaseOwner" = $4::bigint
          WHERE id = $1 AND status = 'HANDLED' AND ${leaseFree("$2", "$4")}
          RETURNING id`,
        [id, iso(now), iso(leaseUntil), me],
      );
      return rows.length === 1;
    },

    /** Committed before a reply is tried: from now on LINE may have taken it. */
    async replyAttempted(id: string, at: Date): Promise<void> {
      await sql.query(`UPDATE webhook_event SET "replyAttemptedAt" = $2::timestamp WHERE id = $1`, [id, iso(at)]);
    },

    /** Gives leases back; `notTried`: an event whose reply was marked as tried but was not. */
    async release(ids: string[], now: Date, notTried: string | null = null): Promise<void> {
      if (ids.length === 0) return;
      await sql.query(
        `UPDATE webhook_event SET "leaseUntil" = $2::timestamp,
                "replyAttemptedAt" = CASE WHEN id = $3 THEN NULL ELSE "replyAttemptedAt" END
          WHERE id = ANY($1::text[])`,
        [ids, iso(now), notTried],
      );
    },

    /**
     * Accepted by LINE. The messages can hold a name: not kept after.
     * `counted` runs in the same transaction when this call made the row
     * DONE (a push is counted in the month's quota once).
     */
    async delivered(id: string, now: Date, counted?: (tx: SqlRunner) => Promise<void>): Promise<void> {
      const statement = `UPDATE webhook_event SET status = 'DONE', "doneAt" = $2::timestamp, "replyToken" = NULL, outgoing = NULL
                          WHERE id = $1 AND status = 'HANDLED' RETURNING id`;
      if (!counted) {
        await sql.query(statement, [id, iso(now)]);
        return;
      }
      await sql.transaction(async (tx) => {
        const rows = await tx.query(statement, [id, iso(now)]);
        if (rows.length === 1) await counted(tx);
      });
    },

    /** Closed without an answer (rate limited, its reply token too old to use): never pushed. */
    async closeUnanswered(id: string, reason: string, now: Date): Promise<void> {
      await sql.query(
        `UPDATE webhook_event SET status = 'DONE', "doneAt" = $3::timestamp, "lastError" = $2, "replyToken" = NULL, outgoing = NULL
          WHERE id = $1 AND status = 'HANDLED'`,
        [id, reason, iso(now)],
      );
    },

    /**
     * Released so that any instance may retry once it is due. `replyRefused`:
     * LINE answered the reply this attempt made (5xx, 429): it did not take it.
     */
    async retryLater(id: string, attempts: number, reason: string, next: Date, now: Date, replyRefused = false): Promise<void> {
      await sql.query(
        `UPDATE webhook_event SET attempts = $2, "lastError" = $3, "nextAttemptAt" = $4::timestamp, "leaseUntil" = $5::timestamp,
                "replyAttemptedAt" = CASE WHEN $6::boolean THEN NULL ELSE "replyAttemptedAt" END
          WHERE id = $1`,
        [id, attempts, reason, iso(next), iso(now), replyRefused],
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

/** Inside the turn's transaction: statements on its connection, through the driver (Database.driverTransaction). */
export interface ReceivedRow {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  occurredAt: Date;
  replyToken: string | null;
}

/** What a turn starts from (inboxInTx.loadTurn), read in one statement under the user's lock. */
export interface TurnLoad {
  /** The user's conversation, its row locked until the transaction ends. */
  conversation: ConversationState;
  /** The oldest event waiting to be handled, or null. */
  oldest: ReceivedRow | null;
  /** How many of the user's events wait to be handled, the oldest included. */
  waiting: number;
  /**
   * With more than one waiting: the user's events, in any state, within the
   * rate window before the oldest, up to it in handling order (itself
   * included); else null.
   */
  inWindow: number | null;
  /** Answers of the user handled before wait for delivery (retries, another instance's). */
  older: boolean;
  /**
   * The quota month given to loadTurn is marked used up (push_quota_usage):
   * pushes may be held for this user's reply (src/outbox/held.ts). Read here
   * so the reply's check costs no statement of its own.
   */
  quotaExhausted: boolean;
}

export interface HandledFields {
  /** Until when this instance reserves the answer's delivery, and this instance's key. */
  leaseUntil: Date;
  leaseOwner: string | null;
  /** Set when the answer goes out by reply next (the reply counts as tried from the commit). */
  replyAttemptedAt: Date | null;
  throttled: boolean;
}

const received = (rows: Record<string, unknown>[]): ReceivedRow | null => {
  const r = rows[0];
  if (!r) return null;
  return {
    id: String(r.id),
    type: String(r.type),
    payload: r.payload,
    attempts: Number(r.attempts),
    occurredAt: date(r.occurredAt)!,
    replyToken: (r.replyToken as string | null) ?? null,
  };
};

const RECEIVED_COLUMNS = `id, type, payload, attempts, ${ms("occurredAt")}, "replyToken"`;

/**
 * The turn's load (see inboxInTx.loadTurn); $1 the source, $2 the time (a new
 * row's updatedAt), $3 the rate window in ms, $4 the push quota's month.
 */
const LOAD_TURN_SQL = `
  WITH ${lockConversationCtes("$1", "$2")},
  oldest AS (
    SELECT id, type, payload, attempts, "occurredAt", "receivedAt", "replyToken" FROM webhook_event
     WHERE "sourceKey" = $1 AND status = 'RECEIVED' ORDER BY ${EVENT_ORDER_SQL} LIMIT 1),
  waiting AS (SELECT count(*)::int AS n FROM webhook_event WHERE "sourceKey" = $1 AND status = 'RECEIVED')
  SELECT c.*, (extract(epoch from c."expiresAt") * 1000)::float8 AS "expiresAtMs", w.n AS "waiting",
         o.id AS "eventId", o.type AS "eventType", o.payload AS "eventPayload", o.attempts AS "eventAttempts",
         (extract(epoch from o."occurredAt") * 1000)::float8 AS "eventOccurredAt", o."replyToken" AS "eventReplyToken",
         CASE WHEN w.n > 1 THEN (
           SELECT count(*)::int FROM webhook_event e
            WHERE e."sourceKey" = $1 AND e."occurredAt" > o."occurredAt" - $3::int * interval '1 millisecond'
              AND (e."occurredAt", e."receivedAt", e.id) <= (o."occurredAt", o."receivedAt", o.id)) END AS "inWindow",
         EXISTS (SELECT 1 FROM webhook_event WHERE "sourceKey" = $1 AND status = 'HANDLED') AS "older",
         ${quotaExhaustedSql("$4")} AS "quotaExhausted"
    FROM conversation_locked c CROSS JOIN waiting w LEFT JOIN oldest o ON true`;

const LOAD_TURN_FIELDS = new Set([
  "expiresAtMs",
  "waiting",
  "eventId",
  "eventType",
  "eventPayload",
  "eventAttempts",
  "eventOccurredAt",
  "eventReplyToken",
  "inWindow",
  "older",
  "quotaExhausted",
]);

/** Engine done: payload cleared (it can hold personal data), answer stored; parameters $1 … $10 (handledParams). */
const HANDLED_SQL = `UPDATE webhook_event
       SET status = $1::"EventStatus", outgoing = $2::jsonb, payload = $3::jsonb, attempts = 0,
           "handledAt" = $4::timestamp, "doneAt" = $5::timestamp, "leaseUntil" = $6::timestamp, "leaseOwner" = $7::bigint,
           "replyAttemptedAt" = $8::timestamp, throttled = $9
     WHERE id = $10`;

const handledParams = (id: string, type: string, outgoing: string | null, now: Date, fields: HandledFields): unknown[] => [
  outgoing ? "HANDLED" : "DONE",
  outgoing,
  JSON.stringify({ type }),
  iso(now),
  outgoing ? null : iso(now),
  iso(fields.leaseUntil),
  fields.leaseOwner,
  outgoing && fields.replyAttemptedAt ? iso(fields.replyAttemptedAt) : null,
  fields.throttled,
  id,
];

export const inboxInTx = {
  /**
   * A turn's start, in one statement: locks the user's conversation (the
   * upsert of src/engine/state-store.ts) and reads the oldest waiting event
   * and what the rate limit and delivery need. Were the lock taken only
   * after waiting for another transaction that held it, the statement's
   * reads could be older than the lock (lockConversationCtes): it is then
   * run again, under the lock.
   */
  async loadTurn(sql: SqlRunner, sourceKey: string, rateWindowMs: number, quotaMonth: string): Promise<TurnLoad> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const [r] = await sql.query<Record<string, unknown>>(LOAD_TURN_SQL, [sourceKey, iso(new Date()), rateWindowMs, quotaMonth]);
      if (!r) continue;
      const row: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (!LOAD_TURN_FIELDS.has(k)) row[k] = v;
      row.expiresAt = date(r.expiresAtMs);
      const oldest =
        r.eventId === null || r.eventId === undefined
          ? null
          : {
              id: String(r.eventId),
              type: String(r.eventType),
              payload: r.eventPayload,
              attempts: Number(r.eventAttempts),
              occurredAt: date(r.eventOccurredAt)!,
              replyToken: (r.eventReplyToken as string | null) ?? null,
            };
      return {
        conversation: conversationState(row as unknown as ConversationRow),
        oldest,
        waiting: Number(r.waiting),
        inWindow: r.inWindow === null || r.inWindow === undefined ? null : Number(r.inWindow),
        older: r.older === true,
        quotaExhausted: r.quotaExhausted === true,
      };
    }
    throw new Error("conversation row vanished under lock");
  },

  /**
   * A turn's end, in one statement: the event as handled() writes it, and
   * the conversation saved (src/engine/state-store.ts). `outgoing`: the
   * answer as JSON, or null.
   */
  async handledAndSaved(
    sql: SqlRunner,
    id: string,
    type: string,
    outgoing: string | null,
    now: Date,
    fields: HandledFields,
    state: ConversationState,
  ): Promise<void> {
    const save = saveConversationStatement(state, 11);
    await sql.query(`WITH handled AS (${HANDLED_SQL}) ${save.sql}`, [...handledParams(id, type, outgoing, now, fields), ...save.params]);
  },

  async oldestReceived(tx: Tx, sourceKey: string): Promise<ReceivedRow | null> {
    return received(
      await tx.$queryRawUnsafe<Record<string, unknown>[]>(
        `SELECT ${RECEIVED_COLUMNS} FROM webhook_event
          WHERE "sourceKey" = $1 AND status = 'RECEIVED' ORDER BY ${EVENT_ORDER_SQL} LIMIT 1`,
        sourceKey,
      ),
    );
  },

  async newestReceived(sql: SqlRunner, sourceKey: string): Promise<ReceivedRow | null> {
    return received(
      await sql.query(
        `SELECT ${RECEIVED_COLUMNS} FROM webhook_event
          WHERE "sourceKey" = $1 AND status = 'RECEIVED' ORDER BY "occurredAt" DESC, "receivedAt" DESC, id DESC LIMIT 1`,
        [sourceKey],
      ),
    );
  },

  /** Whether an event of this source after `since` was already handled under the rate limit. */
  async throttledSince(sql: SqlRunner, sourceKey: string, since: Date): Promise<boolean> {
    const rows = await sql.query(
      `SELECT 1 FROM webhook_event WHERE "sourceKey" = $1 AND throttled AND "occurredAt" > $2::timestamp LIMIT 1`,
      [sourceKey, iso(since)],
    );
    return rows.length > 0;
  },

  /** Rate limit: every event of the source still waiting, but one, closed unanswered (payload cleared). */
  async closeReceivedExcept(sql: SqlRunner, sourceKey: string, keep: string, now: Date): Promise<number> {
    const rows = await sql.query(
      `UPDATE webhook_event
          SET status = 'DONE', "doneAt" = $3::timestamp, "handledAt" = $3::timestamp, payload = NULL, "replyToken" = NULL,
              throttled = true
        WHERE "sourceKey" = $1 AND status = 'RECEIVED' AND id <> $2 RETURNING 1`,
      [sourceKey, keep, iso(now)],
    );
    return rows.length;
  },

  /** Engine done: payload cleared (it can hold personal data), answer stored. */
  async handled(tx: Tx, id: string, type: string, outgoing: unknown[] | null, now: Date, fields: HandledFields): Promise<void> {
    await tx.$executeRawUnsafe(HANDLED_SQL, ...handledParams(id, type, outgoing ? JSON.stringify(outgoing) : null, now, fields));
  },

  async handlingFailed(tx: Tx, id: string, attempts: number, reason: string): Promise<void> {
    await tx.$executeRaw`UPDATE webhook_event SET attempts = ${attempts}, "lastError" = ${reason} WHERE id = ${id}`;
  },

  async noteError(tx: Tx, id: string, reason: string): Promise<void> {
    await tx.$executeRaw`UPDATE webhook_event SET "lastError" = ${reason} WHERE id = ${id}`;
  },
};
