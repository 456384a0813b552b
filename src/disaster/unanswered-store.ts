// The secretaries' unanswered list: members of a council sent the check-in
// of a situation more than N hours ago who have not answered (nobody has
// answered for them), vulnerable households first, then the longest
// waiting; the council's counts; and the councils a notice is due for.
import type { Tx } from "../db/database.ts";
import { Prisma } from "../generated/prisma/client.ts";

export interface UnansweredMember {
  memberId: number;
  lineUserId: string;
  fullName: string | null;
  phone: string | null;
  councilId: number;
  sentAt: Date;
  /** The household's vulnerable people: recorded with consent, or the newest flood request's list. */
  vulnerable: string[];
}

export interface SituationCouncil {
  situationId: number;
  councilId: number;
}

const pairsSql = (pairs: SituationCouncil[]) =>
  Prisma.sql`SELECT * FROM unnest(${pairs.map((p) => p.situationId)}::int[], ${pairs.map((p) => p.councilId)}::int[]) AS p(sid, cid)`;

/** One page of the unanswered members of these (situation, council) pairs, and how many there are. */
export async function unansweredMembers(
  tx: Tx,
  pairs: SituationCouncil[],
  sentBefore: Date,
  page: { offset: number; limit: number },
): Promise<{ total: number; members: UnansweredMember[] }> {
  if (pairs.length === 0) return { total: 0, members: [] };
  const rows = await tx.$queryRaw<(Omit<UnansweredMember, "vulnerable"> & { vulnerable: unknown; total: bigint })[]>`
    WITH due AS (
      SELECT m.id AS "memberId", m."lineUserId", m."fullName", m.phone, c."councilId", c."sentAt",
        CASE WHEN jsonb_array_length(m."householdVulnerable") > 0 THEN m."householdVulnerable"
             ELSE COALESCE((SELECT r.vulnerable FROM help_request r
                            WHERE r."memberId" = m.id AND r.kind = 'FLOOD' AND NOT r."forSomeoneElse"
                            ORDER BY r.id DESC LIMIT 1), '[]'::jsonb) END AS vulnerable
      FROM (${pairsSql(pairs)}) p
      JOIN safety_check_in c ON c."situationId" = p.sid AND c."councilId" = p.cid
      JOIN member m ON m."lineUserId" = c."lineUserId" AND m.status = 'ACTIVE'
      WHERE c."sentAt" <= ${sentBefore}
        AND NOT EXISTS (SELECT 1 FROM safety_answer a WHERE a."situationId" = c."situationId" AND a."lineUserId" = c."lineUserId")
    )
    SELECT *, count(*) OVER () AS total FROM due
    ORDER BY (jsonb_array_length(vulnerable) > 0) DESC, "sentAt", "memberId"
    OFFSET ${page.offset}::int LIMIT ${page.limit}::int`;
  const total = rows[0] ? Number(rows[0].total) : 0;
  if (rows.length === 0 && page.offset > 0) {
    const [c] = await tx.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM (${pairsSql(pairs)}) p
      JOIN safety_check_in c ON c."situationId" = p.sid AND c."councilId" = p.cid
      JOIN member m ON m."lineUserId" = c."lineUserId" AND m.status = 'ACTIVE'
      WHERE c."sentAt" <= ${sentBefore}
        AND NOT EXISTS (SELECT 1 FROM safety_answer a WHERE a."situationId" = c."situationId" AND a."lineUserId" = c."lineUserId")`;
    return { total: Number(c?.n ?? 0), members: [] };
  }
  return {
    total,
    members: rows.map(({ total: _t, vulnerable, ...r }) => ({
      ...r,
      vulnerable: Array.isArray(vulnerable) ? vulnerable.filter((v): v is string => typeof v === "string") : [],
    })),
  };
}

export interface CouncilCounts {
  sent: number;
  safe: number;
  needsHelp: number;
  notAnswered: number;
}

/** Sent, safe (by themselves or reached), asking for help, not answered: one council in one situation. */
export async function councilCounts(tx: Tx, pair: SituationCouncil): Promise<CouncilCounts> {
  const [row] = await tx.$queryRaw<{ sent: bigint; safe: bigint; help: bigint; unanswered: bigint }[]>`
    SELECT
      (SELECT count(*) FROM safety_check_in c WHERE c."situationId" = ${pair.situationId} AND c."councilId" = ${pair.councilId}) AS sent,
      (SELECT count(*) FROM safety_answer a WHERE a."situationId" = ${pair.situationId} AND a."councilId" = ${pair.councilId}
         AND a.status IN ('SAFE', 'CONTACTED_SAFE')) AS safe,
      (SELECT count(*) FROM safety_answer a WHERE a."situationId" = ${pair.situationId} AND a."councilId" = ${pair.councilId}
         AND a.status = 'NEEDS_HELP') AS help,
      (SELECT count(*) FROM safety_check_in c WHERE c."situationId" = ${pair.situationId} AND c."councilId" = ${pair.councilId}
         AND NOT EXISTS (SELECT 1 FROM safety_answer a WHERE a."situationId" = c."situationId" AND a."lineUserId" = c."lineUserId")) AS unanswered`;
  return {
    sent: Number(row?.sent ?? 0),
    safe: Number(row?.safe ?? 0),
    needsHelp: Number(row?.help ?? 0),
    notAnswered: Number(row?.unanswered ?? 0),
  };
}

/** A member of the list, as a secretary's button names them: active, with the check-in of this situation. */
export async function checkedInMember(
  tx: Tx,
  situationId: number,
  memberId: number,
): Promise<{ memberId: number; lineUserId: string; fullName: string | null; phone: string | null; councilId: number } | null> {
  const [row] = await tx.$queryRaw<
    { memberId: number; lineUserId: string; fullName: string | null; phone: string | null; councilId: number }[]
  >`
    SELECT m.id AS "memberId", m."lineUserId", m."fullName", m.phone, c."councilId"
    FROM member m JOIN safety_check_in c ON c."situationId" = ${situationId} AND c."lineUserId" = m."lineUserId"
    WHERE m.id = ${memberId} AND m.status = 'ACTIVE'`;
  return row ?? null;
}

export const unansweredNoticeKey = (pair: SituationCouncil) => `unanswered:${pair.situationId}:${pair.councilId}`;

/**
 * Councils of active situations with members sent the check-in before
 * `sentBefore` who have not answered, not yet noticed (no outbox row under
 * the pair's key), with how many, and the council's secretaries.
 */
export async function councilsDueNotice(
  tx: Tx,
  sentBefore: Date,
  limit: number,
): Promise<(SituationCouncil & { count: number; secretaries: string[] })[]> {
  // Grouped first, then one index look per council (the notice's dedupe keys, per secretary: notifyStaff).
  const rows = await tx.$queryRaw<{ situationId: number; councilId: number; count: bigint; secretaries: string[] }[]>`
    WITH due AS (
      SELECT c."situationId", c."councilId", count(*) AS count
      FROM situation s
      JOIN safety_check_in c ON c."situationId" = s.id
      JOIN member m ON m."lineUserId" = c."lineUserId" AND m.status = 'ACTIVE'
      WHERE s.status = 'ACTIVE' AND c."sentAt" <= ${sentBefore}
        AND NOT EXISTS (SELECT 1 FROM safety_answer a WHERE a."situationId" = c."situationId" AND a."lineUserId" = c."lineUserId")
      GROUP BY c."situationId", c."councilId"
    ), told AS (
      SELECT d.*, ARRAY(SELECT r."lineUserId" FROM staff_role r
                        WHERE r.role = 'SECRETARY' AND r.level = 'COUNCIL' AND r."areaId" = d."councilId" ORDER BY r.id) AS secretaries
      FROM due d
    )
    SELECT * FROM told t
    WHERE cardinality(t.secretaries) > 0
      AND NOT EXISTS (SELECT 1 FROM outbox_message o WHERE o."dedupeKey" = ANY(
        SELECT 'unanswered:' || t."situationId" || ':' || t."councilId" || ':' || x FROM unnest(t.secretaries) x))
    ORDER BY t."situationId", t."councilId"
    LIMIT ${limit}::int`;
  return rows.map((r) => ({ situationId: r.situationId, councilId: r.councilId, count: Number(r.count), secretaries: r.secretaries }));
}
