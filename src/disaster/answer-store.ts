// Safety answers, neighbour reports and the household's vulnerable people:
// every query of the answers side of disaster mode. One answer per member
// per situation (safety_answer's key): a later answer replaces it.
import type { Tx } from "../db/database.ts";
import type { SafetyStatus } from "../generated/prisma/client.ts";

/** The values the household step stores: as the flood flow's vulnerable list (src/help-requests/priority.ts). */
export const HOUSEHOLD_VULNERABLE = ["bedridden", "elderly", "disabled", "pregnant"] as const;
export type HouseholdVulnerable = (typeof HOUSEHOLD_VULNERABLE)[number];

/** The consent record of the household's vulnerable people (sensitive data, its own consent). */
export const HOUSEHOLD_NOTICE_VERSION = "household-2026-12";

export interface SafetyAnswerRow {
  situationId: number;
  lineUserId: string;
  councilId: number;
  status: SafetyStatus;
  answeredBy: string;
  helpRequestId: number | null;
  answeredAt: Date;
}

export async function safetyAnswerOf(tx: Tx, situationId: number, lineUserId: string): Promise<SafetyAnswerRow | null> {
  return tx.safetyAnswer.findUnique({ where: { situationId_lineUserId: { situationId, lineUserId } } });
}

/** Records (or replaces) a member's answer; a new answer forgets the request linked to an older one. */
export async function upsertSafetyAnswer(
  tx: Tx,
  a: {
    situationId: number;
    lineUserId: string;
    councilId: number;
    status: SafetyStatus;
    answeredBy: string;
    at: Date;
    helpRequestId?: number | null;
  },
): Promise<void> {
  const fields = {
    councilId: a.councilId,
    status: a.status,
    answeredBy: a.answeredBy,
    answeredAt: a.at,
    helpRequestId: a.helpRequestId ?? null,
  };
  await tx.safetyAnswer.upsert({
    where: { situationId_lineUserId: { situationId: a.situationId, lineUserId: a.lineUserId } },
    create: { situationId: a.situationId, lineUserId: a.lineUserId, ...fields },
    update: fields,
  });
}

/**
 * A secretary reached the member: CONTACTED_SAFE, only when the member has
 * not answered meanwhile (their own answer wins). Resolves whether it was recorded.
 */
export async function recordContactedSafe(
  tx: Tx,
  a: { situationId: number; lineUserId: string; councilId: number; by: string; at: Date },
): Promise<boolean> {
  const rows = await tx.$executeRaw`
    INSERT INTO safety_answer ("situationId", "lineUserId", "councilId", status, "answeredBy", "answeredAt")
    VALUES (${a.situationId}, ${a.lineUserId}, ${a.councilId}, 'CONTACTED_SAFE', ${a.by}, ${a.at})
    ON CONFLICT ("situationId", "lineUserId") DO NOTHING`;
  return rows > 0;
}

export async function checkInOf(tx: Tx, situationId: number, lineUserId: string) {
  return tx.safetyCheckIn.findUnique({ where: { situationId_lineUserId: { situationId, lineUserId } } });
}

export async function createNeighbourReport(
  tx: Tx,
  r: { situationId: number; reportedBy: string; councilId: number; name: string | null; status: SafetyStatus; at: Date },
): Promise<number> {
  const row = await tx.neighbourReport.create({
    data: {
      situationId: r.situationId,
      reportedBy: r.reportedBy,
      councilId: r.councilId,
      name: r.name,
      status: r.status,
      reportedAt: r.at,
    },
    select: { id: true },
  });
  return row.id;
}

/** The case number of a request (for "the request you filed"). */
export async function caseNumberOf(tx: Tx, requestId: number): Promise<string | null> {
  const [row] = await tx.$queryRaw<{ caseNumber: string }[]>`SELECT "caseNumber" FROM help_request WHERE id = ${requestId}`;
  return row?.caseNumber ?? null;
}

// --- linking a filed flood request to the answer it came from -------------------------

/**
 * What a flood request opened from disaster mode carries in its flow data
 * (slot `safetyLink`), so the filed request is linked to what opened it:
 * - `a:<situationId>`: the member's own ต้องการความช่วยเหลือ;
 * - `n:<neighbourReportId>`: a neighbour reported as needing help;
 * - `m:<situationId>:<memberId>`: a secretary filing for a member who has not answered.
 */
export const ownAnswerLink = (situationId: number) => `a:${situationId}`;
export const neighbourLink = (reportId: number) => `n:${reportId}`;
export const memberLink = (situationId: number, memberId: number) => `m:${situationId}:${memberId}`;

/**
 * Called by the flood flow once it has filed a request (src/help-requests/flood-flow.ts).
 * Every link is checked again here (flow data is the user's to shape only
 * through the steps, but roles and situations change meanwhile). A member
 * filing for their own household without a link (they typed น้ำท่วม after
 * answering) is linked to their open NEEDS_HELP answer of an active situation.
 */
export async function linkFloodRequest(
  tx: Tx,
  filed: { requestId: number; filedBy: string; forSomeoneElse: boolean; link?: string; now: Date },
): Promise<void> {
  const link = filed.link ?? "";
  let m = /^n:(\d{1,9})$/.exec(link);
  if (m) {
    await tx.neighbourReport.updateMany({
      where: { id: Number(m[1]), reportedBy: filed.filedBy, helpRequestId: null },
      data: { helpRequestId: filed.requestId },
    });
    return;
  }
  m = /^m:(\d{1,9}):(\d{1,9})$/.exec(link);
  if (m) {
    await linkForMember(tx, { situationId: Number(m[1]), memberId: Number(m[2]), ...filed });
    return;
  }
  if (filed.forSomeoneElse) return;
  m = /^a:(\d{1,9})$/.exec(link);
  await tx.$executeRaw`
    UPDATE safety_answer a SET "helpRequestId" = ${filed.requestId}
    FROM situation s
    WHERE s.id = a."situationId" AND s.status = 'ACTIVE'
      AND a."lineUserId" = ${filed.filedBy} AND a.status = 'NEEDS_HELP' AND a."helpRequestId" IS NULL
      AND (${m ? Number(m[1]) : null}::int IS NULL OR a."situationId" = ${m ? Number(m[1]) : null}::int)`;
}

/** A secretary's request for a member: their answer becomes NEEDS_HELP, answered by the secretary, unless they answered themselves. */
async function linkForMember(
  tx: Tx,
  f: { situationId: number; memberId: number; requestId: number; filedBy: string; now: Date },
): Promise<void> {
  const [target] = await tx.$queryRaw<{ lineUserId: string; councilId: number }[]>`
    SELECT m."lineUserId", m."councilId" FROM member m
    JOIN situation s ON s.id = ${f.situationId} AND s.status = 'ACTIVE'
    JOIN staff_role r ON r."lineUserId" = ${f.filedBy} AND r.role = 'SECRETARY' AND r.level = 'COUNCIL' AND r."areaId" = m."councilId"
    WHERE m.id = ${f.memberId} AND m.status = 'ACTIVE' AND m."lineUserId" IS NOT NULL
    LIMIT 1`;
  if (!target) return;
  await tx.$executeRaw`
    INSERT INTO safety_answer ("situationId", "lineUserId", "councilId", status, "answeredBy", "helpRequestId", "answeredAt")
    VALUES (${f.situationId}, ${target.lineUserId}, ${target.councilId}, 'NEEDS_HELP', ${f.filedBy}, ${f.requestId}, ${f.now})
    ON CONFLICT ("situationId", "lineUserId") DO UPDATE SET "helpRequestId" = EXCLUDED."helpRequestId"
      WHERE safety_answer."helpRequestId" IS NULL AND safety_answer.status = 'NEEDS_HELP'`;
}

// --- the household's vulnerable people -----------------------------------------------

export function householdOf(raw: unknown): HouseholdVulnerable[] {
  return Array.isArray(raw) ? raw.filter((v): v is HouseholdVulnerable => HOUSEHOLD_VULNERABLE.includes(v as HouseholdVulnerable)) : [];
}

export async function recordHouseholdConsent(tx: Tx, lineUserId: string, granted: boolean, now: Date): Promise<void> {
  await tx.consentRecord.create({ data: { lineUserId, granted, noticeVersion: HOUSEHOLD_NOTICE_VERSION, recordedAt: now } });
}

/** Stores the selection (possibly empty: "nobody"), with when; null `at` with [] erases it. */
export async function setHouseholdVulnerable(tx: Tx, memberId: number, values: HouseholdVulnerable[], at: Date | null): Promise<void> {
  await tx.member.update({ where: { id: memberId }, data: { householdVulnerable: values, householdVulnerableAt: at } });
}
