// Fetches the photos of help requests from LINE after the turn that attached
// them has committed (request-store.ts writes the message ids). LINE keeps a
// message's content for a limited time only, so this runs soon and keeps the
// bytes in help_request_photo.
//  - Claim: due PENDING rows are leased in one UPDATE … WHERE id IN (SELECT
//    … FOR UPDATE SKIP LOCKED) RETURNING, so several instances share the
//    work; a row whose worker died is taken over once its lease runs out.
//    The claim counts the attempt, so a photo that kills its worker every
//    time still ends FAILED instead of looping.
//  - Outcome: FETCHED with the bytes; 404 (LINE no longer has it), a
//    non-image or an oversized content → FAILED with the reason; 5xx, 429,
//    timeouts and network errors → retried with backoff (30 s doubling to
//    1 h) up to maxAttempts, then FAILED. Outcomes land only while this
//    worker still holds the lease it claimed with.
// Logs carry photo and request ids, never the content.
//
// voiceFetcher does the same for voice notes (help_request_voice): audio
// only, and LINE's "not ready yet" (202, or 404 while it prepares the
// audio) is retried with the same backoff instead of failing.
import type { Database, Tx } from "../db/database.ts";
import type { Job } from "../jobs/scheduler.ts";
import { LineApiError, type LineGateway } from "../line/gateway.ts";
import type { Logger } from "../log.ts";
import { withDefaults } from "../options.ts";

export type PhotoGateway = Pick<LineGateway, "messageContent">;

export interface PhotoFetcherOptions {
  db: Database;
  gateway: PhotoGateway;
  logger: Logger;
  batchSize?: number;
  /** How long a claimed row is reserved; it must cover the fetches of a whole batch. */
  leaseMs?: number;
  maxAttempts?: number;
  maxBytes?: number;
}

export const PHOTO_FETCH_DEFAULTS = {
  batchSize: 10,
  leaseMs: 5 * 60_000,
  maxAttempts: 10,
  maxBytes: 10 * 1024 * 1024,
};

const BACKOFF_FIRST_MS = 30_000;
const BACKOFF_MAX_MS = 3_600_000;

export function photoBackoffMs(attempts: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** (attempts - 1), BACKOFF_MAX_MS);
}

export interface ClaimedPhoto {
  id: number;
  requestId: number;
  lineMessageId: string;
  /** Including this claim. */
  attempts: number;
  leaseUntil: Date;
}

const iso = (d: Date) => d.toISOString();

/** The tables fetched from LINE, and what each takes. */
type ContentTable = "help_request_photo" | "help_request_voice";
interface ContentKind {
  table: ContentTable;
  job: string;
  what: string;
  /** The content type prefix taken ("image/"), and what anything else is called in lastError. */
  accept: string;
  refused: string;
  /** LINE's 404 means "not ready yet" (audio being prepared), not "gone". */
  notFoundIsNotReady: boolean;
}
const PHOTO: ContentKind = {
  table: "help_request_photo",
  job: "photo-fetcher",
  what: "request photo",
  accept: "image/",
  refused: "not an image",
  notFoundIsNotReady: false,
};
const VOICE: ContentKind = {
  table: "help_request_voice",
  job: "voice-fetcher",
  what: "request voice note",
  accept: "audio/",
  refused: "not audio",
  notFoundIsNotReady: true,
};

/** Leases up to `limit` due photos, oldest first; the attempt is counted now. */
export async function claimPhotos(tx: Tx, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedPhoto[]> {
  return claimRows(tx, PHOTO.table, now, leaseUntil, limit);
}

async function claimRows(tx: Tx, table: ContentTable, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedPhoto[]> {
  // `table` is one of two constants, never input.
  const rows = await tx.$queryRawUnsafe<{ id: number; requestId: number; lineMessageId: string; attempts: number }[]>(
    `UPDATE ${table} SET "leaseUntil" = $1::timestamp, attempts = attempts + 1
      WHERE id IN (SELECT id FROM ${table}
                    WHERE status = 'PENDING'
                      AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= $2::timestamp)
                      AND ("leaseUntil" IS NULL OR "leaseUntil" <= $2::timestamp)
                    ORDER BY id LIMIT $3
                    FOR UPDATE SKIP LOCKED)
      RETURNING id, "requestId", "lineMessageId", attempts`,
    iso(leaseUntil),
    iso(now),
    limit,
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      requestId: Number(r.requestId),
      lineMessageId: r.lineMessageId,
      attempts: Number(r.attempts),
      leaseUntil,
    }))
    .sort((a, b) => a.id - b.id);
}

export function photoFetcher(options: PhotoFetcherOptions): Job {
  return contentFetcher(options, PHOTO);
}

/** Fetches voice notes (help_request_voice) as photoFetcher does photos. */
export function voiceFetcher(options: PhotoFetcherOptions): Job {
  return contentFetcher(options, VOICE);
}

function contentFetcher(options: PhotoFetcherOptions, kind: ContentKind): Job {
  const o = withDefaults(PHOTO_FETCH_DEFAULTS, options);
  const table = kind.table;
  const sql = o.db.sql;
  // Through the SQL driver, not Prisma: the PGlite adapter cannot pass bytes
  // to a Prisma write. Every outcome lands only while the row is still
  // PENDING under the lease this worker claimed it with.
  const MINE = `id = $1 AND status = 'PENDING' AND "leaseUntil" = $2::timestamp`;
  const mine = (photo: ClaimedPhoto) => [photo.id, iso(photo.leaseUntil)];

  async function failed(photo: ClaimedPhoto, reason: string): Promise<void> {
    await sql.query(`UPDATE ${table} SET status = 'FAILED', "lastError" = $3, "leaseUntil" = NULL, "nextAttemptAt" = NULL WHERE ${MINE}`, [
      ...mine(photo),
      reason.slice(0, 500),
    ]);
    o.logger.warn(`${kind.what} not fetched`, { id: photo.id, requestId: photo.requestId, attempts: photo.attempts });
  }

  async function later(photo: ClaimedPhoto, now: Date, reason: string, status: number | null): Promise<void> {
    if (photo.attempts >= o.maxAttempts) return failed(photo, `gave up after ${photo.attempts} attempts: ${reason}`);
    const next = new Date(now.getTime() + photoBackoffMs(photo.attempts));
    await sql.query(`UPDATE ${table} SET "lastError" = $3, "nextAttemptAt" = $4::timestamp, "leaseUntil" = NULL WHERE ${MINE}`, [
      ...mine(photo),
      reason.slice(0, 500),
      iso(next),
    ]);
    o.logger.info(`${kind.what} fetch will be retried`, { id: photo.id, attempts: photo.attempts, status });
  }

  async function fetchOne(photo: ClaimedPhoto, now: Date): Promise<void> {
    let content: { contentType: string; bytes: Buffer; status?: number };
    try {
      content = await o.gateway.messageContent(photo.lineMessageId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof LineApiError && error.status === 404) {
        if (kind.notFoundIsNotReady) return later(photo, now, `not ready (404): ${reason}`, 404);
        return failed(photo, `LINE no longer has this content (404): ${reason}`);
      }
      if (!(error instanceof LineApiError) || !error.retriable) return failed(photo, reason);
      return later(photo, now, reason, error.status);
    }
    if (content.status === 202) return later(photo, now, "not ready (202)", 202);
    const contentType = content.contentType.split(";")[0]!.trim().toLowerCase();
    if (!contentType.startsWith(kind.accept)) return failed(photo, `${kind.refused}: ${contentType}`);
    if (content.bytes.length > o.maxBytes) return failed(photo, `too large: ${content.bytes.length} bytes (at most ${o.maxBytes})`);
    await sql.query(
      `UPDATE ${table}
          SET status = 'FETCHED', "contentType" = $3, bytes = $4, "fetchedAt" = $5::timestamp,
              "lastError" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL
        WHERE ${MINE}`,
      [...mine(photo), contentType, content.bytes, iso(now)],
    );
    o.logger.debug(`${kind.what} fetched`, { id: photo.id, requestId: photo.requestId, size: content.bytes.length });
  }

  return {
    name: kind.job,
    async runOnce(now: Date): Promise<number> {
      const photos = await o.db.transaction((tx) => claimRows(tx, table, now, new Date(now.getTime() + o.leaseMs), o.batchSize));
      // A photo whose outcome could not be written (the database failing)
      // keeps its lease and is taken again when it runs out; the others go on.
      const errors: unknown[] = [];
      for (const photo of photos) {
        // Claimed again after its worker died more often than a fetch may be tried.
        if (photo.attempts > o.maxAttempts) {
          await failed(photo, `gave up after ${photo.attempts - 1} attempts`).catch((e: unknown) => errors.push(e));
          continue;
        }
        await fetchOne(photo, now).catch((e: unknown) => errors.push(e));
      }
      if (errors.length > 0) throw errors[0];
      return photos.length;
    },
  };
}
