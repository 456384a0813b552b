// The flood situations as the rest of disaster mode reads them: which are
// active, what they cover, and which one covers a council. Writes (declare,
// change, end) live with the flow that makes them.
//
// An area belongs to at most one active situation: the declare flow offers
// to change the situation already covering an area instead of declaring a
// second one, so "the situation of this council" is one row or none.
import type { Tx } from "../db/database.ts";
import { Prisma, type Situation } from "../generated/prisma/client.ts";
import { councilsOf, type Area } from "../staff/areas.ts";

export type { Situation };

export interface SituationWithAreas extends Situation {
  areas: Area[];
}

/** Every active situation with its areas, oldest first. */
export async function activeSituations(tx: Tx): Promise<SituationWithAreas[]> {
  const rows = await tx.situation.findMany({
    where: { status: "ACTIVE" },
    include: { areas: { select: { level: true, areaId: true } } },
    orderBy: { id: "asc" },
  });
  return rows;
}

/** One situation (active or ended) with its areas; null if there is none with that id. */
export async function situationById(tx: Tx, id: number): Promise<SituationWithAreas | null> {
  return tx.situation.findUnique({ where: { id }, include: { areas: { select: { level: true, areaId: true } } } });
}

/** The council ids a situation covers now. */
export async function situationCouncils(tx: Tx, situation: Pick<SituationWithAreas, "areas">): Promise<number[]> {
  return councilsOf(tx, situation.areas);
}

/**
 * A situation_area `a` covers council `c` (its tambon `t` and district `d`
 * joined): the council itself, its district, or the district's province.
 */
export const AREA_COVERS_COUNCIL_SQL = Prisma.sql`((a.level = 'COUNCIL' AND a."areaId" = c.id)
  OR (a.level = 'DISTRICT' AND a."areaId" = d.id)
  OR (a.level = 'PROVINCE' AND a."areaId" = d."provinceId"))`;

/**
 * The active situation covering a council, if any. One statement: the
 * council matches an area directly, by its tambon's district, or by the
 * district's province.
 */
export async function situationCoveringCouncil(tx: Tx, councilId: number): Promise<Situation | null> {
  // The row itself, not its id and a second read: every check-in answer asks this.
  const rows = await tx.$queryRaw<Situation[]>`
    SELECT s.id, s.level::text AS level, s.message, s.status::text AS status, s."declaredBy", s."declaredAt",
           s."updatedAt", s."endedBy", s."endedAt", s."summaryAt"
    FROM situation s
    JOIN situation_area a ON a."situationId" = s.id
    JOIN council c ON c.id = ${councilId}
    JOIN tambon t ON t.id = c."tambonId"
    JOIN district d ON d.id = t."districtId"
    WHERE s.status = 'ACTIVE' AND ${AREA_COVERS_COUNCIL_SQL}
    ORDER BY s.id
    LIMIT 1`;
  return rows[0] ?? null;
}

/** The active situation covering a member's council (by LINE user id); null when none or not a member. */
export async function situationForUser(tx: Tx, lineUserId: string): Promise<Situation | null> {
  const member = await tx.member.findUnique({ where: { lineUserId }, select: { councilId: true, status: true } });
  if (member?.status !== "ACTIVE" || member.councilId === null) return null;
  return situationCoveringCouncil(tx, member.councilId);
}
