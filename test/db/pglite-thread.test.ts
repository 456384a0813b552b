// PGlite in its worker thread (src/db/pglite-thread.ts) against PGlite on the
// test's own thread: the same values through Prisma and through the SQL
// driver, the same errors, one session (a transaction holds it), and a dead
// thread failing its callers instead of leaving them waiting.
import { messages } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgliteDriver } from "../../src/db/driver.ts";
import { isMigrated, readMigrations } from "../../src/db/migrator.ts";
import { PGliteThread } from "../../src/db/pglite-thread.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const SCRATCH = `
  CREATE TABLE scratch (
    id serial PRIMARY KEY,
    at timestamptz, local timestamp, day date,
    big bigint, amount numeric(12, 2), doc jsonb, plain json, bytes bytea,
    tags text[], counts int[], flag boolean, note text, code uuid,
    UNIQUE (note)
  )`;

/** One row of every type the schema uses, nulls included, as parameters. */
const ROW = [
  new Date("2026-12-02T10:11:12.345Z"),
  "2026-12-02 17:11:12.345",
  "2569-01-31",
  "9007199254740993", // beyond a double: parsed to a bigint
  "1234567890.25",
  { ชื่อ: "ยายสมศรี", n: [1, 2.5, null], nested: { at: new Date("2026-01-01T00:00:00Z"), big: 12n } },
  [1, "two", { three: 3 }],
  Buffer.from([0, 1, 127, 128, 255]),
  ["a", "b,c", 'q"uote', "back\\slash", null, "ไทย"],
  [1, -2, 3],
  true,
  null,
  "0190a3b1-7c1e-7c3d-9a4b-123456789abc",
];
const INSERT = `INSERT INTO scratch (at, local, day, big, amount, doc, plain, bytes, tags, counts, flag, note, code)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

describe("PGlite in a worker thread", () => {
  let thread: TestDatabase;
  let inProcess: TestDatabase;
  beforeAll(async () => {
    [thread, inProcess] = await Promise.all([
      createTestDatabase("pglite", { geography: true, thread: true }),
      createTestDatabase("pglite", { geography: true, thread: false }),
    ]);
    for (const db of [thread, inProcess]) {
      await db.sql.exec(SCRATCH);
      await db.sql.query(INSERT, ROW);
    }
  });
  afterAll(async () => {
    await Promise.all([thread?.drop(), inProcess?.drop()]);
  });

  it("gives the driver the values in-process PGlite gives", async () => {
    const read = (db: TestDatabase) => db.sql.query("SELECT * FROM scratch ORDER BY id");
    const got = await read(thread);
    expect(got).toEqual(await read(inProcess));
    const [row] = got;
    expect(row).toMatchObject({
      at: new Date("2026-12-02T10:11:12.345Z"),
      big: 9007199254740993n,
      amount: "1234567890.25",
      doc: { ชื่อ: "ยายสมศรี", n: [1, 2.5, null], nested: { at: "2026-01-01T00:00:00.000Z", big: "12" } },
      plain: [1, "two", { three: 3 }],
      tags: ["a", "b,c", 'q"uote', "back\\slash", null, "ไทย"],
      counts: [1, -2, 3],
      flag: true,
      note: null,
    });
    // A Buffer parameter arrives as its bytes.
    expect(row!.bytes).toBeInstanceOf(Uint8Array);
    expect([...(row!.bytes as Uint8Array)]).toEqual([0, 1, 127, 128, 255]);
  });

  it("gives Prisma's raw queries the values in-process PGlite gives", async () => {
    const read = (db: TestDatabase) => db.prisma.$queryRawUnsafe<Record<string, unknown>[]>("SELECT * FROM scratch ORDER BY id");
    const got = await read(thread);
    expect(got).toEqual(await read(inProcess));
    expect(got[0]).toMatchObject({ big: 9007199254740993n, flag: true, tags: ["a", "b,c", 'q"uote', "back\\slash", null, "ไทย"] });
  });

  it("round-trips the schema's types through Prisma models as in-process PGlite does", async () => {
    const write = async (db: TestDatabase) => {
      const council = await db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" } });
      const fund = await db.prisma.welfareFund.create({ data: { councilId: council.id, code: "T1", name: "กองทุนทดสอบ" } });
      const member = await db.prisma.fundMember.create({
        data: {
          fundId: fund.id,
          memberNo: "0001",
          nationalId: "1999910000016",
          firstName: "สมศรี",
          lastName: "ใจดี",
          birthDate: new Date("1952-03-14"),
          joinedOn: new Date("2020-01-01"),
        },
      });
      await db.prisma.contribution.create({
        data: {
          fundMemberId: member.id,
          paidOn: new Date("2026-11-30"),
          amount: new Prisma.Decimal("100.50"),
          periodFrom: new Date("2026-11-01"),
          periodTo: new Date("2026-11-30"),
        },
      });
      await db.prisma.webhookEvent.create({
        data: {
          id: "01JTHREAD",
          type: "message",
          payload: { text: "น้ำท่วม", list: [1, null, "x"], deep: { ok: true } },
          occurredAt: new Date("2026-12-02T01:02:03.456Z"),
          receivedAt: new Date("2026-12-02T01:02:04Z"),
          leaseOwner: 9223372036854775807n,
        },
      });
      // Written through the driver: the adapter cannot pass bytes to a Prisma write (in-process neither; see photo-fetcher.ts).
      await db.sql.query(
        `INSERT INTO media_file ("contentType", bytes, sha256, "createdBy", "createdAt") VALUES ('image/png', $1, 'x', 't', $2)`,
        [new Uint8Array([137, 80, 78, 71, 0, 255]), new Date(0)],
      );
      return {
        member: await db.prisma.fundMember.findUniqueOrThrow({ where: { id: member.id }, include: { contributions: true } }),
        event: await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: "01JTHREAD" } }),
        media: await db.prisma.mediaFile.findFirstOrThrow({ where: { sha256: "x" } }),
        sum: await db.prisma.contribution.aggregate({ _sum: { amount: true }, where: { fundMemberId: member.id } }),
      };
    };
    const got = await write(thread);
    const want = await write(inProcess);
    expect(withoutClock(got.member)).toEqual(withoutClock(want.member));
    expect(got.member.contributions[0]!.amount.toString()).toBe("100.5");
    expect(got.member.birthDate).toEqual(new Date("1952-03-14T00:00:00Z"));
    expect(got.event).toEqual(want.event);
    expect(got.event.leaseOwner).toBe(9223372036854775807n);
    expect(got.event.payload).toEqual({ text: "น้ำท่วม", list: [1, null, "x"], deep: { ok: true } });
    expect(got.media).toEqual(want.media);
    expect([...got.media.bytes]).toEqual([137, 80, 78, 71, 0, 255]);
    expect(got.sum._sum.amount?.toString()).toBe("100.5");
  });

  it("serialises parameters that cannot cross as it is (objects, class instances) as in-process PGlite does", async () => {
    const decimal = new Prisma.Decimal("12.30");
    const params = [decimal, decimal, { a: decimal, when: new Date(0), n: 1n }, [{ a: 1 }, { b: [2] }], [decimal, "x"], ["a", "b"]];
    const sql =
      "SELECT $1::text AS t, $2::jsonb::text AS j, $3::jsonb::text AS o, $4::jsonb::text AS l, $5::text[] AS ta, $6::jsonb::text AS ja";
    const got = await thread.sql.query(sql, params);
    expect(got).toEqual(await inProcess.sql.query(sql, params));
    expect(got[0]).toEqual({
      t: "12.3",
      j: '"12.3"',
      o: '{"a": "12.3", "n": "1", "when": "1970-01-01T00:00:00.000Z"}',
      l: '[{"a": 1}, {"b": [2]}]',
      ta: ["12.3", "x"],
      ja: '["a", "b"]',
    });
  });

  it("reports a unique violation through Prisma and through the driver (23505) as in-process PGlite does", async () => {
    const prismaError = (db: TestDatabase) =>
      db.prisma.webhookEvent
        .create({ data: { id: "01JTHREAD", type: "message", occurredAt: new Date() } })
        .then(() => null)
        .catch((error: unknown) => error);
    // The adapter's DriverAdapterError, mapped from PGlite's DatabaseError by instanceof: the same from both.
    const fromPrisma = await prismaError(thread);
    expect(fromPrisma).toBeInstanceOf(Error);
    expect(fromPrisma).toEqual(await prismaError(inProcess));
    expect((fromPrisma as Error).message).toContain("duplicate key value violates unique constraint");
    expect(JSON.stringify(fromPrisma)).toContain("23505");

    const driverError = async (db: TestDatabase) => {
      await db.sql.query("INSERT INTO scratch (note) VALUES ('dup') ON CONFLICT DO NOTHING");
      return db.sql
        .query("INSERT INTO scratch (note) VALUES ($1)", ["dup"])
        .then(() => null)
        .catch((error: unknown) => error);
    };
    const fromDriver = await driverError(thread);
    expect(fromDriver).toBeInstanceOf(messages.DatabaseError);
    const fields = (e: unknown) => {
      const { code, severity, detail, constraint, table, schema, message, query, params } = e as Record<string, unknown>;
      return { code, severity, detail, constraint, table, schema, message, query, params };
    };
    expect(fields(fromDriver)).toEqual(fields(await driverError(inProcess)));
    expect(fields(fromDriver)).toMatchObject({ code: "23505", constraint: "scratch_note_key", table: "scratch" });
  });

  it("leaves nothing of a rolled-back transaction, whichever way it rolls back", async () => {
    const count = async () =>
      (await thread.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM scratch WHERE note LIKE 'gone%'"))[0]!.n;
    await expect(
      thread.sql.transaction(async (tx) => {
        await tx.query("INSERT INTO scratch (note) VALUES ('gone 1')");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await expect(
      thread.transaction(async (tx) => {
        await tx.$executeRawUnsafe("INSERT INTO scratch (note) VALUES ('gone 2')");
        throw new Error("again");
      }),
    ).rejects.toThrow("again");
    expect(await count()).toBe(0);
  });

  it("keeps the session usable after an error inside a transaction", async () => {
    await expect(
      thread.sql.transaction(async (tx) => {
        await tx.query("INSERT INTO scratch (note) VALUES ('kept?')");
        await tx.query("INSERT INTO scratch (note) VALUES ('kept?')");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    await thread.sql.query("INSERT INTO scratch (note) VALUES ('once')");
    // A transaction's raw statement runs on the driver (src/db/raw-on-driver.ts): PostgreSQL's error.
    await expect(thread.transaction((tx) => tx.$executeRawUnsafe("INSERT INTO scratch (note) VALUES ('once')"))).rejects.toMatchObject({
      code: "23505",
    });
    // Prisma's own, outside a transaction.
    await expect(thread.prisma.$executeRawUnsafe("INSERT INTO scratch (note) VALUES ('once')")).rejects.toBeInstanceOf(
      Prisma.PrismaClientKnownRequestError,
    );
    await thread.sql.transaction(async (tx) => {
      await tx.query("INSERT INTO scratch (note) VALUES ('after')");
    });
    expect(await thread.sql.query("SELECT note FROM scratch WHERE note IN ('kept?', 'after') OR note LIKE 'once%'")).toEqual([
      { note: "once" },
      { note: "after" },
    ]);
    expect(await thread.prisma.webhookEvent.count({ where: { id: "01JTHREAD" } })).toBe(1);
  });
});

/** A row without the times the database stamped (now() differs between the two). */
function withoutClock(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClock);
  if (value === null || typeof value !== "object" || value instanceof Date || value instanceof Uint8Array) return value;
  if (Prisma.Decimal.isDecimal(value)) return value.toString();
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "createdAt" && key !== "updatedAt")
      .map(([key, v]) => [key, withoutClock(v)]),
  );
}

describe("PGlite's one session, in its thread", () => {
  let thread: PGliteThread;
  beforeAll(async () => {
    thread = await PGliteThread.open({ dataDir: "memory://" });
    await thread.exec("CREATE TABLE t (id serial PRIMARY KEY, note text UNIQUE)");
  });
  afterAll(async () => {
    await thread.close();
  });

  it("makes a statement issued during a transaction wait until it ends", async () => {
    const events: string[] = [];
    let outside: Promise<unknown> | undefined;
    await thread.transaction(async (tx) => {
      await tx.query("INSERT INTO t (note) VALUES ('inside')");
      outside = thread.query<{ n: number }>("SELECT count(*)::int AS n FROM t").then((r) => events.push(`outside saw ${r.rows[0]!.n}`));
      // Sent after the outside statement, run before it: the session is the transaction's.
      await tx.query("SELECT pg_sleep(0)");
      events.push("transaction's next statement");
      await tx.query("INSERT INTO t (note) VALUES ('inside 2')");
      events.push("transaction's last statement");
    });
    events.push("committed");
    await outside;
    expect(events).toEqual(["transaction's next statement", "transaction's last statement", "committed", "outside saw 2"]);
  });

  it("ends a transaction at tx.rollback(), as PGlite's does", async () => {
    await thread.transaction(async (tx) => {
      await tx.query("INSERT INTO t (note) VALUES ('rolled back')");
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query("SELECT 1")).rejects.toThrow("Transaction is closed");
    });
    expect((await thread.query("SELECT 1 FROM t WHERE note = 'rolled back'")).rows).toEqual([]);
  });

  it("runs statements one at a time in the order they were sent", async () => {
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        thread.query("INSERT INTO t (note) VALUES ($1) RETURNING id", [`n${i}`]).then(() => done.push(i)),
      ),
    );
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const notes = await thread.query<{ note: string }>("SELECT note FROM t WHERE note LIKE 'n%' ORDER BY id");
    expect(notes.rows.map((r) => r.note)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
  });

  it("rejects what is waiting, and every later call, when the thread dies", async () => {
    const doomed = await PGliteThread.open({ dataDir: "memory://" });
    const migrations = await readMigrations();
    let began!: () => void;
    let release!: () => void;
    const begun = new Promise<void>((resolve) => {
      began = resolve;
    });
    const holding = doomed.transaction(async (tx) => {
      await tx.query("SELECT 1");
      began();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await begun;
    // Waits in the worker behind the open transaction.
    const waiting = doomed.query("SELECT 1");
    await doomed.terminate();
    await expect(waiting).rejects.toThrow(/database thread exited/);
    release();
    await expect(holding).rejects.toThrow(/database thread exited/);
    await expect(doomed.query("SELECT 1")).rejects.toThrow(/database thread exited/);
    // What /healthz asks (isReady, an error counting as not ready) says no instead of hanging.
    expect(await isMigrated(pgliteDriver(doomed), migrations).catch(() => false)).toBe(false);
    await doomed.close();
  });
});
