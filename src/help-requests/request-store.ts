// Writes shared by every kind of help request: the request's history
// (append-only, who/when/what) and its photos (message ids now, bytes
// fetched after commit by photo-fetcher.ts). Each change also moves the
// request's updatedAt, which "my requests" sorts by.
import type { Tx } from "../db/database.ts";
import type { HelpRequestEventKind, HelpRequestStatus, PhotoStage } from "../generated/prisma/client.ts";

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
