// npm run db:restore -- <file> [--force]: puts a backup made by db:backup
// back into the configured database (docs/backup.md). The bot must be
// stopped: it would keep writing into what is being replaced.
//  - PostgreSQL: pg_restore into the DATABASE_URL database (it must exist),
//    dropping what is there first, in one transaction: a failed restore
//    leaves the database as it was. Refused while other sessions are
//    connected to it (the bot), unless --force.
//  - PGlite: unpacked into a new directory next to $DATA_DIR/pglite, then
//    swapped in; the directory it replaces is kept as pglite.replaced-<time>
//    (delete it once the restored bot is known good).
// Exit codes: 0 done, 1 failure, 2 bad usage.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { loadConfig } from "../config.ts";
import { assertPGliteNotInUse, libpqEnv, pgliteDir, runPgTool, type BackupTarget } from "./backup.ts";
import { runCli } from "./run-cli.ts";

async function otherSessions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

export async function restoreDatabase(target: BackupTarget, file: string, options: { force?: boolean; now?: Date } = {}): Promise<void> {
  const source = path.resolve(file);
  if (!existsSync(source)) throw new Error(`${source} does not exist`);
  if (target.kind === "postgres") {
    const sessions = await otherSessions(target.url);
    if (sessions > 0 && !options.force) {
      throw new Error(`${sessions} other session(s) are connected to the database: stop the bot first (or --force).`);
    }
    const { dbname, env } = libpqEnv(target.url);
    await runPgTool(
      "pg_restore",
      ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", `--dbname=${dbname}`, source],
      env,
    );
    return;
  }
  const dir = pgliteDir(target.dataDir);
  assertPGliteNotInUse(dir, options.force === true);
  const incoming = `${dir}.restoring`;
  await rm(incoming, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  // PGlite recognises a gzip'd dump by its type or its name.
  const dump = new File([new Uint8Array(await readFile(source))], "pglite.tar.gz", { type: "application/x-gzip" });
  const db = await PGlite.create({ dataDir: incoming, loadDataDir: dump });
  try {
    // A dump that unpacks but does not open as a database stops here, before the swap.
    await db.query("SELECT count(*) FROM _prisma_migrations");
  } finally {
    await db.close();
  }
  if (existsSync(dir)) {
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
    await rename(dir, `${dir}.replaced-${stamp}`);
  }
  await rename(incoming, dir);
}

const USAGE = "Usage: npm run db:restore -- <backup file> [--force]";

async function main(): Promise<number> {
  let parsed: { values: { force?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ options: { force: { type: "boolean" } }, strict: true, allowPositionals: true });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (parsed.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const target = loadConfig().database;
  await restoreDatabase(target, parsed.positionals[0]!, { force: parsed.values.force });
  console.log(
    `Restored ${path.resolve(parsed.positionals[0]!)} into the ${target.kind === "postgres" ? "PostgreSQL" : "embedded PGlite"} database.`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) runCli("db:restore", main);
