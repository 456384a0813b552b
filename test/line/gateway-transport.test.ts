// LineGateway's hot calls (reply, push, multicast, loading) over its own
// keep-alive transport (src/line/line-http.ts): what reaches LINE, and what
// each kind of answer becomes for the callers (LineApiError's status, body
// and retriable; "duplicate" for a spent retry key), as when the SDK's fetch
// made these calls, against a bare loopback server the test steers. Under
// nock: gateway-nock.test.ts (nock, once loaded, takes every request of its
// process, and its pass-through to a real server opens a connection per
// request, so keep-alive is seen here, in a file that loads no nock).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LineApiError, LineGateway, retryKeyFor } from "../../src/line/gateway.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("LineGateway over a loopback server", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let answer: (req: Seen, res: ServerResponse) => void = (_req, res) => res.writeHead(200).end("{}");

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const s = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
        seen.push(s);
        answer(s, res);
      });
    });
    server.on("connection", (socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    seen.length = 0;
    answer = (_req, res) => res.writeHead(200).end("{}");
  });

  const gateway = (timeoutMs = 2_000) => new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: base, timeoutMs });
  const text = (t: string) => [{ type: "text" as const, text: t }];
  const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable("should have failed")).catch((e: unknown) => e as LineApiError);

  it("sends each call to LINE's path with the SDK's headers and JSON body", async () => {
    const g = gateway();
    const key = retryKeyFor("transport-1");
    await g.reply("rt-1", text("ตอบ"));
    await g.push("U1", text("แจ้ง"), key);
    await g.multicast(["U1", "U2"], text("ประกาศ"), key);
    await g.showLoading("U1", 10);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST /v2/bot/message/reply",
      "POST /v2/bot/message/push",
      "POST /v2/bot/message/multicast",
      "POST /v2/bot/chat/loading/start",
    ]);
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([
      { replyToken: "rt-1", messages: text("ตอบ") },
      { to: "U1", messages: text("แจ้ง") },
      { to: ["U1", "U2"], messages: text("ประกาศ") },
      { chatId: "U1", loadingSeconds: 10 },
    ]);
    for (const s of seen) {
      expect(s.headers.authorization).toBe("Bearer test-token");
      expect(s.headers["content-type"]).toBe("application/json");
      expect(s.headers["user-agent"]).toMatch(/^@line\/bot-sdk\/\d+\.\d+\.\d+$/);
      expect(Number(s.headers["content-length"])).toBe(Buffer.byteLength(s.body));
    }
    expect(seen.map((s) => s.headers["x-line-retry-key"])).toEqual([undefined, key, key, undefined]);
  });

  it("keeps its connection open between calls", async () => {
    const g = gateway();
    await g.reply("warm", text("x"));
    const before = connections;
    for (let i = 0; i < 20; i++) await g.reply(`rt-${i}`, text("x"));
    expect(connections).toBe(before);
  });

  it("turns LINE's refusals into LineApiError with its status and body; 409 on a retry key is 'duplicate'", async () => {
    const g = gateway();
    const cases: [number, string, boolean][] = [
      [400, '{"message":"Invalid reply token"}', false],
      [401, '{"message":"Authentication failed."}', false],
      [429, '{"message":"You have reached your monthly limit."}', true],
      [500, '{"message":"An error occurred in the server"}', true],
      [503, "upstream unavailable", true],
    ];
    for (const [status, body, retriable] of cases) {
      answer = (_req, res) => res.writeHead(status, { "content-type": "application/json" }).end(body);
      const e = await failure(g.reply("rt", text("x")));
      expect(e).toBeInstanceOf(LineApiError);
      expect([e.operation, e.status, e.body, e.retriable]).toEqual(["reply", status, body, retriable]);
    }
    answer = (_req, res) => res.writeHead(409).end('{"message":"The retry key is already accepted"}');
    expect(await g.push("U1", text("x"), retryKeyFor("dup"))).toBe("duplicate");
    expect(await g.multicast(["U1"], text("x"), retryKeyFor("dup"))).toBe("duplicate");
    answer = (_req, res) => res.writeHead(409).end("{}");
    const e = await failure(g.reply("rt", text("x")));
    expect([e.status, e.retriable]).toEqual([409, false]);
  });

  it("gives up on a call LINE does not answer in time, cuts it, and says so (retriable)", async () => {
    answer = () => undefined; // never answered
    const g = gateway(150);
    const open = sockets.size;
    const started = Date.now();
    const e = await failure(g.push("U1", text("x"), retryKeyFor("hang")));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect([e.operation, e.status, e.body, e.retriable]).toEqual(["push", null, "timeout", true]);
    await expect.poll(() => sockets.size).toBeLessThanOrEqual(open);
  });

  it("reports a cut connection, an answer that is not JSON and a refused connection as retriable failures", async () => {
    const g = gateway();
    answer = (_req, res) => res.socket?.destroy();
    const cut = await failure(g.reply("rt", text("x")));
    expect([cut.status, cut.retriable]).toEqual([null, true]);
    answer = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("<html>");
    const notJson = await failure(g.reply("rt", text("x")));
    expect([notJson.status, notJson.retriable]).toEqual([null, true]);
    answer = (_req, res) => res.writeHead(200).end();
    await g.reply("rt", text("x")); // an empty 2xx is a success, as with the SDK
    const nowhere = new LineGateway({ channelAccessToken: "t", apiBaseUrl: "http://127.0.0.1:1", timeoutMs: 2_000 });
    const refused = await failure(nowhere.showLoading("U1"));
    expect([refused.operation, refused.status, refused.retriable]).toEqual(["loading", null, true]);
    expect(refused.body).toMatch(/ECONNREFUSED/);
  });

  it("counts each failure once in the metrics, with its status", async () => {
    const errors: [string, number | null][] = [];
    const g = new LineGateway({
      channelAccessToken: "t",
      apiBaseUrl: base,
      timeoutMs: 2_000,
      metrics: { lineApiError: (operation, status) => errors.push([operation, status]) },
    });
    answer = (_req, res) => res.writeHead(500).end("{}");
    await failure(g.multicast(["U1"], text("x"), retryKeyFor("m")));
    answer = (_req, res) => res.writeHead(409).end("{}");
    await g.push("U1", text("x"), retryKeyFor("p"));
    expect(errors).toEqual([
      ["multicast", 500],
      ["push", 409],
    ]);
  });
});
