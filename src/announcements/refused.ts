// An announcement LINE refused (400: an http:// photo URL, a message over a
// limit, …) reaches none of the recipients of that chunk. Its author hears
// it at once, with why in plain words, instead of reading "sending" and
// waiting; the delivery report counts those recipients as failed. Hooked
// into the outbox worker (onRefused, src/app.ts), in the transaction that
// marks the chunk FAILED; told once per announcement however many chunks.
import type { SqlRunner } from "../db/driver.ts";
import { enqueueInSql } from "../outbox/queries.ts";
import type { Refusal } from "../outbox/refusal.ts";
import { ANNOUNCEMENT_PURPOSE } from "./send-job.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

const excerpt = (t: string) => ([...t].length > 40 ? `${[...t].slice(0, 39).join("")}…` : t).replace(/\s+/g, " ");

export async function reportRefusedAnnouncement(tx: SqlRunner, refusal: Refusal): Promise<void> {
  if (refusal.purpose !== ANNOUNCEMENT_PURPOSE) return;
  const rows = await tx.query<{ id: number; createdBy: string; text: string }>(
    `SELECT a.id, a."createdBy", a.text FROM announcement_recipient r JOIN announcement a ON a.id = r."announcementId"
      WHERE r."outboxMessageId" = $1 LIMIT 1`,
    [refusal.outboxId],
  );
  const a = rows[0];
  if (!a) return;
  await enqueueInSql(tx, [a.createdBy], [{ type: "text", text: T.refusedByLine(excerpt(a.text), refusal.reason, refusal.line) }], {
    purpose: "announcement.refused",
    now: refusal.now,
    dedupeKey: `announcement-refused:${a.id}`,
    chunk: 1,
  });
}
