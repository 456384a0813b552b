// The coordinator reports' queries. Each takes the transaction, the councils
// in scope (from councilsInScope, never from a button or a URL) and, where
// it has one, a period. Only counts and council names leave here, plus the
// case facts a coordinator needs (case number, age, priority, people): no
// names, phones or addresses.
import { KIND_LIST } from "../help-requests/kinds/index.ts";
import { OPEN_STATUSES } from "../help-requests/request-status.ts";
import type { Tx } from "../db/database.ts";
import { Prisma, type HelpRequestKind, type HelpRequestStatus } from "../generated/prisma/client.ts";
import { councilsInScope } from "../staff/roles.ts";
import { bangkokInstant, bangkokIsoDate } from "../thai/format.ts";
import { periodRange, type Period } from "./period.ts";

export const STATUSES: readonly HelpRequestStatus[] = ["PENDING", "ACCEPTED", "IN_PROGRESS", "RESOLVED", "REJECTED", "CANCELLED"];

export interface CouncilInfo {
  id: number;
  name: string;
  districtId: number;
  districtName: string;
  provinceId: number;
}

/** What a coordinator covers now: their councils with district and province. */
export interface Scope {
  councils: CouncilInfo[];
  /** More than one district: tables group by district, else by council. */
  byDistrict: boolean;
}

/** The coordinator's area now, or null for anyone who is not a coordinator. */
export async function reportScope(tx: Tx, lineUserId: string): Promise<Scope | null> {
  const ids = await councilsInScope(tx, lineUserId, "COORDINATOR");
  if (ids.length === 0) return null;
  const rows = await tx.council.findMany({
    where: { id: { in: ids } },
    select: { id: true, name: true, tambon: { select: { district: { select: { id: true, nameTh: true, provinceId: true } } } } },
    orderBy: [{ tambonId: "asc" }, { id: "asc" }],
  });
  const councils = rows.map((c) => ({
    id: c.id,
    name: c.name,
    districtId: c.tambon.district.id,
    districtName: c.tambon.district.nameTh,
    provinceId: c.tambon.district.provinceId,
  }));
  return { councils, byDistrict: new Set(councils.map((c) => c.districtId)).size > 1 };
}

export type StatusCounts = Record<HelpRequestStatus, number>;
export const zeroCounts = (): StatusCounts => ({ PENDING: 0, ACCEPTED: 0, IN_PROGRESS: 0, RESOLVED: 0, REJECTED: 0, CANCELLED: 0 });
export const totalOf = (c: StatusCounts) => STATUSES.reduce((sum, s) => sum + c[s], 0);
const zeroKindCounts = () => Object.fromEntries(KIND_LIST.map((k) => [k.kind, zeroCounts()])) as Record<HelpRequestKind, StatusCounts>;

/** Requests filed in the period, per council and kind, by status (every council in scope, zeros too). */
export async function requestCounts(tx: Tx, scope: Scope, period: Period): Promise<Map<number, Record<HelpRequestKind, StatusCounts>>> {
  const ids = scope.councils.map((c) => c.id);
  const groups = await tx.helpRequest.groupBy({
    by: ["councilId", "kind", "status"],
    where: { councilId: { in: ids }, createdAt: periodRange(period) },
    _count: { _all: true },
  });
  const out = new Map(ids.map((id) => [id, zeroKindCounts()]));
  for (const g of groups) out.get(g.councilId)![g.kind][g.status] += g._count._all;
  return out;
}

export interface CriticalCase {
  caseNumber: string;
  councilId: number;
  status: HelpRequestStatus;
  peopleCount: number | null;
  createdAt: Date;
}

/** Open critical flood cases, oldest first (the longest wait on top). */
export async function openCriticalCases(tx: Tx, scope: Scope): Promise<CriticalCase[]> {
  return tx.helpRequest.findMany({
    where: {
      councilId: { in: scope.councils.map((c) => c.id) },
      kind: "FLOOD",
      priority: "CRITICAL",
      status: { in: [...OPEN_STATUSES] },
    },
    select: { caseNumber: true, councilId: true, status: true, peopleCount: true, createdAt: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

export interface MeetingFigures {
  id: number;
  title: string;
  startsAt: Date;
  capacity: number | null;
  /** Registrations (parties) and people of members of councils in scope. */
  registered: { parties: number; people: number };
  waitlisted: { parties: number; people: number };
  /** Seats free for everyone (as every member's card shows); null: no limit. */
  seatsLeft: number | null;
}

export const MAX_MEETINGS = 100;

/**
 * Scheduled meetings of today and later whose audience touches the scope.
 * Registrations are counted for members of councils in scope only, so a
 * district coordinator sees their district's share of a province meeting.
 */
export async function meetingFigures(tx: Tx, scope: Scope, now: Date): Promise<MeetingFigures[]> {
  const councilIds = scope.councils.map((c) => c.id);
  const districtIds = [...new Set(scope.councils.map((c) => c.districtId))];
  const provinceIds = [...new Set(scope.councils.map((c) => c.provinceId))];
  const meetings = await tx.meeting.findMany({
    where: {
      status: "SCHEDULED",
      endsAt: { gte: bangkokInstant(bangkokIsoDate(now)) },
      audience: {
        some: {
          OR: [
            { level: "PROVINCE", areaId: { in: provinceIds } },
            { level: "DISTRICT", areaId: { in: districtIds } },
            { level: "COUNCIL", areaId: { in: councilIds } },
          ],
        },
      },
    },
    select: { id: true, title: true, startsAt: true, capacity: true },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: MAX_MEETINGS,
  });
  const ids = meetings.map((m) => m.id);
  if (ids.length === 0) return [];
  // Registrations carry a member id but no relation to filter on: a join.
  const ours = await tx.$queryRaw<{ meetingId: number; status: string; parties: number; people: number }[]>`
    SELECT r."meetingId" AS "meetingId", r.status::text AS status, COUNT(*)::int AS parties, COALESCE(SUM(r.people), 0)::int AS people
    FROM meeting_registration r JOIN member m ON m.id = r."memberId"
    WHERE r."meetingId" IN (${Prisma.join(ids)}) AND r.status::text IN ('REGISTERED', 'WAITLISTED')
      AND m."councilId" IN (${Prisma.join(councilIds)})
    GROUP BY r."meetingId", r.status`;
  const taken = await tx.meetingRegistration.groupBy({
    by: ["meetingId"],
    where: { meetingId: { in: ids }, status: "REGISTERED" },
    _sum: { people: true },
  });
  const takenBy = new Map(taken.map((t) => [t.meetingId, t._sum.people ?? 0]));
  return meetings.map((m) => {
    const of = (status: "REGISTERED" | "WAITLISTED") => {
      const g = ours.find((o) => o.meetingId === m.id && o.status === status);
      return { parties: g?.parties ?? 0, people: g?.people ?? 0 };
    };
    return {
      ...m,
      registered: of("REGISTERED"),
      waitlisted: of("WAITLISTED"),
      seatsLeft: m.capacity === null ? null : Math.max(0, m.capacity - (takenBy.get(m.id) ?? 0)),
    };
  });
}

export interface FundFigures {
  fundId: number;
  fundName: string;
  councilId: number;
  /** Members who have not left (resigned or died) by today. */
  members: number;
  /** Baht as exact decimal strings ("1234.50"). */
  savedThisYear: string;
  benefitsThisYear: number;
  benefitsPaidThisYear: string;
}

/** Each fund of the councils in scope: members, savings and benefits of this (Bangkok, calendar) year. */
export async function fundFigures(tx: Tx, scope: Scope, now: Date): Promise<FundFigures[]> {
  const ids = scope.councils.map((c) => c.id);
  if (ids.length === 0) return [];
  const today = bangkokIsoDate(now);
  const yearStart = `${today.slice(0, 4)}-01-01`;
  // One statement for every fund: a query per fund would be hundreds per turn.
  return tx.$queryRaw<FundFigures[]>`
    SELECT f.id AS "fundId", f.name AS "fundName", f."councilId" AS "councilId",
      (SELECT COUNT(*)::int FROM fund_member m
        WHERE m."fundId" = f.id AND m."joinedOn" <= ${today}::date AND (m."leftOn" IS NULL OR m."leftOn" > ${today}::date)) AS "members",
      (SELECT COALESCE(SUM(c.amount), 0)::text FROM fund_contribution c JOIN fund_member m ON m.id = c."fundMemberId"
        WHERE m."fundId" = f.id AND c."paidOn" BETWEEN ${yearStart}::date AND ${today}::date) AS "savedThisYear",
      (SELECT COUNT(*)::int FROM fund_benefit_payment p JOIN fund_member m ON m.id = p."fundMemberId"
        WHERE m."fundId" = f.id AND p."paidOn" BETWEEN ${yearStart}::date AND ${today}::date) AS "benefitsThisYear",
      (SELECT COALESCE(SUM(p.amount), 0)::text FROM fund_benefit_payment p JOIN fund_member m ON m.id = p."fundMemberId"
        WHERE m."fundId" = f.id AND p."paidOn" BETWEEN ${yearStart}::date AND ${today}::date) AS "benefitsPaidThisYear"
    FROM welfare_fund f
    WHERE f."councilId" IN (${Prisma.join(ids)})
    ORDER BY f."councilId", f.id`;
}

/** Adds exact baht strings ("1234.50") without floating-point drift. */
export function addBaht(a: string, b: string): string {
  const cents = (s: string) => {
    const [whole, frac = ""] = s.split(".") as [string, string?];
    return BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0").slice(0, 2));
  };
  const sum = cents(a) + cents(b);
  return `${sum / 100n}.${String(sum % 100n).padStart(2, "0")}`;
}
