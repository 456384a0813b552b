// Issue 13's idle and start figures, measured from outside the shipped
// process (npm start's command, `node <flags> dist/main.js`, and for the
// comparison the sources under tsx), configured by environment only:
//
//  - start: spawn → /healthz 200, on a database that already exists (a
//    first start migrated it and loaded the geography), median of N runs;
//    the process's RSS once it is up.
//  - idle: statements the bot sends PostgreSQL per second with no traffic,
//    jobs included, counted on the wire by a proxy between the bot and the
//    server (every simple Query and every Execute of the extended protocol
//    is one statement), over a minute after the start has settled.
//
// `npx tsx test/bench/idle-start.ts [--runs=N] [--idle-seconds=S]` prints
// JSON; `npm run bench` includes it (section 5 of docs/performance.md).
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase } from "../support/database.ts";
import { SHIPPED_MAIN, SHIPPED_NODE_FLAGS } from "../support/shipped-command.ts";
import { FakeLineApi } from "./fake-line-api.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type StartCommand = "dist" | "tsx";
const COMMANDS: Record<StartCommand, string[]> = {
  dist: [...SHIPPED_MAIN],
  tsx: [...SHIPPED_NODE_FLAGS, "--import", "tsx", "src/main.ts"],
};

/** Counts the statements a PostgreSQL client sends through it. */
export class StatementCounter {
  statements = 0;
  /** Statements by their SQL's first 80 characters (what sent them). */
  readonly byText = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<StatementCounter> {
    let counter: StatementCounter | undefined;
    const server = createServer((client) => counter!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    counter = new StatementCounter(server, (server.address() as AddressInfo).port);
    return counter;
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.pipe(client);
    // Frontend messages: the startup packet has no type byte; every later
    // message is a type byte and a 4-byte length that counts itself.
    let buffered = Buffer.alloc(0);
    let started = false;
    let parsed = "";
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 8) break;
          const len = buffered.readInt32BE(0);
          const code = buffered.readInt32BE(4);
          if (buffered.length < len) break;
          buffered = buffered.subarray(len);
          // SSLRequest / GSSENCRequest: the real startup packet follows.
          if (code !== 80877103 && code !== 80877104) started = true;
          continue;
        }
        if (buffered.length < 5) break;
        const len = buffered.readInt32BE(1);
        if (buffered.length < 1 + len) break;
        const type = String.fromCharCode(buffered[0]!);
        const body = buffered.subarray(5, 1 + len);
        // Parse: statement name, then the SQL (both NUL-terminated).
        if (type === "P")
          parsed = body
            .subarray(body.indexOf(0) + 1)
            .toString("utf8")
            .split("\0")[0]!;
        if (type === "Q" || type === "E") {
          this.statements += 1;
          const sql = (type === "Q" ? body.toString("utf8").split("\0")[0]! : parsed).replace(/\s+/g, " ").slice(0, 80);
          this.byText.set(sql, (this.byText.get(sql) ?? 0) + 1);
        }
        buffered = buffered.subarray(1 + len);
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface Started {
  child: ChildProcess;
  port: number;
  ms: number;
  stop(): Promise<void>;
}

async function startBot(command: StartCommand, env: Record<string, string>): Promise<Started> {
  const t = performance.now();
  const child = spawn(process.execPath, COMMANDS[command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString("utf8");
      const m = /is up: http:\/\/localhost:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the bot exited (${code}):\n${out}`)));
  });
  // Listening is not ready: /healthz says when the database is.
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    child,
    port,
    ms,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface StartFigures {
  db: "pglite" | "postgres";
  command: StartCommand;
  startMs: number[];
  rssMb: number[];
}

export interface IdleFigures {
  seconds: number;
  statements: number;
  perSecond: number;
}

export interface IdleStartResult {
  start: StartFigures[];
  idle: IdleFigures;
}

export async function runIdleStart(options: { runs: number; idleSeconds: number; say?: (s: string) => void }): Promise<IdleStartResult> {
  const say = options.say ?? (() => undefined);
  const line = await FakeLineApi.start();
  const lineEnv = {
    LINE_CHANNEL_SECRET: "bench-channel-secret",
    LINE_CHANNEL_ACCESS_TOKEN: "bench-access-token",
    LINE_API_BASE_URL: line.url,
    LINE_DATA_API_BASE_URL: line.url,
    PUBLIC_BASE_URL: "https://bot.example.test",
    PUSH_QUOTA_MONTHLY: "0",
  };
  const pgUrl = new URL(process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  const counter = await StatementCounter.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  const created = await createPostgresDatabase();
  const throughCounter = new URL(created.url);
  throughCounter.hostname = "127.0.0.1";
  throughCounter.port = String(counter.port);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "clb-idle-"));
  const start: StartFigures[] = [];
  try {
    for (const db of ["postgres", "pglite"] as const) {
      const env = { ...lineEnv, ...(db === "postgres" ? { DATABASE_URL: throughCounter.toString() } : { DATA_DIR: dataDir }) };
      // The first start creates the schema and loads the geography: not what is measured.
      await (await startBot("dist", env)).stop();
      for (const command of ["dist", "tsx"] as const) {
        const figures: StartFigures = { db, command, startMs: [], rssMb: [] };
        for (let i = 0; i < options.runs; i++) {
          const bot = await startBot(command, env);
          figures.startMs.push(bot.ms);
          figures.rssMb.push(await rssMb(bot.child.pid!));
          await bot.stop();
        }
        say(`start ${db}/${command}: median ${median(figures.startMs).toFixed(0)} ms, RSS ${median(figures.rssMb).toFixed(0)} MB`);
        start.push(figures);
      }
    }
    const bot = await startBot("dist", { ...lineEnv, DATABASE_URL: throughCounter.toString() });
    // The start's own work (sweep, every job's first look) is over by then.
    await new Promise((r) => setTimeout(r, 15_000));
    const before = counter.statements;
    const seenBefore = new Map(counter.byText);
    await new Promise((r) => setTimeout(r, options.idleSeconds * 1000));
    const statements = counter.statements - before;
    const seen = new Map([...counter.byText].map(([sql, n]) => [sql, n - (seenBefore.get(sql) ?? 0)] as const).filter(([, n]) => n > 0));
    await bot.stop();
    const idle = { seconds: options.idleSeconds, statements, perSecond: statements / options.idleSeconds };
    if (process.env.BENCH_IDLE_DETAIL)
      say(
        [...seen]
          .sort((a, b) => b[1] - a[1])
          .map(([sql, n]) => `${n}\t${sql}`)
          .join("\n"),
      );
    say(`idle: ${statements} statements in ${options.idleSeconds} s (${idle.perSecond.toFixed(2)}/s)`);
    return { start, idle };
  } finally {
    await counter.close();
    await created.drop();
    await rm(dataDir, { recursive: true, force: true });
    await line.close();
  }
}

export function idleStartReport(r: IdleStartResult): string {
  const rows = r.start.map(
    (s) =>
      `| ${s.db} | \`${COMMANDS[s.command].join(" ")}\` | ${median(s.startMs).toFixed(0)} ms (${s.startMs.map((x) => x.toFixed(0)).join(", ")}) | ${median(s.rssMb).toFixed(0)} MB |`,
  );
  return [
    "## 5. Start and idle",
    "",
    "Start: the shipped process spawned on a database that exists (migrated, geography loaded by an earlier start), until `/healthz` answers 200; RSS once it does. Idle: statements the bot sends PostgreSQL with no traffic, jobs included, counted on the wire by a proxy between the bot and the server (each simple query and each extended-protocol Execute), from 15 s after the start.",
    "",
    "| database | command | start → /healthz 200 (median; runs) | RSS when up |",
    "| --- | --- | ---: | ---: |",
    ...rows,
    "",
    `Idle: ${r.idle.statements} statements in ${r.idle.seconds} s = **${r.idle.perSecond.toFixed(2)} statements/s**.`,
    "",
  ].join("\n");
}

export const startMedian = (s: StartFigures) => median(s.startMs);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: number) => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split("=")[1]) : fallback;
  };
  const result = await runIdleStart({
    runs: arg("runs", 3),
    idleSeconds: arg("idle-seconds", 60),
    say: (s) => process.stderr.write(`${s}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n${idleStartReport(result)}`);
}
