// npm run db:backup / db:restore, run as the operator would (the scripts in a
// child process, configured by the environment), for both databases: data
// in, backup, the database wiped, restore, the rows are back. Also the
// refusals that keep a running bot's database safe.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { loadGeography } from "../../src/geography/load-geography.ts";
import { createPostgresDatabase, POSTGRES_ADMIN_URL } from "../support/database.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the CLI scripts the way `npm run` does, with only these database settings. */
function cli(script: "backup" | "restore", args: string[], env: Record<string, string>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: "", DATA_DIR: "", ...env };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", `src/cli/${script}.ts`, ...args],
      { cwd: ROOT, env: childEnv, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A member and a flood request, as the flows leave them. */
async function seed(db: Database): Promise<{ memberId: number; requestId: number }> {
  await loadGeography(db.prisma, { provinceCode: 33 });
  const council = await db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" } });
  await db.prisma.lineUser.create({ data: { id: "U-backup-1" } });
  const member = await db.prisma.member.create({
    data: { lineUserId: "U-backup-1", fullName: "สำรอง ข้อมูล", phone: "0812345678", councilId: council.id },
  });
  const request = await db.prisma.helpRequest.create({
    data: {
      kind: "FLOOD",
      caseNumber: "SSK-F-6911-0001",
      councilId: council.id,
      lineUserId: "U-backup-1",
      memberId: member.id,
      priority: "HIGH",
      peopleCount: 4,
    },
  });
  return { memberId: member.id, requestId: request.id };
}

async function expectSeeded(db: Database, ids: { memberId: number; requestId: number }): Promise<void> {
  expect(await db.prisma.member.findUniqueOrThrow({ where: { id: ids.memberId } })).toMatchObject({
    lineUserId: "U-backup-1",
    fullName: "สำรอง ข้อมูล",
    phone: "0812345678",
  });
  expect(await db.prisma.helpRequest.findUniqueOrThrow({ where: { id: ids.requestId } })).toMatchObject({
    caseNumber: "SSK-F-6911-0001",
    memberId: ids.memberId,
    peopleCount: 4,
  });
  expect(await db.isReady()).toBe(true);
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "clb-backup-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("backup and restore of the embedded PGlite database", () => {
  it("backs up, and restores into an empty DATA_DIR", async () => {
    const dataDir = path.join(work, "data");
    const file = path.join(work, "pglite-backup.tar.gz");
    const db = await openDatabase({ kind: "pglite", dataDir });
    await db.migrate();
    const ids = await seed(db);

    // The bot (here: this test) still has the directory open: refused, no file.
    const busy = await cli("backup", ["--out", file], { DATA_DIR: dataDir });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/in use/);
    expect(existsSync(file)).toBe(false);
    await db.close();

    const made = await cli("backup", ["--out", file], { DATA_DIR: dataDir });
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    expect(existsSync(file)).toBe(true);

    // The disk is lost: a new, empty DATA_DIR.
    await rm(dataDir, { recursive: true, force: true });
    const fresh = path.join(work, "fresh");
    const restored = await cli("restore", [file], { DATA_DIR: fresh });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);

    const back = await openDatabase({ kind: "pglite", dataDir: fresh });
    try {
      await expectSeeded(back, ids);
    } finally {
      await back.close();
    }
  });

  it("restoring over an existing directory keeps the replaced one aside", async () => {
    const dataDir = path.join(work, "over");
    const db = await openDatabase({ kind: "pglite", dataDir });
    await db.migrate();
    const ids = await seed(db);
    await db.close();
    const file = path.join(work, "over.tar.gz");
    expect((await cli("backup", ["--out", file], { DATA_DIR: dataDir })).code).toBe(0);

    // Changed after the backup: the restore brings the backup's state back.
    const changed = await openDatabase({ kind: "pglite", dataDir });
    await changed.prisma.helpRequest.deleteMany({});
    await changed.close();

    const restored = await cli("restore", [file], { DATA_DIR: dataDir });
    expect(restored.code).toBe(0);
    expect((await readdir(dataDir)).filter((n) => n.startsWith("pglite.replaced-"))).toHaveLength(1);
    const back = await openDatabase({ kind: "pglite", dataDir });
    try {
      await expectSeeded(back, ids);
    } finally {
      await back.close();
    }
  });
});

describe("backup and restore of PostgreSQL", () => {
  it("pg_dump, database dropped and created empty, pg_restore", async () => {
    const created = await createPostgresDatabase();
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      const db = await openDatabase({ kind: "postgres", url: created.url });
      await db.migrate();
      const ids = await seed(db);
      await db.close();

      const file = path.join(work, "postgres.dump");
      const made = await cli("backup", ["--out", file], { DATABASE_URL: created.url });
      expect(made.stderr).toBe("");
      expect(made.code).toBe(0);

      // The database is lost: dropped and created again, empty.
      await admin.query(`DROP DATABASE "${created.name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${created.name}"`);

      // A session on it (a bot still running) makes the restore refuse.
      const bot = new pg.Client({ connectionString: created.url });
      await bot.connect();
      const busy = await cli("restore", [file], { DATABASE_URL: created.url });
      await bot.end();
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/stop the bot/);

      const restored = await cli("restore", [file], { DATABASE_URL: created.url });
      expect(restored.stderr).toBe("");
      expect(restored.code).toBe(0);

      const back = await openDatabase({ kind: "postgres", url: created.url });
      try {
        await expectSeeded(back, ids);
      } finally {
        await back.close();
      }
    } finally {
      await admin.end();
      await created.drop();
    }
  });
});
