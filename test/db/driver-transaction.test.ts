// Database.driverTransaction (issue 13): statements on the driver, and
// Prisma joining the same transaction only when the work uses it. Both
// must see each other's writes before the commit, commit together, and
// roll back together; a transaction Prisma starts anywhere else must not
// join.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countStatements } from "../bench/statement-counter.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const conversations = (db: TestDatabase, prefix: string) =>
  db.prisma.conversation.findMany({
    where: { lineUserId: { startsWith: prefix } },
    orderBy: { lineUserId: "asc" },
    select: { lineUserId: true },
  });

const insert = `INSERT INTO conversation ("lineUserId", "updatedAt") VALUES ($1, now())`;

describe.each(STORE_DATABASES)("driverTransaction on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("commits the driver's and Prisma's writes together, each seeing the other's", async () => {
    const seen = await db.driverTransaction(async (sql, tx) => {
      await sql.query(insert, ["Ujoin-1"]);
      // Prisma, on the same connection, sees the uncommitted row…
      const read = await tx.conversation.findUnique({ where: { lineUserId: "Ujoin-1" }, select: { lineUserId: true } });
      await tx.conversation.create({ data: { lineUserId: "Ujoin-2" } });
      await tx.$executeRaw`UPDATE conversation SET turn = 7 WHERE "lineUserId" = ${"Ujoin-1"}`;
      // …and the driver sees Prisma's.
      const back = await sql.query<{ lineUserId: string; turn: number }>(
        `SELECT "lineUserId", turn FROM conversation WHERE "lineUserId" LIKE 'Ujoin-%' ORDER BY 1`,
      );
      return { read, back };
    });
    expect(seen.read).toEqual({ lineUserId: "Ujoin-1" });
    expect(seen.back).toEqual([
      { lineUserId: "Ujoin-1", turn: 7 },
      { lineUserId: "Ujoin-2", turn: 0 },
    ]);
    expect(await conversations(db, "Ujoin-")).toEqual([{ lineUserId: "Ujoin-1" }, { lineUserId: "Ujoin-2" }]);
  });

  it("rolls both back when the work fails after Prisma joined", async () => {
    await expect(
      db.driverTransaction(async (sql, tx) => {
        await sql.query(insert, ["Uundo-1"]);
        await tx.conversation.create({ data: { lineUserId: "Uundo-2" } });
        await sql.query(insert, ["Uundo-3"]);
        throw new Error("the bot failed");
      }),
    ).rejects.toThrow("the bot failed");
    expect(await conversations(db, "Uundo-")).toEqual([]);
  });

  it("rolls both back when a Prisma statement fails", async () => {
    await expect(
      db.driverTransaction(async (sql, tx) => {
        await sql.query(insert, ["Uclash-1"]);
        await tx.conversation.create({ data: { lineUserId: "Uclash-1" } }); // unique violation
      }),
    ).rejects.toThrow();
    expect(await conversations(db, "Uclash-")).toEqual([]);
    // The connection is usable afterwards.
    await db.driverTransaction((sql) => sql.query(insert, ["Uclash-2"]));
    expect(await conversations(db, "Uclash-")).toEqual([{ lineUserId: "Uclash-2" }]);
  });

  it("leaves other transactions alone: one Prisma starts meanwhile commits on its own", async () => {
    let inside: Promise<unknown> = Promise.resolve();
    await expect(
      db.driverTransaction(async (sql, tx) => {
        await tx.conversation.create({ data: { lineUserId: "Uapart-1" } });
        // Started from inside the work, but a transaction of its own: on
        // PGlite's one session it waits for this one, so it is not awaited here.
        inside = db.transaction((other) => other.conversation.create({ data: { lineUserId: "Uapart-2" } }));
        await sql.query(insert, ["Uapart-3"]);
        throw new Error("only this one fails");
      }),
    ).rejects.toThrow("only this one fails");
    await inside;
    expect(await conversations(db, "Uapart-")).toEqual([{ lineUserId: "Uapart-2" }]);
  });

  it.runIf(kind === "postgres")("sends nothing of Prisma's when the work does not use it", async () => {
    const counter = countStatements();
    try {
      await db.driverTransaction((sql) => sql.query(insert, ["Uplain-1"]));
      const texts = [...counter.counts().byText.keys()];
      expect(counter.counts()).toMatchObject({ statements: 3, commits: 1 });
      expect(texts).toEqual(expect.arrayContaining(["BEGIN", "COMMIT"]));
    } finally {
      counter.stop();
    }
    expect(await conversations(db, "Uplain-")).toEqual([{ lineUserId: "Uplain-1" }]);
  });

  it.runIf(kind === "postgres")("keeps the driver's uncommitted writes from other connections", async () => {
    let outside: unknown[] = [];
    await db.driverTransaction(async (sql, tx) => {
      await sql.query(insert, ["Uhidden-1"]);
      await tx.conversation.create({ data: { lineUserId: "Uhidden-2" } });
      outside = await conversations(db, "Uhidden-");
    });
    expect(outside).toEqual([]);
    expect(await conversations(db, "Uhidden-")).toHaveLength(2);
  });
});
