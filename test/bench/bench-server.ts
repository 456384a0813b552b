// The bot as one server process for the scenario benchmarks (run-all.ts), not
// a test. Like src/main.ts it migrates, loads geography, serves the webhook,
// runs the processor and the background jobs (outbox worker, announcement
// send job, …); unlike it, it takes orders over IPC so the benchmark can
// prepare data inside the process that owns the database (PGlite runs in
// this process, in DATA_DIR or in memory without it):
//
//   tsx test/bench/bench-server.ts pglite | postgres   (postgres: DATABASE_URL)
//
// run-all.ts runs it compiled over dist/ (compiled-server.ts), as `npm start` runs.
//
// Messages: seed, announce, query, kick (wake the jobs), stats, mark (restart peak-RSS sampling),
// stop. Each answer carries the request's id. It exits when its parent goes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { createAnnouncement } from "../../src/announcements/announcement-store.ts";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { loadGeography } from "../../src/geography/load-geography.ts";
import { createLogger, type LogLevel } from "../../src/log.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { countStatements, type StatementCounter } from "./statement-counter.ts";

export type BenchOrder =
  | { type: "seed"; members: number; councils: number; memberPrefix: string; secretaries: string[]; coordinator?: string }
  | { type: "announce"; by: string; text: string; audience: "MEMBERS" | "EVERYONE" }
  | { type: "query"; sql: string; params?: unknown[] }
  | { type: "kick" }
  | { type: "stats" }
  | { type: "mark" }
  | { type: "stop" };
export type BenchRequest = BenchOrder & { id: number };
export type BenchAnswer =
  | { type: "ready"; port: number; startupMs: number }
  | { type: "failed"; error: string }
  | { id: number; type: "ok"; value: unknown }
  | { id: number; type: "error"; error: string };

export interface BenchServerStats {
  rssMb: number;
  /** Highest RSS sampled (every 200 ms) since the last "mark". */
  peakRssMb: number;
  /** The kernel's high-water mark for the whole life of the process (VmHWM). */
  hwmMb: number;
  inbox: Record<string, number>;
  outbox: Record<string, number>;
  logs: Record<string, number>;
}

const kind = process.argv[2];
if (kind !== "pglite" && kind !== "postgres") {
  process.stderr.write("usage: tsx test/bench/bench-server.ts pglite|postgres\n");
  process.exit(2);
}
const send = (m: BenchAnswer) => process.send?.(m);
process.on("disconnect", () => process.exit(1));

const logCounts: Record<string, number> = {};
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
sampler.unref();

function hwmMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function countBy(db: Database, table: string): Promise<Record<string, number>> {
  const rows = await db.sql.query<{ status: string; n: number | string }>(
    `SELECT status::text AS status, count(*) AS n FROM ${table} GROUP BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Members straight into the tables (as if they had signed up), spread over the first `councils` councils of the province. */
async function seed(db: Database, provinceCode: number, r: Extract<BenchOrder, { type: "seed" }>): Promise<{ councilIds: number[] }> {
  const councils = await db.sql.query<{ id: number }>(
    `SELECT c.id FROM council c JOIN tambon t ON t.id = c."tambonId" JOIN district d ON d.id = t."districtId"
     WHERE d."provinceId" = $1 AND c.active ORDER BY c.id LIMIT $2`,
    [provinceCode, r.councils],
  );
  const ids = councils.map((c) => Number(c.id));
  if (ids.length === 0) throw new Error("no councils: geography not loaded?");
  const now = new Date().toISOString();
  // Batches keep each statement (and PGlite's memory for it) small.
  for (let from = 0; from < r.members; from += 20_000) {
    const to = Math.min(r.members, from + 20_000) - 1;
    await db.sql.query(
      `INSERT INTO line_user (id, following, "followedAt", "createdAt")
       SELECT 'U' || md5($1 || g), true, $2::timestamptz, $2::timestamptz FROM generate_series($3::int, $4::int) g`,
      [r.memberPrefix, now, from, to],
    );
    await db.sql.query(
      `INSERT INTO member ("lineUserId", "fullName", phone, "councilId", status, "createdAt", "updatedAt")
       SELECT 'U' || md5($1 || g), 'สมาชิก ' || g, '08' || lpad((g % 100000000)::text, 8, '0'),
              ($5::int[])[1 + g % $6], 'ACTIVE', $2::timestamptz, $2::timestamptz
       FROM generate_series($3::int, $4::int) g`,
      [r.memberPrefix, now, from, to, ids, ids.length],
    );
  }
  await db.transaction(async (tx) => {
    const by = { by: "cli:bench", at: new Date(), via: "CLI" as const };
    for (const [i, secretary] of r.secretaries.entries()) {
      await tx.lineUser.upsert({ where: { id: secretary }, create: { id: secretary }, update: {} });
      await grantRole(tx, secretary, { role: "SECRETARY", level: "COUNCIL", areaId: ids[i % ids.length]! }, by);
    }
    if (r.coordinator) {
      await tx.lineUser.upsert({ where: { id: r.coordinator }, create: { id: r.coordinator }, update: {} });
      await grantRole(tx, r.coordinator, { role: "COORDINATOR", level: "PROVINCE", areaId: provinceCode }, by);
    }
  });
  return { councilIds: ids };
}

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig(process.env);
  const logger = createLogger((process.env.LOG_LEVEL ?? "info") as LogLevel, (line) => {
    const lvl = /"level":"(\w+)"/.exec(line)?.[1] ?? "?";
    logCounts[lvl] = (logCounts[lvl] ?? 0) + 1;
    process.stdout.write(line);
  });
  const db =
    kind === "postgres"
      ? await openDatabase(
          config.database.kind === "postgres"
            ? config.database
            : (() => {
                throw new Error("DATABASE_URL is not set");
              })(),
        )
      : // DATA_DIR: on disk, as `npm start` keeps it (run-all gives a fresh one); without it, in memory.
        await openDatabase(process.env.DATA_DIR ? config.database : { kind: "pglite-memory" });
  await db.migrate();
  await loadGeography(db.prisma, { provinceCode: config.provinceCode });
  const app = createApp({ config, db, logger, jobIntervalMs: Number(process.env.BENCH_JOB_INTERVAL_MS ?? 1_000) });
  const server: Server = createServer(app.http);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  app.processor.start();
  app.jobs.start();
  app.jobs.kick();
  void app.processor.sweep().catch((error) => logger.error("resuming unfinished events failed", { error }));

  let counter: StatementCounter | null = null;
  const handle = async (r: BenchRequest): Promise<unknown> => {
    switch (r.type) {
      case "seed":
        return seed(db, config.provinceCode, r);
      case "announce": {
        const now = new Date();
        const a = await createAnnouncement(
          db.prisma,
          r.by,
          {
            text: r.text,
            photoMessageId: null,
            meetingId: null,
            areas: [{ level: "PROVINCE", areaId: config.provinceCode }],
            audience: r.audience,
            scheduledAt: now,
          },
          now,
        );
        app.jobs.kick();
        return { id: a.id };
      }
      case "query":
        return (await db.sql.query<Record<string, unknown>>(r.sql, r.params)).map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
        );
      case "kick":
        app.jobs.kick();
        return null;
      case "stats":
        return {
          rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
          peakRssMb: Math.round(peakRss / 2 ** 20),
          hwmMb: hwmMb(),
          inbox: await countBy(db, "webhook_event"),
          outbox: await countBy(db, "outbox_message"),
          logs: { ...logCounts },
        } satisfies BenchServerStats;
      case "mark":
        peakRss = process.memoryUsage().rss;
        // BENCH_COUNT_STATEMENTS=1 (PostgreSQL): what the bot sent from here on, printed when it stops.
        if (process.env.BENCH_COUNT_STATEMENTS === "1") counter = countStatements();
        return null;
      case "stop":
        if (counter) {
          const c = counter.counts();
          const top = [...c.byText].sort((a, b) => b[1] - a[1]).slice(0, 40);
          const file = `scratch/bench/statements-${process.argv[2]}-${process.pid}.txt`;
          writeFileSync(
            file,
            `statements ${c.statements}, commits ${c.commits}\n${top.map(([t, n]) => `${String(n).padStart(8)}  ${t}`).join("\n")}\n`,
          );
        }
        server.closeAllConnections();
        server.close();
        await Promise.race([app.processor.drain(), new Promise((res) => setTimeout(res, 5_000).unref())]);
        await app.jobs.stop();
        await db.close();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  process.on("message", (r: BenchRequest) => {
    handle(r).then(
      (value) => send({ id: r.id, type: "ok", value }),
      (error: unknown) => send({ id: r.id, type: "error", error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  send({ type: "ready", port: (server.address() as AddressInfo).port, startupMs: Math.round(performance.now() - started) });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  send({ type: "failed", error: String(error) });
  process.exit(1);
});
