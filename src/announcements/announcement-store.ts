// Announcements in the database: composing one (with its areas and photo),
// what a coordinator may link, the delivery report and cancelling.
//
// Who may cancel a scheduled announcement: any coordinator whose area, now,
// covers all its areas (src/staff/roles.ts), the author included while
// their role lasts. An author who lost the role cannot; the send job
// cancels what they left scheduled (send-job.ts).
//
// The photo: the chat turn must stay fast and LINE calls stay outside
// transactions, so composing does not fetch it. It stores a media_file
// placeholder (contentType PENDING_PHOTO, no bytes, sha256 "line:<message
// id>": the schema has no column for a LINE message id) and the send job
// fetches the bytes soon after the turn commits, well before LINE drops
// the content; a scheduled announcement waits for its photo. Fetched, the
// column reads "line:<message id> <sha-256 hex>": the compose flow still
// finds the file of the photo it holds (the preview shows it).
// The placeholder is made when the photo arrives (the step after it asks
// for it), so the photo is usually fetched by the time of the preview.
import type { Tx } from "../db/database.ts";
import type { Announcement, AnnouncementAudience, AnnouncementArea, Meeting } from "../generated/prisma/client.ts";
import type { Area } from "../staff/areas.ts";
import { mayOrganise, organiserTest } from "../meetings/organize-store.ts";
import { coordinatesAll, coordinatorCoverage } from "../staff/roles.ts";

export const PENDING_PHOTO = "application/x-line-pending";
export const LOST_PHOTO = "application/x-line-unavailable";
export const photoRef = (messageId: string) => `line:${messageId}`;

export interface NewAnnouncement {
  text: string;
  photoMessageId: string | null;
  meetingId: number | null;
  areas: Area[];
  audience: AnnouncementAudience;
  scheduledAt: Date;
}

/**
 * The media file of a photo the coordinator sent while composing: made
 * (PENDING_PHOTO) when the photo arrives, so the send job fetches it from
 * LINE while the coordinator goes on (and the preview can show it), and
 * taken over by the announcement when it is saved.
 */
export async function composePhotoFile(tx: Tx, userId: string, messageId: string, now: Date): Promise<{ id: number; contentType: string }> {
  const ref = photoRef(messageId);
  const found = await tx.mediaFile.findFirst({
    where: { createdBy: userId, OR: [{ sha256: ref }, { sha256: { startsWith: `${ref} ` } }] },
    orderBy: { id: "desc" },
    select: { id: true, contentType: true },
  });
  if (found) return found;
  // Raw SQL: the PGlite adapter cannot pass bytes to a Prisma write (here: none yet).
  return (
    await tx.$queryRaw<{ id: number; contentType: string }[]>`
      INSERT INTO media_file ("contentType", bytes, sha256, "createdBy", "createdAt")
      VALUES (${PENDING_PHOTO}, ''::bytea, ${ref}, ${userId}, ${now})
      RETURNING id, "contentType"`
  )[0]!;
}

export async function createAnnouncement(tx: Tx, userId: string, a: NewAnnouncement, now: Date): Promise<Announcement> {
  const media = a.photoMessageId ? await composePhotoFile(tx, userId, a.photoMessageId, now) : null;
  return tx.announcement.create({
    data: {
      createdBy: userId,
      text: a.text,
      imageMediaId: media?.id ?? null,
      meetingId: a.meetingId,
      audience: a.audience,
      status: "SCHEDULED",
      scheduledAt: a.scheduledAt,
      createdAt: now,
      areas: { create: a.areas },
    },
  });
}

/** Upcoming meetings this coordinator may put in an announcement: those they may organise. */
export async function linkableMeetings(tx: Tx, userId: string, now: Date, limit = 10): Promise<Meeting[]> {
  const meetings = await tx.meeting.findMany({
    where: { status: "SCHEDULED", startsAt: { gt: now } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: 100,
  });
  const may = await organiserTest(tx, userId);
  const mine: Meeting[] = [];
  for (const m of meetings) {
    if (mine.length >= limit) break;
    if (await may(m)) mine.push(m);
  }
  return mine;
}

/** The meeting an announcement may still link when it is saved: scheduled, not started, one this coordinator may organise. */
export async function linkableMeeting(tx: Tx, userId: string, meetingId: number, now: Date): Promise<Meeting | null> {
  const m = await tx.meeting.findUnique({ where: { id: meetingId } });
  if (m?.status !== "SCHEDULED" || m.startsAt.getTime() <= now.getTime() || !(await mayOrganise(tx, userId, m))) return null;
  return m;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
  pending: number;
  /** Recipients who no longer follow the bot, whatever LINE answered. */
  blocked: number;
}

/** Per recipient: the status of the outbox chunk that carried it, or blocked if they unfollowed since. */
export async function deliveryCounts(tx: Tx, announcementId: number): Promise<DeliveryCounts> {
  const rows = await tx.$queryRaw<{ sent: bigint | number; failed: bigint | number; pending: bigint | number; blocked: bigint | number }[]>`
    SELECT count(*) FILTER (WHERE lu.following IS NOT DISTINCT FROM false) AS blocked,
           count(*) FILTER (WHERE lu.following IS DISTINCT FROM false AND o.status = 'SENT') AS sent,
           count(*) FILTER (WHERE lu.following IS DISTINCT FROM false AND o.status = 'FAILED') AS failed,
           count(*) FILTER (WHERE lu.following IS DISTINCT FROM false AND (o.status IS NULL OR o.status = 'PENDING')) AS pending
    FROM announcement_recipient r
    LEFT JOIN outbox_message o ON o.id = r."outboxMessageId"
    LEFT JOIN line_user lu ON lu.id = r."lineUserId"
    WHERE r."announcementId" = ${announcementId}`;
  const r = rows[0];
  return { sent: Number(r?.sent ?? 0), failed: Number(r?.failed ?? 0), pending: Number(r?.pending ?? 0), blocked: Number(r?.blocked ?? 0) };
}

/**
 * Registrations that came from an announcement: for the meeting it linked,
 * made by its recipients after it went out (with its button or not: the
 * button opens the same registration as the meetings menu), still standing
 * (registered or waitlisted). Null when it linked no meeting.
 */
export async function registrationsFrom(tx: Tx, a: Pick<Announcement, "id" | "meetingId" | "startedAt">): Promise<number | null> {
  if (a.meetingId === null || a.startedAt === null) return null;
  const rows = await tx.$queryRaw<{ n: bigint | number }[]>`
    SELECT count(*) AS n FROM meeting_registration g
    JOIN announcement_recipient r ON r."lineUserId" = g."lineUserId" AND r."announcementId" = ${a.id}
    WHERE g."meetingId" = ${a.meetingId} AND g."registeredAt" >= ${a.startedAt} AND g.status IN ('REGISTERED', 'WAITLISTED')`;
  return Number(rows[0]?.n ?? 0);
}

export async function announcementsBy(tx: Tx, userId: string, limit = 5): Promise<Announcement[]> {
  return tx.announcement.findMany({ where: { createdBy: userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
}

/** Scheduled announcements of others that this coordinator's area covers, soonest first. */
export async function scheduledInAreaOf(tx: Tx, userId: string, limit = 5): Promise<Announcement[]> {
  const covers = await coordinatorCoverage(tx, userId);
  const rows = await tx.announcement.findMany({
    where: { status: "SCHEDULED", createdBy: { not: userId } },
    include: { areas: true },
    orderBy: [{ scheduledAt: "asc" }, { id: "asc" }],
    take: 200,
  });
  const mine: Announcement[] = [];
  for (const { areas, ...a } of rows) {
    if (mine.length >= limit) break;
    if (await covers(areas)) mine.push(a);
  }
  return mine;
}

/** The announcement, if this user may cancel it now (see the top of this file). */
export async function manageableAnnouncement(
  tx: Tx,
  userId: string,
  id: number,
): Promise<(Announcement & { areas: AnnouncementArea[] }) | null> {
  const a = await tx.announcement.findUnique({ where: { id }, include: { areas: true } });
  return a && (await coordinatesAll(tx, userId, a.areas)) ? a : null;
}

export type CancelOutcome = { kind: "cancelled"; announcement: Announcement } | { kind: "too-late" | "not-found" };

/**
 * Only while SCHEDULED. The send job holds the row lock while it starts a
 * send, so this waits for it and then sees SENDING.
 */
export async function cancelAnnouncement(tx: Tx, userId: string, id: number, now: Date): Promise<CancelOutcome> {
  const a = await manageableAnnouncement(tx, userId, id);
  if (!a) return { kind: "not-found" };
  const { count } = await tx.announcement.updateMany({
    where: { id, status: "SCHEDULED" },
    data: { status: "CANCELLED", cancelledAt: now },
  });
  return count === 1 ? { kind: "cancelled", announcement: a } : { kind: "too-late" };
}
