// Saturation, side by side (issue 13): how many turns per second the shipped
// bot finishes flat out, against a do-nothing echo bot (test/bench/echo-bot.ts)
// driven the same way (64 users in a closed loop: a signed greeting, wait for
// the reply at the same fake LINE API, the next at once) and counted the same
// way (replies received in the window). Runs alternate echo → bot, so
// a machine that gets busier hurts both alike. With --profile the bot also
// writes a V8 CPU profile of its last run, summarised by where the time went.
//
//   npx tsx test/bench/saturation.ts [--seconds=10] [--runs=3] [--dbs=postgres,pglite] [--profile]
//
// Not a test: prints a markdown table. `npm run bench` runs it too
// (runSaturation, always with the profile of the last run: docs/performance.md §8).
import { spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createPostgresDatabase } from "../support/database.ts";
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { FakeLineApi } from "./fake-line-api.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SECRET = randomBytes(16).toString("hex");
const quiet = (s: string) => process.stderr.write(`${s}\n`);

export interface SaturationOptions {
  seconds: number;
  runs: number;
  users: number;
  dbs: readonly ("postgres" | "pglite")[];
  /** The bot's V8 CPU profile of its last run, summarised. */
  profile: boolean;
  say?: (line: string) => void;
}

export interface SaturationResult {
  users: number;
  seconds: number;
  runs: number;
  echo: { turnsPerSec: number[]; p99: number[] };
  bots: { db: "postgres" | "pglite"; turnsPerSec: number[]; p99: number[]; errors: number; profile: { where: string; share: number }[] }[];
}

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

/**
 * Closed loop: `users` users each send one signed greeting, wait for the
 * bot's reply at the fake LINE, and send the next at once, for `seconds`.
 * A turn = a reply received. Open-loop load (autocannon flat out) would
 * measure something else: the acknowledgements crowding out the turns.
 */
async function load(
  line: FakeLineApi,
  url: string,
  seconds: number,
  users: number,
): Promise<{ turnsPerSec: number; p99: number; errors: number }> {
  const waiting = new Map<string, (at: number) => void>();
  line.hooks = {
    onReply(token, _m, at) {
      waiting.get(token)?.(at);
      waiting.delete(token);
    },
  };
  const tag = randomBytes(4).toString("hex");
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const user = async (u: number) => {
    const from = `U${createHash("md5").update(`sat-${u}`).digest("hex")}`;
    while (performance.now() < deadline) {
      n += 1;
      const token = `sat${tag}${n}`;
      const event = {
        type: "message",
        message: { type: "text", id: `m${tag}${n}`, quoteToken: `q${n}`, text: "สวัสดีครับ" },
        webhookEventId: `01SAT${tag}${String(n).padStart(13, "0")}`.slice(0, 26).toUpperCase(),
        deliveryContext: { isRedelivery: false },
        timestamp: Date.now(),
        source: { type: "user", userId: from },
        replyToken: token,
        mode: "active",
      };
      const body = JSON.stringify({ destination: "Ubench", events: [event] });
      const sent = performance.now();
      const replied = new Promise<number>((resolve) => waiting.set(token, resolve));
      const res = await fetch(`${url}/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-line-signature": createHmac("sha256", SECRET).update(body).digest("base64") },
        body,
      }).catch(() => null);
      await res?.arrayBuffer();
      if (res?.status !== 200) {
        errors += 1;
        waiting.delete(token);
        continue;
      }
      const at = await Promise.race([replied, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
      if (at === null) {
        errors += 1;
        continue;
      }
      if (at <= deadline) latencies.push(at - sent);
    }
  };
  await Promise.all(Array.from({ length: users }, (_, u) => user(u)));
  line.hooks = {};
  const sorted = latencies.sort((a, b) => a - b);
  return {
    turnsPerSec: latencies.length / seconds,
    p99: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN,
    errors,
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
    // Prisma's query compiler, and PGlite's PostgreSQL, run as WebAssembly.
    else if (url.startsWith("wasm://")) where = "WebAssembly (Prisma's query compiler; PGlite's PostgreSQL)";
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

export async function runSaturation(o: SaturationOptions): Promise<SaturationResult> {
  const say = o.say ?? quiet;
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
  const result: SaturationResult = { users: o.users, seconds: o.seconds, runs: o.runs, echo: { turnsPerSec: [], p99: [] }, bots: [] };
  try {
    for (let run = 0; run < o.runs; run++) {
      const echo = await spawnServer(["--import", "tsx", "test/bench/echo-bot.ts"], env, /listening (\d+)/);
      await load(line, echo.url, 2, o.users);
      const e = await load(line, echo.url, o.seconds, o.users);
      await echo.stop();
      result.echo.turnsPerSec.push(e.turnsPerSec);
      result.echo.p99.push(e.p99);
      say(`saturation run ${run + 1}: echo ${e.turnsPerSec.toFixed(0)} turns/s (p99 ${e.p99.toFixed(0)} ms, errors ${e.errors})`);
      for (const db of o.dbs) {
        const created = db === "postgres" ? await createPostgresDatabase() : null;
        const dataDir = db === "pglite" ? mkdtempSync(path.join(os.tmpdir(), "saturation-")) : null;
        const profileDir = o.profile && run === o.runs - 1 ? mkdtempSync(path.join(os.tmpdir(), `prof-${db}-`)) : null;
        const args = [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), ...SHIPPED_MAIN];
        const s = await spawnServer(
          args,
          { ...env, ...(created ? { DATABASE_URL: created.url } : { DATA_DIR: dataDir! }) },
          /is up: http:\/\/localhost:(\d+)\//,
        );
        let figures = result.bots.find((b) => b.db === db);
        if (!figures) {
          figures = { db, turnsPerSec: [], p99: [], errors: 0, profile: [] };
          result.bots.push(figures);
        }
        try {
          await load(line, s.url, 2, o.users);
          const b = await load(line, s.url, o.seconds, o.users);
          figures.p99.push(b.p99);
          figures.turnsPerSec.push(b.turnsPerSec);
          figures.errors += b.errors;
          say(
            `saturation run ${run + 1}: bot (${db}) ${b.turnsPerSec.toFixed(0)} turns/s (p99 ${b.p99.toFixed(0)} ms, errors ${b.errors})`,
          );
        } finally {
          await s.stop();
          await created?.drop();
          if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        }
        if (profileDir) {
          const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
          if (file) figures.profile = summariseProfile(path.join(profileDir, file)).slice(0, 12);
          rmSync(profileDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await line.close();
  }
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The medians: turns/s and p99 of the echo bot and of each database's bot. */
export function saturationMedians(r: SaturationResult) {
  const echo = median(r.echo.turnsPerSec);
  return {
    echo,
    echoP99: median(r.echo.p99),
    bots: r.bots.map((b) => ({ db: b.db, turnsPerSec: median(b.turnsPerSec), p99: median(b.p99), ofEcho: median(b.turnsPerSec) / echo })),
  };
}

/** The markdown table (and the profile summaries) of a run. */
export function saturationTable(r: SaturationResult): string[] {
  const m = saturationMedians(r);
  return [
    "| target | turns/s (replies at the fake LINE) | of the echo bot | reply p99 | errors |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| echo bot (express + SDK, reply only) | ${m.echo.toFixed(0)} | 100% | ${m.echoP99.toFixed(0)} ms | – |`,
    ...m.bots.map(
      (b) =>
        `| bot on ${b.db} (\`node ${SHIPPED_MAIN.join(" ")}\`) | ${b.turnsPerSec.toFixed(0)} | ${(b.ofEcho * 100).toFixed(0)}% | ${b.p99.toFixed(0)} ms | ${r.bots.find((x) => x.db === b.db)?.errors ?? 0} |`,
    ),
    "",
    ...r.bots
      .filter((b) => b.profile.length > 0)
      .map(
        (b) =>
          `CPU of the bot on ${b.db} in its last run (busy time by where the code lives): ${b.profile.map((t) => `${t.where} ${(t.share * 100).toFixed(0)}%`).join(", ")}.`,
      ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "10" },
      users: { type: "string", default: "64" },
      runs: { type: "string", default: "3" },
      dbs: { type: "string", default: "postgres,pglite" },
      profile: { type: "boolean", default: false },
    },
  });
  const r = await runSaturation({
    seconds: Number(values.seconds),
    runs: Number(values.runs),
    users: Number(values.users),
    dbs: String(values.dbs).split(",") as ("postgres" | "pglite")[],
    profile: values.profile === true,
  });
  const out = [
    `Saturation, ${r.users} users in a closed loop, ${r.seconds} s per run, median of ${r.runs} (${os.cpus().length} cores, Node ${process.version}):`,
    "",
    ...saturationTable(r),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    quiet(String(error instanceof Error ? error.stack : error));
    process.exit(1);
  });
}
