// Raw queries in a driver transaction (src/db/raw-on-driver.ts) run on the
// driver, not through Prisma: they must read and write exactly what Prisma's
// own $queryRaw / $executeRaw would, on both databases, for every type the
// schema uses (bytea is not one). The process runs in a zone other than UTC, so a timestamp
// read or written as local time shows up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/database.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

process.env.TZ = "Asia/Bangkok";

const SCRATCH = `
  CREATE TABLE scratch (
    id serial PRIMARY KEY, tag text NOT NULL,
    at timestamp(3), day date, zoned timestamptz, big bigint, amount numeric(12, 2), doc jsonb, plain json,
    tags text[], counts int[], flag boolean, ratio float8, code uuid
  )`;

const AT = new Date("2026-11-28T03:04:05.678Z");
/** Values as code passes them to a raw query: Dates, BigInts, Decimals, objects, arrays, nulls. */
const values = (tag: string) => [
  tag,
  AT,
  new Date("2026-01-31T00:00:00Z"),
  AT,
  9007199254740993n,
  new Prisma.Decimal("1234567890.25"),
  { ชื่อ: "ยายสมศรี", n: [1, 2.5, null], nested: { ok: true } },
  { list: [1, "two", { three: 3 }] },
  ["a", "b,c", 'q"uote', "ไทย"],
  [1, -2, 3],
  true,
  0.125,
  "0190a3b1-7c1e-7c3d-9a4b-123456789abc",
];

const insert = (tx: Tx, v: unknown[]) =>
  tx.$executeRaw`INSERT INTO scratch (tag, at, day, zoned, big, amount, doc, plain, tags, counts, flag, ratio, code)
    VALUES (${v[0]}, ${v[1]}, ${v[2]}::date, ${v[3]}, ${v[4]}, ${v[5]}, ${v[6]}::jsonb, ${v[7]}::json, ${v[8]}, ${v[9]},
            ${v[10]}, ${v[11]}, ${v[12]}::uuid)`;

/** Every column but the id, and expressions whose types come from PostgreSQL (count is int8, sums numeric). */
const read = (tx: Tx, tag: string) =>
  tx.$queryRaw<Record<string, unknown>[]>`
    SELECT tag, at, day, zoned, big, amount, doc, plain, tags, counts, flag, ratio, code,
           (SELECT count(*) FROM scratch) AS n, amount * 2 AS twice, at + interval '1 hour' AS later, NULL::timestamp AS nothing
      FROM scratch WHERE tag = ${tag} AND at = ${AT} AND big = ${9007199254740993n}`;

describe.each(STORE_DATABASES)("raw queries on the driver, as Prisma on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await db.sql.exec(SCRATCH);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("writes and reads every type as Prisma's $executeRaw and $queryRaw do", async () => {
    // Written by Prisma, and by the driver.
    expect(await db.transaction((tx) => insert(tx, values("prisma")))).toBe(1);
    expect(await db.driverTransaction((_sql, tx) => insert(tx, values("driver")))).toBe(1);

    // Each row read both ways: all four reads agree.
    const viaPrisma = await db.transaction(async (tx) => [await read(tx, "prisma"), await read(tx, "driver")]);
    const viaDriver = await db.driverTransaction(async (_sql, tx) => [await read(tx, "prisma"), await read(tx, "driver")]);
    expect(viaPrisma[0]).toHaveLength(1);
    const untagged = (rows: Record<string, unknown>[] | undefined) => rows?.map(({ tag: _, ...r }) => r);
    expect(viaDriver).toEqual(viaPrisma);
    expect(untagged(viaDriver[1])).toEqual(untagged(viaPrisma[0]));
    // And what Prisma reads is what was written.
    expect(viaPrisma[0]![0]).toMatchObject({
      at: AT,
      zoned: AT,
      big: 9007199254740993n,
      n: 2n,
      later: new Date(AT.getTime() + 3_600_000),
      nothing: null,
    });
  });

  it("takes Prisma.sql fragments, Prisma.join and the Unsafe forms", async () => {
    const tags = ["prisma", "driver"];
    const both = (tx: Tx) =>
      tx.$queryRaw<{ tag: string }[]>(
        Prisma.sql`SELECT tag FROM scratch WHERE tag IN (${Prisma.join(tags)}) ${Prisma.raw("ORDER BY tag")}`,
      );
    const unsafe = (tx: Tx) => tx.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM scratch WHERE at = $1`, AT);
    const update = (tx: Tx) => tx.$executeRawUnsafe(`UPDATE scratch SET flag = $1 WHERE big = $2`, false, 9007199254740993n);
    const viaPrisma = await db.transaction(async (tx) => [await both(tx), await unsafe(tx), await update(tx)]);
    const viaDriver = await db.driverTransaction(async (_sql, tx) => [await both(tx), await unsafe(tx), await update(tx)]);
    expect(viaDriver).toEqual(viaPrisma);
    expect(viaPrisma).toEqual([[{ tag: "driver" }, { tag: "prisma" }], [{ n: 2n }], 2]);
  });

  it("fails the transaction with the statement's error, and keeps nothing of it", async () => {
    await expect(
      db.driverTransaction(async (_sql, tx) => {
        await insert(tx, values("rolled-back"));
        await tx.$executeRaw`INSERT INTO scratch (tag, code) VALUES (${"bad"}, ${"not a uuid"}::uuid)`;
      }),
    ).rejects.toThrow(/uuid/);
    expect(await db.sql.query(`SELECT tag FROM scratch WHERE tag = 'rolled-back'`)).toEqual([]);
  });
});
