// CPU cost of one LINE API call as the bot makes it (a script, not a test):
//
//   npx tsx test/bench/line-call-cost.ts [--calls=N] [--rounds=R] [--concurrency=C]
//
// A stand-in for LINE answers on 127.0.0.1 in a child process (plain
// node:http, keep-alive, 200 with a sentMessages body as LINE's reply), so
// process.cpuUsage() here counts the client's side only. Each path sends N
// replies (C in flight at a time), R rounds, the paths taking turns within
// a round so that other load on a shared machine falls on all of them; the
// report gives the median per path and its ratio to the SDK's client:
//
//   sdk        @line/bot-sdk's MessagingApiClient.replyMessage (global fetch)
//   gateway    LineGateway.reply, as the bot calls it (limits check and timeout included)
//   push       LineGateway.push with its X-Line-Retry-Key
//   http       a bare node:http POST on a keep-alive agent: the floor
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { messagingApi } from "@line/bot-sdk";
import { LineGateway, retryKeyFor } from "../../src/line/gateway.ts";

function option(name: string, fallback: number): number {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  const n = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer`);
  return n;
}
const CALLS = option("calls", 2_000);
const ROUNDS = option("rounds", 5);
const CONCURRENCY = option("concurrency", 1);

// The fake LINE: reads each body, answers as LINE answers a reply.
const SERVER = `
const http = require("node:http");
const body = JSON.stringify({ sentMessages: [{ id: "1", quoteToken: "q" }] });
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-line-request-id": "r" });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
process.stdin.on("end", () => process.exit(0)).resume();
`;

async function startServer(): Promise<{ baseUrl: string; stop: () => void }> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => child.stdin.end() };
}

const messages: messagingApi.Message[] = [{ type: "text", text: "ได้รับเรื่องแล้วค่ะ เจ้าหน้าที่จะติดต่อกลับ" }];

async function main(): Promise<void> {
  const { baseUrl, stop } = await startServer();
  const sdk = new messagingApi.MessagingApiClient({ channelAccessToken: "bench-token", baseURL: baseUrl });
  const gateway = new LineGateway({ channelAccessToken: "bench-token", apiBaseUrl: baseUrl });
  const agent = new Agent({ keepAlive: true });
  const url = new URL("/v2/bot/message/reply", baseUrl);
  let n = 0;
  const bare = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        {
          agent,
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer bench-token", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            JSON.parse(Buffer.concat(chunks).toString("utf8"));
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const paths: Record<string, () => Promise<unknown>> = {
    sdk: () => sdk.replyMessage({ replyToken: `rt-${++n}`, messages }),
    gateway: () => gateway.reply(`rt-${++n}`, messages),
    push: () => gateway.push("U0123456789abcdef0123456789abcdef", messages, retryKeyFor(`push-${++n}`)),
    http: () => bare(JSON.stringify({ replyToken: `rt-${++n}`, messages })),
  };

  async function measure(call: () => Promise<unknown>, calls: number): Promise<{ cpuMs: number; wallMs: number }> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < calls) {
          next += 1;
          await call();
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start };
  }

  // Warm-up: JIT, connections, the limits check's first use.
  for (const call of Object.values(paths)) await measure(call, Math.min(CALLS, 300));

  const results: Record<string, { cpu: number[]; wall: number[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round: no path always goes first.
    const names = Object.keys(paths);
    const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
    for (const name of order) {
      const { cpuMs, wallMs } = await measure(paths[name]!, CALLS);
      const r = results[name] ?? { cpu: [], wall: [] };
      results[name] = r;
      r.cpu.push((cpuMs / CALLS) * 1000);
      r.wall.push((wallMs / CALLS) * 1000);
    }
  }
  stop();
  agent.destroy();

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const sdkCpu = median(results.sdk!.cpu);
  console.log(`${CALLS} calls × ${ROUNDS} rounds, concurrency ${CONCURRENCY}, node ${process.version}; medians per call`);
  console.log("path       CPU µs/call   wall µs/call   CPU vs sdk   CPU per round (µs)");
  for (const [name, r] of Object.entries(results)) {
    const cpu = median(r.cpu);
    console.log(
      `${name.padEnd(10)} ${cpu.toFixed(1).padStart(11)}   ${median(r.wall).toFixed(1).padStart(12)}   ${(cpu / sdkCpu).toFixed(2).padStart(10)}   ${r.cpu.map((c) => c.toFixed(0)).join(" ")}`,
    );
  }
}

await main();
