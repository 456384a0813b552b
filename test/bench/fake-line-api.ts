// A stand-in for LINE's Messaging API for the benchmarks (test/bench/run-all.ts):
// a real HTTP server on 127.0.0.1, in the load generator's process, so that
// the driver learns the moment a reply reaches "LINE" and can release the
// user's next step. Like LINE it answers 400 to a reply token used before and
// 409 to an X-Line-Retry-Key already accepted; everything else gets 200 `{}`
// (profile calls included). Every reply, push and multicast is handed to the
// hooks with its arrival time (performance.now()).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { messagingApi } from "@line/bot-sdk";

export interface FakeLineHooks {
  onReply?(replyToken: string, messages: messagingApi.Message[], at: number, firstUse: boolean): void;
  onPush?(to: string, messages: messagingApi.Message[], at: number): void;
  onMulticast?(to: string[], messages: messagingApi.Message[], at: number): void;
  /** Rich menu bulk link (POST /v2/bot/richmenu/bulk/link) and unlink. */
  onBulkLink?(userIds: string[], unlink: boolean): void;
}

export interface FakeLineCounts {
  replies: number;
  /** Reply calls with a token LINE had already taken (answered 400). */
  replyTokenReused: number;
  pushes: number;
  multicasts: number;
  multicastRecipients: number;
  /** Push/multicast calls repeating an accepted retry key (answered 409). */
  retryKeyRepeats: number;
  other: number;
}

export class FakeLineApi {
  hooks: FakeLineHooks = {};
  readonly counts: FakeLineCounts = {
    replies: 0,
    replyTokenReused: 0,
    pushes: 0,
    multicasts: 0,
    multicastRecipients: 0,
    retryKeyRepeats: 0,
    other: 0,
  };
  private readonly usedTokens = new Set<string>();
  private readonly retryKeys = new Set<string>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeLineApi> {
    const server = createServer();
    const api = new FakeLineApi(server);
    server.on("request", (req, res) => api.handle(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets tokens, keys and counts (between scenarios). */
  reset(): void {
    this.usedTokens.clear();
    this.retryKeys.clear();
    for (const k of Object.keys(this.counts) as (keyof FakeLineCounts)[]) this.counts[k] = 0;
    this.hooks = {};
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const answer = (status: number, body = "{}") => {
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      };
      const path = (req.url ?? "").split("?")[0]!;
      // Rich menus by alias (the flood-first and staff menus): one made-up id per alias.
      const alias = /^\/v2\/bot\/richmenu\/alias\/([^/]+)$/.exec(path);
      if (req.method === "GET" && alias) {
        this.counts.other += 1;
        return answer(200, JSON.stringify({ richMenuAliasId: alias[1], richMenuId: `richmenu-bench-${alias[1]}` }));
      }
      const bulk = /^\/v2\/bot\/richmenu\/bulk\/(link|unlink)$/.exec(path);
      if (req.method === "POST" && bulk) {
        this.counts.other += 1;
        try {
          const { userIds } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { userIds?: unknown };
          this.hooks.onBulkLink?.(Array.isArray(userIds) ? userIds.map(String) : [], bulk[1] === "unlink");
        } catch {
          return answer(400, '{"message":"malformed"}');
        }
        return answer(202);
      }
      if (req.method !== "POST" || !/^\/v2\/bot\/message\/(reply|push|multicast)$/.test(path)) {
        this.counts.other += 1;
        return answer(200);
      }
      let body: { replyToken?: string; to?: string | string[]; messages?: messagingApi.Message[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        return answer(400, '{"message":"malformed"}');
      }
      const messages = body.messages ?? [];
      if (path.endsWith("/reply")) {
        const token = String(body.replyToken);
        const first = !this.usedTokens.has(token);
        this.usedTokens.add(token);
        if (first) this.counts.replies += 1;
        else this.counts.replyTokenReused += 1;
        this.hooks.onReply?.(token, messages, at, first);
        return first ? answer(200) : answer(400, '{"message":"Invalid reply token"}');
      }
      const key = req.headers["x-line-retry-key"];
      if (typeof key === "string") {
        if (this.retryKeys.has(key)) {
          this.counts.retryKeyRepeats += 1;
          return answer(409, '{"message":"The retry key is already accepted"}');
        }
        this.retryKeys.add(key);
      }
      if (path.endsWith("/push")) {
        this.counts.pushes += 1;
        this.hooks.onPush?.(String(body.to), messages, at);
      } else {
        const to = Array.isArray(body.to) ? body.to.map(String) : [];
        this.counts.multicasts += 1;
        this.counts.multicastRecipients += to.length;
        this.hooks.onMulticast?.(to, messages, at);
      }
      return answer(200);
    });
  }
}

/** Every tappable action in a batch of messages: quick replies and Flex buttons. */
export function actionsOf(messages: unknown): { label: string; data?: string; text?: string }[] {
  const found: { label: string; data?: string; text?: string }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!node || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    const action = obj.action as Record<string, unknown> | undefined;
    if (action && typeof action.label === "string") {
      found.push({ label: action.label, data: action.data as string | undefined, text: action.text as string | undefined });
    }
    for (const [k, v] of Object.entries(obj)) if (k !== "action") visit(v);
  };
  visit(messages);
  return found;
}

/** The texts of a batch (text messages and Flex alt texts), for checking which question came. */
export function textOf(messages: messagingApi.Message[]): string {
  return messages
    .map((m) =>
      m.type === "text"
        ? (m as messagingApi.TextMessage).text
        : m.type === "flex"
          ? (m as messagingApi.FlexMessage).altText
          : `[${m.type}]`,
    )
    .join("\n");
}
