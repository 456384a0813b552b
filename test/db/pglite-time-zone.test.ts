// A raw query's timestamp on the embedded database is the instant stored,
// whatever the machine's time zone: PGlite's Prisma adapter passes the value
// on without a zone and Prisma reads it in the process's zone, so
// openDatabase keeps the process in UTC (src/db/database.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

// A Thai server's zone. Vitest runs each file in a process of its own.
process.env.TZ = "Asia/Bangkok";

const AT = new Date("2026-11-28T03:04:05.678Z");

describe("raw timestamps on PGlite with the machine in Asia/Bangkok", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("reads the instant the model wrote", async () => {
    await db.prisma.lineUser.create({ data: { id: "Utz", createdAt: AT, followedAt: AT } });
    const [raw] = await db.prisma.$queryRaw<{ createdAt: Date; followedAt: Date }[]>`
      SELECT "createdAt", "followedAt" FROM line_user WHERE id = 'Utz'`;
    expect(raw!.createdAt.toISOString()).toBe(AT.toISOString());
    expect(raw!.followedAt.toISOString()).toBe(AT.toISOString());
    const model = await db.prisma.lineUser.findUniqueOrThrow({ where: { id: "Utz" } });
    expect(model.createdAt.toISOString()).toBe(AT.toISOString());
  });

  it("reads it the same inside a transaction", async () => {
    const raw = await db.transaction((tx) => tx.$queryRaw<{ createdAt: Date }[]>`SELECT "createdAt" FROM line_user WHERE id = 'Utz'`);
    expect(raw[0]!.createdAt.toISOString()).toBe(AT.toISOString());
  });
});
