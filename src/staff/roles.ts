// Who may do what, where. Roles are rows (staff_role) with an area; every
// staff action asks here, on the server, inside the turn's transaction —
// never trusting a button's data. Coverage follows the map: a province
// coordinator covers every council of the province, a district coordinator
// the councils of the district, a secretary their council.
import type { Tx } from "../db/database.ts";
import { cachedForCheck } from "../engine/turn-cache.ts";
import type { TurnContext } from "../engine/types.ts";
import { type AreaLevel, Prisma, type StaffRoleKind } from "../generated/prisma/client.ts";

export type { AreaLevel, StaffRoleKind };

/**
 * Everyone who holds a staff role, as a query of one column, "lineUserId",
 * to put inside another: the rich menu link job (src/line/rich-menu/link-job.ts)
 * links them to the staff menu. src/app.ts hands it over, so the LINE
 * adapter does not read staff_role itself.
 */
export const STAFF_USERS_SQL = Prisma.sql`SELECT "lineUserId" FROM staff_role`;

export interface RoleGrant {
  role: StaffRoleKind;
  level: AreaLevel;
  areaId: number;
}

/** Which area levels each role may hold. */
export const ROLE_LEVELS: Record<StaffRoleKind, readonly AreaLevel[]> = {
  SECRETARY: ["COUNCIL"],
  COORDINATOR: ["DISTRICT", "PROVINCE"],
  ADMIN: ["PROVINCE"],
};

export function validGrant(g: RoleGrant): boolean {
  return ROLE_LEVELS[g.role].includes(g.level) && Number.isSafeInteger(g.areaId) && g.areaId > 0 && g.areaId <= 2_147_483_647;
}

export async function rolesOf(tx: Tx, lineUserId: string): Promise<RoleGrant[]> {
  // Raw SQL: asked on every menu (staffOnly), and a Prisma model query costs
  // about three times the CPU of a raw one (docs/performance.md §6).
  return tx.$queryRaw<RoleGrant[]>`
    SELECT role::text AS role, level::text AS level, "areaId" FROM staff_role
     WHERE "lineUserId" = ${lineUserId} ORDER BY id`;
}

/** The user's roles; loaded once while the engine checks which menu entries they may see. */
export function rolesOfTurn(ctx: TurnContext): Promise<RoleGrant[]> {
  return cachedForCheck(ctx, "roles", () => rolesOf(ctx.tx, ctx.userId));
}

export async function isStaff(tx: Tx, lineUserId: string, role?: StaffRoleKind): Promise<boolean> {
  return (await tx.staffRole.count({ where: { lineUserId, ...(role ? { role } : {}) } })) > 0;
}

/** Where a council sits on the map: what covers it. */
async function councilPlace(tx: Tx, councilId: number): Promise<{ districtId: number; provinceId: number } | null> {
  if (!Number.isSafeInteger(councilId) || councilId <= 0 || councilId > 2_147_483_647) return null;
  const c = await tx.council.findUnique({
    where: { id: councilId },
    select: { tambon: { select: { district: { select: { id: true, provinceId: true } } } } },
  });
  return c ? { districtId: c.tambon.district.id, provinceId: c.tambon.district.provinceId } : null;
}

/** Area conditions that cover a council, for staff_role queries. */
function covering(councilId: number, place: { districtId: number; provinceId: number }) {
  return [
    { level: "COUNCIL" as const, areaId: councilId },
    { level: "DISTRICT" as const, areaId: place.districtId },
    { level: "PROVINCE" as const, areaId: place.provinceId },
  ];
}

/**
 * May this user act on this council's cases as staff? Secretaries of the
 * council, and coordinators whose district or province contains it.
 */
export async function canHandleCouncil(tx: Tx, lineUserId: string, councilId: number): Promise<boolean> {
  const place = await councilPlace(tx, councilId);
  if (!place) return false;
  const n = await tx.staffRole.count({
    where: { lineUserId, role: { in: ["SECRETARY", "COORDINATOR"] }, OR: covering(councilId, place) },
  });
  return n > 0;
}

/** The council ids this user handles as staff (secretary or coordinator), in id order. */
export async function councilsInScope(tx: Tx, lineUserId: string, role?: "SECRETARY" | "COORDINATOR"): Promise<number[]> {
  const grants = (await rolesOf(tx, lineUserId)).filter((g) =>
    role ? g.role === role : g.role === "SECRETARY" || g.role === "COORDINATOR",
  );
  if (grants.length === 0) return [];
  const byLevel = (level: AreaLevel) => grants.filter((g) => g.level === level).map((g) => g.areaId);
  const rows = await tx.council.findMany({
    where: {
      OR: [
        { id: { in: byLevel("COUNCIL") } },
        { tambon: { districtId: { in: byLevel("DISTRICT") } } },
        { tambon: { district: { provinceId: { in: byLevel("PROVINCE") } } } },
      ],
    },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => r.id);
}

/** An area a role or an audience names. */
export interface StaffArea {
  level: AreaLevel;
  areaId: number;
}

/**
 * What this user coordinates now, as a test of areas: true when their
 * district or province contains every area given (none: false). Rights to
 * announcements, meetings and invite codes ask here at the moment they are
 * used, so a revoked role stops working at once whoever created the thing.
 */
export async function coordinatorCoverage(tx: Tx, lineUserId: string): Promise<(areas: readonly StaffArea[]) => Promise<boolean>> {
  const grants = (await rolesOf(tx, lineUserId)).filter((g) => g.role === "COORDINATOR");
  const provinces = new Set(grants.filter((g) => g.level === "PROVINCE").map((g) => g.areaId));
  const districts = new Set(grants.filter((g) => g.level === "DISTRICT").map((g) => g.areaId));
  const provinceOfDistrict = new Map<number, number | null>();
  const districtProvince = async (districtId: number) => {
    if (!provinceOfDistrict.has(districtId)) {
      const d = await tx.district.findUnique({ where: { id: districtId }, select: { provinceId: true } });
      provinceOfDistrict.set(districtId, d?.provinceId ?? null);
    }
    return provinceOfDistrict.get(districtId)!;
  };
  const covers = async (area: StaffArea): Promise<boolean> => {
    switch (area.level) {
      case "PROVINCE":
        return provinces.has(area.areaId);
      case "DISTRICT": {
        if (districts.has(area.areaId)) return true;
        const province = provinces.size > 0 ? await districtProvince(area.areaId) : null;
        return province !== null && provinces.has(province);
      }
      case "COUNCIL": {
        const place = await councilPlace(tx, area.areaId);
        return place !== null && (districts.has(place.districtId) || provinces.has(place.provinceId));
      }
    }
  };
  return async (areas) => {
    if (grants.length === 0 || areas.length === 0) return false;
    for (const a of areas) if (!(await covers(a))) return false;
    return true;
  };
}

/** Does this user coordinate every one of these areas now? */
export async function coordinatesAll(tx: Tx, lineUserId: string, areas: readonly StaffArea[]): Promise<boolean> {
  return (await coordinatorCoverage(tx, lineUserId))(areas);
}

/**
 * Coordinators whose area meets these areas: it contains one of them, or
 * lies inside one (a district coordinator of a district a province-wide
 * audience reaches). They are who hears about the areas' announcements.
 */
export async function coordinatorsMeeting(tx: Tx, areas: readonly StaffArea[]): Promise<string[]> {
  if (areas.length === 0) return [];
  const ids = (level: AreaLevel) => areas.filter((a) => a.level === level).map((a) => a.areaId);
  const districts = await tx.district.findMany({
    where: {
      OR: [
        { id: { in: ids("DISTRICT") } },
        { provinceId: { in: ids("PROVINCE") } },
        { tambons: { some: { councils: { some: { id: { in: ids("COUNCIL") } } } } } },
      ],
    },
    select: { id: true, provinceId: true },
  });
  const rows = await tx.staffRole.findMany({
    where: {
      role: "COORDINATOR",
      OR: [
        { level: "DISTRICT", areaId: { in: districts.map((d) => d.id) } },
        { level: "PROVINCE", areaId: { in: [...new Set([...ids("PROVINCE"), ...districts.map((d) => d.provinceId)])] } },
      ],
    },
    select: { lineUserId: true },
    orderBy: { id: "asc" },
  });
  return [...new Set(rows.map((r) => r.lineUserId))];
}

/**
 * May this user hand out this role by invite code, now? A district
 * coordinator invites secretaries of the district's councils; a province
 * coordinator, secretaries of the province's councils and the coordinators
 * of its districts. Asked when a code is made and again when it is used.
 */
export async function mayIssueInvite(tx: Tx, lineUserId: string, g: RoleGrant): Promise<boolean> {
  if (g.role === "SECRETARY" && g.level === "COUNCIL") return coordinatesAll(tx, lineUserId, [{ level: "COUNCIL", areaId: g.areaId }]);
  if (g.role === "COORDINATOR" && g.level === "DISTRICT") {
    const d = await tx.district.findUnique({ where: { id: g.areaId }, select: { provinceId: true } });
    return d !== null && coordinatesAll(tx, lineUserId, [{ level: "PROVINCE", areaId: d.provinceId }]);
  }
  return false;
}

/**
 * Voids the unused invite codes this user made that their remaining roles
 * no longer allow: a code is the maker's power passed on, so it ends with
 * the role. Returns how many were voided.
 */
export async function voidInvitesBeyondRoles(tx: Tx, lineUserId: string, at: Date): Promise<number> {
  const open = await tx.inviteCode.findMany({
    where: { createdBy: lineUserId, usedAt: null, voidedAt: null, expiresAt: { gt: at } },
    select: { id: true, role: true, level: true, areaId: true },
  });
  let voided = 0;
  for (const code of open) {
    if (await mayIssueInvite(tx, lineUserId, code)) continue;
    const { count } = await tx.inviteCode.updateMany({ where: { id: code.id, usedAt: null, voidedAt: null }, data: { voidedAt: at } });
    voided += count;
  }
  return voided;
}

/** LINE user ids of a council's secretaries. */
export async function secretariesOf(tx: Tx, councilId: number): Promise<string[]> {
  // Raw SQL: every filed request asks (src/help-requests/case-notify.ts).
  const rows = await tx.$queryRaw<{ lineUserId: string }[]>`
    SELECT "lineUserId" FROM staff_role
     WHERE role = 'SECRETARY' AND level = 'COUNCIL' AND "areaId" = ${councilId} ORDER BY id`;
  return [...new Set(rows.map((r) => r.lineUserId))];
}

/** LINE user ids of the coordinators of a district, or of a province. */
export async function coordinatorsOf(tx: Tx, area: { level: "DISTRICT" | "PROVINCE"; areaId: number }): Promise<string[]> {
  const rows = await tx.staffRole.findMany({
    where: { role: "COORDINATOR", level: area.level, areaId: area.areaId },
    select: { lineUserId: true },
    orderBy: { id: "asc" },
  });
  return [...new Set(rows.map((r) => r.lineUserId))];
}

export async function adminsOf(tx: Tx): Promise<string[]> {
  const rows = await tx.staffRole.findMany({ where: { role: "ADMIN" }, select: { lineUserId: true }, orderBy: { id: "asc" } });
  return [...new Set(rows.map((r) => r.lineUserId))];
}

/** Does the area exist (a province/district code, a council id)? */
export async function areaExists(tx: Tx, level: AreaLevel, areaId: number): Promise<boolean> {
  if (!Number.isSafeInteger(areaId) || areaId <= 0 || areaId > 2_147_483_647) return false;
  switch (level) {
    case "PROVINCE":
      return (await tx.province.count({ where: { id: areaId } })) > 0;
    case "DISTRICT":
      return (await tx.district.count({ where: { id: areaId } })) > 0;
    case "COUNCIL":
      return (await tx.council.count({ where: { id: areaId } })) > 0;
  }
}

export interface GrantBy {
  by: string;
  at: Date;
  via: string;
}

/** Grants a role; resolves false when the user already had it. Audited. */
export async function grantRole(tx: Tx, lineUserId: string, g: RoleGrant, by: GrantBy): Promise<boolean> {
  if (!validGrant(g)) throw new Error(`A ${g.role} cannot hold a ${g.level} area`);
  const { count } = await tx.staffRole.createMany({
    data: [{ lineUserId, ...g, grantedBy: by.by, grantedAt: by.at }],
    skipDuplicates: true,
  });
  if (count === 1) {
    await tx.staffRoleAudit.create({ data: { lineUserId, ...g, granted: true, by: by.by, at: by.at, via: by.via } });
  }
  return count === 1;
}

/**
 * Revokes a role; resolves false when the user did not have it. Audited.
 * The invite codes it let them make go with it (voidInvitesBeyondRoles).
 */
export async function revokeRole(tx: Tx, lineUserId: string, g: RoleGrant, by: GrantBy): Promise<boolean> {
  const { count } = await tx.staffRole.deleteMany({ where: { lineUserId, ...g } });
  if (count > 0) {
    await tx.staffRoleAudit.create({ data: { lineUserId, ...g, granted: false, by: by.by, at: by.at, via: by.via } });
    await voidInvitesBeyondRoles(tx, lineUserId, by.at);
  }
  return count > 0;
}

/** Every role, for the admin CLI's list. */
export async function listRoles(tx: Tx): Promise<(RoleGrant & { lineUserId: string; grantedAt: Date; grantedBy: string })[]> {
  return tx.staffRole.findMany({
    select: { lineUserId: true, role: true, level: true, areaId: true, grantedAt: true, grantedBy: true },
    orderBy: [{ role: "asc" }, { level: "asc" }, { areaId: "asc" }, { lineUserId: "asc" }],
  });
}
