// Hot-path reads written as raw SQL and cast to a model's type (or a shape
// made of model columns) agree with the same record read through Prisma's
// model API, on both databases. The cast is unchecked: a column added to the
// schema but not to the SELECT, or a value the driver hands back as another
// type (a string for a date, a bigint for an int), would type-check and only
// show up wherever the field is used. Every nullable column is seeded with a
// value, so a type mismatch cannot hide behind null.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { situationCoveringCouncil } from "../../src/disaster/situation-store.ts";
import { type CouncilWithPlace, getCouncilWithPlace } from "../../src/geography/councils.ts";
import type { ConversationState } from "../../src/engine/types.ts";
import { inboxInTx } from "../../src/inbox/inbox.ts";
import { type RoleGrant, rolesOf } from "../../src/staff/roles.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

// Not UTC, so a timestamp read as local time (or written back as one) is seven hours off.
// Vitest runs each file in a process of its own, so this stays within the file.
process.env.TZ = "Asia/Bangkok";

/** Milliseconds set: timestamp(3) columns must keep them. */
const AT = new Date("2026-11-28T03:04:05.678Z");
const later = (minutes: number) => new Date(AT.getTime() + minutes * 60_000);

describe.each(STORE_DATABASES)("raw rows read like the model on %s", (kind) => {
  let db: TestDatabase;
  let councilA: number;
  let councilB: number;

  beforeAll(async () => {
    db = await createTestDatabase(kind, { geography: true });
    const councils = await db.prisma.council.findMany({ orderBy: { id: "asc" }, take: 2, select: { id: true } });
    [councilA, councilB] = councils.map((c) => c.id) as [number, number];
    await db.prisma.council.update({ where: { id: councilB }, data: { active: false } });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("situationCoveringCouncil: the whole situation row, as situation.findUnique reads it", async () => {
    // Ended fields and summaryAt set on an active row: unusual data, but every column has a value.
    const { id } = await db.prisma.situation.create({
      data: {
        level: "CRISIS",
        message: "น้ำท่วม ขอให้ขนของขึ้นที่สูง",
        status: "ACTIVE",
        declaredBy: "U-coordinator",
        declaredAt: AT,
        updatedAt: later(1),
        endedBy: "U-other",
        endedAt: later(2),
        summaryAt: later(3),
        areas: { create: [{ level: "COUNCIL", areaId: councilA }] },
      },
    });
    const model = await db.prisma.situation.findUniqueOrThrow({ where: { id } });
    expect(Object.entries(model).filter(([, v]) => v === null)).toEqual([]);

    const raw = await db.transaction((tx) => situationCoveringCouncil(tx, councilA));
    expect(raw).toEqual(model);
  });

  it("rolesOf: the user's grants, as staffRole.findMany reads them", async () => {
    const user = "U-raw-roles";
    await db.prisma.staffRole.createMany({
      data: [
        { lineUserId: user, role: "COORDINATOR", level: "PROVINCE", areaId: 33, grantedBy: "cli:test", grantedAt: AT },
        { lineUserId: user, role: "SECRETARY", level: "COUNCIL", areaId: councilA, grantedBy: "cli:test", grantedAt: AT },
        { lineUserId: "U-raw-someone-else", role: "ADMIN", level: "PROVINCE", areaId: 33, grantedBy: "cli:test", grantedAt: AT },
      ],
    });
    // Every field of RoleGrant, no more (the compiler holds this list to the interface).
    const select = { role: true, level: true, areaId: true } satisfies Record<keyof RoleGrant, true>;
    const model: RoleGrant[] = await db.prisma.staffRole.findMany({ where: { lineUserId: user }, select, orderBy: { id: "asc" } });
    expect(model).toHaveLength(2);

    const raw = await db.transaction((tx) => rolesOf(tx, user));
    expect(raw).toEqual(model);
  });

  it("getCouncilWithPlace: the council with its tambon and district, as council.findUnique reads them", async () => {
    for (const id of [councilA, councilB]) {
      const c = await db.prisma.council.findUniqueOrThrow({ where: { id }, include: { tambon: { include: { district: true } } } });
      // Typed, so a field added to CouncilWithPlace must be added here too.
      const model: CouncilWithPlace = {
        id: c.id,
        name: c.name,
        active: c.active,
        tambonId: c.tambon.id,
        tambonNameTh: c.tambon.nameTh,
        districtId: c.tambon.district.id,
        districtNameTh: c.tambon.district.nameTh,
        provinceId: c.tambon.district.provinceId,
      };
      const raw = await db.transaction((tx) => getCouncilWithPlace(tx, id));
      expect(raw).toEqual(model);
    }
  });

  it("the turn's load and save through the driver: the conversation and event as the models read and write them", async () => {
    const user = "U-raw-turn";
    const conversation = {
      lineUserId: user,
      flowId: "flood",
      stepId: "people",
      flowVersion: 3,
      data: { ชื่อ: "ยายสมศรี", people: 4 },
      history: ["whose", "location"],
      returnTo: "summary",
      attempts: 1,
      turn: 12,
      expiresAt: later(30),
    };
    await db.prisma.conversation.create({ data: { ...conversation, updatedAt: AT } });
    await db.prisma.webhookEvent.create({
      data: { id: "E-raw-turn", sourceKey: user, type: "message", payload: { type: "message" }, replyToken: "rt", occurredAt: later(1) },
    });

    const saved: ConversationState = {
      ...conversation,
      data: { ชื่อ: "ยายสมศรี", people: 5 },
      history: ["whose"],
      turn: 13,
      expiresAt: later(45),
    };
    const load = await db.driverTransaction(async (sql) => {
      const loaded = await inboxInTx.loadTurn(sql, user, 60_000, "2026-11");
      const fields = { leaseUntil: later(2), leaseOwner: "42", replyAttemptedAt: later(1), throttled: false };
      await inboxInTx.handledAndSaved(
        sql,
        "E-raw-turn",
        "message",
        JSON.stringify([{ type: "text", text: "ok" }]),
        later(1),
        fields,
        saved,
      );
      return loaded;
    });
    expect(load.conversation).toEqual(conversation);
    expect(load.oldest).toEqual({
      id: "E-raw-turn",
      type: "message",
      payload: { type: "message" },
      attempts: 0,
      occurredAt: later(1),
      replyToken: "rt",
    });

    const { updatedAt, ...after } = await db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: user } });
    expect(after).toEqual(saved);
    expect(Math.abs(updatedAt.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    const event = await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: "E-raw-turn" } });
    expect(event).toMatchObject({
      status: "HANDLED",
      handledAt: later(1),
      doneAt: null,
      leaseUntil: later(2),
      leaseOwner: 42n,
      replyAttemptedAt: later(1),
      payload: { type: "message" },
    });
  });
});
