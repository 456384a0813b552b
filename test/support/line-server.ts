// A stand-in for LINE's Messaging API as a real HTTP server on 127.0.0.1, for
// tests where the bot runs in another process (nock cannot reach it) or where
// LINE must misbehave "for a while" rather than for a counted number of calls.
//
// It records every reply, push and multicast request with its reply token or
// X-Line-Retry-Key, and what became of it. Like LINE it answers 400 to a reply
// token used before and 409 to a retry key already accepted. What it does with
// a request is decided by `policy` (default: accept), so a test can say "500
// until I say otherwise", "hang everything from now on", or "accept, then never
// answer" (LINE took it, the bot never heard back).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { messagingApi } from "@line/bot-sdk";

export type SendKind = "reply" | "push" | "multicast";

/** One reply/push/multicast request as it reached the fake. */
export interface LineRequest {
  seq: number;
  kind: SendKind;
  replyToken?: string;
  retryKey?: string;
  to: string[];
  messages: messagingApi.Message[];
  /** What the fake did: an HTTP status, or "hung" (never answered). */
  outcome: number | "hung";
  /** LINE took it (counts as a delivery): 200, or accepted and then hung. */
  accepted: boolean;
}

export type Behaviour =
  | { kind: "accept" }
  | { kind: "status"; status: number }
  /** No answer, nothing taken: the client's timeout must give up. */
  | { kind: "hang" }
  /** Taken (token used, retry key spent) but never answered. */
  | { kind: "accept-then-hang" }
  /** Taken, answered 200 after a delay (a slow LINE). */
  | { kind: "slow"; ms: number };

export type Policy = (request: { kind: SendKind; replyToken?: string; retryKey?: string; to: string[] }) => Behaviour;

export const ACCEPT: Policy = () => ({ kind: "accept" });

export class LineServer {
  readonly requests: LineRequest[] = [];
  policy: Policy = ACCEPT;
  readonly displayNames = new Map<string, string>();
  private readonly usedTokens = new Set<string>();
  private readonly acceptedKeys = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  /** The data API (message contents) answers on the same server. */
  get dataBaseUrl(): string {
    return this.baseUrl;
  }

  static async start(): Promise<LineServer> {
    let fake: LineServer | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    server.on("connection", (socket) => {
      fake?.sockets.add(socket);
      socket.on("close", () => fake?.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new LineServer(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Requests LINE took, in the order it took them. */
  accepted(kind?: SendKind): LineRequest[] {
    return this.requests.filter((r) => r.accepted && (!kind || r.kind === kind));
  }

  /** Hung requests that are still open are cut; the server stops. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = req.url ?? "";
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method === "POST" && (url === "/v2/bot/message/reply" || url === "/v2/bot/message/push" || url === "/v2/bot/message/multicast")) {
      const kind = url.split("/").pop() as SendKind;
      const body = JSON.parse(raw || "{}") as Record<string, unknown>;
      const header = req.headers["x-line-retry-key"];
      const retryKey = Array.isArray(header) ? header[0] : header;
      const replyToken = kind === "reply" ? String(body.replyToken) : undefined;
      const to = kind === "reply" ? [] : kind === "push" ? [String(body.to)] : (body.to as unknown[]).map(String);
      const request: LineRequest = {
        seq: ++this.seq,
        kind,
        replyToken,
        retryKey,
        to,
        messages: (body.messages ?? []) as messagingApi.Message[],
        outcome: "hung",
        accepted: false,
      };
      this.requests.push(request);
      const behaviour = this.policy({ kind, replyToken, retryKey, to });
      if (behaviour.kind === "hang") return; // the socket stays open until the client or close() cuts it
      if (behaviour.kind === "status") {
        request.outcome = behaviour.status;
        send(behaviour.status, { message: `fake ${behaviour.status}` });
        return;
      }
      // LINE's own refusals come before acceptance.
      if (replyToken !== undefined && this.usedTokens.has(replyToken)) {
        request.outcome = 400;
        send(400, { message: "Invalid reply token" });
        return;
      }
      if (retryKey && this.acceptedKeys.has(retryKey)) {
        request.outcome = 409;
        send(409, { message: "The retry key is already accepted" });
        return;
      }
      request.accepted = true;
      if (replyToken !== undefined) this.usedTokens.add(replyToken);
      if (retryKey) this.acceptedKeys.add(retryKey);
      if (behaviour.kind === "accept-then-hang") return;
      if (behaviour.kind === "slow") await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
      request.outcome = 200;
      send(200, kind === "multicast" ? {} : { sentMessages: request.messages.map((_, i) => ({ id: String(i), quoteToken: "q" })) });
      return;
    }
    if (req.method === "POST" && url === "/v2/bot/chat/loading/start") return send(202, {});
    const profile = /^\/v2\/bot\/profile\/([^/?]+)$/.exec(url);
    if (req.method === "GET" && profile) {
      const userId = decodeURIComponent(profile[1]!);
      const displayName = this.displayNames.get(userId);
      return displayName ? send(200, { userId, displayName }) : send(404, { message: "Not found" });
    }
    if (req.method === "GET" && /^\/v2\/bot\/message\/[^/]+\/content$/.test(url)) {
      res.writeHead(200, { "content-type": "image/jpeg" }).end(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]));
      return;
    }
    send(404, { message: "Not found" });
  }
}

/** Polls until `check` passes (returns without throwing); fails with its last error after `timeoutMs`. */
export async function waitUntil(check: () => unknown, options: { timeoutMs?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    let failure: unknown;
    try {
      const ok = await check();
      if (ok !== false) return;
      failure = new Error(`not yet: ${options.what ?? "condition"}`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
