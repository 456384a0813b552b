// A stand-in for LINE's Messaging API as a real HTTP server on 127.0.0.1, for
// tests where the bot runs in another process (nock cannot reach it) or where
// LINE must misbehave "for a while" rather than for a counted number of calls.
//
// It records every reply, push and multicast request with its reply token or
// X-Line-Retry-Key, and what became of it. Like LINE it checks every request
// against LINE's own OpenAPI file (src/line/openapi/) and answers 400 with
// `{ message, details }` when it breaks it, 400 to a reply token used before,
// 409 to a retry key already accepted, and an X-Line-Request-Id on every
// answer. What it does with a request is decided by `policy` (default:
// accept), so a test can say "500 until I say otherwise", "429, the monthly
// quota is gone", "hang everything from now on", "accept, then never
// answer" (LINE took it, the bot never heard back), or "hold it until I say
// what to do with it" (a request in flight for as long as the test likes).
// The flood-first menu's alias resolves when the test names its menu in
// `richMenuAliases`; bulk links and unlinks are recorded in `bulkRichMenu`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { messagingApi } from "@line/bot-sdk";
import {
  checkLineRequest,
  INVALID_JSON,
  LINE_ANSWERS,
  LineLedger,
  lineErrorBody,
  newLineRequestId,
  problemLines,
  sentMessages,
  type LineAnswer,
  warmLineChecks,
} from "../../src/line/openapi/platform.ts";

export { LINE_ANSWERS } from "../../src/line/openapi/platform.ts";

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
  /** Why LINE would refuse it ("property: message"), when it answered 400 for the request itself. */
  problems?: string[];
  /** LINE took it (counts as a delivery): 200, or accepted and then hung. */
  accepted: boolean;
  /** The client closed the connection before any answer (its timeout): a held request is then not taken. */
  gaveUp?: boolean;
}

export type Behaviour =
  | { kind: "accept" }
  /** Refused with this status; the body is LINE's for it unless given (429: the rate limit; LINE_ANSWERS.monthlyLimit.body: the quota). */
  | { kind: "status"; status: number; body?: Record<string, unknown> }
  /** No answer, nothing taken: the client's timeout must give up. */
  | { kind: "hang" }
  /** Taken (token used, retry key spent) but never answered. */
  | { kind: "accept-then-hang" }
  /** Taken, answered 200 after a delay (a slow LINE). */
  | { kind: "slow"; ms: number }
  /** Nothing said until `until` resolves, then what it says; a client that gave up meanwhile gets nothing taken. */
  | { kind: "hold"; until: Promise<Behaviour> };

export type Policy = (request: { kind: SendKind; replyToken?: string; retryKey?: string; to: string[] }) => Behaviour;

export const ACCEPT: Policy = () => ({ kind: "accept" });

export class LineServer {
  readonly requests: LineRequest[] = [];
  policy: Policy = ACCEPT;
  readonly displayNames = new Map<string, string>();
  /** Message contents by id (any other id: a small JPEG); `notReady` answers 202 that many times first, as LINE does while it prepares audio. */
  readonly contents = new Map<string, { contentType: string; bytes: Buffer; notReady?: number }>();
  /** Every request LINE would refuse for itself (400), as "property: message" lines: a bug of the bot's. */
  readonly refused: string[][] = [];
  /** Bulk rich menu links and unlinks LINE took (202), in order; `richMenuId` null: an unlink. */
  readonly bulkRichMenu: { richMenuId: string | null; userIds: string[] }[] = [];
  /** Rich menu aliases LINE knows (alias → rich menu id); any other alias: 404. */
  readonly richMenuAliases = new Map<string, string>();
  private readonly ledger = new LineLedger();
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
    warmLineChecks();
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
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res
        .writeHead(status, { "content-type": "application/json", "x-line-request-id": newLineRequestId(), ...headers })
        .end(JSON.stringify(body));
    };
    const answer = (a: LineAnswer) => send(a.status, a.body, a.headers);
    let parsed: unknown;
    try {
      parsed = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      parsed = INVALID_JSON;
    }
    const checked = checkLineRequest({ method: req.method ?? "GET", path: url, headers: req.headers, body: parsed });
    const operationId = checked.operation?.operationId;
    if (operationId === "replyMessage" || operationId === "pushMessage" || operationId === "multicast") {
      const kind: SendKind = operationId === "replyMessage" ? "reply" : operationId === "pushMessage" ? "push" : "multicast";
      const body = (parsed && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
      const header = req.headers["x-line-retry-key"];
      const retryKey = Array.isArray(header) ? header[0] : header;
      const replyToken = kind === "reply" && body.replyToken !== undefined ? String(body.replyToken) : undefined;
      const to =
        kind === "reply"
          ? []
          : kind === "push"
            ? body.to === undefined
              ? []
              : [String(body.to)]
            : Array.isArray(body.to)
              ? body.to.map(String)
              : [];
      const request: LineRequest = {
        seq: ++this.seq,
        kind,
        replyToken,
        retryKey,
        to,
        messages: (Array.isArray(body.messages) ? body.messages : []) as messagingApi.Message[],
        outcome: "hung",
        accepted: false,
      };
      this.requests.push(request);
      res.on("close", () => {
        if (!res.writableFinished) request.gaveUp = true;
      });
      // The policy stands for LINE failing before it looks at the request.
      let behaviour = this.policy({ kind, replyToken, retryKey, to });
      while (behaviour.kind === "hold") {
        behaviour = await behaviour.until;
        if (request.gaveUp || res.destroyed) return;
      }
      if (behaviour.kind === "hang") return; // the socket stays open until the client or close() cuts it
      if (behaviour.kind === "status") {
        request.outcome = behaviour.status;
        send(behaviour.status, behaviour.body ?? lineErrorBody(behaviour.status));
        return;
      }
      // LINE's own refusals come before acceptance.
      const refusal = checked.refusal ?? this.ledger.refusal({ replyToken, retryKey });
      if (refusal) {
        request.outcome = refusal.status;
        if (checked.problems.length > 0) {
          request.problems = problemLines(checked.problems);
          this.refused.push(request.problems);
        }
        answer(refusal);
        return;
      }
      const requestId = newLineRequestId();
      request.accepted = true;
      this.ledger.accept({ replyToken, retryKey }, requestId);
      if (behaviour.kind === "accept-then-hang") return;
      if (behaviour.kind === "slow") await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
      request.outcome = 200;
      let sent = 0;
      send(
        200,
        kind === "multicast" ? {} : sentMessages(request.messages.length, () => `${request.seq}${String(++sent).padStart(2, "0")}`),
        { "x-line-request-id": requestId },
      );
      return;
    }
    if (checked.refusal) {
      if (checked.problems.length > 0) this.refused.push(problemLines(checked.problems));
      return answer(checked.refusal);
    }
    if (operationId === "showLoadingAnimation") return send(202, {});
    if (operationId === "createRichMenu") return send(200, { richMenuId: `richmenu-${++this.seq}` });
    if (operationId === "linkRichMenuIdToUsers" || operationId === "unlinkRichMenuIdFromUsers") {
      const body = parsed as { richMenuId?: string; userIds: string[] };
      this.bulkRichMenu.push({
        richMenuId: operationId === "linkRichMenuIdToUsers" ? String(body.richMenuId) : null,
        userIds: body.userIds,
      });
      return send(202, {});
    }
    const alias = /^\/v2\/bot\/richmenu\/alias\/([^/?]+)$/.exec(url);
    if (operationId === "getRichMenuAlias" && alias) {
      const richMenuAliasId = decodeURIComponent(alias[1]!);
      const richMenuId = this.richMenuAliases.get(richMenuAliasId);
      return richMenuId ? send(200, { richMenuAliasId, richMenuId }) : answer(LINE_ANSWERS.notFound);
    }
    const profile = /^\/v2\/bot\/profile\/([^/?]+)$/.exec(url);
    if (operationId === "getProfile" && profile) {
      const userId = decodeURIComponent(profile[1]!);
      const displayName = this.displayNames.get(userId);
      return displayName ? send(200, { userId, displayName }) : answer(LINE_ANSWERS.notFound);
    }
    if (operationId === "getMessageContent") {
      const id = decodeURIComponent(/^\/v2\/bot\/message\/([^/?]+)\/content/.exec(url)?.[1] ?? "");
      const content = this.contents.get(id);
      if (content?.notReady) {
        content.notReady -= 1;
        return send(202, {});
      }
      res
        .writeHead(200, { "content-type": content?.contentType ?? "image/jpeg", "x-line-request-id": newLineRequestId() })
        .end(content?.bytes ?? Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]));
      return;
    }
    answer(LINE_ANSWERS.notFound);
  }
}

/**
 * Polls until `check` passes (returns without throwing); fails with its last
 * error after `timeoutMs`. The default only catches a hang (with `what` in the
 * message): a busy machine may take many times the usual time.
 */
export async function waitUntil(check: () => unknown, options: { timeoutMs?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
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
