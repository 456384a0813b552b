// The help requests' queries shared by every kind and by the villager's
// side (filing, "my requests"): the request row, its history (append-only,
// who/when/what) and its photos (message ids now, bytes fetched after
// commit by photo-fetcher.ts). Each change also moves the request's
// updatedAt, which "my requests" sorts by. The staff side's are in
// case-store.ts.
import type { Tx } from "../db/database.ts";
import type { HelpRequestEventKind, HelpRequestStatus, PhotoStage, Prisma } from "../generated/prisma/client.ts";

/** Photos kept from one answer (a LINE image set may hold up to 20). */
export const MAX_REQUEST_PHOTOS = 5;

export interface RequestEventInput {
  kind: HelpRequestEventKind;
  at: Date;
  actorUserId: string | null;
  byStaff?: boolean;
  fromStatus?: HelpRequestStatus;
  toStatus?: HelpRequestStatus;
  fromCouncilId?: number;
  toCouncilId?: number;
  note?: string | null;
  /** ASSIGN: the staff member given the case. */
  assigneeUserId?: string;
}

export async function recordRequestEvent(tx: Tx, requestId: number, event: RequestEventInput): Promise<void> {
  await tx.helpRequestEvent.create({ data: { requestId, ...event, byStaff: event.byStaff ?? false } });
  await tx.helpRequest.update({ where: { id: requestId }, data: { updatedAt: event.at } });
}

/**
 * A new request's CREATED event (to PENDING). Unlike recordRequestEvent it
 * leaves updatedAt alone: the row was created at this moment. Raw SQL: every
 * filed request writes it, and the model create costs several times the CPU.
 */
export async function recordCreated(tx: Tx, requestId: number, by: { userId: string; at: Date }): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO help_request_event ("requestId", kind, at, "actorUserId", "byStaff", "toStatus")
    VALUES (${requestId}, 'CREATED', ${by.at}, ${by.userId}, false, 'PENDING')`;
}

/**
 * Attaches LINE image messages to a request. A message id already attached
 * (a redelivered event) is skipped; resolves how many were new.
 */
export async function attachPhotos(
  tx: Tx,
  requestId: number,
  messageIds: string[],
  by: { userId: string; at: Date; stage?: PhotoStage },
): Promise<number> {
  if (messageIds.length === 0) return 0;
  const { count } = await tx.helpRequestPhoto.createMany({
    data: messageIds.map((lineMessageId) => ({
      requestId,
      lineMessageId,
      stage: by.stage ?? "REQUEST",
      addedBy: by.userId,
      addedAt: by.at,
      nextAttemptAt: by.at,
    })),
    skipDuplicates: true,
  });
  return count;
}

/**
 * Attaches a voice message (sent as the note) to a request; its audio is
 * fetched after commit (voiceFetcher). A redelivered one is skipped.
 */
export async function attachVoice(
  tx: Tx,
  requestId: number,
  voice: { voice: string; durationMs?: number },
  by: { userId: string; at: Date },
): Promise<void> {
  await tx.helpRequestVoice.createMany({
    data: [
      {
        requestId,
        lineMessageId: voice.voice,
        durationMs: voice.durationMs ?? null,
        addedBy: by.userId,
        addedAt: by.at,
        nextAttemptAt: by.at,
      },
    ],
    skipDuplicates: true,
  });
}

/**
 * The user's own request, row-locked until the turn commits (a secretary
 * changing its status waits, and so do we). Null when it does not exist or
 * is someone else's: callers answer both the same way.
 */
export async function lockOwnRequest(
  tx: Tx,
  requestId: number,
  lineUserId: string,
): Promise<{ id: number; caseNumber: string; status: HelpRequestStatus } | null> {
  const rows = await tx.$queryRaw<{ id: number; caseNumber: string; status: HelpRequestStatus }[]>`
    SELECT id, "caseNumber", status::text AS status FROM help_request
    WHERE id = ${requestId} AND "lineUserId" = ${lineUserId}
    FOR UPDATE`;
  return rows[0] ?? null;
}

/** Files a request: the row as the kind's flow built it (its CREATED event, photos and notices are the caller's). */
export async function createRequest(tx: Tx, data: Prisma.HelpRequestUncheckedCreateInput): Promise<{ id: number }> {
  return tx.helpRequest.create({ data, select: { id: true } });
}

/** The user's own request with what their card needs; null when it is not theirs (or does not exist). */
export async function findOwnRequest(tx: Tx, requestId: number, lineUserId: string) {
  return tx.helpRequest.findFirst({
    where: { id: requestId, lineUserId },
    include: { council: { select: { name: true } }, _count: { select: { photos: true, history: true } } },
  });
}

/** A request's status and case number, whoever it belongs to (the caller checked). */
export async function requestStatusOf(tx: Tx, requestId: number): Promise<{ status: HelpRequestStatus; caseNumber: string } | null> {
  return tx.helpRequest.findUnique({ where: { id: requestId }, select: { status: true, caseNumber: true } });
}

/** Whether the user has filed anything. */
export async function hasOwnRequests(tx: Tx, lineUserId: string): Promise<boolean> {
  // Raw SQL: asked on every menu ("my requests" is shown to those who filed),
  // and a Prisma model query costs about three times the CPU of a raw one.
  const rows = await tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM help_request WHERE "lineUserId" = ${lineUserId} LIMIT 1`;
  return rows.length > 0;
}

export async function countOwnRequests(tx: Tx, lineUserId: string): Promise<number> {
  return tx.helpRequest.count({ where: { lineUserId } });
}

/** One page of the user's requests, the latest change first. */
export async function ownRequestsPage(tx: Tx, lineUserId: string, page: { skip: number; take: number }) {
  return tx.helpRequest.findMany({
    where: { lineUserId },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    skip: page.skip,
    take: page.take,
    select: { id: true, caseNumber: true, kind: true, status: true, updatedAt: true },
  });
}

/** Sets a request's status (its history is the caller's: recordRequestEvent). */
export async function setRequestStatus(tx: Tx, requestId: number, status: HelpRequestStatus): Promise<void> {
  await tx.helpRequest.update({ where: { id: requestId }, data: { status } });
}

/** The latest `take` events of a request's history, oldest first. */
export async function latestEvents(tx: Tx, requestId: number, take: number) {
  const latest = await tx.helpRequestEvent.findMany({ where: { requestId }, orderBy: [{ at: "desc" }, { id: "desc" }], take });
  return latest.reverse();
}

export async function countEvents(tx: Tx, requestId: number): Promise<number> {
  return tx.helpRequestEvent.count({ where: { requestId } });
}

/** Council names by id, for history lines (handovers); ids not found are left out. */
export async function councilNamesOf(tx: Tx, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const councils = await tx.council.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
  return new Map(councils.map((c) => [c.id, c.name]));
}

export interface FetchedPhoto {
  id: number;
  stage: PhotoStage;
  addedAt: Date;
  addedBy: string;
  contentType: string;
}

/** A request's photos already fetched from LINE and not erased, oldest first. */
export async function fetchedPhotos(tx: Tx, requestId: number): Promise<FetchedPhoto[]> {
  const rows = await tx.$queryRaw<FetchedPhoto[]>`
    SELECT id, stage::text AS stage, "addedAt", "addedBy", "contentType" FROM help_request_photo
    WHERE "requestId" = ${requestId} AND status = 'FETCHED' AND bytes IS NOT NULL AND "contentType" IS NOT NULL
    ORDER BY "addedAt", id`;
  return rows.map((r) => ({ ...r, id: Number(r.id), addedAt: new Date(r.addedAt) }));
}
