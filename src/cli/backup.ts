// npm run db:backup -- [--out <file>]: a backup of the configured database
// (docs/backup.md).
//  - PostgreSQL (DATABASE_URL): pg_dump's custom format. pg_dump reads one
//    consistent snapshot, so the bot may keep running.
//  - Embedded PGlite (DATA_DIR): PGlite's own dump of its data directory, a
//    .tar.gz. The directory belongs to one process: stop the bot first. A
//    directory in use is refused (its postmaster.pid exists while it is
//    open; after a crash the file stays behind: --force then).
// The password never goes on a command line (visible in `ps`): it travels in
// PGPASSWORD. Exit codes: 0 done, 1 failure, 2 bad usage.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { loadConfig, type Config } from "../config.ts";
import { runCli } from "./run-cli.ts";

export type BackupTarget = Config["database"];

/** The PGlite files of a data directory (what src/db/database.ts opens). */
export const pgliteDir = (dataDir: string) => path.resolve(dataDir, "pglite");

/** Refuses a PGlite directory some process has open. */
export function assertPGliteNotInUse(dir: string, force: boolean): void {
  if (force || !existsSync(path.join(dir, "postmaster.pid"))) return;
  throw new Error(
    `${dir} is in use (postmaster.pid exists): stop the bot first. ` +
      "If it is stopped and crashed earlier, the file is stale: run again with --force.",
  );
}

/** libpq's environment for a URL, so no secret is on the command line. */
export function libpqEnv(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { dbname: u.toString(), env };
}

/** Runs a PostgreSQL client program; rejects with its stderr on failure. */
export function runPgTool(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(`${program} is not on PATH (Debian: apt-get install postgresql-client)`) : error),
    );
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}: ${stderr.trim().slice(0, 2_000)}`)),
    );
  });
}

function defaultFile(target: BackupTarget, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return path.resolve("backups", target.kind === "postgres" ? `council-postgres-${stamp}.dump` : `council-pglite-${stamp}.tar.gz`);
}

/** Writes a backup of `target` to `file` (via a temporary name: a half-written file never looks finished). */
export async function backupDatabase(
  target: BackupTarget,
  file: string,
  options: { force?: boolean } = {},
): Promise<{ file: string; bytes: number }> {
  const out = path.resolve(file);
  await mkdir(path.dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  if (target.kind === "postgres") {
    const { dbname, env } = libpqEnv(target.url);
    await runPgTool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", `--file=${partial}`, `--dbname=${dbname}`], env);
  } else {
    const dir = pgliteDir(target.dataDir);
    if (!existsSync(path.join(dir, "PG_VERSION"))) throw new Error(`${dir} holds no database`);
    assertPGliteNotInUse(dir, options.force === true);
    const db = await PGlite.create(dir);
    try {
      const dump = await db.dumpDataDir("gzip");
      await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    } finally {
      await db.close();
    }
  }
  await rename(partial, out);
  return { file: out, bytes: (await stat(out)).size };
}

const USAGE = "Usage: npm run db:backup -- [--out <file>] [--force]";

async function main(): Promise<number> {
  let values: { out?: string; force?: boolean };
  try {
    ({ values } = parseArgs({ options: { out: { type: "string" }, force: { type: "boolean" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const target = loadConfig().database;
  const { file, bytes } = await backupDatabase(target, values.out ?? defaultFile(target), { force: values.force });
  console.log(`Backup of the ${target.kind === "postgres" ? "PostgreSQL" : "embedded PGlite"} database written: ${file} (${bytes} bytes)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) runCli("db:backup", main);
