// One server process for test/bench/ack-benchmark.ts (not a test). The
// benchmark forks this file so that the server under load and the load
// generator never share an event loop:
//
//   tsx test/bench/ack-server.ts baseline | pglite | postgres | fake-line
//
//  - baseline:  express 5 + @line/bot-sdk's middleware on POST /webhook,
//               answering 200 and doing nothing else;
//  - pglite:    the bot's real app (createApp) on embedded PGlite — in memory,
//               or on disk when BENCH_PGLITE_DIR names a directory (then it
//               is the production DATA_DIR layout) — with geography loaded,
//               the processor started and a first sweep, as src/main.ts does
//               (BENCH_NO_PROCESSING=1, a diagnostic: events are only stored);
//  - postgres:  the same on DATABASE_URL (a database the benchmark created);
//  - fake-line: a stand-in for LINE's Messaging API that answers 200 `{}` to
//               everything, so the bot's outgoing calls stay on loopback
//               (after BENCH_LINE_LATENCY_MS, default 0, to model LINE's
//               round trip).
//
// It listens on 127.0.0.1 on a free port, prints "listening <port>" and sends
// { type: "ready", port } over the IPC channel. It answers { type: "stats" }
// with what it knows (inbox counts, log lines by level, calls received) and
// stops on { type: "stop" } (exiting normally, so --cpu-prof is written). It
// exits by itself when the benchmark process goes away.
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { middleware } from "@line/bot-sdk";
import express from "express";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { loadGeography } from "../../src/geography/load-geography.ts";
import { createLogger, type LogLevel } from "../../src/log.ts";

export const SERVER_TARGETS = ["baseline", "pglite", "postgres", "fake-line"] as const;
export type ServerTarget = (typeof SERVER_TARGETS)[number];

export type ToServer = { type: "stats" } | { type: "stop" };
export type FromServer =
  | { type: "ready"; port: number; startupMs: number }
  | { type: "stats"; stats: ServerStats }
  | { type: "failed"; error: string };

export interface ServerStats {
  /** webhook_event rows by status (bot targets). */
  inbox?: Record<string, number>;
  /** Log lines written, by level (bot targets). */
  logs?: Record<string, number>;
  /** Requests received, by "METHOD path" (fake-line). */
  calls?: Record<string, number>;
  rssMb: number;
}

const target = process.argv[2] as ServerTarget;
if (!SERVER_TARGETS.includes(target)) {
  process.stderr.write(`usage: tsx test/bench/ack-server.ts ${SERVER_TARGETS.join("|")}\n`);
  process.exit(2);
}

const send = (message: FromServer) => {
  if (process.send) process.send(message);
};

// The benchmark went away (crash, kill): do not outlive it.
process.on("disconnect", () => process.exit(1));

const logCounts: Record<string, number> = {};
const calls: Record<string, number> = {};
let db: Database | undefined;
let stopWork: () => Promise<void> = async () => undefined;

async function listen(handler: RequestListener | express.Express): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return server;
}

function startFakeLine(): Promise<Server> {
  const latencyMs = Number(process.env.BENCH_LINE_LATENCY_MS ?? 0);
  const handler: RequestListener = (req, res) => {
    const key = `${req.method} ${(req.url ?? "").replace(/\/profile\/.*/, "/profile/:id")}`;
    calls[key] = (calls[key] ?? 0) + 1;
    // Read the body fully, as a real server would, then answer.
    req.resume();
    req.on("end", () => {
      const answer = () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "2" });
        res.end("{}");
      };
      if (latencyMs > 0) setTimeout(answer, latencyMs);
      else answer();
    });
  };
  return listen(handler);
}

function startBaseline(): Promise<Server> {
  const channelSecret = process.env.LINE_CHANNEL_SECRET;
  if (!channelSecret) throw new Error("LINE_CHANNEL_SECRET is not set");
  const app = express();
  app.disable("x-powered-by");
  app.post("/webhook", middleware({ channelSecret }), (_req, res) => {
    res.status(200).end();
  });
  return listen(app);
}

async function startBot(kind: "pglite" | "postgres"): Promise<Server> {
  const config = loadConfig(process.env);
  const level = (process.env.LOG_LEVEL ?? "info") as LogLevel;
  // Production logs JSON lines to stdout at "info"; keep that cost, and count
  // the lines by level so the benchmark can say whether anything went wrong.
  const logger = createLogger(level, (line) => {
    const m = /"level":"(\w+)"/.exec(line);
    const lvl = m?.[1] ?? "?";
    logCounts[lvl] = (logCounts[lvl] ?? 0) + 1;
    process.stdout.write(line);
  });
  if (kind === "postgres") {
    if (config.database.kind !== "postgres") throw new Error("DATABASE_URL is not set");
    db = await openDatabase(config.database);
  } else {
    const dir = process.env.BENCH_PGLITE_DIR;
    db = await openDatabase(dir ? { kind: "pglite", dataDir: dir } : { kind: "pglite-memory" });
  }
  await db.migrate();
  await loadGeography(db.prisma, { provinceCode: config.provinceCode });
  const app = createApp({ config, db, logger });
  const server = await listen(app.http);
  if (process.env.BENCH_NO_PROCESSING === "1") {
    // Diagnostic only: the acknowledgement path alone, events left stored.
    app.processor.kick = () => undefined;
  } else {
    app.processor.start();
    void app.processor.sweep().catch((error) => logger.error("resuming unfinished events failed", { error }));
  }
  stopWork = async () => {
    await Promise.race([app.processor.drain(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  };
  return server;
}

async function stats(): Promise<ServerStats> {
  const out: ServerStats = { rssMb: Math.round(process.memoryUsage().rss / 1e6) };
  if (target === "fake-line") out.calls = { ...calls };
  if (db) {
    out.logs = { ...logCounts };
    const rows = await db.sql.query<{ status: string; n: number | string }>(
      "SELECT status::text AS status, count(*) AS n FROM webhook_event GROUP BY status",
    );
    out.inbox = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const server = target === "fake-line" ? await startFakeLine() : target === "baseline" ? await startBaseline() : await startBot(target);
  const { port } = server.address() as AddressInfo;

  let stopping = false;
  process.on("message", (message: ToServer) => {
    if (message.type === "stats") {
      stats().then(
        (s) => send({ type: "stats", stats: s }),
        (error: unknown) => send({ type: "failed", error: String(error) }),
      );
    } else if (message.type === "stop" && !stopping) {
      stopping = true;
      server.closeAllConnections();
      server.close();
      void stopWork()
        .then(() => db?.close())
        .catch(() => undefined)
        .finally(() => process.exit(0));
    }
  });

  process.stdout.write(`listening ${port}\n`);
  send({ type: "ready", port, startupMs: Math.round(performance.now() - started) });
}

main().catch((error: unknown) => {
  process.stderr.write(`ack-server ${target} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  send({ type: "failed", error: String(error) });
  process.exit(1);
});
