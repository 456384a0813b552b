// The webhook inbox table: events are written here before LINE gets its 200.
import type { Database } from "../db/database.ts";
import { sourceKeyOf, type WebhookEvent } from "../line/events.ts";

const COLUMNS = 8;

/**
 * Stores the events of one delivery in one statement. An event already
 * stored (LINE's redelivery, or a repeated webhookEventId) is skipped, so it
 * is handled and answered once. Returns the source keys that got new events.
 */
export async function recordEvents(db: Database, events: WebhookEvent[]): Promise<string[]> {
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
  const inserted = await db.sql.query<{ sourceKey: string | null }>(
    `INSERT INTO webhook_event (id, "sourceKey", type, payload, "replyToken", "occurredAt", "isRedelivery", "receivedAt")
     VALUES ${rows.join(", ")}
     ON CONFLICT (id) DO NOTHING
     RETURNING "sourceKey"`,
    params,
  );
  return [...new Set(inserted.map((r) => r.sourceKey).filter((k): k is string => k !== null))];
}
