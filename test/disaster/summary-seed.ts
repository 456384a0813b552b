// A province-wide flood situation with check-ins, answers, flood requests
// and aid written straight into the database, for the summary's tests (the
// flows that write them belong to other parts). Two councils in one
// district (a1, a2), one in another (b1):
//
//            sent safe help not-answered  open (crit/high/med/low)  aid (count, cash)
//   a1        5    3    1      1           2   (1/1/0/0)             4 (2 food, 2 cash: 1,500)
//   a2        3    0    1      2           1   (1/0/0/0)             0
//   b1        4    4    0      0           1   (0/0/0/1)             1 (water)
//
// a1's open critical request (filed 30 minutes before START_TIME, nobody
// accepted it) is the oldest unaccepted critical one; a2's was accepted.
import type { Tx } from "../../src/db/database.ts";
import { grantRole } from "../../src/staff/roles.ts";

export const by = { by: "cli:test", at: new Date("2026-11-01T00:00:00Z"), via: "cli" };
export type Council = { id: number; name: string; tambon: string; districtId: number; district: string };

export const OLDEST_CRITICAL = "SSK-F-TEST-0001";

export async function pickCouncils(tx: Tx): Promise<{ a1: Council; a2: Council; b1: Council }> {
  const rows = await tx.council.findMany({
    select: { id: true, name: true, tambon: { select: { nameTh: true, district: { select: { id: true, nameTh: true } } } } },
    orderBy: { id: "asc" },
  });
  const all = rows.map((r) => ({
    id: r.id,
    name: r.name,
    tambon: r.tambon.nameTh,
    districtId: r.tambon.district.id,
    district: r.tambon.district.nameTh,
  }));
  const a1 = all[0]!;
  const a2 = all.find((c) => c.districtId === a1.districtId && c.id !== a1.id && c.tambon !== a1.tambon)!;
  const b1 = all.find((c) => c.districtId !== a1.districtId)!;
  return { a1, a2, b1 };
}

export async function seedSituation(tx: Tx, now: Date, c: { a1: Council; a2: Council; b1: Council }): Promise<number> {
  const HOUR = 3_600_000;
  const declaredAt = new Date(now.getTime() - HOUR);
  const s = await tx.situation.create({
    data: {
      level: "CRISIS",
      message: "น้ำล้นตลิ่ง",
      declaredBy: "Uprov",
      declaredAt,
      updatedAt: declaredAt,
      areas: { create: [{ level: "PROVINCE", areaId: 33 }] },
    },
  });
  const checkIns: { lineUserId: string; councilId: number }[] = [];
  const answers: { lineUserId: string; councilId: number; status: "SAFE" | "NEEDS_HELP" | "CONTACTED_SAFE" }[] = [];
  const member = (council: Council, i: number) => `Um${council.id}x${i}`;
  for (let i = 0; i < 5; i++) checkIns.push({ lineUserId: member(c.a1, i), councilId: c.a1.id });
  for (let i = 0; i < 3; i++) checkIns.push({ lineUserId: member(c.a2, i), councilId: c.a2.id });
  for (let i = 0; i < 4; i++) checkIns.push({ lineUserId: member(c.b1, i), councilId: c.b1.id });
  answers.push(
    { lineUserId: member(c.a1, 0), councilId: c.a1.id, status: "SAFE" },
    { lineUserId: member(c.a1, 1), councilId: c.a1.id, status: "SAFE" },
    { lineUserId: member(c.a1, 2), councilId: c.a1.id, status: "CONTACTED_SAFE" },
    { lineUserId: member(c.a1, 3), councilId: c.a1.id, status: "NEEDS_HELP" },
    { lineUserId: member(c.a2, 0), councilId: c.a2.id, status: "NEEDS_HELP" },
    ...[0, 1, 2, 3].map((i) => ({ lineUserId: member(c.b1, i), councilId: c.b1.id, status: "SAFE" as const })),
  );
  await tx.safetyCheckIn.createMany({ data: checkIns.map((k) => ({ ...k, situationId: s.id, sentAt: declaredAt })) });
  await tx.safetyAnswer.createMany({
    data: answers.map((a) => ({ ...a, situationId: s.id, answeredBy: a.lineUserId, answeredAt: now })),
  });

  let n = 1;
  const request = (council: Council, f: { priority: string; status?: string; at: Date; kind?: "FLOOD" | "HOUSING"; accepted?: boolean }) =>
    tx.helpRequest.create({
      data: {
        kind: f.kind ?? "FLOOD",
        caseNumber: `SSK-F-TEST-${String(n++).padStart(4, "0")}`,
        councilId: council.id,
        lineUserId: "Ufiler",
        status: (f.status ?? "PENDING") as "PENDING",
        priority: f.priority as "LOW",
        householdName: "นางสมศรี ใจดี",
        phone: "0812345678",
        createdAt: f.at,
        acceptedAt: f.accepted ? f.at : null,
      },
    });
  await request(c.a1, { priority: "CRITICAL", at: new Date(now.getTime() - 30 * 60_000) }); // OLDEST_CRITICAL
  await request(c.a1, { priority: "HIGH", status: "ACCEPTED", at: new Date(now.getTime() - 20 * 60_000), accepted: true });
  await request(c.a2, { priority: "CRITICAL", status: "IN_PROGRESS", at: new Date(now.getTime() - 50 * 60_000), accepted: true });
  await request(c.b1, { priority: "LOW", at: new Date(now.getTime() - 10 * 60_000) });
  // Not counted: filed before the declaration, closed, housing.
  await request(c.a1, { priority: "CRITICAL", at: new Date(declaredAt.getTime() - HOUR) });
  await request(c.a1, { priority: "CRITICAL", status: "RESOLVED", at: new Date(now.getTime() - 40 * 60_000) });
  await request(c.a1, { priority: "MEDIUM", kind: "HOUSING", at: new Date(now.getTime() - 40 * 60_000) });

  const aid = (council: Council, kind: "FOOD_PACK" | "WATER" | "MEDICINE" | "CASH", amount: number | null, situationId: number | null) =>
    tx.aidDistribution.create({
      data: { situationId, councilId: council.id, householdKey: `m:${council.id}`, kind, amount, recordedBy: "Usec", recordedAt: now },
    });
  await aid(c.a1, "FOOD_PACK", null, s.id);
  await aid(c.a1, "FOOD_PACK", null, s.id);
  await aid(c.a1, "CASH", 1000, s.id);
  await aid(c.a1, "CASH", 500, s.id);
  await aid(c.b1, "WATER", null, s.id);
  await aid(c.a2, "MEDICINE", null, null); // outside any situation: not counted
  return s.id;
}

export async function seedRoles(tx: Tx, c: { a1: Council }): Promise<void> {
  await grantRole(tx, "Uprov", { role: "COORDINATOR", level: "PROVINCE", areaId: 33 }, by);
  await grantRole(tx, "Udist", { role: "COORDINATOR", level: "DISTRICT", areaId: c.a1.districtId }, by);
  await grantRole(tx, "Usec", { role: "SECRETARY", level: "COUNCIL", areaId: c.a1.id }, by);
}
