// The demo province: seeded once, and a second run changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolesOf } from "../../src/staff/roles.ts";
import { DEMO_MEMBER, DEMO_PERSONAS, needsDemoSeed, seedDemo, seedMissingDemoVillagers } from "../../src/simulator/demo-seed.ts";
import { isValidNationalId } from "../../src/thai/national-id.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const counts = async (db: TestDatabase) => ({
  funds: await db.prisma.welfareFund.count(),
  members: await db.prisma.fundMember.count(),
  contributions: await db.prisma.contribution.count(),
  payments: await db.prisma.benefitPayment.count(),
  rules: await db.prisma.benefitRule.count(),
  meetings: await db.prisma.meeting.count(),
  roles: await db.prisma.staffRole.count(),
});

describe.each(STORE_DATABASES)("demo seed (%s)", (kind) => {
  let db: TestDatabase;
  const now = new Date("2026-11-28T03:00:00Z");
  beforeAll(async () => {
    db = await createTestDatabase(kind, { geography: true });
  });
  afterAll(async () => {
    await db.drop();
  });

  it("seeds funds, ledgers, meetings and roles; seeding twice changes nothing", async () => {
    expect(await needsDemoSeed(db)).toBe(true);
    const first = await seedDemo(db, { now });
    const after = await counts(db);
    expect(after.funds).toBe(3);
    expect(after.members).toBe(90);
    expect(after.contributions).toBeGreaterThan(1_800); // two years of monthly savings
    expect(after.payments).toBeGreaterThanOrEqual(18);
    expect(after.meetings).toBeGreaterThanOrEqual(4);
    expect(first.rolesGranted).toBe(3);
    // Disaster mode's check-in has someone to reach: three villagers signed up.
    expect(first.membersSignedUp).toBe(3);
    expect(await db.prisma.member.count({ where: { status: "ACTIVE", lineUser: { following: true } } })).toBe(3);
    expect(await needsDemoSeed(db)).toBe(false);

    const second = await seedDemo(db, { now });
    expect(await counts(db)).toEqual(after);
    expect(second.funds.every((f) => f.membersAdded + f.contributionsAdded + f.paymentsAdded === 0)).toBe(true);
    expect(second).toMatchObject({ rulesAdded: 0, meetingsAdded: 0, rolesGranted: 0, membersSignedUp: 0 });
  });

  it("has the demo member to link, unlinked, and the staff personas' roles", async () => {
    expect(isValidNationalId(DEMO_MEMBER.nationalId)).toBe(true);
    const member = await db.prisma.fundMember.findFirstOrThrow({
      where: { nationalId: DEMO_MEMBER.nationalId },
      include: { fund: { include: { council: true } } },
    });
    expect(member.birthDate.toISOString().slice(0, 10)).toBe(DEMO_MEMBER.birthDate);
    expect(member.memberId).toBeNull();
    expect(member.fund.council.name).toBe("สภาองค์กรชุมชนตำบลเมืองเหนือ");
    // No date in the future, or the importer would have refused the ledger.
    const latest = await db.prisma.contribution.findFirstOrThrow({ orderBy: { paidOn: "desc" } });
    expect(latest.paidOn.getTime()).toBeLessThanOrEqual(now.getTime());

    const secretary = DEMO_PERSONAS.find((p) => p.role === "secretary")!;
    expect(await rolesOf(db.prisma, secretary.userId)).toEqual([{ role: "SECRETARY", level: "COUNCIL", areaId: member.fund.councilId }]);
    const villager = DEMO_PERSONAS.find((p) => p.role === "villager")!;
    expect(await rolesOf(db.prisma, villager.userId)).toEqual([]);
    expect(await db.prisma.member.count({ where: { lineUserId: villager.userId } })).toBe(0);
  });

  it("signs up the villagers on a demo database seeded before they existed, once", async () => {
    expect(await seedMissingDemoVillagers(db, now)).toBe(0);
    await db.prisma.member.deleteMany({});
    expect(await seedMissingDemoVillagers(db, now)).toBe(3);
    expect(await seedMissingDemoVillagers(db, now)).toBe(0);
    const council = await db.prisma.welfareFund.findFirstOrThrow({ where: { code: "SWF-MN" } });
    const members = await db.prisma.member.findMany({ orderBy: { id: "asc" } });
    expect(members.map((m) => m.councilId)).toEqual([council.councilId, council.councilId, council.councilId]);
    expect(members.filter((m) => (m.householdVulnerable as string[]).length > 0)).toHaveLength(1);
  });
});
