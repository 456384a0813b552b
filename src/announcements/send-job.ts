// Sends announcements whose time has come, exactly once per recipient.
//
// Start (one transaction per announcement): lock a due SCHEDULED row (FOR
// UPDATE SKIP LOCKED: another instance takes another row, a cancel waits),
// resolve the recipients, write them (announcement_recipient), queue the
// messages as outbox multicasts of ≤ 500 (dedupe key "announcement:<id>#n"),
// tie each recipient to its chunk, and mark the row SENDING. A crash before
// the commit leaves nothing behind and the next run starts over; after it,
// the outbox worker sends each chunk with its own retry key, so a worker
// that dies mid-send is taken over without a second delivery.
// Finish: a SENDING announcement whose chunks are all SENT or FAILED is SENT.
//
// The author's role is asked again at the start: a coordinator whose role no
// longer covers every area of the announcement (revoked, or moved) keeps no
// power to send it. It is cancelled, not sent, and the coordinators of its
// areas are told (the admins, if it has none), so one of them can send it
// again as their own.
//
// Photos: fetched from LINE here, outside any transaction, into the
// media_file placeholder the compose flow left (see announcement-store.ts).
// An announcement waits for its photo; a photo LINE no longer has is
// dropped and the text goes alone.
import { createHash } from "node:crypto";
import type { Database, Tx } from "../db/database.ts";
import type { Job } from "../jobs/scheduler.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { mediaExtension } from "../line/media-links.ts";
import { LineApiError, type LineGateway } from "../line/gateway.ts";
import type { Logger } from "../log.ts";
import { enqueueMulticast, MULTICAST_CHUNK } from "../outbox/outbox.ts";
import { LOST_PHOTO, PENDING_PHOTO } from "./announcement-store.ts";
import { entryButton } from "../engine/engine.ts";
import type { Announcement } from "../generated/prisma/client.ts";
import { areaNames, type Area } from "../staff/areas.ts";
import { notifyStaff } from "../staff/notify.ts";
import { adminsOf, coordinatesAll, coordinatorsMeeting } from "../staff/roles.ts";
import { thaiDateTime } from "../thai/format.ts";
import { announcementExcerpt, announcementMessages } from "./message.ts";
import { resolveRecipients } from "./recipients.ts";
import { announcementSender } from "./sender.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

/** The compose entry (announce-module.ts), for the button in the notice. */
const COMPOSE_ENTRY = "announce";

export const ANNOUNCEMENT_PURPOSE = "announcement";
export const announcementKey = (id: number) => `announcement:${id}`;
/** LINE's image message takes originals up to 10 MB. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

export interface AnnouncementSendOptions {
  db: Database;
  logger: Logger;
  media: MediaLinks;
  /** Fetches photos; without it (no LINE token) photos stay pending and so do their announcements. */
  gateway?: Pick<LineGateway, "messageContent"> | null;
  /** Tests: runs inside the start transaction, just before its commit. */
  beforeCommit?: (tx: Tx, announcementId: number) => Promise<void>;
  /** Announcements started per run. */
  batch?: number;
}

export function announcementSendJob(options: AnnouncementSendOptions): Job {
  const { db, logger } = options;

  async function fetchPhotos(): Promise<number> {
    if (!options.gateway) return 0;
    const pending = await db.prisma.mediaFile.findMany({ where: { contentType: PENDING_PHOTO }, orderBy: { id: "asc" }, take: 5 });
    let done = 0;
    for (const file of pending) {
      const messageId = file.sha256.replace(/^line:/, "");
      const ref = file.sha256;
      try {
        const content = await options.gateway.messageContent(messageId);
        const usable = mediaExtension(content.contentType) !== null && content.bytes.length > 0 && content.bytes.length <= MAX_PHOTO_BYTES;
        if (usable) {
          // Through the SQL driver: the PGlite adapter cannot pass bytes to a Prisma write.
          await db.sql.query(`UPDATE media_file SET "contentType" = $2, bytes = $3, sha256 = $4 WHERE id = $1`, [
            file.id,
            content.contentType,
            content.bytes,
            // The LINE reference stays in front: the compose flow finds the file by it (announcement-store.ts).
            `${ref} ${createHash("sha256").update(content.bytes).digest("hex")}`,
          ]);
        } else {
          await db.prisma.mediaFile.update({ where: { id: file.id }, data: { contentType: LOST_PHOTO } });
        }
        done += 1;
      } catch (error) {
        if (error instanceof LineApiError && error.retriable) {
          logger.warn("announcement photo fetch failed, will retry", { mediaId: file.id, status: error.status });
          continue;
        }
        await db.prisma.mediaFile.update({ where: { id: file.id }, data: { contentType: LOST_PHOTO } });
        logger.warn("announcement photo unavailable, sending without it", { mediaId: file.id });
        done += 1;
      }
    }
    return done;
  }

  /** Starts one due announcement; false when none is due (or all are taken). */
  async function startOne(now: Date): Promise<boolean> {
    return db.transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: number }[]>`
        SELECT a.id FROM announcement a
        WHERE a.status = 'SCHEDULED' AND a."scheduledAt" <= ${now}
          AND NOT EXISTS (SELECT 1 FROM media_file f WHERE f.id = a."imageMediaId" AND f."contentType" = ${PENDING_PHOTO})
        ORDER BY a."scheduledAt", a.id
        LIMIT 1
        FOR UPDATE OF a SKIP LOCKED`;
      const id = due[0]?.id;
      if (id === undefined) return false;
      const a = await tx.announcement.findUniqueOrThrow({ where: { id }, include: { areas: true, meeting: true } });
      const areas = a.areas.map(({ level, areaId }) => ({ level, areaId }));
      if (!(await coordinatesAll(tx, a.createdBy, areas))) {
        await cancelForLostRole(tx, a, areas, now);
        return true;
      }
      const recipients = await resolveRecipients(tx, { areas, audience: a.audience });
      const photo = a.imageMediaId
        ? await tx.mediaFile.findUnique({ where: { id: a.imageMediaId }, select: { id: true, contentType: true } })
        : null;
      // A meeting cancelled or started since composing: no register button for it.
      const meeting = a.meeting && a.meeting.status === "SCHEDULED" && a.meeting.startsAt.getTime() > now.getTime() ? a.meeting : null;
      const imageUrl = photo ? options.media.url(photo.id, photo.contentType) : null;
      // LINE fetches images over HTTPS only: PUBLIC_BASE_URL must be the public https:// address.
      if (imageUrl?.startsWith("http://"))
        logger.warn("announcement photo URL is not https; LINE will not show it", { announcementId: id });
      const messages = announcementMessages({
        text: a.text,
        image: imageUrl,
        meeting,
        from: await announcementSender(tx, a.createdBy, areas),
      });

      if (recipients.length > 0) {
        const chunks = await enqueueMulticast(tx, recipients, messages, {
          purpose: ANNOUNCEMENT_PURPOSE,
          now,
          dedupeKey: announcementKey(id),
        });
        // Only a start commits these keys, and a started announcement is not due again.
        if (chunks.length !== Math.ceil(recipients.length / MULTICAST_CHUNK))
          throw new Error(`chunks of ${announcementKey(id)} already queued`);
        // Same order and chunking as enqueueMulticast (recipients are unique and sorted). One raw
        // statement per chunk, the ids as an array: Prisma's createMany of a province (100,000 rows)
        // compiled one query of every row and held hundreds of MB at once (docs/performance.md §2, §6).
        for (const [n, outboxId] of chunks.entries()) {
          await tx.$executeRaw`
            INSERT INTO announcement_recipient ("announcementId", "lineUserId", "outboxMessageId")
            SELECT ${id}, u, ${outboxId} FROM unnest(${recipients.slice(n * MULTICAST_CHUNK, (n + 1) * MULTICAST_CHUNK)}::text[]) AS u
            ON CONFLICT DO NOTHING`;
        }
      }
      await tx.announcement.update({
        where: { id },
        data: {
          status: recipients.length > 0 ? "SENDING" : "SENT",
          startedAt: now,
          recipientCount: recipients.length,
          ...(recipients.length > 0 ? {} : { finishedAt: now }),
        },
      });
      await options.beforeCommit?.(tx, id);
      logger.info("announcement started", {
        announcementId: id,
        recipients: recipients.length,
        chunks: Math.ceil(recipients.length / MULTICAST_CHUNK),
      });
      return true;
    });
  }

  async function cancelForLostRole(tx: Tx, a: Announcement, areas: Area[], now: Date): Promise<void> {
    await tx.announcement.update({ where: { id: a.id }, data: { status: "CANCELLED", cancelledAt: now } });
    const coordinators = (await coordinatorsMeeting(tx, areas)).filter((u) => u !== a.createdBy);
    const told = coordinators.length > 0 ? coordinators : (await adminsOf(tx)).filter((u) => u !== a.createdBy);
    const message = T.cancelledRoleGone(announcementExcerpt(a.text), thaiDateTime(a.scheduledAt), await areaNames(tx, areas));
    await notifyStaff(tx, told, {
      content: { replies: [{ kind: "text", text: message }], buttons: [entryButton(COMPOSE_ENTRY, T.menu.compose)] },
      digestLine: message,
      // It was due now: whoever sends it again needs to know today.
      urgent: true,
      purpose: "announcement.role-gone",
      now,
      dedupeKey: `announcement-role-gone:${a.id}`,
    });
    await options.beforeCommit?.(tx, a.id);
    logger.warn("announcement cancelled: its author no longer covers its areas", { announcementId: a.id, told: told.length });
  }

  async function finish(now: Date): Promise<number> {
    return db.prisma.$executeRaw`
      UPDATE announcement a SET status = 'SENT', "finishedAt" = ${now}
      WHERE a.status = 'SENDING'
        AND NOT EXISTS (
          SELECT 1 FROM announcement_recipient r LEFT JOIN outbox_message o ON o.id = r."outboxMessageId"
          WHERE r."announcementId" = a.id AND (o.id IS NULL OR o.status = 'PENDING'))`;
  }

  return {
    name: "announcements",
    async runOnce(now) {
      let done = await fetchPhotos();
      for (let i = 0; i < (options.batch ?? 10); i++) {
        if (!(await startOne(now))) break;
        done += 1;
      }
      return done + (await finish(now));
    },
  };
}
