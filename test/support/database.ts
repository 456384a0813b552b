// Fresh databases for tests: an in-memory PGlite, or a new database on the
// PostgreSQL server (TEST_POSTGRES_URL, default 127.0.0.1:5432) that is
// dropped afterwards, so runs never collide.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";

export const DATABASE_KINDS = ["pglite", "postgres"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends Database {
  readonly kind: DatabaseKind;
  /** Set for PostgreSQL: the URL of this test's own database. */
  readonly url?: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function postgresUrlFor(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty PostgreSQL database; returns its name and URL. */
export async function createPostgresDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `clb_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: postgresUrlFor(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

export async function createTestDatabase(kind: DatabaseKind, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrateNow = options.migrate ?? true;
  if (kind === "pglite") {
    const db = await openDatabase({ kind: "pglite-memory" });
    if (migrateNow) await db.migrate();
    return Object.assign(db, { kind, drop: () => db.close() });
  }
  const created = await createPostgresDatabase();
  const db = await openDatabase({ kind: "postgres", url: created.url });
  if (migrateNow) await db.migrate();
  return Object.assign(db, {
    kind,
    url: created.url,
    async drop() {
      await db.close();
      await created.drop();
    },
  });
}
