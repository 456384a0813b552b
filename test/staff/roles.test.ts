// Staff roles and invite codes on both databases: coverage follows the map
// (a secretary covers one council, a district coordinator its councils, a
// province coordinator all), grants and revokes are audited, invite codes
// are single-use and expire, and the admin CLI parses what it is given.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRolesCommand, UsageError } from "../../src/cli/roles.ts";
import { createInvite, normaliseInviteCode, redeemInvite } from "../../src/staff/invites.ts";
import { canHandleCouncil, coordinatorsOf, councilsInScope, grantRole, revokeRole, rolesOf, secretariesOf } from "../../src/staff/roles.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const by = (at = new Date("2026-11-28T03:00:00Z")) => ({ by: "Uadmin", at, via: "test" });

describe.each(STORE_DATABASES)("staff roles on %s", (kind) => {
  let db: TestDatabase;
  let councilA: { id: number; districtId: number };
  let councilB: { id: number; districtId: number }; // same district as A
  let councilC: { id: number; districtId: number }; // another district

  beforeAll(async () => {
    db = await createTestDatabase(kind, { geography: true });
    const rows = await db.prisma.council.findMany({
      select: { id: true, tambon: { select: { districtId: true } } },
      orderBy: { id: "asc" },
    });
    const all = rows.map((r) => ({ id: r.id, districtId: r.tambon.districtId }));
    councilA = all[0]!;
    councilB = all.find((c) => c.districtId === councilA.districtId && c.id !== councilA.id)!;
    councilC = all.find((c) => c.districtId !== councilA.districtId)!;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("a secretary handles their council only; coordinators what their area contains", async () => {
    const tx = db.prisma;
    await grantRole(tx, "Usec", { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id }, by());
    await grantRole(tx, "Udist", { role: "COORDINATOR", level: "DISTRICT", areaId: councilA.districtId }, by());
    await grantRole(tx, "Uprov", { role: "COORDINATOR", level: "PROVINCE", areaId: 33 }, by());

    expect(await canHandleCouncil(tx, "Usec", councilA.id)).toBe(true);
    expect(await canHandleCouncil(tx, "Usec", councilB.id)).toBe(false);
    expect(await canHandleCouncil(tx, "Udist", councilB.id)).toBe(true);
    expect(await canHandleCouncil(tx, "Udist", councilC.id)).toBe(false);
    expect(await canHandleCouncil(tx, "Uprov", councilC.id)).toBe(true);
    expect(await canHandleCouncil(tx, "Uvillager", councilA.id)).toBe(false);
    expect(await canHandleCouncil(tx, "Usec", 999_999_999)).toBe(false);

    expect(await councilsInScope(tx, "Usec")).toEqual([councilA.id]);
    const district = await councilsInScope(tx, "Udist");
    expect(district).toContain(councilB.id);
    expect(district).not.toContain(councilC.id);
    expect((await councilsInScope(tx, "Uprov")).length).toBe(await tx.council.count());
    expect(await councilsInScope(tx, "Uvillager")).toEqual([]);

    expect(await secretariesOf(tx, councilA.id)).toEqual(["Usec"]);
    expect(await secretariesOf(tx, councilB.id)).toEqual([]);
    expect(await coordinatorsOf(tx, { level: "DISTRICT", areaId: councilA.districtId })).toEqual(["Udist"]);
    expect(await coordinatorsOf(tx, { level: "PROVINCE", areaId: 33 })).toEqual(["Uprov"]);
  });

  it("grants once, revokes, and keeps both in the audit", async () => {
    const tx = db.prisma;
    const g = { role: "SECRETARY" as const, level: "COUNCIL" as const, areaId: councilC.id };
    expect(await grantRole(tx, "Uaudit", g, by())).toBe(true);
    expect(await grantRole(tx, "Uaudit", g, by())).toBe(false);
    expect(await rolesOf(tx, "Uaudit")).toEqual([g]);
    expect(await revokeRole(tx, "Uaudit", g, by())).toBe(true);
    expect(await revokeRole(tx, "Uaudit", g, by())).toBe(false);
    expect(await rolesOf(tx, "Uaudit")).toEqual([]);
    expect(await canHandleCouncil(tx, "Uaudit", councilC.id)).toBe(false);
    const audit = await tx.staffRoleAudit.findMany({ where: { lineUserId: "Uaudit" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.granted)).toEqual([true, false]);
  });

  it("refuses a role on an area it cannot hold", async () => {
    await expect(grantRole(db.prisma, "Ux", { role: "SECRETARY", level: "DISTRICT", areaId: 3301 }, by())).rejects.toThrow(/cannot hold/);
  });

  it("invite codes grant once, to one person, until they expire", async () => {
    const now = new Date("2026-11-28T03:00:00Z");
    const grant = { role: "SECRETARY" as const, level: "COUNCIL" as const, areaId: councilB.id };
    const { code, expiresAt } = await createInvite(db.prisma, grant, { userId: "Uprov", now, hours: 48 });
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(expiresAt.getTime() - now.getTime()).toBe(48 * 3_600_000);

    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    expect(await redeemInvite(db.prisma, typed, "Unew", now)).toEqual({ status: "granted", grant });
    expect(await canHandleCouncil(db.prisma, "Unew", councilB.id)).toBe(true);
    expect(await redeemInvite(db.prisma, code, "Uother", now)).toEqual({ status: "used" });
    expect(await canHandleCouncil(db.prisma, "Uother", councilB.id)).toBe(false);
    const audit = await db.prisma.staffRoleAudit.findFirstOrThrow({ where: { lineUserId: "Unew" } });
    expect(audit).toMatchObject({ by: "Uprov", granted: true });
    expect(audit.via).toMatch(/^invite:\d+$/);

    const late = await createInvite(db.prisma, grant, { userId: "Uprov", now, hours: 1 });
    expect(await redeemInvite(db.prisma, late.code, "Ulate", new Date(now.getTime() + 3_600_000))).toEqual({ status: "expired" });
    expect(await redeemInvite(db.prisma, "ABCDEFGH", "Ulate", now)).toEqual({ status: "unknown" });
    expect(await redeemInvite(db.prisma, "not a code", "Ulate", now)).toEqual({ status: "unknown" });
  });

  it("revoking a role voids the unused codes the remaining roles no longer allow, and only those", async () => {
    const now = new Date("2026-11-28T03:00:00Z");
    const later = new Date(now.getTime() + 60_000);
    const sec = { role: "SECRETARY" as const, level: "COUNCIL" as const, areaId: councilA.id };
    const coord = { role: "COORDINATOR" as const, level: "DISTRICT" as const, areaId: councilC.districtId };
    await grantRole(db.prisma, "Umover", { role: "COORDINATOR", level: "DISTRICT", areaId: councilA.districtId }, by());
    await grantRole(db.prisma, "Umover", { role: "COORDINATOR", level: "PROVINCE", areaId: 33 }, by());
    const forSecretary = await createInvite(db.prisma, sec, { userId: "Umover", now });
    const forCoordinator = await createInvite(db.prisma, coord, { userId: "Umover", now });
    const spent = await createInvite(db.prisma, coord, { userId: "Umover", now });
    expect(await redeemInvite(db.prisma, spent.code, "Uspent", now)).toMatchObject({ status: "granted" });
    const voided = async () =>
      (await db.prisma.inviteCode.findMany({ where: { createdBy: "Umover", voidedAt: { not: null } }, orderBy: { id: "asc" } })).map(
        (c) => c.code,
      );

    // Still a district coordinator: the secretary's code stands, the district coordinator's goes.
    expect(await revokeRole(db.prisma, "Umover", { role: "COORDINATOR", level: "PROVINCE", areaId: 33 }, by(later))).toBe(true);
    expect(await voided()).toEqual([forCoordinator.code]);
    expect(await redeemInvite(db.prisma, forCoordinator.code, "Uwould", later)).toEqual({ status: "revoked" });
    expect(await revokeRole(db.prisma, "Umover", { role: "COORDINATOR", level: "DISTRICT", areaId: councilA.districtId }, by(later))).toBe(
      true,
    );
    expect(await voided()).toEqual([forSecretary.code, forCoordinator.code]);
    expect(await redeemInvite(db.prisma, forSecretary.code, "Uwould", later)).toEqual({ status: "revoked" });
    expect(await rolesOf(db.prisma, "Uwould")).toEqual([]);
    // The code used before the revocation keeps its grant.
    expect(await rolesOf(db.prisma, "Uspent")).toEqual([coord]);
  });

  it("two people redeeming one code at once: one grant", async () => {
    if (kind !== "postgres") return; // PGlite runs transactions one at a time anyway
    const now = new Date("2026-11-28T03:00:00Z");
    const grant = { role: "COORDINATOR" as const, level: "DISTRICT" as const, areaId: councilC.districtId };
    const { code } = await createInvite(db.prisma, grant, { userId: "Uprov", now });
    const results = await Promise.all(["Urace1", "Urace2", "Urace3"].map((u) => db.transaction((tx) => redeemInvite(tx, code, u, now))));
    expect(results.filter((r) => r.status === "granted")).toHaveLength(1);
    expect(await db.prisma.staffRole.count({ where: { lineUserId: { in: ["Urace1", "Urace2", "Urace3"] } } })).toBe(1);
  });
});

describe("invite code typing", () => {
  it("ignores case, spaces and dashes, and refuses confusable letters", () => {
    expect(normaliseInviteCode(" abcd efgh ")).toBe("ABCDEFGH");
    expect(normaliseInviteCode("ABCD-EFGH")).toBe("ABCDEFGH");
    expect(normaliseInviteCode("ABCDEFG0")).toBeNull(); // 0 is not in the alphabet
    expect(normaliseInviteCode("ABCDEFG")).toBeNull();
  });
});

describe("roles CLI", () => {
  it("parses grant, revoke and list", () => {
    expect(parseRolesCommand(["grant", "--user", "Uabc", "--role", "secretary", "--council", "17"])).toEqual({
      action: "grant",
      userId: "Uabc",
      grant: { role: "SECRETARY", level: "COUNCIL", areaId: 17 },
    });
    expect(parseRolesCommand(["revoke", "--user", "Uabc", "--role", "Coordinator", "--district", "3301"])).toMatchObject({
      action: "revoke",
      grant: { role: "COORDINATOR", level: "DISTRICT", areaId: 3301 },
    });
    expect(parseRolesCommand(["list"])).toEqual({ action: "list" });
  });

  it.each([
    [["grant", "--user", "Uabc", "--role", "secretary", "--district", "3301"]],
    [["grant", "--user", "Uabc", "--role", "boss", "--council", "1"]],
    [["grant", "--user", "not-a-line-id", "--role", "secretary", "--council", "1"]],
    [["grant", "--user", "Uabc", "--role", "secretary"]],
    [["grant", "--user", "Uabc", "--role", "secretary", "--council", "1", "--province", "33"]],
    [["grant", "--user", "Uabc", "--role", "secretary", "--council", "x"]],
    [["promote"]],
  ])("refuses %j", (argv) => {
    expect(() => parseRolesCommand(argv)).toThrow(UsageError);
  });

  it("grants and lists through the real command on an embedded database", async () => {
    const dir = `/tmp/roles-cli-${process.pid}-${Date.now()}`;
    const run = (args: string[]) =>
      promisify(execFile)("npx", ["tsx", "src/cli/roles.ts", ...args], {
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" },
        cwd: process.cwd(),
      });
    // The embedded database starts without geography: the province is unknown, exit 1.
    await expect(run(["grant", "--user", "Ucli", "--role", "coordinator", "--province", "33"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/No province 33/),
    });
    const listed = await run(["list"]);
    expect(listed.stdout).toMatch(/No staff roles yet/);
    rmSync(dir, { recursive: true, force: true });
  });
});
