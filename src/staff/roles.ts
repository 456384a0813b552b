// Who may do what, where. Roles are rows (staff_role) with an area; every
// staff action asks here, on the server, inside the turn's transaction —
// never trusting a button's data. Coverage follows the map: a province
// coordinator covers every council of the province, a district coordinator
// the councils of the district, a secretary their council.
import type { Tx } from "../db/database.ts";
import { cachedForCheck } from "../engine/turn-cache.ts";
import type { TurnContext } from "../engine/types.ts";
import type { AreaLevel, StaffRoleKind } from "../generated/prisma/client.ts";

export type { AreaLevel, StaffRoleKind };

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
  return tx.staffRole.findMany({
    where: { lineUserId },
    select: { role: true, level: true, areaId: true },
    orderBy: { id: "asc" },
  });
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

/** LINE user ids of a council's secretaries. */
export async function secretariesOf(tx: Tx, councilId: number): Promise<string[]> {
  const rows = await tx.staffRole.findMany({
    where: { role: "SECRETARY", level: "COUNCIL", areaId: councilId },
    select: { lineUserId: true },
    orderBy: { id: "asc" },
  });
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

/** Revokes a role; resolves false when the user did not have it. Audited. */
export async function revokeRole(tx: Tx, lineUserId: string, g: RoleGrant, by: GrantBy): Promise<boolean> {
  const { count } = await tx.staffRole.deleteMany({ where: { lineUserId, ...g } });
  if (count > 0) {
    await tx.staffRoleAudit.create({ data: { lineUserId, ...g, granted: false, by: by.by, at: by.at, via: by.via } });
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
