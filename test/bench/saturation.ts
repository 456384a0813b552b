// Saturation, side by side (issue 13): how many turns per second the shipped
// bot finishes flat out, against a do-nothing echo bot (test/bench/echo-bot.ts)
// driven by the same load generator (autocannon, 50 connections, one signed
// greeting per request: greetings.ts) and answered by the same fake LINE API.
// "Processed" = replies the fake LINE received during the measured window,
// for both, so both are counted the same way. Runs alternate echo → bot, so
// a machine that gets busier hurts both alike. With --profile the bot also
// writes a V8 CPU profile of its last run, summarised by where the time went.
//
//   npx tsx test/bench/saturation.ts [--seconds=10] [--runs=3] [--dbs=postgres,pglite] [--profile]
//
// Not a test: prints a markdown table (docs/performance.md §6 quotes it).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { autocannon } from "./conversations.ts";
import { createPostgresDatabase } from "../support/database.ts";
import { FakeLineApi } from "./fake-line-api.ts";
import { greetingSetup } from "./greetings.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "3" },
    dbs: { type: "string", default: "postgres,pglite" },
    profile: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const DBS = String(values.dbs).split(",") as ("postgres" | "pglite")[];
const SECRET = randomBytes(16).toString("hex");
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Server {
  url: string;
  stop(): Promise<void>;
}

function spawnServer(args: string[], env: Record<string, string>, ready: RegExp): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      for (const line of c.toString("utf8").split("\n").filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        const m = ready.exec(line);
        if (m)
          resolve({
            url: `http://127.0.0.1:${m[1]}`,
            stop: async () => {
              if (child.exitCode !== null) return;
              child.kill("SIGTERM");
              const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
              await exited;
              clearTimeout(kill);
            },
          });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code}):\n${tail.join("\n")}`)));
  });
}

async function load(
  line: FakeLineApi,
  url: string,
  seconds: number,
): Promise<{ ackPerSec: number; processedPerSec: number; errors: number }> {
  const before = line.counts.replies;
  const started = performance.now();
  let acked = 0;
  const result = await new Promise<{ errors: number; timeouts: number; non2xx: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: 50,
        duration: seconds,
        timeout: 10,
        requests: [{ method: "POST", path: "/webhook", setupRequest: greetingSetup(SECRET, randomBytes(4).toString("hex")) as never }],
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on("response", (_c: unknown, status: number) => {
      if (status >= 200 && status < 300) acked += 1;
    });
  });
  const elapsed = (performance.now() - started) / 1000;
  return {
    ackPerSec: acked / elapsed,
    processedPerSec: (line.counts.replies - before) / elapsed,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Self time of a V8 CPU profile by where the code lives: a package, a folder of the bot, node, GC. */
function summariseProfile(file: string): { where: string; share: number }[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: { id: number; callFrame: { url: string; functionName: string }; hitCount?: number }[];
  };
  const by = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { url, functionName } = node.callFrame;
    let where: string;
    if (functionName === "(idle)") continue;
    if (functionName === "(garbage collector)") where = "GC";
    else if (functionName === "(program)") where = "V8/native (program)";
    else if (url.startsWith("node:")) where = "node internals";
    else if (url.includes("/node_modules/")) {
      const rest = url.split("/node_modules/").at(-1)!.split("/");
      where = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
      if (where.startsWith(".prisma") || url.includes("/src/generated/")) where = "@prisma/client";
    } else if (url.includes("/dist/")) {
      const rest = url.split("/dist/").at(-1)!.split("/");
      where = rest.length > 1 ? `bot: ${rest[0]}/` : `bot: ${rest[0]}`;
      if (rest[0] === "generated") where = "@prisma/client (generated)";
    } else where = url ? "other" : "V8/native";
    by.set(where, (by.get(where) ?? 0) + hits);
    total += hits;
  }
  return [...by.entries()].map(([where, n]) => ({ where, share: n / total })).sort((a, b) => b.share - a.share);
}

async function main(): Promise<void> {
  const line = await FakeLineApi.start();
  const env = {
    LINE_CHANNEL_SECRET: SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token",
    LINE_API_BASE_URL: line.url,
    LINE_DATA_API_BASE_URL: line.url,
    PUBLIC_BASE_URL: "https://bot.example.test",
    LOG_LEVEL: "info",
    PUSH_QUOTA_MONTHLY: "0",
    PORT: "0",
  };
  const rows: string[] = [];
  let profileDir: string | null = null;
  const echoRuns: number[] = [];
  const bot: Record<string, { ack: number[]; processed: number[] }> = {};
  for (let run = 0; run < RUNS; run++) {
    const echo = await spawnServer(["--import", "tsx", "test/bench/echo-bot.ts"], env, /listening (\d+)/);
    await load(line, echo.url, 2);
    const e = await load(line, echo.url, SECONDS);
    await echo.stop();
    echoRuns.push(e.processedPerSec);
    say(`run ${run + 1}: echo ${e.processedPerSec.toFixed(0)} replies/s (ack ${e.ackPerSec.toFixed(0)}/s, errors ${e.errors})`);
    for (const db of DBS) {
      const created = db === "postgres" ? await createPostgresDatabase() : null;
      const dataDir = db === "pglite" ? mkdtempSync(path.join(os.tmpdir(), "saturation-")) : null;
      const last = run === RUNS - 1;
      if (values.profile && last) profileDir = mkdtempSync(path.join(os.tmpdir(), `prof-${db}-`));
      const args = [...(profileDir && last ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), "dist/main.js"];
      const s = await spawnServer(
        args,
        { ...env, ...(created ? { DATABASE_URL: created.url } : { DATA_DIR: dataDir! }) },
        /is up: http:\/\/localhost:(\d+)\//,
      );
      try {
        await load(line, s.url, 2);
        const b = await load(line, s.url, SECONDS);
        const figures = bot[db] ?? { ack: [], processed: [] };
        bot[db] = figures;
        figures.ack.push(b.ackPerSec);
        figures.processed.push(b.processedPerSec);
        say(`run ${run + 1}: bot (${db}) ${b.processedPerSec.toFixed(0)} turns/s (ack ${b.ackPerSec.toFixed(0)}/s, errors ${b.errors})`);
      } finally {
        await s.stop();
        await created?.drop();
      }
      if (profileDir && last) {
        const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
        if (file) {
          say(`profile (${db}): ${path.join(profileDir, file)}`);
          const top = summariseProfile(path.join(profileDir, file)).slice(0, 12);
          rows.push(
            `CPU (${db} bot, busy time by where the code lives): ${top.map((t) => `${t.where} ${(t.share * 100).toFixed(0)}%`).join(", ")}`,
          );
        }
      }
    }
  }
  await line.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const echoMedian = median(echoRuns);
  const out = [
    `Saturation, ${SECONDS} s per run, median of ${RUNS} (${os.cpus().length} cores, Node ${process.version}):`,
    "",
    "| target | processed/s (replies at the fake LINE) | of the echo bot | ack/s |",
    "| --- | ---: | ---: | ---: |",
    `| echo bot (express + SDK, reply only) | ${echoMedian.toFixed(0)} | 100% | |`,
    ...Object.entries(bot).map(
      ([db, r]) =>
        `| bot on ${db} (\`node dist/main.js\`) | ${median(r.processed).toFixed(0)} | ${((median(r.processed) / echoMedian) * 100).toFixed(0)}% | ${median(r.ack).toFixed(0)} |`,
    ),
    "",
    ...rows,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}

main().catch((error: unknown) => {
  say(String(error instanceof Error ? error.stack : error));
  process.exit(1);
});
