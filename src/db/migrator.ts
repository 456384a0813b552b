// Applies prisma/migrations at start, in-process, on PGlite and PostgreSQL.
//
// Prisma's own `migrate deploy` cannot run here without a native engine, hangs
// on PGlite's advisory lock, and would open the embedded database from a
// second process. This runner keeps Prisma's bookkeeping table
// (`_prisma_migrations`, same checksums), so `prisma migrate status` agrees.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlDriver } from "./driver.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

// Any constant works; it only has to be the same for every instance.
const MIGRATION_LOCK_KEY = 72_640_001;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override name = "MigrationError";
}

/**
 * Applies every migration not yet applied, each in its own transaction,
 * under a transaction-level advisory lock so instances starting together
 * apply each migration once. Returns the names applied now.
 */
export async function migrate(driver: SqlDriver, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  // Every start of an existing database: one statement instead of five per migration.
  if (await allApplied(driver, all)) return [];
  const applied: string[] = [];
  for (const migration of all) {
    const done = await driver.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await tx.exec(BOOKKEEPING);
      const rows = await tx.query<{ checksum: string }>(
        `SELECT checksum FROM "_prisma_migrations"
          WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [migration.name],
      );
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) {
          throw new MigrationError(`Migration ${migration.name} was changed after it was applied. Write a new migration instead.`);
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return applied;
}

/** Every migration on disk applied, unchanged (a changed one takes the slow path, which says so). */
async function allApplied(driver: SqlDriver, migrations: Migration[]): Promise<boolean> {
  const rows = await driver
    .query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    )
    .catch(() => null); // no bookkeeping table yet: a new database
  if (!rows) return false;
  const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  return migrations.every((m) => done.get(m.name) === m.checksum);
}

/** True when every migration on disk has been applied. */
export async function isMigrated(driver: SqlDriver, migrations: Migration[]): Promise<boolean> {
  const rows = await driver
    .query<{ n: number }>(
      `SELECT count(DISTINCT migration_name)::int AS n FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL AND migration_name = ANY($1::text[])`,
      [migrations.map((m) => m.name)],
    )
    .catch(() => [{ n: -1 }]);
  return rows[0]?.n === migrations.length;
}
