// Fresh databases for tests: an in-memory PGlite, or a new database on the
// PostgreSQL server (TEST_POSTGRES_URL, default 127.0.0.1:5432) that is
// dropped afterwards, so runs never collide.
//
// A migrated database is a copy of a template made once per run
// (test/support/templates.ts, built by test/support/global-setup.ts): a PGlite
// started from a dump of a migrated data directory, or CREATE DATABASE …
// TEMPLATE on PostgreSQL. Outside vitest (npx tsx test/docs/transcripts.ts)
// there is no template and the database is migrated (and filled) on the spot.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { loadGeography } from "../../src/geography/load-geography.ts";
import { clonePostgresTemplate, TEMPLATE_PROVINCE, type TemplateVariant, type TestTemplates } from "./templates.ts";

export const DATABASE_KINDS = ["pglite", "postgres"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/**
 * Which databases a test file runs on (issue 12). Conversations (flows,
 * transcripts, jobs seen through the chat) run on PGlite, the shipped
 * default; what is about SQL itself — stores, the inbox and outbox under
 * concurrency, migrations, leases and recovery, faults — runs on both.
 * TEST_FLOW_DATABASES=pglite,postgres runs the conversations on both too.
 */
export const FLOW_DATABASES: readonly DatabaseKind[] = flowDatabases(process.env.TEST_FLOW_DATABASES);
export const STORE_DATABASES: readonly DatabaseKind[] = DATABASE_KINDS;

function flowDatabases(setting: string | undefined): readonly DatabaseKind[] {
  if (!setting) return ["pglite"];
  const kinds = setting.split(",").map((k) => k.trim());
  const unknown = kinds.filter((k) => !(DATABASE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new Error(`TEST_FLOW_DATABASES: "${setting}" is not a list of ${DATABASE_KINDS.join(", ")}`);
  }
  return kinds as DatabaseKind[];
}

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends Database {
  readonly kind: DatabaseKind;
  /** Set for PostgreSQL: the URL of this test's own database. */
  readonly url?: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** false: an empty database, not even migrated (for migration tests). Default true. */
  migrate?: boolean;
  /** true: with the geography and the councils of province 33, as the harness uses. Default false. */
  geography?: boolean;
  /** PGlite: false runs it on the test's own thread instead of a worker thread (src/db/pglite-thread.ts). Default true. */
  thread?: boolean;
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

const newDatabaseName = () => `clb_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;

/** A PostgreSQL database of our own, empty or copied from a template; returns its name and URL. */
export async function createPostgresDatabase(
  options: { template?: string } = {},
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = newDatabaseName();
  if (options.template) await clonePostgresTemplate(options.template, name, POSTGRES_ADMIN_URL);
  else await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: postgresUrlFor(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

let provided: Promise<TestTemplates | null> | undefined;
/** The templates global-setup made for this run; null outside vitest. */
function templates(): Promise<TestTemplates | null> {
  provided ??= (async () => {
    if (!process.env.VITEST) return null;
    const { inject } = await import("vitest");
    return inject("testTemplates") ?? null;
  })();
  return provided;
}

// One read of each dump per test file; PGlite copies it into its own memory.
const dumps = new Map<string, Promise<Blob>>();
function pgliteDump(file: string): Promise<Blob> {
  let dump = dumps.get(file);
  if (!dump) {
    dump = readFile(file).then((bytes) => new Blob([bytes]));
    dumps.set(file, dump);
  }
  return dump;
}

export async function createTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrated = options.migrate ?? true;
  const geography = options.geography ?? false;
  if (geography && !migrated) throw new Error("createTestDatabase: geography needs a migrated database");
  const variant: TemplateVariant | null = migrated ? (geography ? "geo" : "bare") : null;
  const made = variant ? await templates() : null;

  let db: Database;
  let url: string | undefined;
  let dropDatabase: () => Promise<void> = async () => undefined;
  if (kind === "pglite") {
    const loadDataDir = made && variant ? await pgliteDump(made.pglite[variant]) : undefined;
    db = await openDatabase({ kind: "pglite-memory", loadDataDir, thread: options.thread });
  } else {
    let template: string | undefined;
    if (made && variant) {
      if ("error" in made.postgres) throw new Error(made.postgres.error);
      template = made.postgres[variant];
    }
    const created = await createPostgresDatabase({ template });
    url = created.url;
    dropDatabase = created.drop;
    db = await openDatabase({ kind: "postgres", url: created.url });
  }
  if (variant && !made) {
    // No template (outside vitest): the same contents, made here.
    await db.migrate();
    if (geography) await loadGeography(db.prisma, { provinceCode: TEMPLATE_PROVINCE });
  }
  return Object.assign(db, {
    kind,
    url,
    async drop() {
      await db.close();
      await dropDatabase();
    },
  });
}
