// A flood situation as a coordinator's declaration leaves it, seeded straight
// into the shipped bot's database for the check-in fault tests
// (test/faults/checkin-*.test.ts): members in Kantharalak's councils (round
// robin), members of a council in another district, staff with their roles,
// and one ACTIVE situation over the district with its DECLARED change.
// Written while no process runs (PGlite on disk allows one).
import type { Database } from "../../src/db/database.ts";
import { grantRole, type RoleGrant } from "../../src/staff/roles.ts";
import type { LineRequest } from "./line-server.ts";
import { lineUserId } from "./shipped.ts";

export const KANTHARALAK = 3304;
export const CHECK_IN_QUESTION = "ท่านและครอบครัวปลอดภัยไหมคะ";
export const SITUATION_MESSAGE = "น้ำล้นตลิ่ง ขอให้ขนของขึ้นที่สูง";

/** A multicast of the safety check-in. */
export const isCheckIn = (r: LineRequest) => r.kind === "multicast" && JSON.stringify(r.messages).includes(CHECK_IN_QUESTION);

export interface FloodAreaSeed {
  /** Members of Kantharalak's councils (the area). */
  inArea: string[];
  /** Members of a council in another district. */
  outside: string[];
  /** Users with a role; `member`: also a member of Kantharalak's first council. */
  staff?: { id: string; grant: RoleGrant | ((firstCouncilId: number) => RoleGrant); member?: boolean }[];
  /** Who declared it (default: a coordinator id of its own, without a role). */
  declaredBy?: string;
}

/** Seeds the members, the staff and the situation; resolves the situation's id. */
export async function seedFloodArea(database: Database, seed: FloodAreaSeed): Promise<number> {
  const p = database.prisma;
  const councils = await p.council.findMany({
    where: { tambon: { districtId: KANTHARALAK } },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  const other = await p.council.findFirstOrThrow({ where: { tambon: { districtId: { not: KANTHARALAK } } }, select: { id: true } });
  if (councils.length < 2) throw new Error("Kantharalak's councils are missing");
  const staff = seed.staff ?? [];
  const staffMembers = staff.filter((s) => s.member).map((s) => s.id);
  const outside = new Set(seed.outside);
  const members = [...seed.inArea, ...seed.outside, ...staffMembers];
  await p.lineUser.createMany({ data: [...members, ...staff.filter((s) => !s.member).map((s) => s.id)].map((id) => ({ id })) });
  await p.member.createMany({
    data: members.map((lineUserId, i) => ({
      lineUserId,
      fullName: `สมาชิก ${i}`,
      phone: "0812345678",
      councilId: outside.has(lineUserId)
        ? other.id
        : staffMembers.includes(lineUserId)
          ? councils[0]!.id
          : councils[i % councils.length]!.id,
      status: "ACTIVE" as const,
    })),
  });
  for (const s of staff) {
    const grant = typeof s.grant === "function" ? s.grant(councils[0]!.id) : s.grant;
    await grantRole(p, s.id, grant, { by: "Uadmin", at: new Date(), via: "test" });
  }
  const now = new Date();
  const declaredBy = seed.declaredBy ?? lineUserId(0xc00);
  const area = { level: "DISTRICT" as const, areaId: KANTHARALAK };
  const situation = await p.situation.create({
    data: {
      level: "CRISIS",
      message: SITUATION_MESSAGE,
      declaredBy,
      declaredAt: now,
      updatedAt: now,
      areas: { create: [area] },
      changes: { create: [{ action: "DECLARED", level: "CRISIS", areas: [area], message: SITUATION_MESSAGE, by: declaredBy, at: now }] },
    },
  });
  return situation.id;
}
