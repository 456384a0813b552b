// The staff side's queries of help requests (case handling: the pending
// list, the staff card, the actions and the notices), as functions taking
// the turn's transaction. Queries shared with the villager's side ("my
// requests", filing) are in request-store.ts.
import type { Tx } from "../db/database.ts";
import type { HelpPriority, HelpRequestKind, HelpRequestStatus } from "../generated/prisma/client.ts";
import { OPEN_STATUSES } from "./request-status.ts";

/** What a card needs of a request (loadCase). */
export interface CaseRow {
  id: number;
  kind: HelpRequestKind;
  caseNumber: string;
  councilId: number;
  council: { name: string };
  status: HelpRequestStatus;
  priority: HelpPriority | null;
  forSomeoneElse: boolean;
  householdName: string | null;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  village: string | null;
  peopleCount: number | null;
  vulnerable: unknown;
  waterLevel: string | null;
  needs: unknown;
  note: string | null;
  householdHead: string | null;
  incomeBand: string | null;
  unsafeParts: unknown;
  landStatus: string | null;
  phone: string | null;
  createdAt: Date;
  assignedTo: string | null;
  photos: { request: number; after: number };
  /** A voice message was sent as the note (help_request_voice). */
  voice?: boolean;
}

export async function loadCase(tx: Tx, id: number): Promise<CaseRow | null> {
  const row = await tx.helpRequest.findUnique({ where: { id }, include: { council: { select: { name: true } } } });
  if (!row) return null;
  // The three counts in one raw statement: every card and notice loads a case.
  const [counts] = await tx.$queryRaw<{ request: number; after: number; voice: boolean }[]>`
    SELECT (SELECT count(*)::int FROM help_request_photo WHERE "requestId" = ${id} AND stage = 'REQUEST') AS request,
           (SELECT count(*)::int FROM help_request_photo WHERE "requestId" = ${id} AND stage = 'AFTER') AS after,
           EXISTS (SELECT 1 FROM help_request_voice WHERE "requestId" = ${id}) AS voice`;
  return { ...row, photos: { request: Number(counts!.request), after: Number(counts!.after) }, voice: counts!.voice === true };
}

/** The request a typed case number names, or null. */
export async function caseIdByNumber(tx: Tx, caseNumber: string): Promise<number | null> {
  return (await tx.helpRequest.findUnique({ where: { caseNumber }, select: { id: true } }))?.id ?? null;
}

/** The latest fetched (not erased) voice note of a request, or null. */
export async function latestVoice(tx: Tx, requestId: number): Promise<{ id: number; contentType: string } | null> {
  const rows = await tx.$queryRaw<{ id: number; contentType: string }[]>`
    SELECT id, "contentType" FROM help_request_voice
    WHERE "requestId" = ${requestId} AND status = 'FETCHED' AND bytes IS NOT NULL AND "contentType" IS NOT NULL
    ORDER BY id DESC LIMIT 1`;
  return rows[0] ? { id: Number(rows[0].id), contentType: rows[0].contentType } : null;
}

/** Active members' full names by LINE user id (how staff are named on cards). */
export async function memberNamesOf(tx: Tx, lineUserIds: readonly string[]): Promise<Map<string, string>> {
  const members = await tx.member.findMany({
    where: { lineUserId: { in: [...lineUserIds] }, status: "ACTIVE" },
    select: { lineUserId: true, fullName: true },
  });
  return new Map(members.flatMap((m) => (m.lineUserId && m.fullName ? [[m.lineUserId, m.fullName]] : [])));
}

// --- the pending list -----------------------------------------------------------

const PENDING_SELECT = {
  id: true,
  kind: true,
  caseNumber: true,
  priority: true,
  status: true,
  council: { select: { name: true } },
  village: true,
  latitude: true,
  address: true,
  createdAt: true,
} as const;

/**
 * Page `page` (0-based, kept within the pages there are) of the open
 * requests of `councils`: critical first, then the oldest (two ordered sets,
 * one page across them); with how many there are in all.
 */
export async function pendingCases(tx: Tx, councils: readonly number[], page: number, size: number) {
  const where = { councilId: { in: [...councils] }, status: { in: [...OPEN_STATUSES] } };
  const critical = { ...where, priority: "CRITICAL" as const };
  const rest = { ...where, OR: [{ priority: null }, { priority: { not: "CRITICAL" as const } }] };
  const [criticalCount, restCount] = await Promise.all([tx.helpRequest.count({ where: critical }), tx.helpRequest.count({ where: rest })]);
  const total = criticalCount + restCount;
  if (total === 0) return { total, page: 0, pages: 0, offset: 0, requests: [] };
  const pages = Math.ceil(total / size);
  const p = Math.min(Math.max(page, 0), pages - 1);
  const offset = p * size;
  const order = [{ createdAt: "asc" as const }, { id: "asc" as const }];
  const first =
    offset < criticalCount
      ? await tx.helpRequest.findMany({ where: critical, orderBy: order, skip: offset, take: size, select: PENDING_SELECT })
      : [];
  const second =
    first.length < size
      ? await tx.helpRequest.findMany({
          where: rest,
          orderBy: order,
          skip: Math.max(0, offset - criticalCount),
          take: size - first.length,
          select: PENDING_SELECT,
        })
      : [];
  return { total, page: p, pages, offset, requests: [...first, ...second] };
}

// --- the actions ---------------------------------------------------------------

export interface LockedCase {
  id: number;
  kind: HelpRequestKind;
  caseNumber: string;
  councilId: number;
  lineUserId: string;
  status: HelpRequestStatus;
}

const MAX_INT4 = 2_147_483_647;

/** The request, row-locked until the turn commits; null when it does not exist. */
export async function lockCase(tx: Tx, id: number): Promise<LockedCase | null> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > MAX_INT4) return null;
  const rows = await tx.$queryRaw<LockedCase[]>`
    SELECT id, kind::text AS kind, "caseNumber", "councilId", "lineUserId", status::text AS status
    FROM help_request WHERE id = ${id} FOR UPDATE`;
  return rows[0] ?? null;
}

/** A council's name, or null when there is no such council. */
export async function councilNameOf(tx: Tx, id: number): Promise<string | null> {
  return (await tx.council.findUnique({ where: { id }, select: { name: true } }))?.name ?? null;
}

/** Moves a request to `status`; `acceptedAt` is set on its first acceptance. */
export async function setCaseStatus(tx: Tx, requestId: number, status: HelpRequestStatus, acceptedAt?: Date): Promise<void> {
  await tx.helpRequest.update({ where: { id: requestId }, data: { status, ...(acceptedAt ? { acceptedAt } : {}) } });
}

/** Gives a request to another council: PENDING there, with a fresh acceptance, escalation and assignment. */
export async function moveCase(tx: Tx, requestId: number, toCouncilId: number): Promise<void> {
  await tx.helpRequest.update({
    where: { id: requestId },
    data: {
      councilId: toCouncilId,
      status: "PENDING",
      acceptedAt: null,
      escalationLevel: 0,
      escalatedAt: null,
      remindedAt: null,
      assignedTo: null,
    },
  });
}

export async function setAssignee(tx: Tx, requestId: number, lineUserId: string): Promise<void> {
  await tx.helpRequest.update({ where: { id: requestId }, data: { assignedTo: lineUserId } });
}

export async function afterPhotoCount(tx: Tx, requestId: number): Promise<number> {
  return tx.helpRequestPhoto.count({ where: { requestId, stage: "AFTER" } });
}

/** Who accepted the request, for "รับเรื่องแล้วโดย…": the latest acceptance in its history. */
export async function acceptance(tx: Tx, requestId: number): Promise<{ actorUserId: string | null; at: Date } | null> {
  return tx.helpRequestEvent.findFirst({
    where: { requestId, kind: "STATUS", toStatus: "ACCEPTED" },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    select: { actorUserId: true, at: true },
  });
}

/** The council's secretaries were told (at once, or in the evening digest). */
export async function markNotified(tx: Tx, requestId: number, at: Date): Promise<void> {
  // Raw SQL: every filed request with a secretary; the model update costs several times the CPU.
  await tx.$executeRaw`UPDATE help_request SET "notifiedAt" = ${at} WHERE id = ${requestId}`;
}
