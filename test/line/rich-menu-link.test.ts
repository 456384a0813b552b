// The staff rich menu on PGlite: the setup puts both menus on the
// (fake) channel with their aliases, villagers' as the default, twice over
// without leaving extra menus; the link job links a user who got a role to
// the staff menu once, unlinks them when the last role goes, does nothing
// while the alias is missing, keeps no row when LINE fails, and links
// everyone again when the setup replaced the staff menu.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LineGateway } from "../../src/line/gateway.ts";
import { installRichMenus, type MenuToInstall } from "../../src/line/rich-menu/setup.ts";
import { STAFF_TILES } from "../../src/bot.ts";
import { STAFF_MENU, STAFF_PNG, staffRichMenu } from "../../src/line/rich-menu/staff-menu.ts";
import { VILLAGER_MENU, VILLAGER_PNG, villagerRichMenu } from "../../src/line/rich-menu/villager-menu.ts";
import { grantRole, revokeRole, type RoleGrant } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness } from "../support/harness.ts";

const MENUS: MenuToInstall[] = [
  { menu: villagerRichMenu(), image: readFileSync(VILLAGER_PNG), alias: VILLAGER_MENU.alias, makeDefault: true },
  { menu: staffRichMenu(STAFF_TILES), image: readFileSync(STAFF_PNG), alias: STAFF_MENU.alias, makeDefault: false },
];
const SECRETARY: RoleGrant = { role: "SECRETARY", level: "COUNCIL", areaId: 1 };
const MINUTE = 60_000;

describe.each(FLOW_DATABASES)("staff rich menu on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const by = () => ({ by: "cli:test", at: h.clock.now, via: "test" });
  const newUser = () => `U-richmenu-${kind}-${++n}`;
  const gateway = () =>
    new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: h.line.baseUrl, dataApiBaseUrl: h.line.dataBaseUrl });
  const setup = () => installRichMenus(gateway(), MENUS);
  const callsFrom = (since: number, prefix: string) => h.line.richMenuCalls.slice(since).filter((c) => c.startsWith(prefix));
  const link = (lineUserId: string) => h.db.prisma.richMenuLink.findUnique({ where: { lineUserId } });
  const staffMenuId = () => h.line.richMenuAliases.get(STAFF_MENU.alias);

  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  // First: the channel has no menus yet.
  it("links nobody while the staff menu's alias is missing, and asks LINE again only after a few minutes", async () => {
    const early = newUser();
    await grantRole(h.db.prisma, early, SECRETARY, by());
    const since = h.line.richMenuCalls.length;
    await h.runJobs();
    await h.runJobs();
    expect(h.line.richMenuCalls.slice(since)).toEqual([`alias get ${STAFF_MENU.alias}`]);
    expect(await h.db.prisma.richMenuLink.count()).toBe(0);
    expect(h.line.userRichMenus.size).toBe(0);
  });

  it("sets up both menus with their aliases, the villagers' as default; a second run leaves two menus", async () => {
    const [villager1, staff1] = await setup();
    const [villager2, staff2] = await setup();
    expect(villager2!.deleted).toEqual([villager1!.richMenuId]);
    expect(staff2!.deleted).toEqual([staff1!.richMenuId]);
    const ours = [...h.line.richMenus].filter(([, m]) => m.menu.name === VILLAGER_MENU.name || m.menu.name === STAFF_MENU.name);
    expect(ours.map(([id, m]) => [id, m.menu.name])).toEqual([
      [villager2!.richMenuId, VILLAGER_MENU.name],
      [staff2!.richMenuId, STAFF_MENU.name],
    ]);
    expect(Object.fromEntries(h.line.richMenuAliases)).toEqual({
      [VILLAGER_MENU.alias]: villager2!.richMenuId,
      [STAFF_MENU.alias]: staff2!.richMenuId,
    });
    expect(h.line.defaultRichMenuId).toBe(villager2!.richMenuId);
    expect(h.line.richMenus.get(staff2!.richMenuId)!.image!.bytes.equals(MENUS[1]!.image)).toBe(true);
    // The first run created the aliases, the second moved them.
    expect(h.line.richMenuCalls.filter((c) => c.startsWith("alias create")).length).toBe(2);
    expect(h.line.richMenuCalls.filter((c) => c.startsWith("alias update")).length).toBe(2);
  });

  it("links a staff user to the staff menu once, and writes the row", async () => {
    h.clock.advance(10 * MINUTE); // past the cached "no alias"
    const secretary = newUser();
    await grantRole(h.db.prisma, secretary, SECRETARY, by());
    // A second role changes nothing: one menu per user.
    await grantRole(h.db.prisma, secretary, { role: "COORDINATOR", level: "DISTRICT", areaId: 3301 }, by());
    const villager = newUser();
    await h.db.prisma.lineUser.create({ data: { id: villager } });
    const since = h.line.richMenuCalls.length;
    await h.runJobs();
    expect(h.line.userRichMenus.get(secretary)).toBe(staffMenuId());
    expect(h.line.userRichMenus.has(villager)).toBe(false);
    expect(await link(secretary)).toMatchObject({ menu: STAFF_MENU.alias, linkedAt: h.clock.now });
    // The one granted while the alias was missing is linked too.
    expect(callsFrom(since, "link ")).toHaveLength(2);

    await h.runJobs();
    h.clock.advance(10 * MINUTE);
    await h.runJobs();
    expect(callsFrom(since, `link ${secretary} `)).toEqual([`link ${secretary} ${staffMenuId()}`]);
  });

  it("unlinks a user whose last role was revoked and deletes the row", async () => {
    const secretary = newUser();
    await grantRole(h.db.prisma, secretary, SECRETARY, by());
    await h.runJobs();
    expect(h.line.userRichMenus.get(secretary)).toBe(staffMenuId());

    const since = h.line.richMenuCalls.length;
    await revokeRole(h.db.prisma, secretary, SECRETARY, by());
    await h.runJobs();
    expect(callsFrom(since, "unlink ")).toEqual([`unlink ${secretary}`]);
    expect(h.line.userRichMenus.has(secretary)).toBe(false);
    expect(await link(secretary)).toBeNull();
    await h.runJobs();
    expect(callsFrom(since, "unlink ")).toHaveLength(1);
  });

  it("keeps no row when LINE fails the link, pauses, then links on a later run", async () => {
    const secretary = newUser();
    await grantRole(h.db.prisma, secretary, SECRETARY, by());
    h.line.failRichMenuNext("link", 500);
    const since = h.line.richMenuCalls.length;
    await h.runJobs();
    expect(callsFrom(since, "link")).toEqual(["link failed"]);
    expect(await link(secretary)).toBeNull();

    await h.runJobs(); // still pausing: LINE was failing a moment ago
    expect(callsFrom(since, "link")).toEqual(["link failed"]);

    h.clock.advance(MINUTE);
    await h.runJobs();
    expect(callsFrom(since, "link")).toEqual(["link failed", `link ${secretary} ${staffMenuId()}`]);
    expect(await link(secretary)).not.toBeNull();
  });

  it("links every staff user again when the setup replaced the staff menu", async () => {
    const linked = await h.db.prisma.richMenuLink.findMany({ select: { lineUserId: true }, orderBy: { lineUserId: "asc" } });
    expect(linked.length).toBeGreaterThan(1);
    const [, staff] = await setup();
    // Deleting the old staff menu dropped its links on LINE's side.
    expect(linked.filter((l) => h.line.userRichMenus.has(l.lineUserId))).toEqual([]);

    h.clock.advance(10 * MINUTE); // the job trusts the alias it resolved for a few minutes
    await h.runJobs();
    for (const { lineUserId } of linked) expect(h.line.userRichMenus.get(lineUserId), lineUserId).toBe(staff!.richMenuId);
    expect(await h.db.prisma.richMenuLink.count()).toBe(linked.length);
  });

  it("rests when LINE fails the alias lookup, without failing the jobs", async () => {
    h.clock.advance(10 * MINUTE);
    const secretary = newUser();
    await grantRole(h.db.prisma, secretary, SECRETARY, by());
    h.line.failRichMenuNext("alias get", 503);
    const since = h.line.richMenuCalls.length;
    await h.runJobs();
    expect(h.line.richMenuCalls.slice(since)).toEqual(["alias get failed"]);
    h.clock.advance(MINUTE);
    await h.runJobs();
    expect(h.line.userRichMenus.get(secretary)).toBe(staffMenuId());
  });
});
