import { execFile } from "node:child_process";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import type { SqlDriver } from "../../src/db/driver.ts";
import { migrate, MigrationError, readMigrations } from "../../src/db/migrator.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const run = promisify(execFile);

/** Everything that makes up a schema, as comparable text. */
async function catalog(sql: SqlDriver): Promise<string[]> {
  const rows = await sql.query<{ line: string }>(`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable
           || ' default=' || coalesce(column_default, '') AS line
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
    UNION ALL
    SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
  return rows.map((r) => r.line).sort();
}

describe("migrations", () => {
  const opened: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.drop()));
  });

  it("match schema.prisma exactly (drift check)", async () => {
    // What Prisma would create from the schema as it is now…
    const { stdout: fromSchema } = await run(
      "node_modules/.bin/prisma",
      ["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { env: { ...process.env, DATA_DIR: "memory" } },
    );
    const expected = await createTestDatabase("pglite", { migrate: false });
    const actual = await createTestDatabase("pglite", { migrate: false });
    opened.push(expected, actual);
    await expected.sql.exec(fromSchema);
    // …against what the migration history builds.
    await actual.migrate();
    const [want, got] = [await catalog(expected.sql), await catalog(actual.sql)];
    expect(want.length).toBeGreaterThan(20);
    expect(got).toEqual(want);
  });

  it.each(STORE_DATABASES)("apply once and are recorded like Prisma's (%s)", async (kind) => {
    const db = await createTestDatabase(kind, { migrate: false });
    opened.push(db);
    expect(await db.isReady()).toBe(false);
    const all = await readMigrations();
    expect(await db.migrate()).toEqual(all.map((m) => m.name));
    expect(await db.migrate()).toEqual([]);
    expect(await db.isReady()).toBe(true);
    const rows = await db.sql.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(all.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
  });

  it("refuse to run when an applied migration was edited", async () => {
    const db = await createTestDatabase("pglite");
    opened.push(db);
    const all = await readMigrations();
    const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(migrate(db.sql, edited)).rejects.toThrow(MigrationError);
  });

  it("roll back a migration that fails halfway, leaving nothing applied", async () => {
    const db = await createTestDatabase("pglite", { migrate: false });
    opened.push(db);
    const broken = [{ name: "20990101000000_broken", sql: "CREATE TABLE half (id int); SELECT no_such_function();", checksum: "x" }];
    await expect(migrate(db.sql, broken)).rejects.toThrow();
    const tables = await db.sql.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`);
    expect(tables).toEqual([]);
  });

  it("are applied once when two instances start together on PostgreSQL", async () => {
    const db = await createTestDatabase("postgres", { migrate: false });
    opened.push(db);
    const second = await openDatabase({ kind: "postgres", url: db.url! });
    try {
      const [a, b] = await Promise.all([db.migrate(), second.migrate()]);
      const all = (await readMigrations()).map((m) => m.name);
      expect([...a, ...b].sort()).toEqual(all.sort());
      const rows = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0]!.n).toBe(all.length);
    } finally {
      await second.close();
    }
  });

  it("keep the embedded database on disk across restarts", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "clb-pglite-"));
    await mkdir(dir, { recursive: true });
    const first = await openDatabase({ kind: "pglite", dataDir: dir });
    await first.migrate();
    await first.prisma.lineUser.create({ data: { id: "U-disk" } });
    await first.close();
    const again = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      expect(await again.migrate()).toEqual([]);
      expect(await again.prisma.lineUser.count()).toBe(1);
    } finally {
      await again.close();
      await writeFile(path.join(dir, "done"), "");
    }
  });
});
