// Webhook acknowledgement benchmark (a script, not a test: vitest only runs
// test/**/*.test.ts). `npm run bench:ack` or `npx tsx test/bench/ack-benchmark.ts`.
//
// Measures, for a stream of signed LINE text-message events (one event per
// request, a unique webhookEventId each, users drawn from a pool of 1,000):
//   baseline      express 5 + @line/bot-sdk middleware, a handler that only
//                 answers 200 — the ceiling for this machine;
//   bot-pglite    the bot's real app on embedded PGlite (in memory by default;
//                 --pglite-disk uses a temporary DATA_DIR), geography loaded;
//   bot-postgres  the same on a fresh PostgreSQL database, dropped at the end.
// The bots run as in production: events are stored before the 200 and
// processed after it by the processor (sweeper on, EVENT_CONCURRENCY as
// configured), whose outgoing LINE calls go to a fake LINE API on 127.0.0.1
// that answers 200 `{}`.
//
// Each target is measured twice, each --runs times after a warm-up, and the
// report gives the median of each figure over the runs:
//   1. at 200 events/s (autocannon overallRate, 10 connections): p50/p99;
//   2. at max throughput (50 connections): acks/s, p50/p99.
// The 200/s runs go first, and the inbox is given a few seconds to drain
// after each; the max runs leave a backlog (the processor is slower than the
// acks), which is what overload looks like in production too. Per run the
// report also says how fast the bot finished events and how much CPU each
// process used, including "other" processes: this machine is shared, and a
// run with other load is flagged (before each run we wait, bounded, for
// other processes to go quiet).
//
// Latency is time-to-200 as autocannon's client sees it (request written →
// response complete), kept per request in fractional ms. Note that
// autocannon's overallRate is not a smooth 200/s: each connection sends its
// share (20) back to back at the start of every second, so the 200/s figures
// are for bursts of 10 concurrent requests.
//
// Every server (the target and the fake LINE API) is its own process, forked
// from test/bench/ack-server.ts; this process only generates load, so neither
// side's event loop slows the other. Children exit when this process goes
// away; the database is dropped and temporary files removed on every exit
// path short of SIGKILL. The run is bounded (about 3.5 minutes by default).
//
// Options:
//   --write[=FILE]     also write the report (Markdown + JSON) to
//                      docs/benchmarks/ack.md (or FILE); default: print only
//   --runs=N           measured runs per measurement (3)
//   --duration=S       seconds per measured run (8)
//   --warmup=S         seconds of warm-up before each measurement (2)
//   --targets=a,b      any of baseline,pglite,postgres (all)
//   --pglite-disk      bot-pglite on a temporary DATA_DIR instead of memory
//   --concurrency=N    EVENT_CONCURRENCY for the bots (default: the app's, 8)
//   --line-latency=MS  the fake LINE API answers after MS ms (0): LINE's real
//                      round trip, which the processor waits for per event
//   --no-processing    diagnostic: the bots only store events (processor off),
//                      to see what the acknowledgement path costs by itself
//   --quiet-wait=S     before each run, wait up to S s for other processes
//                      to use < 0.25 core (3; 0 turns it off; 20 s in all)
//   --cpu-prof[=DIR]   profile the bot server processes (default scratch/prof)
//   --max-connections=N, --rate=N, --rate-connections=N   (50, 200, 10)
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { EventEmitter } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase } from "../support/database.ts";
import type { FromServer, ServerStats, ServerTarget, ToServer } from "./ack-server.ts";

// --- options -----------------------------------------------------------------

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

const KNOWN_OPTIONS = [
  "write",
  "runs",
  "duration",
  "warmup",
  "targets",
  "pglite-disk",
  "concurrency",
  "no-processing",
  "line-latency",
  "quiet-wait",
  "cpu-prof",
  "max-connections",
  "rate",
  "rate-connections",
];
for (const arg of process.argv.slice(2)) {
  const name = arg.replace(/^--/, "").split("=")[0]!;
  if (!arg.startsWith("--") || !KNOWN_OPTIONS.includes(name)) {
    process.stderr.write(`Unknown argument ${arg}. Options: ${KNOWN_OPTIONS.map((k) => `--${k}`).join(" ")}\n`);
    process.exit(2);
  }
}

function option(name: string): string | true | undefined {
  for (const arg of process.argv.slice(2)) {
    if (arg === `--${name}`) return true;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}
function numberOption(name: string, fallback: number, min = 1): number {
  const v = option(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < min) throw new Error(`--${name} needs a number ≥ ${min}`);
  return n;
}

const RUNS = numberOption("runs", 3);
const DURATION_S = numberOption("duration", 8);
const WARMUP_S = numberOption("warmup", 2);
const MAX_CONNECTIONS = numberOption("max-connections", 50);
const RATE = numberOption("rate", 200);
const RATE_CONNECTIONS = numberOption("rate-connections", 10);
const QUIET_WAIT_S = numberOption("quiet-wait", 3, 0);
const QUIET_WAIT_TOTAL_S = 20;
const NO_PROCESSING = option("no-processing") === true;
const LINE_LATENCY_MS = numberOption("line-latency", 0, 0);
const CONCURRENCY = option("concurrency") === undefined ? undefined : numberOption("concurrency", 8);
const PGLITE_DISK = option("pglite-disk") === true;
const writeOpt = option("write");
const WRITE_TO = writeOpt === undefined ? null : writeOpt === true ? path.join(ROOT, "docs/benchmarks/ack.md") : path.resolve(writeOpt);
const profOpt = option("cpu-prof");
const PROF_DIR = profOpt === undefined ? null : profOpt === true ? path.join(ROOT, "scratch/prof") : path.resolve(profOpt);

type Target = "baseline" | "bot-pglite" | "bot-postgres";
const ALL_TARGETS: Target[] = ["baseline", "bot-pglite", "bot-postgres"];
const targetsOpt = option("targets");
const TARGETS: Target[] =
  typeof targetsOpt === "string"
    ? targetsOpt.split(",").map((t) => {
        const name = (t.startsWith("bot-") || t === "baseline" ? t : `bot-${t}`) as Target;
        if (!ALL_TARGETS.includes(name)) throw new Error(`unknown target ${t}`);
        return name;
      })
    : ALL_TARGETS;

/** The targets: acks/s relative to the baseline, and p99 at 200/s. */
const RATIO_TARGET = 0.5;
const P99_TARGET_MS = 50;
/** How long the inbox may take to drain after a 200/s run before we go on. */
const DRAIN_LIMIT_MS = 4_000;
/** Other processes may use this much CPU (in cores) and the machine still counts as quiet. */
const QUIET_OTHER_CORES = 0.25;

// The whole run is bounded: a run that overruns its plan is stopped (and
// cleaned up) at the deadline, and runs that would not fit are skipped.
const perTargetS = 2 * (WARMUP_S + RUNS * (DURATION_S + 1.5)) + 8;
const PLANNED_S = TARGETS.length * perTargetS + (TARGETS.length - 1) * ((RUNS * DRAIN_LIMIT_MS) / 1000 + 5) + QUIET_WAIT_TOTAL_S;
const DEADLINE_S = Math.max(120, PLANNED_S + 30);

// --- autocannon (CommonJS, and the project has no type declarations for it) ---

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface RequestData {
  headers: Record<string, string>;
  body: Buffer | string;
  [key: string]: unknown;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  ignoreCoordinatedOmission?: boolean;
  timeout: number;
  requests: { method: "POST"; path: string; setupRequest: (req: RequestData) => RequestData }[];
}
interface AutocannonInstance extends EventEmitter {
  stop(): void;
}
type Autocannon = (opts: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

// --- the events --------------------------------------------------------------

const CHANNEL_SECRET = randomBytes(16).toString("hex");
const USERS = Array.from({ length: 1_000 }, (_, i) => `U${createHash("md5").update(`bench-user-${i}`).digest("hex")}`);
const DESTINATION = `U${createHash("md5").update("bench-bot").digest("hex")}`;
// Everyday greetings: no flow's keyword, so each is answered with the menu
// (the bot's common idle path) and no conversation is started.
const TEXTS = ["สวัสดีครับ", "สวัสดีค่ะ", "ขอบคุณครับ", "hello", "ดีจ้า"];

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
function base32(n: number, width: number): string {
  let s = "";
  for (let i = 0; i < width; i++) {
    s = CROCKFORD[n % 32]! + s;
    n = Math.floor(n / 32);
  }
  return s;
}
const RUN_TAG = base32(randomBytes(4).readUInt32BE(0), 6);
let sequence = 0;

/** 26 Crockford base-32 characters like a ULID: time, this run, a counter. */
function eventId(now: number): string {
  return `${base32(now, 10)}${RUN_TAG}${base32(sequence, 10)}`;
}

function nextBody(): Buffer {
  sequence += 1;
  const now = Date.now();
  const id = eventId(now);
  const event = {
    type: "message",
    message: { type: "text", id: String(500_000_000_000_000 + sequence), quoteToken: `q${id}`, text: TEXTS[sequence % TEXTS.length] },
    webhookEventId: id,
    deliveryContext: { isRedelivery: false },
    timestamp: now,
    source: { type: "user", userId: USERS[Math.floor(Math.random() * USERS.length)]! },
    replyToken: sequence.toString(16).padStart(32, "0"),
    mode: "active",
  };
  return Buffer.from(JSON.stringify({ destination: DESTINATION, events: [event] }), "utf8");
}

function sign(body: Buffer): string {
  return createHmac("sha256", CHANNEL_SECRET).update(body).digest("base64");
}

/** A fresh event, signed over its exact bytes, for every request autocannon sends. */
function setupRequest(req: RequestData): RequestData {
  const body = nextBody();
  req.body = body;
  req.headers = { ...req.headers, "content-type": "application/json; charset=utf-8", "x-line-signature": sign(body) };
  return req;
}

// --- cleanup -----------------------------------------------------------------

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;

function onCleanup(name: string, run: () => Promise<void>): void {
  cleanups.push({ name, run });
}

function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const { name, run } = cleanups.pop()!;
      const limit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), 15_000).unref());
      await Promise.race([run(), limit]).catch((error: unknown) =>
        process.stderr.write(`cleanup "${name}" failed: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    }
  })();
  return cleaning;
}

let activeLoad: AutocannonInstance | null = null;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping and cleaning up…\n`);
    activeLoad?.stop();
    void cleanupAll().finally(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  process.stderr.write(`\nThe run passed its ${Math.round(DEADLINE_S)} s bound: stopping and cleaning up.\n`);
  activeLoad?.stop();
  void cleanupAll().finally(() => process.exit(1));
}, DEADLINE_S * 1000);
deadline.unref();

// --- CPU accounting (Linux /proc) ----------------------------------------------
// Which processes used the two cores during a run: this load generator, the
// server, the fake LINE API, the PostgreSQL backends serving our database,
// and everything else on the machine ("other").

const TICKS_PER_S = 100; // USER_HZ on Linux

function machineTicks(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - fields[3]! - fields[4]!, total };
  } catch {
    return null;
  }
}

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime, all threads
  } catch {
    return null;
  }
}

/** PostgreSQL backends connected to `dbName` ("postgres: user db host(port) state"). */
function postgresBackends(dbName: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.startsWith("postgres:") && cmd.includes(` ${dbName} `)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

interface CpuRoles {
  loadgen: number;
  server: number;
  fakeLine: number;
  postgres: number;
}
/** Cores used (1 = one core busy the whole time) by role, and by everything else. */
type CpuUse = CpuRoles & { other: number; machine: number };

class CpuMeter {
  private readonly t0 = performance.now();
  private readonly machine0 = machineTicks();
  private readonly start: Map<number, number>;

  constructor(private readonly who: () => { roles: Omit<CpuRoles, "postgres">; dbName?: string }) {
    this.start = this.snapshot();
  }

  private pids(): Map<number, keyof CpuRoles> {
    const { roles, dbName } = this.who();
    const out = new Map<number, keyof CpuRoles>();
    for (const [role, pid] of Object.entries(roles)) if (pid) out.set(pid, role as keyof CpuRoles);
    if (dbName) for (const pid of postgresBackends(dbName)) out.set(pid, "postgres");
    return out;
  }

  private snapshot(): Map<number, number> {
    const m = new Map<number, number>();
    for (const pid of this.pids().keys()) {
      const t = processTicks(pid);
      if (t !== null) m.set(pid, t);
    }
    return m;
  }

  read(): CpuUse | null {
    const machine1 = machineTicks();
    if (!this.machine0 || !machine1) return null;
    const seconds = (performance.now() - this.t0) / 1000;
    const cores = (ticks: number) => ticks / TICKS_PER_S / seconds;
    const use: CpuRoles = { loadgen: 0, server: 0, fakeLine: 0, postgres: 0 };
    for (const [pid, role] of this.pids()) {
      const t = processTicks(pid);
      if (t !== null) use[role] += cores(t - (this.start.get(pid) ?? 0));
    }
    const busyShare = (machine1.busy - this.machine0.busy) / Math.max(1, machine1.total - this.machine0.total);
    const machine = busyShare * os.cpus().length;
    const ours = use.loadgen + use.server + use.fakeLine + use.postgres;
    return { ...use, machine, other: Math.max(0, machine - ours) };
  }
}

// --- server processes ----------------------------------------------------------

interface ServerProcess {
  pid: number;
  port: number;
  startupMs: number;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
  /** The last lines it printed (for errors). */
  tail(): string;
}

async function startServer(target: ServerTarget, env: Record<string, string | undefined>, profile: boolean): Promise<ServerProcess> {
  const execArgv = [...process.execArgv];
  if (profile && PROF_DIR) {
    // One directory per server: the main thread and tsx's loader thread each
    // write a profile, and a fixed file name would let one overwrite the other.
    const dir = path.join(PROF_DIR, `${target}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    await mkdir(dir, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) childEnv[k] = v;
  const child: ChildProcess = fork(path.join(HERE, "ack-server.ts"), [target], {
    cwd: ROOT,
    env: childEnv,
    execArgv,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));

  const stop = async () => {
    if (!alive) return;
    if (child.connected) child.send({ type: "stop" } satisfies ToServer);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  onCleanup(`${target} server (pid ${child.pid})`, stop);

  const ready = await new Promise<Extract<FromServer, { type: "ready" }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${target} server did not start in 90 s`)), 90_000);
    child.on("message", (m: FromServer) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === "failed") {
        clearTimeout(timer);
        reject(new Error(`${target} server failed: ${m.error}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${target} server exited (${code}) before it was ready:\n${lines.join("\n")}`));
    });
  });

  return {
    pid: child.pid!,
    port: ready.port,
    startupMs: ready.startupMs,
    stop,
    tail: () => lines.join("\n"),
    stats: () =>
      new Promise<ServerStats>((resolve, reject) => {
        if (!alive || !child.connected) return reject(new Error(`${target} server is not running:\n${lines.join("\n")}`));
        const timer = setTimeout(() => reject(new Error(`${target} server did not answer stats`)), 30_000);
        const onMessage = (m: FromServer) => {
          if (m.type !== "stats" && m.type !== "failed") return;
          clearTimeout(timer);
          child.off("message", onMessage);
          if (m.type === "stats") resolve(m.stats);
          else reject(new Error(m.error));
        };
        child.on("message", onMessage);
        child.send({ type: "stats" } satisfies ToServer);
      }),
  };
}

// --- measuring ---------------------------------------------------------------

interface Run {
  ackPerSec: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  /** non-2xx answers, socket errors and timeouts */
  errors: number;
  statusCodes: Record<string, number>;
  cpu: CpuUse | null;
  /** Seconds spent waiting for other processes to go quiet, and whether they did. */
  quietWaitS: number;
  quiet: boolean;
  /** Inbox events finished (DONE/FAILED) per second during the run (bots). */
  processedPerSec?: number;
  /** Events stored but not yet answered when the run ended (bots). */
  backlogAfter?: number;
  /** Time the inbox took to empty after a 200/s run, up to the limit (bots). */
  drainMs?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

type LoadResult = Omit<Run, "cpu" | "quietWaitS" | "quiet">;

async function load(port: number, mode: "max" | "rate", seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: mode === "max" ? MAX_CONNECTIONS : RATE_CONNECTIONS,
        duration: seconds,
        // With a rate set, autocannon "corrects" for coordinated omission with
        // an expected interval of ceil(1/rate) = 1 ms, adding a made-up sample
        // per millisecond of each response; we turn that off and keep our own
        // samples (fractional ms) anyway.
        ...(mode === "rate" ? { overallRate: RATE, ignoreCoordinatedOmission: true } : {}),
        timeout: 10,
        requests: [{ method: "POST", path: "/webhook", setupRequest }],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    activeLoad = instance;
    // Time to the answer of every 2xx, from autocannon's own timer.
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  activeLoad = null;
  const sorted = Float64Array.from(latencies).sort();
  return {
    ackPerSec: latencies.length / (result.duration || seconds),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    ok: latencies.length,
    errors: result.non2xx + result.errors + result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, v]) => [code, v.count])),
  };
}

const finished = (s: ServerStats) => (s.inbox?.DONE ?? 0) + (s.inbox?.FAILED ?? 0);
const pending = (s: ServerStats) => (s.inbox?.RECEIVED ?? 0) + (s.inbox?.HANDLED ?? 0);

async function waitForDrain(server: ServerProcess, limitMs: number): Promise<{ ms: number; left: number }> {
  const start = performance.now();
  for (;;) {
    const s = await server.stats();
    const left = pending(s);
    const ms = performance.now() - start;
    if (left === 0 || ms >= limitMs) return { ms, left };
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let quietWaitedS = 0;
/** Waits (bounded) until processes other than ours use < QUIET_OTHER_CORES. */
async function waitForQuiet(who: ConstructorParameters<typeof CpuMeter>[0]): Promise<{ waitedS: number; quiet: boolean }> {
  const start = performance.now();
  if (QUIET_WAIT_S <= 0) return { waitedS: 0, quiet: true };
  for (;;) {
    const meter = new CpuMeter(who);
    await sleep(500);
    const use = meter.read();
    const waitedS = (performance.now() - start) / 1000;
    const budgetLeft = QUIET_WAIT_TOTAL_S - quietWaitedS - waitedS;
    if (!use || use.other < QUIET_OTHER_CORES || waitedS >= QUIET_WAIT_S || budgetLeft <= 0) {
      quietWaitedS += waitedS;
      return { waitedS, quiet: !use || use.other < QUIET_OTHER_CORES };
    }
  }
}

/** One request each way first, so we never benchmark 401s. */
async function checkSignatureHandling(port: number): Promise<void> {
  const body = nextBody();
  const post = (signature: string) =>
    fetch(`http://127.0.0.1:${port}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "x-line-signature": signature },
      body,
    });
  const good = await post(sign(body));
  if (good.status !== 200) throw new Error(`a correctly signed event got ${good.status}: ${await good.text()}`);
  const bad = await post(sign(Buffer.from("something else")));
  await bad.arrayBuffer();
  if (bad.status === 200) throw new Error("a wrongly signed event got 200: the signature is not checked");
}

interface TargetResult {
  target: Target;
  startupMs: number;
  rate: Run[];
  max: Run[];
  logs?: Record<string, number>;
  inboxAtEnd?: Record<string, number>;
  skipped?: string;
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const started = performance.now();
const elapsedS = () => (performance.now() - started) / 1000;
const say = (line: string) => process.stderr.write(`[${elapsedS().toFixed(0).padStart(3)} s] ${line}\n`);
const cores = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(2));
/** Other processes took a noticeable share of the machine during (or just before) the run. */
const busy = (run: Run) => !run.quiet || (run.cpu !== null && run.cpu.other >= QUIET_OTHER_CORES);

async function measureTarget(target: Target, fakeLine: ServerProcess): Promise<TargetResult> {
  const fakeLineUrl = `http://127.0.0.1:${fakeLine.port}`;
  const env: Record<string, string | undefined> = {
    LINE_CHANNEL_SECRET: CHANNEL_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token",
    LINE_API_BASE_URL: fakeLineUrl,
    LINE_DATA_API_BASE_URL: fakeLineUrl,
    PUBLIC_BASE_URL: "https://bot.example.test",
    LOG_LEVEL: "info",
    EVENT_CONCURRENCY: CONCURRENCY === undefined ? undefined : String(CONCURRENCY),
    BENCH_NO_PROCESSING: NO_PROCESSING ? "1" : undefined,
    DATABASE_URL: undefined,
    BENCH_PGLITE_DIR: undefined,
    PORT: undefined,
  };
  let serverTarget: ServerTarget = "baseline";
  let dbName: string | undefined;
  if (target === "bot-pglite") {
    serverTarget = "pglite";
    if (PGLITE_DISK) {
      const dir = await mkdtemp(path.join(os.tmpdir(), "ack-bench-pglite-"));
      onCleanup(`temporary DATA_DIR ${dir}`, () => rm(dir, { recursive: true, force: true }));
      env.BENCH_PGLITE_DIR = dir;
    }
  } else if (target === "bot-postgres") {
    serverTarget = "postgres";
    const created = await createPostgresDatabase();
    onCleanup(`database ${created.name}`, created.drop);
    env.DATABASE_URL = created.url;
    dbName = created.name;
    say(`created database ${created.name}`);
  }
  say(`${target}: starting the server`);
  const server = await startServer(serverTarget, env, serverTarget !== "baseline");
  const bot = serverTarget !== "baseline";
  say(`${target}: up on port ${server.port} in ${server.startupMs} ms`);
  const who = () => ({ roles: { loadgen: process.pid, server: server.pid, fakeLine: fakeLine.pid }, dbName });
  const out: TargetResult = { target, startupMs: server.startupMs, rate: [], max: [] };
  try {
    await checkSignatureHandling(server.port);
    if (bot && !NO_PROCESSING) {
      const drained = await waitForDrain(server, 10_000);
      if (drained.left > 0) throw new Error(`the bot did not process the check event:\n${server.tail()}`);
    }

    for (const mode of ["rate", "max"] as const) {
      const label = mode === "rate" ? `${RATE}/s, ${RATE_CONNECTIONS} connections` : `max, ${MAX_CONNECTIONS} connections`;
      say(`${target}: warm-up ${WARMUP_S} s (${label})`);
      await load(server.port, mode, WARMUP_S);
      if (bot && mode === "rate") await waitForDrain(server, DRAIN_LIMIT_MS);
      for (let i = 0; i < RUNS; i++) {
        if (elapsedS() + DURATION_S + 15 > DEADLINE_S) {
          out.skipped = `stopped before ${mode} run ${i + 1}: the run's time bound`;
          say(`${target}: ${out.skipped}`);
          return out;
        }
        const quiet = await waitForQuiet(who);
        const before = bot ? await server.stats() : undefined;
        const t0 = performance.now();
        const meter = new CpuMeter(who);
        const loaded = await load(server.port, mode, DURATION_S);
        const run: Run = { ...loaded, cpu: meter.read(), quietWaitS: quiet.waitedS, quiet: quiet.quiet };
        if (bot && before) {
          const after = await server.stats();
          run.processedPerSec = (finished(after) - finished(before)) / ((performance.now() - t0) / 1000);
          run.backlogAfter = pending(after);
          // Let a 200/s run's backlog drain before the next run, unless it
          // plainly cannot (the processor is slower than the offered rate).
          const hopeless = NO_PROCESSING || run.backlogAfter > run.processedPerSec * (DRAIN_LIMIT_MS / 1000) * 2;
          if (mode === "rate" && !hopeless) run.drainMs = Math.round((await waitForDrain(server, DRAIN_LIMIT_MS)).ms);
        }
        (mode === "rate" ? out.rate : out.max).push(run);
        say(
          `${target}: ${mode} run ${i + 1}/${RUNS}: ${run.ackPerSec.toFixed(0)} ack/s, p50 ${run.p50.toFixed(1)} ms, ` +
            `p99 ${run.p99.toFixed(1)} ms, errors ${run.errors}` +
            (run.backlogAfter !== undefined ? `, processed ${run.processedPerSec!.toFixed(0)}/s, backlog ${run.backlogAfter}` : "") +
            `; cores: server ${cores(run.cpu?.server)}, load ${cores(run.cpu?.loadgen)}, pg ${cores(run.cpu?.postgres)}, other ${cores(run.cpu?.other)}` +
            (busy(run) ? " (machine NOT quiet)" : ""),
        );
      }
    }
    if (bot) {
      const s = await server.stats();
      out.logs = s.logs;
      out.inboxAtEnd = s.inbox;
    }
    return out;
  } catch (error) {
    process.stderr.write(`${target} server output (last lines):\n${server.tail()}\n`);
    throw error;
  } finally {
    await server.stop();
  }
}

// --- report ------------------------------------------------------------------

/** The code measured: the last commit that changed src/ or prisma/, and whether they differ from it (read-only git calls). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const commit = git("log", "-1", "--format=%h", "--", "src", "prisma");
    const dirty = git("status", "--porcelain", "--", "src", "prisma");
    return dirty ? `${commit} with uncommitted changes in src/ or prisma/` : commit;
  } catch {
    return "unknown (no git)";
  }
}
const CODE_AT_START = codeVersion();

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : "–");

interface Summary {
  target: Target;
  ackPerSec: number;
  maxP50: number;
  maxP99: number;
  rateP50: number;
  rateP99: number;
  maxErrors: number;
  rateErrors: number;
}

function summarize(r: TargetResult): Summary {
  return {
    target: r.target,
    ackPerSec: median(r.max.map((x) => x.ackPerSec)),
    maxP50: median(r.max.map((x) => x.p50)),
    maxP99: median(r.max.map((x) => x.p99)),
    rateP50: median(r.rate.map((x) => x.p50)),
    rateP99: median(r.rate.map((x) => x.p99)),
    maxErrors: r.max.reduce((n, x) => n + x.errors, 0),
    rateErrors: r.rate.reduce((n, x) => n + x.errors, 0),
  };
}

function report(
  results: TargetResult[],
  fakeLineCalls: Record<string, number> | undefined,
  failure: unknown,
): { markdown: string; json: unknown } {
  const cpus = os.cpus();
  const machine = {
    cores: cpus.length,
    model: cpus[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
  const settings = {
    runs: RUNS,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    maxConnections: MAX_CONNECTIONS,
    rate: RATE,
    rateConnections: RATE_CONNECTIONS,
    eventConcurrency: CONCURRENCY ?? "app default",
    processing: NO_PROCESSING ? "OFF (diagnostic: events only stored)" : "on",
    lineLatencyMs: LINE_LATENCY_MS,
    pglite: PGLITE_DISK ? "temporary DATA_DIR on disk" : "in memory (memory://)",
    users: USERS.length,
  };
  const summaries = results.map(summarize);
  const base = summaries.find((s) => s.target === "baseline");
  const allRuns = results.flatMap((r) => [...r.rate, ...r.max]);
  const noisy = allRuns.filter(busy).length;
  const L: string[] = [];
  L.push("# Webhook acknowledgement benchmark", "");
  L.push(`Machine: ${machine.cores} cores, ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}.`);
  L.push(
    `Load: one signed LINE text-message event per request (unique webhookEventId, ${USERS.length} users); ` +
      `median of ${RUNS} runs of ${DURATION_S} s after a ${WARMUP_S} s warm-up; max = ${MAX_CONNECTIONS} connections; ` +
      `${RATE}/s = autocannon overallRate ${RATE} on ${RATE_CONNECTIONS} connections. ` +
      `bot-pglite: PGlite ${settings.pglite}. EVENT_CONCURRENCY: ${settings.eventConcurrency}. Processing: ${settings.processing}. ` +
      `Fake LINE API answers after ${LINE_LATENCY_MS} ms.`,
  );
  const codeAtEnd = codeVersion();
  const code =
    codeAtEnd === CODE_AT_START
      ? CODE_AT_START
      : `${CODE_AT_START} at the start, ${codeAtEnd} at the end (the code changed during the run!)`;
  L.push(`Code: ${code}. Run at ${new Date().toISOString()}; took ${elapsedS().toFixed(0)} s.`, "");
  L.push(
    `| target | ack/s at max | p50 at max (ms) | p99 at max (ms) | p50 at ${RATE}/s (ms) | p99 at ${RATE}/s (ms) | errors (max / ${RATE}/s) |`,
  );
  L.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const s of summaries) {
    L.push(
      `| ${s.target} | ${Number.isFinite(s.ackPerSec) ? s.ackPerSec.toFixed(0) : "–"} | ${ms(s.maxP50)} | ${ms(s.maxP99)} | ` +
        `${ms(s.rateP50)} | ${ms(s.rateP99)} | ${s.maxErrors} / ${s.rateErrors} |`,
    );
  }
  L.push("");
  const verdicts: Record<string, unknown> = {};
  for (const s of summaries.filter((x) => x.target !== "baseline")) {
    const ratio = base ? s.ackPerSec / base.ackPerSec : Number.NaN;
    const ratioMet = ratio >= RATIO_TARGET;
    const rateRun = results.find((r) => r.target === s.target)!.rate;
    const rateHeld = median(rateRun.map((x) => x.ackPerSec)) >= RATE * 0.95;
    const p99Met = s.rateP99 <= P99_TARGET_MS && s.rateErrors === 0 && rateHeld;
    verdicts[s.target] = { ratio, ratioMet, p99AtRate: s.rateP99, p99Met };
    L.push(
      `- ${s.target}/baseline at max: ${Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : "– (no baseline)"} ` +
        `(target ≥ ${RATIO_TARGET * 100}%: ${Number.isFinite(ratio) ? (ratioMet ? "met" : "NOT met") : "not measured"}); ` +
        `p99 at ${RATE}/s ${ms(s.rateP99)} ms (target ≤ ${P99_TARGET_MS} ms at the full rate, without errors: ${p99Met ? "met" : "NOT met"})`,
    );
  }
  for (const r of results) {
    const achieved = median(r.rate.map((x) => x.ackPerSec));
    if (achieved < RATE * 0.95) {
      L.push(
        `- ${r.target} acknowledged only ${achieved.toFixed(0)}/s of the offered ${RATE}/s: with ${RATE_CONNECTIONS} connections ` +
          `each waiting for its answer, slow answers lower the rate, so its "${RATE}/s" latencies are at that lower rate.`,
      );
    }
  }
  if (noisy > 0) {
    L.push(
      `- WARNING: ${noisy} of ${allRuns.length} runs had other processes using ≥ ${QUIET_OTHER_CORES} core ` +
        `(marked ! in "other" below): this machine was shared, and those runs' numbers are pessimistic.`,
    );
  }
  if (failure) L.push(`- FAILED: ${failure instanceof Error ? failure.message.split("\n")[0] : String(failure)}`);
  L.push("");
  L.push(
    "Runs. processed/s: inbox events finished per second during the run; backlog: events stored but not finished after it; " +
      "drain: time for the inbox to empty after a 200/s run (capped). Cores used during the run (1.00 = one core): server, " +
      "load generator, fake LINE API, PostgreSQL backends of the bench database, other processes.",
    "",
  );
  L.push(
    "| target | measurement | run | ack/s | p50 | p99 | max | errors | processed/s | backlog | drain (ms) | server | load | fake LINE | pg | other |",
  );
  L.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    for (const [mode, runs] of [
      [`${RATE}/s`, r.rate],
      ["max", r.max],
    ] as const) {
      for (const [i, x] of runs.entries())
        L.push(
          `| ${r.target} | ${mode} | ${i + 1} | ${x.ackPerSec.toFixed(0)} | ${ms(x.p50)} | ${ms(x.p99)} | ${ms(x.max)} | ${x.errors} | ` +
            `${x.processedPerSec !== undefined ? x.processedPerSec.toFixed(0) : "–"} | ${x.backlogAfter ?? "–"} | ${x.drainMs ?? "–"} | ` +
            `${cores(x.cpu?.server)} | ${cores(x.cpu?.loadgen)} | ${cores(x.cpu?.fakeLine)} | ${cores(x.cpu?.postgres)} | ${cores(x.cpu?.other)}${busy(x) ? " !" : ""} |`,
        );
    }
  }
  L.push("");
  for (const r of results) {
    const extra = [
      `start-up ${r.startupMs} ms`,
      r.logs ? `log lines ${JSON.stringify(r.logs)}` : "",
      r.inboxAtEnd ? `inbox at end ${JSON.stringify(r.inboxAtEnd)}` : "",
      r.skipped ?? "",
    ].filter(Boolean);
    L.push(`- ${r.target}: ${extra.join("; ")}`);
  }
  if (fakeLineCalls) L.push(`- fake LINE API calls received: ${JSON.stringify(fakeLineCalls)}`);
  L.push("");
  return { markdown: L.join("\n"), json: { machine, settings, code, summaries, verdicts, results, fakeLineCalls } };
}

// --- main ----------------------------------------------------------------------

async function main(): Promise<number> {
  say(`plan: ${TARGETS.join(", ")}; about ${Math.round(PLANNED_S)} s (bound ${Math.round(DEADLINE_S)} s)`);
  const fakeLine = await startServer("fake-line", { BENCH_LINE_LATENCY_MS: String(LINE_LATENCY_MS) }, false);
  say(`fake LINE API on http://127.0.0.1:${fakeLine.port}`);
  const results: TargetResult[] = [];
  let failure: unknown = null;
  for (const target of TARGETS) {
    try {
      results.push(await measureTarget(target, fakeLine));
    } catch (error) {
      failure = error;
      process.stderr.write(`${target} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      break;
    }
  }
  const calls = (await fakeLine.stats().catch(() => undefined))?.calls;
  const { markdown, json } = report(results, calls, failure);
  process.stdout.write(`\n${markdown}\n`);
  if (WRITE_TO && !failure) {
    await mkdir(path.dirname(WRITE_TO), { recursive: true });
    await writeFile(
      WRITE_TO,
      `${markdown}\n<details><summary>Raw results (JSON)</summary>\n\n\`\`\`json\n${JSON.stringify(json, null, 2)}\n\`\`\`\n\n</details>\n`,
    );
    say(`wrote ${path.relative(process.cwd(), WRITE_TO)}`);
  }
  return failure ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await cleanupAll();
  clearTimeout(deadline);
}
process.exit(code);
