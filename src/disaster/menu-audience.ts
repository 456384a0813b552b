// Who gets the flood-first rich menu (src/line/rich-menu/flood-menu.ts):
// members with ACTIVE status who follow the account, whose council lies in
// an area of an ACTIVE situation (the council itself, its tambon's district
// or the district's province, as situationCoveringCouncil), and who hold no
// staff role (STAFF_USERS_SQL: staff keep the staff menu). Given to the bulk
// link job (src/app.ts) in parts, one council at a time, so the LINE adapter
// reads no situation itself and no statement reads a province's members at
// once. Staff are left out by the same query the staff link job links, so
// the two jobs' audiences never overlap.
import { Prisma } from "../generated/prisma/client.ts";
import type { BulkAudience } from "../line/rich-menu/bulk-link-job.ts";
import { STAFF_USERS_SQL } from "../staff/roles.ts";
import { AREA_COVERS_COUNCIL_SQL } from "./situation-store.ts";

/** The audience's members among those `where` picks (on member m). */
const membersWhere = (where: Prisma.Sql) => Prisma.sql`
  SELECT m."lineUserId" FROM member m
  JOIN line_user u ON u.id = m."lineUserId"
  WHERE ${where} AND m.status = 'ACTIVE' AND u.following
    AND NOT EXISTS (SELECT 1 FROM (${STAFF_USERS_SQL}) st WHERE st."lineUserId" = m."lineUserId")`;

export const FLOOD_MENU_AUDIENCE: BulkAudience = {
  // The councils covered (none on a dry day; 215 for Sisaket province-wide): one statement over the active situations' areas.
  parts: Prisma.sql`
    SELECT DISTINCT c.id FROM situation s
    JOIN situation_area a ON a."situationId" = s.id
    CROSS JOIN council c
    JOIN tambon t ON t.id = c."tambonId"
    JOIN district d ON d.id = t."districtId"
    WHERE s.status = 'ACTIVE' AND ${AREA_COVERS_COUNCIL_SQL}
    ORDER BY c.id`,
  // A council's members, off member's councilId index: a few hundred rows.
  ofPart: (councilId) => membersWhere(Prisma.sql`m."councilId" = ${councilId}`),
  // Up to 500 users by member's unique lineUserId: the same plan with or without statistics.
  among: (userIds, councilIds) =>
    membersWhere(Prisma.sql`m."lineUserId" = ANY(${userIds}::text[]) AND m."councilId" = ANY(${councilIds}::int[])`),
};

// What moves the audience, each read off an index or a few rows. "grow":
// the active situations (declared, changed, ended), the staff roles (a role
// revoked brings its holder in), the newest member id (a member signed up).
// "shrink": the situations and the staff roles (a role granted takes its
// holder out). A member moving or withdrawing moves neither: the bulk link
// job's next look at rest (every few minutes) picks it up.
export const FLOOD_MENU_STAMP_SQL = Prisma.sql`
  SELECT x.situations || '|' || x.roles || '|' || x.members AS grow, x.situations || '|' || x.roles AS shrink
  FROM (SELECT
    coalesce((SELECT string_agg(s.id::text || '@' || s."updatedAt"::text, ',' ORDER BY s.id)
              FROM situation s WHERE s.status = 'ACTIVE'), '') AS situations,
    (SELECT count(*)::text || '@' || coalesce(max("grantedAt")::text, '') FROM staff_role) AS roles,
    coalesce((SELECT max(id)::text FROM member), '') AS members) x`;
