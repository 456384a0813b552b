// Migrated databases made once per run (test/support/global-setup.ts) and
// copied for every test that asks for one (test/support/database.ts), so no
// test file pays for the migrations and the geography load (Sisaket,
// province 33) again:
//
//  - PostgreSQL: two template databases on the test server,
//    `clb_tpl_<key>_bare` (migrated) and `clb_tpl_<key>_geo` (migrated, with
//    the geography and councils), cloned with CREATE DATABASE … TEMPLATE;
//  - PGlite: dumps of the same two data directories
//    (`PGlite#dumpDataDir`), in os.tmpdir()/clb-test-templates/<key>/,
//    started with `PGlite.create({ loadDataDir })`.
//
// <key> is a hash of what goes into them: the migrations, the geography
// files, the code that applies and loads them (this file included) and the
// PGlite version. A changed migration is a new key, so a stale template is
// never used. Templates are kept between runs under their key (a second run
// builds nothing) rather than dropped at the end: another run on the same
// server (a second worktree, CI retries) may be cloning the same template at
// that moment. Each is built under a PostgreSQL advisory lock (or, for the
// files, written under a temporary name and renamed) so runs starting
// together build it once and never see half of one. Templates of other keys
// unused for a week are removed when a run starts.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { openDatabase } from "../../src/db/database.ts";
import { pgliteDriver } from "../../src/db/driver.ts";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../src/db/migrator.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { DEFAULT_GEOGRAPHY_DIR, loadGeography } from "../../src/geography/load-geography.ts";

/** The province whose tambons get councils in the "geo" templates (the harness's Sisaket). */
export const TEMPLATE_PROVINCE = 33;

export type TemplateVariant = "bare" | "geo";

/** What global-setup hands every test worker (vitest `provide`/`inject`). */
export interface TestTemplates {
  key: string;
  /** Template database names, or why there are none (PostgreSQL not reachable). */
  postgres: { bare: string; geo: string } | { error: string };
  /** Paths of the PGlite data-directory dumps. */
  pglite: { bare: string; geo: string };
}

const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;
const BUILD_LOCK_KEY = 72_640_101; // advisory lock while a template is built (any constant)

export function defaultAdminUrl(): string {
  return process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
}

function urlFor(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The hash of everything a template is made of; the same inputs always give the same key. */
export async function templateKey(): Promise<string> {
  const hash = createHash("sha256");
  const add = (label: string, content: string | Buffer) => hash.update(`${label}\0${content.length}\0`).update(content);
  for (const m of await readMigrations()) add(`migration ${m.name}`, m.checksum);
  for (const file of (await readdir(DEFAULT_GEOGRAPHY_DIR)).sort()) {
    add(`geography ${file}`, await readFile(path.join(DEFAULT_GEOGRAPHY_DIR, file)));
  }
  // The code that fills a template: the migrator, the loader and this file.
  for (const source of ["../../src/db/migrator.ts", "../../src/geography/load-geography.ts", "templates.ts"]) {
    add(`source ${source}`, await readFile(path.resolve(here, source)));
  }
  const require = createRequire(import.meta.url);
  const pgliteEntry = require.resolve("@electric-sql/pglite");
  const pglitePackage = JSON.parse(
    await readFile(path.join(pgliteEntry.slice(0, pgliteEntry.lastIndexOf("dist")), "package.json"), "utf8"),
  );
  add("pglite", String(pglitePackage.version));
  add("province", String(TEMPLATE_PROVINCE));
  add("migrations dir", path.basename(MIGRATIONS_DIR));
  return hash.digest("hex").slice(0, 16);
}

// ---------------------------------------------------------------------------
// PostgreSQL

export const postgresTemplateName = (key: string, variant: TemplateVariant) => `clb_tpl_${key}_${variant}`;

/**
 * Makes sure both template databases of this key exist on the server; returns their names.
 * Safe to call from runs starting at the same time: one builds, the others wait for it.
 */
export async function ensurePostgresTemplates(key: string, adminUrl = defaultAdminUrl()): Promise<{ bare: string; geo: string }> {
  const names = { bare: postgresTemplateName(key, "bare"), geo: postgresTemplateName(key, "geo") };
  await withClient(adminUrl, async (admin) => {
    await admin.query("SELECT pg_advisory_lock($1)", [BUILD_LOCK_KEY]);
    try {
      const exists = async (name: string) =>
        (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", [name])).rowCount === 1;
      for (const variant of ["bare", "geo"] as const) {
        const name = names[variant];
        if (await exists(name)) continue;
        // Built under another name and renamed when complete: a run that died
        // half-way leaves only a "_new" database, dropped here.
        const building = `${name}_new`;
        await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await admin.query(variant === "geo" ? `CREATE DATABASE "${building}" TEMPLATE "${names.bare}"` : `CREATE DATABASE "${building}"`);
        const db = await openDatabase({ kind: "postgres", url: urlFor(adminUrl, building) });
        try {
          if (variant === "bare") await db.migrate();
          else await loadGeography(db.prisma, { provinceCode: TEMPLATE_PROVINCE });
        } finally {
          await db.close();
        }
        await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
        // Nobody may connect to a template: CREATE DATABASE … TEMPLATE refuses
        // a source with open connections.
        await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      }
      const now = new Date().toISOString();
      for (const name of Object.values(names)) await admin.query(`COMMENT ON DATABASE "${name}" IS 'clb test template, last used ${now}'`);
      await pruneStalePostgresTemplates(admin, key);
    } finally {
      await admin.query("SELECT pg_advisory_unlock($1)", [BUILD_LOCK_KEY]);
    }
  });
  return names;
}

/** Drops templates of other keys that no run has used for a week. */
async function pruneStalePostgresTemplates(admin: pg.Client, key: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'clb\\_tpl\\_%'`,
  );
  for (const { datname, comment } of rows) {
    if (datname.startsWith(`clb_tpl_${key}_`)) continue;
    const used = Date.parse(/last used (\S+)/.exec(comment ?? "")?.[1] ?? "");
    if (Number.isFinite(used) && Date.now() - used < STALE_AFTER_MS) continue;
    // A template another run is copying right now cannot be dropped: left for next time.
    await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  }
}

/** A new database copied from a template; the template must have no connections (none are allowed to it). */
export async function clonePostgresTemplate(template: string, name: string, adminUrl = defaultAdminUrl()): Promise<void> {
  await withClient(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
}

// ---------------------------------------------------------------------------
// PGlite

export const PGLITE_TEMPLATE_ROOT = path.join(tmpdir(), "clb-test-templates");

/** Makes sure both PGlite dumps of this key exist; returns their paths. */
export async function ensurePgliteTemplates(key: string, root = PGLITE_TEMPLATE_ROOT): Promise<{ bare: string; geo: string }> {
  const dir = path.join(root, key);
  const paths = { bare: path.join(dir, "bare.tar"), geo: path.join(dir, "geo.tar") };
  const present = async (file: string) => (await stat(file).catch(() => null))?.isFile() === true;
  if (!(await present(paths.bare)) || !(await present(paths.geo))) {
    await mkdir(dir, { recursive: true });
    // The same pieces openDatabase() puts together, on a PGlite we can dump.
    const raw = await PGlite.create();
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(raw) as unknown as PrismaPg });
    try {
      await migrate(pgliteDriver(raw));
      await writeDump(raw, paths.bare);
      await loadGeography(prisma, { provinceCode: TEMPLATE_PROVINCE });
      await writeDump(raw, paths.geo);
    } finally {
      await prisma.$disconnect();
      await raw.close();
    }
  }
  const now = new Date();
  await utimes(dir, now, now);
  await pruneStaleDirectories(root, key);
  return paths;
}

async function writeDump(db: PGlite, file: string): Promise<void> {
  // A checkpoint first: a copy then starts without replaying the WAL.
  await db.exec("CHECKPOINT");
  const dump = await db.dumpDataDir("none");
  // Written under a name of its own, then renamed: a run starting at the same
  // time never reads half a file (and either run's file will do).
  const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
  await rename(partial, file);
}

async function pruneStaleDirectories(root: string, key: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === key) continue;
    const dir = path.join(root, entry.name);
    const info = await stat(dir).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_AFTER_MS) await rm(dir, { recursive: true, force: true });
  }
}

/** Builds (or finds) every template; PostgreSQL being down is reported, not thrown. */
export async function ensureTemplates(): Promise<TestTemplates> {
  const key = await templateKey();
  const [postgres, pglite] = await Promise.all([
    ensurePostgresTemplates(key).catch((error: unknown) => ({
      error: `No PostgreSQL template at ${defaultAdminUrl()} (is the server up? TEST_POSTGRES_URL): ${error instanceof Error ? error.message : String(error)}`,
    })),
    ensurePgliteTemplates(key),
  ]);
  return { key, postgres, pglite };
}
