// The webhook inbox table: events are written here before LINE gets its 200.
import type { Database } from "../db/database.ts";
import { sourceKeyOf, type WebhookEvent } from "../line/events.ts";

const COLUMNS = 8;

/** One event as the INSERT's parameters (throws for a payload JSON cannot write, e.g. nested too deep). */
function rowOf(event: WebhookEvent, receivedAt: string): unknown[] {
  return [
    event.webhookEventId,
    sourceKeyOf(event),
    event.type,
    JSON.stringify(event),
    event.replyToken ?? null,
    // Prisma keeps UTC in `timestamp` columns; an ISO string keeps the
    // driver from converting to the server's local time.
    new Date(event.timestamp).toISOString(),
    event.deliveryContext?.isRedelivery ?? false,
    receivedAt,
  ];
}

/** Inserts rows (rowOf), skipping ids already stored; returns the rows inserted. */
async function insertRows(db: Database, rows: unknown[][]): Promise<{ id: string; sourceKey: string | null }[]> {
  if (rows.length === 0) return [];
  const values = rows.map((_, i) => {
    const n = i * COLUMNS;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8})`;
  });
  return db.sql.query<{ id: string; sourceKey: string | null }>(
    `INSERT INTO webhook_event (id, "sourceKey", type, payload, "replyToken", "occurredAt", "isRedelivery", "receivedAt")
     VALUES ${values.join(", ")}
     ON CONFLICT (id) DO NOTHING
     RETURNING id, "sourceKey"`,
    rows.flat(),
  );
}

async function insertEvents(db: Database, events: WebhookEvent[]): Promise<{ id: string; sourceKey: string | null }[]> {
  const receivedAt = new Date().toISOString();
  return insertRows(
    db,
    events.map((e) => rowOf(e, receivedAt)),
  );
}

/**
 * PostgreSQL refused what the statement carried (a SQLSTATE outside the
 * connection, resource and operator classes): trying the rows apart can
 * help. A lost connection or a database going down fails every row alike,
 * and trying forty deliveries one after another would only hold each for
 * the connection timeout.
 */
function refusedContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58|XX)/.test(code);
}

const keysOf = (rows: { sourceKey: string | null }[]) => [...new Set(rows.map((r) => r.sourceKey).filter((k): k is string => k !== null))];

/**
 * Stores the events of one delivery in one statement. An event already
 * stored (LINE's redelivery, or a repeated webhookEventId) is skipped, so it
 * is handled and answered once. Returns the source keys that got new events.
 */
export async function recordEvents(db: Database, events: WebhookEvent[]): Promise<string[]> {
  return keysOf(await insertEvents(db, events));
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters. */
const MAX_BATCH_EVENTS = Math.floor(65_535 / COLUMNS);

interface Pending {
  events: WebhookEvent[];
  resolve: (keys: string[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the webhook: while one INSERT is in flight, deliveries
 * that arrive wait and then go together in the next one, so under load one
 * statement and one commit serve many requests. An idle server writes at
 * once (no timer, no added latency). Each request still gets its 200 only
 * after its own events are committed.
 */
export class InboxWriter {
  private readonly queue: Pending[] = [];
  private writing = false;

  constructor(private readonly db: Database) {}

  record(events: WebhookEvent[]): Promise<string[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let size = 0;
      while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0]!.events.length <= MAX_BATCH_EVENTS)) {
        const next = this.queue.shift()!;
        size += next.events.length;
        batch.push(next);
      }
      // A delivery whose rows cannot even be written out fails alone.
      const receivedAt = new Date().toISOString();
      const writable: Pending[] = [];
      const rows = new Map<string, unknown[]>();
      for (const pending of batch) {
        try {
          const own = pending.events.map((e) => [e.webhookEventId, rowOf(e, receivedAt)] as const);
          // The same event twice in one batch (a redelivery racing the first
          // delivery) is written once; the first request to carry it owns it.
          for (const [id, row] of own) if (!rows.has(id)) rows.set(id, row);
          writable.push(pending);
        } catch (error) {
          pending.reject(error);
        }
      }
      if (writable.length === 0) continue;
      try {
        const inserted = new Set((await insertRows(this.db, [...rows.values()])).map((r) => r.id));
        for (const pending of writable) {
          const mine = pending.events.filter((e) => inserted.delete(e.webhookEventId));
          pending.resolve(keysOf(mine.map((e) => ({ sourceKey: sourceKeyOf(e) }))));
        }
      } catch (error) {
        if (writable.length > 1 && refusedContent(error)) await this.oneByOne(writable);
        else for (const pending of writable) pending.reject(error);
      }
    }
    this.writing = false;
  }

  /**
   * A group INSERT fails as a whole: one delivery PostgreSQL cannot store
   * would fail every other user's delivery in the group (15–18 of 40 were
   * answered 503). Each is tried again on its own, so only the bad one
   * fails. In arrival order, so a repeated event keeps its first owner.
   */
  private async oneByOne(batch: Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        pending.resolve(await recordEvents(this.db, pending.events));
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}
