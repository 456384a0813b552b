// Who gets the flood-first rich menu (src/line/rich-menu/flood-menu.ts):
// members with ACTIVE status who follow the account, whose council lies in
// an area of an ACTIVE situation (the council itself, its tambon's district
// or the district's province, as situationCoveringCouncil), and who hold no
// staff role (STAFF_USERS_SQL: staff keep the staff menu). A query of one
// column, "lineUserId", that src/app.ts hands to the bulk link job, so the
// LINE adapter reads no situation itself. Staff are left out by the same
// query the staff link job links, so the two jobs' audiences never overlap.
import { Prisma } from "../generated/prisma/client.ts";
import { STAFF_USERS_SQL } from "../staff/roles.ts";

// The councils covered are found first (few: one statement over the active
// situations' areas, none at all on a dry day), then their members by
// member.councilId: the link job runs this every few hundred milliseconds
// while it links, and every half minute when idle.
export const FLOOD_MENU_AUDIENCE_SQL = Prisma.sql`
  SELECT m."lineUserId" FROM member m
  JOIN line_user u ON u.id = m."lineUserId"
  WHERE m.status = 'ACTIVE' AND u.following
    AND m."councilId" IN (
      SELECT c.id FROM situation s
      JOIN situation_area a ON a."situationId" = s.id
      CROSS JOIN council c
      JOIN tambon t ON t.id = c."tambonId"
      JOIN district d ON d.id = t."districtId"
      WHERE s.status = 'ACTIVE'
        AND ((a.level = 'COUNCIL' AND a."areaId" = c.id)
          OR (a.level = 'DISTRICT' AND a."areaId" = d.id)
          OR (a.level = 'PROVINCE' AND a."areaId" = d."provinceId")))
    AND NOT EXISTS (SELECT 1 FROM (${STAFF_USERS_SQL}) st WHERE st."lineUserId" = m."lineUserId")`;

// What moves the audience: a situation declared, changed (its areas) or
// ended, a staff role granted or revoked, a member signed up (the newest
// member id): each read off an index or a few rows. The bulk link job asks
// this instead of the whole audience once everyone is linked
// (bulk-link-job.ts); a member moving or withdrawing is picked up at its
// next full look, within a minute.
export const FLOOD_MENU_STAMP_SQL = Prisma.sql`
  SELECT coalesce((SELECT string_agg(s.id::text || '@' || s."updatedAt"::text, ',' ORDER BY s.id)
                     FROM situation s WHERE s.status = 'ACTIVE'), '')
         || '|' || (SELECT count(*)::text || '@' || coalesce(max("grantedAt")::text, '') FROM staff_role)
         || '|' || coalesce((SELECT max(id)::text FROM member), '') AS stamp`;
