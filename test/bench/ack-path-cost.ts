// CPU cost of acknowledging one webhook event, server side (a script, not a
// test):
//
//   npx tsx test/bench/ack-path-cost.ts [--requests=N] [--rounds=R] [--concurrency=C] [--events=K]
//
// Serves in this process, on 127.0.0.1:
//   baseline  express 5 + @line/bot-sdk's middleware answering 200 (as bench:ack's baseline)
//   webhook   the bot's POST /webhook (src/http/webhook.ts) under createHttpApp's
//             request-id middleware, with the real metrics, an inbox that
//             stores nothing (resolves at once): the acknowledgement path
//             without the database
// while a child process (plain node:http, keep-alive) sends N signed LINE
// text-message deliveries of K events each, C at a time. process.cpuUsage()
// here counts the server side only. The targets take turns, R rounds; the
// report gives the median CPU per event and its ratio to the baseline.
//
// Also, in-process: the body check alone per event, without HTTP: zod's
// webhookBodySchema (what the webhook used) against webhookEventsOf (what it
// uses), on the same parsed bodies.
import { spawn } from "node:child_process";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { middleware } from "@line/bot-sdk";
import express from "express";
import { createHttpApp } from "../../src/http/app.ts";
import { webhookEventsOf } from "../../src/http/webhook.ts";
import { webhookBodySchema } from "../../src/line/events.ts";
import { silentLogger } from "../../src/log.ts";
import { createMetrics } from "../../src/metrics.ts";
import type { Database } from "../../src/db/database.ts";

function option(name: string, fallback: number): number {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  const n = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer`);
  return n;
}
const REQUESTS = option("requests", 4_000);
const ROUNDS = option("rounds", 5);
const CONCURRENCY = option("concurrency", 10);
const EVENTS = option("events", 1);
const SECRET = "ack-path-cost-secret";

/** The load: N deliveries built and signed up front, then sent C at a time. */
const CLIENT = `
const http = require("node:http");
const crypto = require("node:crypto");
const [port, n, c, k, secret] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true });
let seq = 0;
const bodies = Array.from({ length: Number(n) }, () => {
  const events = Array.from({ length: Number(k) }, () => {
    seq += 1;
    const id = "01JBENCH" + String(seq).padStart(18, "0");
    return {
      type: "message",
      message: { type: "text", id: String(500000000000000 + seq), quoteToken: "q" + id, text: "สวัสดีค่ะ ขอแจ้งเรื่องไฟฟ้าดับที่หมู่ 3" },
      webhookEventId: id,
      deliveryContext: { isRedelivery: false },
      timestamp: Date.now(),
      source: { type: "user", userId: "U" + crypto.createHash("md5").update(String(seq % 1000)).digest("hex") },
      replyToken: seq.toString(16).padStart(32, "0"),
      mode: "active",
    };
  });
  const body = Buffer.from(JSON.stringify({ destination: "U0123456789abcdef0123456789abcdef", events }));
  return { body, signature: crypto.createHmac("sha256", secret).update(body).digest("base64") };
});
let next = 0, failed = 0;
function one() {
  if (next >= bodies.length) return Promise.resolve();
  const { body, signature } = bodies[next++];
  return new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port: Number(port), path: "/webhook", method: "POST", agent,
      headers: { "content-type": "application/json; charset=utf-8", "x-line-signature": signature, "content-length": body.length } },
      (res) => { if (res.statusCode !== 200) failed++; res.resume(); res.on("end", resolve); });
    req.on("error", () => { failed++; resolve(); });
    req.end(body);
  }).then(one);
}
process.stdout.write("ready\\n");
process.stdin.once("data", async () => {
  await Promise.all(Array.from({ length: Number(c) }, one));
  process.stdout.write("done " + failed + "\\n");
  agent.destroy();
});
`;

async function listen(handler: RequestListener | express.Express): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return server;
}

function baseline(): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.post("/webhook", middleware({ channelSecret: SECRET }), (_req, res) => {
    res.status(200).end();
  });
  return app;
}

function webhook(): express.Express {
  return createHttpApp({
    channelSecret: SECRET,
    inbox: { record: async () => [] },
    logger: silentLogger,
    onStored: () => undefined,
    metrics: createMetrics(),
    db: { isReady: async () => true } as unknown as Database,
  });
}

/** One measured load: the server's CPU (this process) while the child sends everything. */
async function measure(port: number, requests: number): Promise<number> {
  const child = spawn(process.execPath, ["-e", CLIENT, String(port), String(requests), String(CONCURRENCY), String(EVENTS), SECRET], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = (async function* () {
    let buffer = "";
    for await (const chunk of child.stdout) {
      buffer += chunk;
      let i = buffer.indexOf("\n");
      while (i >= 0) {
        yield buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        i = buffer.indexOf("\n");
      }
    }
  })();
  await lines.next(); // ready: the bodies are built and signed
  const cpu = process.cpuUsage();
  child.stdin.write("go\n");
  const done = (await lines.next()).value as string;
  const used = process.cpuUsage(cpu);
  child.stdin.end();
  if (done !== "done 0") throw new Error(`load failed: ${done}`);
  return (used.user + used.system) / (requests * EVENTS);
}

/** CPU µs per event of `check` over `bodies`, median of ROUNDS passes (after one to warm up). */
function checkCost(bodies: unknown[], check: (body: unknown) => unknown): number {
  const passes: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const cpu = process.cpuUsage();
    for (const body of bodies) if (!check(body)) throw new Error("refused a valid body");
    const used = process.cpuUsage(cpu);
    if (round > 0) passes.push((used.user + used.system) / (bodies.length * EVENTS));
  }
  return median(passes);
}

function sampleBodies(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    destination: "U0123456789abcdef0123456789abcdef",
    events: Array.from({ length: EVENTS }, (_, j) => {
      const id = `01JBENCH${String(i * EVENTS + j).padStart(18, "0")}`;
      return {
        type: "message",
        message: { type: "text", id: String(500_000_000_000_000 + i), quoteToken: `q${id}`, text: "สวัสดีค่ะ ขอแจ้งเรื่องไฟฟ้าดับที่หมู่ 3" },
        webhookEventId: id,
        deliveryContext: { isRedelivery: false },
        timestamp: Date.now(),
        source: { type: "user", userId: "U0123456789abcdef0123456789abcdef" },
        replyToken: i.toString(16).padStart(32, "0"),
        mode: "active",
      };
    }),
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const bodies = sampleBodies(REQUESTS);
  const zod = checkCost(bodies, (b) => webhookBodySchema.safeParse(b).success);
  const thin = checkCost(bodies, (b) => webhookEventsOf(b));
  console.log(
    `body check alone, CPU per event (median of ${ROUNDS}): zod ${zod.toFixed(2)} µs, webhookEventsOf ${thin.toFixed(2)} µs (${(thin / zod).toFixed(2)}×)\n`,
  );
  const servers = { baseline: await listen(baseline()), webhook: await listen(webhook()) };
  const ports = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, (s.address() as AddressInfo).port]));
  for (const port of Object.values(ports)) await measure(port, Math.min(REQUESTS, 1_000)); // warm-up
  const results: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const names = round % 2 === 0 ? Object.keys(ports) : Object.keys(ports).reverse();
    for (const name of names) {
      const r = results[name] ?? [];
      results[name] = r;
      r.push(await measure(ports[name]!, REQUESTS));
    }
  }
  for (const server of Object.values(servers)) server.close();

  const base = median(results.baseline!);
  console.log(
    `${REQUESTS} deliveries of ${EVENTS} event(s) × ${ROUNDS} rounds, ${CONCURRENCY} at a time, node ${process.version}; server CPU per event, medians`,
  );
  console.log("target     CPU µs/event   vs baseline   per round (µs)");
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(10)} ${median(r).toFixed(1).padStart(12)}   ${(median(r) / base).toFixed(2).padStart(11)}   ${r.map((x) => x.toFixed(0)).join(" ")}`,
    );
  }
}

await main();
