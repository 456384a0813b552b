// The flood-first rich menu's bulk link job, as src/app.ts runs it, against
// the fake LINE (which checks each bulk call against LINE's OpenAPI file:
// 1 to 500 user ids). An active situation over a district with 1,200
// members (direct inserts) and 2 staff: a 429 pauses and the same chunk goes
// again; the members are linked 500, 500, 200, one call per 250 ms, the
// staff never (they keep the staff menu); a chunk LINE refuses for one bad
// id is split until only that id is left out; a member who becomes staff
// moves to the staff menu and one who withdrew goes back to the villagers'
// menu; ending the situation unlinks everyone, 500 a call, and drops the rows.
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STAFF_TILES } from "../../src/bot.ts";
import { LineGateway } from "../../src/line/gateway.ts";
import { BULK_RICH_MENU_LINK_DEFAULTS } from "../../src/line/rich-menu/bulk-link-job.ts";
import { FLOOD_MENU, FLOOD_PNG, floodRichMenu } from "../../src/line/rich-menu/flood-menu.ts";
import { installRichMenus, type MenuToInstall } from "../../src/line/rich-menu/setup.ts";
import { STAFF_MENU, STAFF_PNG, staffRichMenu } from "../../src/line/rich-menu/staff-menu.ts";
import { VILLAGER_MENU, VILLAGER_PNG, villagerRichMenu } from "../../src/line/rich-menu/villager-menu.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness } from "../support/harness.ts";

const MENUS: MenuToInstall[] = [
  { menu: villagerRichMenu(), image: readFileSync(VILLAGER_PNG), alias: VILLAGER_MENU.alias, makeDefault: true },
  { menu: staffRichMenu(STAFF_TILES), image: readFileSync(STAFF_PNG), alias: STAFF_MENU.alias, makeDefault: false },
  { menu: floodRichMenu(), image: readFileSync(FLOOD_PNG), alias: FLOOD_MENU.alias, makeDefault: false },
];
const GAP = BULK_RICH_MENU_LINK_DEFAULTS.minGapMs;
const PAUSE = BULK_RICH_MENU_LINK_DEFAULTS.pauseMs;
const newUserId = () => `U${randomBytes(16).toString("hex")}`;

describe.each(FLOW_DATABASES)("flood-first rich menu links on %s", (kind) => {
  let h: Harness;
  let districtId: number;
  let councils: number[];
  let situationId: number;
  const members: string[] = [];
  const staff: string[] = [];
  const outside: string[] = [];

  const flood = () => h.line.richMenuAliases.get(FLOOD_MENU.alias)!;
  const staffMenu = () => h.line.richMenuAliases.get(STAFF_MENU.alias)!;
  const bulk = (op: "bulk link" | "bulk unlink", since = 0) => h.line.bulkRichMenuRequests.slice(since).filter((r) => r.op === op);
  const rows = (menu: string) => h.db.prisma.richMenuLink.count({ where: { menu } });
  /** One paced step: the clock moves on by the job's gap, the jobs run. */
  const step = async (ms = GAP) => {
    h.clock.advance(ms);
    await h.runJobs();
  };

  async function addMembers(count: number, councilIds: number[]): Promise<string[]> {
    const ids = Array.from({ length: count }, newUserId);
    await h.db.prisma.lineUser.createMany({ data: ids.map((id) => ({ id })) });
    await h.db.prisma.member.createMany({
      data: ids.map((lineUserId, i) => ({ lineUserId, fullName: `สมาชิก ${i}`, councilId: councilIds[i % councilIds.length]! })),
    });
    return ids;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const [district] = await h.db.prisma.$queryRaw<{ id: number }[]>`
      SELECT t."districtId" AS id FROM council c JOIN tambon t ON t.id = c."tambonId"
      GROUP BY t."districtId" ORDER BY count(*) DESC, t."districtId" LIMIT 1`;
    districtId = district!.id;
    councils = (
      await h.db.prisma.council.findMany({ where: { tambon: { districtId } }, select: { id: true }, orderBy: { id: "asc" } })
    ).map((c) => c.id);
    const elsewhere = await h.db.prisma.council.findFirstOrThrow({ where: { tambon: { districtId: { not: districtId } } } });
    members.push(...(await addMembers(1200, councils)));
    staff.push(...(await addMembers(2, councils)));
    for (const id of staff)
      await grantRole(
        h.db.prisma,
        id,
        { role: "SECRETARY", level: "COUNCIL", areaId: councils[0]! },
        { by: "cli:test", at: h.clock.now, via: "test" },
      );
    outside.push(...(await addMembers(5, [elsewhere.id])));
    await installRichMenus(
      new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: h.line.baseUrl, dataApiBaseUrl: h.line.dataBaseUrl }),
      MENUS,
    );
    const situation = await h.db.prisma.situation.create({
      data: {
        level: "INCIDENT",
        message: "น้ำท่วมทั้งอำเภอ",
        declaredBy: staff[0]!,
        declaredAt: h.clock.now,
        updatedAt: h.clock.now,
        areas: { create: [{ level: "DISTRICT", areaId: districtId }] },
      },
    });
    situationId = situation.id;
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    // Every bulk call fitted LINE's schema (1 to 500 user ids, a richMenuId).
    expect(h.line.limitProblems).toEqual([]);
  });

  it("pauses on a 429, then links the same 500 members", async () => {
    h.line.failRichMenuNext("bulk link", 429);
    await h.runJobs();
    expect(bulk("bulk link").map((r) => [r.status, r.userIds.length])).toEqual([[429, 500]]);
    expect(await rows(FLOOD_MENU.alias)).toBe(0);
    await step(); // still pausing
    expect(bulk("bulk link")).toHaveLength(1);

    await step(PAUSE);
    const [failed, retried] = bulk("bulk link");
    expect(retried).toMatchObject({ status: 202, richMenuId: flood() });
    expect(retried!.userIds).toEqual(failed!.userIds);
    expect(await rows(FLOOD_MENU.alias)).toBe(500);
  });

  it("links the rest 500 then 200, one call per step, and never the staff", async () => {
    await h.runJobs(); // the same moment: the pace holds the next call
    expect(bulk("bulk link")).toHaveLength(2);
    await step();
    await step();
    await step();
    expect(bulk("bulk link").map((r) => [r.status, r.userIds.length])).toEqual([
      [429, 500],
      [202, 500],
      [202, 500],
      [202, 200],
    ]);
    const linked = bulk("bulk link")
      .slice(1)
      .flatMap((r) => r.userIds);
    expect(new Set(linked)).toEqual(new Set(members));
    for (const id of members) expect(h.line.userRichMenus.get(id)).toBe(flood());
    // Staff keep the staff menu (the staff link job's); members elsewhere the villagers' default.
    for (const id of staff) expect(h.line.userRichMenus.get(id)).toBe(staffMenu());
    for (const id of outside) expect(h.line.userRichMenus.has(id)).toBe(false);
    expect(await rows(FLOOD_MENU.alias)).toBe(1200);
    expect(await rows(STAFF_MENU.alias)).toBe(2);
    expect(await h.db.prisma.richMenuLink.findUnique({ where: { lineUserId: members[0]! } })).toMatchObject({ menu: "flood-first" });
  });

  it("splits a chunk LINE refuses for one bad user id until only that id is left out", async () => {
    const more = await addMembers(300, councils);
    const bad = [...more].sort()[137]!;
    h.line.invalidUserIds.add(bad);
    const since = h.line.bulkRichMenuRequests.length;
    for (let i = 0; i < 40 && (await rows(FLOOD_MENU.alias)) < 1499; i++) await step();
    const calls = bulk("bulk link", since);
    expect(calls[0]).toMatchObject({ status: 400 });
    expect(calls[0]!.userIds).toHaveLength(300);
    // Halving: about 2·log2(300) calls, not 300.
    expect(calls.length).toBeLessThanOrEqual(20);
    expect(calls.filter((c) => c.status === 400).at(-1)!.userIds).toEqual([bad]);
    for (const id of more) expect(h.line.userRichMenus.get(id)).toBe(id === bad ? undefined : flood());
    expect(await rows(FLOOD_MENU.alias)).toBe(1499);
    expect(await h.db.prisma.richMenuLink.findUnique({ where: { lineUserId: bad } })).toBeNull();
    // The bad id is passed over: no call for it at the next steps.
    const after = h.line.bulkRichMenuRequests.length;
    await step();
    await step();
    expect(h.line.bulkRichMenuRequests.length).toBe(after);
    members.push(...more.filter((id) => id !== bad));
  });

  it("moves a member who became staff to the staff menu, and one who withdrew back to the villagers' menu", async () => {
    const [promoted, withdrawn] = [members[10]!, members[11]!];
    await grantRole(
      h.db.prisma,
      promoted,
      { role: "SECRETARY", level: "COUNCIL", areaId: councils[0]! },
      { by: "cli:test", at: h.clock.now, via: "test" },
    );
    await h.db.prisma.member.update({ where: { lineUserId: withdrawn }, data: { status: "WITHDRAWN" } });
    const since = h.line.bulkRichMenuRequests.length;
    // The look along the 1,499 links takes a few paced runs (about 1,000 rows a run); then one call for both.
    for (let i = 0; i < 5 && bulk("bulk unlink", since).length === 0; i++) await step();
    await step();
    expect(bulk("bulk unlink", since).map((r) => [...r.userIds].sort())).toEqual([[promoted, withdrawn].sort()]);
    expect(h.line.userRichMenus.get(promoted)).toBe(staffMenu());
    expect(h.line.userRichMenus.has(withdrawn)).toBe(false);
    expect(await h.db.prisma.richMenuLink.findUnique({ where: { lineUserId: promoted } })).toMatchObject({ menu: STAFF_MENU.alias });
    expect(await h.db.prisma.richMenuLink.findUnique({ where: { lineUserId: withdrawn } })).toBeNull();
    members.splice(10, 2);
    staff.push(promoted);
  });

  it("once everyone is linked, rests: a member who withdrew alone is unlinked at the next full look", async () => {
    const withdrawn = members[20]!;
    // Caught up: a look that finds nobody to link or unlink.
    await step();
    await h.db.prisma.member.update({ where: { lineUserId: withdrawn }, data: { status: "WITHDRAWN" } });
    const since = h.line.bulkRichMenuRequests.length;
    // Nothing that moves the audience in bulk changed: the job does not scan it again yet.
    await step();
    await step();
    expect(bulk("bulk unlink", since)).toEqual([]);
    await step(BULK_RICH_MENU_LINK_DEFAULTS.restMs);
    for (let i = 0; i < 5 && bulk("bulk unlink", since).length === 0; i++) await step();
    expect(bulk("bulk unlink", since).map((r) => r.userIds)).toEqual([[withdrawn]]);
    expect(await h.db.prisma.richMenuLink.findUnique({ where: { lineUserId: withdrawn } })).toBeNull();
    members.splice(20, 1);
  });

  it("unlinks everyone, 500 a call, and drops the rows when the situation ends", async () => {
    await h.db.prisma.situation.update({ where: { id: situationId }, data: { status: "ENDED", endedAt: h.clock.now, endedBy: staff[0]! } });
    const since = h.line.bulkRichMenuRequests.length;
    for (let i = 0; i < 10 && (await rows(FLOOD_MENU.alias)) > 0; i++) await step();
    const calls = bulk("bulk unlink", since);
    expect(calls.map((r) => [r.status, r.userIds.length])).toEqual([
      [202, 500],
      [202, 500],
      [202, members.length - 1_000],
    ]);
    expect(new Set(calls.flatMap((c) => c.userIds))).toEqual(new Set(members));
    expect(await rows(FLOOD_MENU.alias)).toBe(0);
    expect([...h.line.userRichMenus.values()].filter((id) => id === flood())).toEqual([]);
    for (const id of staff) expect(h.line.userRichMenus.get(id)).toBe(staffMenu());
    expect(await rows(STAFF_MENU.alias)).toBe(3);
    // Nothing more to do: no call at later steps.
    const after = h.line.bulkRichMenuRequests.length;
    await step();
    expect(h.line.bulkRichMenuRequests.length).toBe(after);
  });
});
