// The webhook inbox table: events are written here before LINE gets its 200.
import type { Database } from "../db/database.ts";
import { sourceKeyOf, type WebhookEvent } from "../line/events.ts";

const COLUMNS = 8;

/** Inserts events, skipping ids already stored; returns the rows inserted. */
async function insertEvents(db: Database, events: WebhookEvent[]): Promise<{ id: string; sourceKey: string | null }[]> {
  if (events.length === 0) return [];
  const params: unknown[] = [];
  const receivedAt = new Date().toISOString();
  const rows = events.map((event, i) => {
    params.push(
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
    );
    const n = i * COLUMNS;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8})`;
  });
  return db.sql.query<{ id: string; sourceKey: string | null }>(
    `INSERT INTO webhook_event (id, "sourceKey", type, payload, "replyToken", "occurredAt", "isRedelivery", "receivedAt")
     VALUES ${rows.join(", ")}
     ON CONFLICT (id) DO NOTHING
     RETURNING id, "sourceKey"`,
    params,
  );
}

const keysOf = (rows: { sourceKey: string | null }[]) =>
  [...new Set(rows.map((r) => r.sourceKey).filter((k): k is string => k !== null))];

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
      // The same event twice in one batch (a redelivery racing the first
      // delivery) is written once; the first request to carry it owns it.
      const seen = new Set<string>();
      const unique = batch.flatMap((p) => p.events).filter((e) => !seen.has(e.webhookEventId) && seen.add(e.webhookEventId));
      try {
        const inserted = new Set((await insertEvents(this.db, unique)).map((r) => r.id));
        for (const pending of batch) {
          const mine = pending.events.filter((e) => inserted.delete(e.webhookEventId));
          pending.resolve(keysOf(mine.map((e) => ({ sourceKey: sourceKeyOf(e) }))));
        }
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.writing = false;
  }
}
