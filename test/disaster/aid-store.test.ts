// The aid store on both databases: two secretaries saving the same kind for
// the same household at once (two transactions in parallel) save one row,
// and the second is told of the first; a distribution acknowledged with
// บันทึกซ้ำ is saved; the coordinators' totals per council and kind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aidTotals, recordAid, type NewAid } from "../../src/disaster/aid-store.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const AT = new Date("2026-11-28T03:00:00.000Z");

describe.each(STORE_DATABASES)("aid store on %s", (kind) => {
  let db: TestDatabase;
  let councilA: number;
  let councilB: number;
  let situationId: number;
  const aid = (over: Partial<NewAid>): NewAid => ({
    councilId: councilA,
    helpRequestId: null,
    householdKey: "m:1",
    kind: "FOOD_PACK",
    amount: null,
    recordedBy: "U-sec-1",
    recordedAt: AT,
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase(kind, { geography: true });
    const councils = await db.prisma.council.findMany({ orderBy: { id: "asc" }, take: 2 });
    [councilA, councilB] = councils.map((c) => c.id) as [number, number];
    const situation = await db.prisma.situation.create({
      data: {
        level: "CRISIS",
        message: "น้ำท่วม",
        declaredBy: "U-coordinator",
        declaredAt: AT,
        updatedAt: AT,
        areas: { create: [{ level: "COUNCIL", areaId: councilA }] },
      },
    });
    situationId = situation.id;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("of two secretaries saving at once, one saves and the other is told of it", async () => {
    // On PostgreSQL the two run at once: without the lock on the household both
    // would find nothing and both would save (this test fails there without it).
    const results = await Promise.all(
      ["U-sec-1", "U-sec-2"].map((recordedBy, i) =>
        db.transaction(async (tx) => {
          const saved = await recordAid(tx, aid({ householdKey: "m:race", recordedBy, recordedAt: new Date(AT.getTime() + i) }), {
            acknowledged: null,
          });
          return saved;
        }),
      ),
    );
    expect(results.filter((r) => r.saved)).toHaveLength(1);
    const refused = results.find((r) => !r.saved);
    const rows = await db.prisma.aidDistribution.findMany({ where: { householdKey: "m:race" } });
    expect(rows).toHaveLength(1);
    expect(refused).toEqual({ saved: false, previous: rows[0]!.recordedAt });
    expect(rows[0]).toMatchObject({ situationId, councilId: councilA, kind: "FOOD_PACK" });
  });

  it("saves a second one acknowledged (บันทึกซ้ำ), but not past a newer one", async () => {
    const first = await db.transaction((tx) => recordAid(tx, aid({ householdKey: "m:again" }), { acknowledged: null }));
    expect(first).toMatchObject({ saved: true, situationId });
    const later = new Date(AT.getTime() + 60_000);
    const again = await db.transaction((tx) => recordAid(tx, aid({ householdKey: "m:again", recordedAt: later }), { acknowledged: AT }));
    expect(again).toMatchObject({ saved: true });
    // Acknowledging the first only: the second is newer, so it is told.
    const third = await db.transaction((tx) =>
      recordAid(tx, aid({ householdKey: "m:again", recordedAt: new Date(AT.getTime() + 120_000) }), { acknowledged: AT }),
    );
    expect(third).toEqual({ saved: false, previous: later });
  });

  it("totals per council and kind, in a situation or all", async () => {
    await db.transaction(async (tx) => {
      await recordAid(tx, aid({ householdKey: "m:t1", kind: "CASH", amount: 3000 }), { acknowledged: null });
      await recordAid(tx, aid({ householdKey: "m:t2", kind: "CASH", amount: 1500 }), { acknowledged: null });
      await recordAid(tx, aid({ householdKey: "m:t2", kind: "WATER" }), { acknowledged: null });
      await recordAid(tx, aid({ householdKey: "m:t3", councilId: councilB, kind: "WATER" }), { acknowledged: null });
    });
    const totals = await db.transaction((tx) => aidTotals(tx, { councilIds: [councilA, councilB] }));
    expect(totals).toEqual([
      { councilId: councilA, kind: "FOOD_PACK", count: 3, cash: 0 },
      { councilId: councilA, kind: "WATER", count: 1, cash: 0 },
      { councilId: councilA, kind: "CASH", count: 2, cash: 4500 },
      { councilId: councilB, kind: "WATER", count: 1, cash: 0 },
    ]);
    const inSituation = await db.transaction((tx) => aidTotals(tx, { situationId, councilIds: [councilA, councilB] }));
    // Council B is not in the situation: its aid has none.
    expect(inSituation.map((t) => t.councilId)).not.toContain(councilB);
    expect(await db.transaction((tx) => aidTotals(tx, { councilIds: [] }))).toEqual([]);
  });
});
