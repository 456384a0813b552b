// Cases nobody moves, on both databases: a critical flood case nobody
// accepted goes to the district's coordinators at 30 minutes and to the
// province's at 60 (straight to the province when the district has no
// coordinator); one accepted in time goes nowhere; two instances running
// the job at once escalate each case once. A housing case with no change for
// 14 days reminds the council's secretaries once per idle period.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { escalationJob } from "../../src/help-requests/escalation-job.ts";
import { grantRole, type RoleGrant } from "../../src/staff/roles.ts";
import { STORE_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const KANTHARALAK = 3304;

describe.each(STORE_DATABASES)("escalation job on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: number; // Kantharalak: has a district coordinator
  let councilC: number; // another district: none
  let district: ChatUser;
  let province: ChatUser;
  let secretary: ChatUser;

  const grant = (u: ChatUser, g: RoleGrant) => grantRole(h.db.prisma, u.id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  const pushesTo = (u: ChatUser, since: number) =>
    h.line.calls.slice(since).flatMap((c) => (c.kind === "push" && c.to === u.id ? [textOf(c.messages)] : []));
  const requestRow = (id: number) => h.db.prisma.helpRequest.findUniqueOrThrow({ where: { id } });

  async function floodCase(councilId: number, priority: "CRITICAL" | "HIGH" = "CRITICAL") {
    n += 1;
    return h.db.prisma.helpRequest.create({
      data: {
        kind: "FLOOD",
        caseNumber: `SSK-F-6911-${String(9000 + n)}`,
        councilId,
        lineUserId: `U-esc-villager-${n}`,
        village: "บ้านหนองแวง หมู่ 5",
        peopleCount: 4,
        priority,
        createdAt: h.clock.now,
        updatedAt: h.clock.now,
      },
    });
  }

  /** Moves the clock and runs every job (the outbox worker sends what was queued). */
  async function at(ms: number) {
    h.clock.advance(ms);
    const since = h.line.calls.length;
    await h.runJobs();
    return since;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      select: { id: true, tambon: { select: { districtId: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    councilA = rows.find((r) => r.tambon.districtId === KANTHARALAK)!.id;
    councilC = rows.find((r) => r.tambon.districtId !== KANTHARALAK)!.id;
    district = h.user("U-esc-district");
    province = h.user("U-esc-province");
    secretary = h.user("U-esc-secretary");
    await grant(district, { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK });
    await grant(province, { role: "COORDINATOR", level: "PROVINCE", areaId: 33 });
    await grant(secretary, { role: "SECRETARY", level: "COUNCIL", areaId: councilA });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("sends an unaccepted critical case to the district's coordinators at 30 minutes, the province's at 60", async () => {
    const start = h.line.calls.length;
    const critical = await floodCase(councilA);
    const high = await floodCase(councilA, "HIGH");

    let since = await at(29 * MINUTE);
    expect(pushesTo(district, since)).toEqual([]);
    expect((await requestRow(critical.id)).escalationLevel).toBe(0);

    since = await at(MINUTE);
    const toDistrict = pushesTo(district, since);
    expect(toDistrict).toHaveLength(1);
    expect(toDistrict[0]).toContain(critical.caseNumber);
    expect(toDistrict[0]).toMatch(/ยังไม่มีผู้รับเรื่องมา 30 นาที/);
    expect(toDistrict[0]).toContain("บ้านหนองแวง หมู่ 5");
    expect(pushesTo(province, since)).toEqual([]);
    expect(await requestRow(critical.id)).toMatchObject({ escalationLevel: 1, escalatedAt: h.clock.now });

    since = await at(29 * MINUTE);
    expect(pushesTo(province, since)).toEqual([]);
    since = await at(MINUTE);
    const toProvince = pushesTo(province, since);
    expect(toProvince).toHaveLength(1);
    expect(toProvince[0]).toContain(critical.caseNumber);
    expect(toProvince[0]).toMatch(/ยังไม่มีผู้รับเรื่องมา 60 นาที/);
    expect(pushesTo(district, since)).toEqual([]);
    expect(await requestRow(critical.id)).toMatchObject({ escalationLevel: 2 });

    // Nothing beyond the province, and a high-priority case never escalates.
    since = await at(2 * 60 * MINUTE);
    expect([...pushesTo(district, since), ...pushesTo(province, since)]).toEqual([]);
    expect((await requestRow(high.id)).escalationLevel).toBe(0);
    expect(pushesTo(district, start).filter((t) => t.includes(high.caseNumber))).toEqual([]);
    // Urgent: pushed even to a coordinator who chose the digest.
    expect(await h.db.prisma.staffDigestItem.count({ where: { lineUserId: { in: [district.id, province.id] } } })).toBe(0);
  });

  it("leaves a case accepted in time alone", async () => {
    const critical = await floodCase(councilA);
    h.clock.advance(20 * MINUTE);
    await h.db.prisma.helpRequest.update({ where: { id: critical.id }, data: { status: "ACCEPTED", acceptedAt: h.clock.now } });
    const since = await at(2 * 60 * MINUTE);
    expect([...pushesTo(district, since), ...pushesTo(province, since)]).toEqual([]);
    expect(await requestRow(critical.id)).toMatchObject({ escalationLevel: 0, escalatedAt: null });
  });

  it("goes straight to the province when the district has no coordinator", async () => {
    const critical = await floodCase(councilC);
    const since = await at(30 * MINUTE);
    const toProvince = pushesTo(province, since);
    expect(toProvince).toHaveLength(1);
    expect(toProvince[0]).toContain(critical.caseNumber);
    expect(toProvince[0]).toMatch(/ผู้ประสานงานจังหวัด/);
    expect(pushesTo(district, since)).toEqual([]);
    expect(await requestRow(critical.id)).toMatchObject({ escalationLevel: 2 });
  });

  it("escalates each case once when two instances run at the same moment", async () => {
    const cases = [await floodCase(councilA), await floodCase(councilA), await floodCase(councilA), await floodCase(councilA)];
    h.clock.advance(31 * MINUTE);
    const options = { db: h.db, criticalAfterMinutes: 30, housingIdleDays: 14 };
    const [a, b] = await Promise.all([escalationJob(options).runOnce(h.clock.now), escalationJob(options).runOnce(h.clock.now)]);
    expect(a + b).toBe(cases.length);
    for (const c of cases) expect((await requestRow(c.id)).escalationLevel).toBe(1);
    const rows = await h.db.prisma.outboxMessage.findMany({
      where: { purpose: "request.escalated", dedupeKey: { in: cases.map((c) => `escalate:${c.id}:1:${district.id}`) } },
    });
    expect(rows).toHaveLength(cases.length);
    const since = h.line.calls.length;
    await h.runJobs();
    expect(pushesTo(district, since)).toHaveLength(cases.length);
  });

  it("reminds the secretary of an idle housing case once per idle period", async () => {
    n += 1;
    const housing = await h.db.prisma.helpRequest.create({
      data: {
        kind: "HOUSING",
        caseNumber: `SSK-H-6911-${String(9000 + n)}`,
        councilId: councilA,
        lineUserId: `U-esc-villager-${n}`,
        householdHead: "นายบุญมี ศรีสุข",
        status: "ACCEPTED",
        createdAt: h.clock.now,
        updatedAt: h.clock.now,
      },
    });
    const done = await h.db.prisma.helpRequest.create({
      data: {
        kind: "HOUSING",
        caseNumber: `SSK-H-6911-${String(9100 + n)}`,
        councilId: councilA,
        lineUserId: "U-esc-done",
        status: "RESOLVED",
        createdAt: h.clock.now,
        updatedAt: h.clock.now,
      },
    });
    const reminders = (since: number) => pushesTo(secretary, since).filter((t) => t.includes("ไม่มีความเคลื่อนไหว"));

    let since = await at(14 * DAY - MINUTE);
    expect(reminders(since)).toEqual([]);
    since = await at(MINUTE);
    expect(reminders(since)).toHaveLength(1);
    expect(reminders(since)[0]).toContain(housing.caseNumber);
    expect(reminders(since)[0]).toMatch(/14 วัน/);
    expect(reminders(since)[0]).toContain("รับเรื่องแล้ว");
    expect(reminders(since)[0]).not.toContain(done.caseNumber);
    expect((await requestRow(housing.id)).remindedAt).toEqual(h.clock.now);

    // Still idle: not again until another 14 days.
    since = await at(DAY);
    since = Math.min(since, await at(12 * DAY));
    expect(reminders(since)).toEqual([]);
    since = await at(DAY);
    expect(reminders(since)).toHaveLength(1);
    expect(reminders(since)[0]).toMatch(/28 วัน/);

    // A change starts a new idle period.
    h.clock.advance(DAY);
    await h.db.prisma.helpRequest.update({ where: { id: housing.id }, data: { status: "IN_PROGRESS", updatedAt: h.clock.now } });
    since = await at(14 * DAY - MINUTE);
    expect(reminders(since)).toEqual([]);
    since = await at(MINUTE);
    expect(reminders(since)).toHaveLength(1);
    expect(reminders(since)[0]).toContain("กำลังดำเนินการ");
  });
});
