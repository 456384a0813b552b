// A stand-in for LINE's Messaging API, built on nock: it records every call
// the bot makes, checks each payload against LINE's limits with the same
// function the bot uses, answers 409 to a repeated retry key as LINE does,
// and can be told to fail on purpose (500, 429, 400, a hanging answer).
import type { messagingApi } from "@line/bot-sdk";
import nock from "nock";
import { lineLimitProblems } from "../../src/line/limits.ts";
import { richMenuImageProblems, richMenuProblems } from "../../src/line/rich-menu/validate.ts";

let instances = 0;

export type LineCall =
  | { kind: "reply"; replyToken: string; messages: messagingApi.Message[] }
  | { kind: "push"; to: string; messages: messagingApi.Message[]; retryKey: string | undefined }
  | { kind: "multicast"; to: string[]; messages: messagingApi.Message[]; retryKey: string | undefined }
  | { kind: "content"; messageId: string }
  | { kind: "loading"; chatId: string }
  | { kind: "profile"; userId: string };

type Operation = LineCall["kind"];
type RichMenuUserOperation = "alias get" | "link" | "unlink";

interface Failure {
  status: number; // 0: no answer until the client gives up
  times: number;
  body?: unknown;
}

export class FakeLine {
  readonly calls: LineCall[] = [];
  /** Payloads that broke LINE's limits; a test that sees any has a bug to fix. */
  readonly limitProblems: string[][] = [];
  readonly displayNames = new Map<string, string>();
  /** Message contents by id; any other id answers a small fake JPEG, unless listed in `expiredContent`. */
  readonly contents = new Map<string, { contentType: string; bytes: Buffer }>();
  readonly expiredContent = new Set<string>();
  private readonly failures = new Map<Operation, Failure[]>();
  /**
   * Every push and multicast request that reached the fake, whatever the
   * answer (failures, 409s), in order: `calls` holds only the accepted ones.
   */
  readonly requests: { kind: "push" | "multicast"; retryKey: string | undefined }[] = [];
  private readonly acceptThenHang = new Map<Operation, number>();
  private readonly acceptedRetryKeys = new Set<string>();
  private readonly scope: nock.Scope;

  // Each fake answers on its own host, so fakes of consecutive tests in one
  // file never see each other's calls.
  readonly baseUrl = `https://api-${process.pid}-${++instances}.line.test`;
  readonly dataBaseUrl = this.baseUrl.replace("https://api-", "https://api-data-");
  private readonly dataScope: nock.Scope;

  constructor() {
    this.scope = nock(this.baseUrl)
      .persist()
      .post("/v2/bot/message/reply")
      .reply((_uri, body) => this.answer("reply", body as Record<string, unknown>, undefined))
      .post("/v2/bot/message/push")
      .reply(function (this: nock.ReplyFnContext, _uri, body) {
        const key = this.req.headers["x-line-retry-key"];
        return fake.answer("push", body as Record<string, unknown>, Array.isArray(key) ? key[0] : key);
      })
      .post("/v2/bot/message/multicast")
      .reply(function (this: nock.ReplyFnContext, _uri, body) {
        const key = this.req.headers["x-line-retry-key"];
        return fake.answer("multicast", body as Record<string, unknown>, Array.isArray(key) ? key[0] : key);
      })
      .post("/v2/bot/chat/loading/start")
      .reply((_uri, body) => this.answer("loading", body as Record<string, unknown>, undefined))
      .get(/\/v2\/bot\/profile\/.+/)
      .reply((uri) => {
        const userId = decodeURIComponent(uri.split("/").pop() ?? "");
        return this.answer("profile", { userId }, undefined);
      });
    this.dataScope = nock(this.dataBaseUrl)
      .persist()
      .get(/\/v2\/bot\/message\/[^/]+\/content$/)
      .reply((uri) => {
        const messageId = decodeURIComponent(uri.split("/").at(-2) ?? "");
        return this.answerContent(messageId);
      });
    const fake = this;
  }

  private answerContent(messageId: string): nock.ReplyFnResult {
    const failure = this.takeFailure("content");
    if (failure?.status === 0) return new Promise<never>(() => undefined) as never;
    if (failure) return [failure.status, failure.body ?? { message: `fake ${failure.status}` }];
    this.calls.push({ kind: "content", messageId });
    if (this.expiredContent.has(messageId)) return [404, { message: "Not found" }];
    const content = this.contents.get(messageId) ?? {
      contentType: "image/jpeg",
      bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`fake photo ${messageId}`)]),
    };
    return [200, content.bytes, { "content-type": content.contentType }];
  }

  /** The next `times` calls of this kind fail with `status` (0: never answer). */
  failNext(operation: Operation, status: number, times = 1, body?: unknown): void {
    const queue = this.failures.get(operation) ?? [];
    queue.push({ status, times, body });
    this.failures.set(operation, queue);
  }

  /**
   * The next `times` push/multicast calls are accepted (recorded, retry key
   * taken) but never answered: LINE got it, the bot never heard back.
   */
  acceptThenHangNext(operation: "push" | "multicast", times = 1): void {
    this.acceptThenHang.set(operation, (this.acceptThenHang.get(operation) ?? 0) + times);
  }

  private takeFailure(operation: Operation): Failure | undefined {
    const queue = this.failures.get(operation);
    const head = queue?.[0];
    if (!head) return undefined;
    head.times -= 1;
    if (head.times <= 0) queue!.shift();
    return head;
  }

  private answer(kind: Operation, body: Record<string, unknown>, retryKey: string | undefined): nock.ReplyFnResult {
    if (kind === "push" || kind === "multicast") this.requests.push({ kind, retryKey });
    const failure = this.takeFailure(kind);
    if (failure?.status === 0) {
      // Hang: the gateway's timeout must give up on its own. nock awaits a
      // promise returned by the reply function (a promise as the body would
      // be serialised as "{}" and answered at once).
      return new Promise<never>(() => undefined) as never;
    }
    if (failure) return [failure.status, failure.body ?? { message: `fake ${failure.status}` }];
    if ((kind === "push" || kind === "multicast") && retryKey && this.acceptedRetryKeys.has(retryKey)) {
      return [409, { message: "The retry key is already accepted" }];
    }
    if (kind === "reply" || kind === "push" || kind === "multicast") {
      const messages = (body.messages ?? []) as messagingApi.Message[];
      const problems = lineLimitProblems(messages);
      if (problems.length > 0) {
        this.limitProblems.push(problems);
        return [400, { message: "The request body has invalid properties", details: problems }];
      }
      const hang = kind === "push" || kind === "multicast" ? (this.acceptThenHang.get(kind) ?? 0) : 0;
      if (hang > 0) {
        this.acceptThenHang.set(kind, hang - 1);
        if (retryKey) this.acceptedRetryKeys.add(retryKey);
        if (kind === "multicast") this.calls.push({ kind, to: (body.to as string[]).map(String), messages, retryKey });
        else this.calls.push({ kind: "push", to: String(body.to), messages, retryKey });
        return new Promise<never>(() => undefined) as never;
      }
      if (kind === "reply") {
        this.calls.push({ kind, replyToken: String(body.replyToken), messages });
      } else if (kind === "multicast") {
        if (retryKey) this.acceptedRetryKeys.add(retryKey);
        this.calls.push({ kind, to: (body.to as string[]).map(String), messages, retryKey });
        return [200, {}];
      } else {
        if (retryKey) this.acceptedRetryKeys.add(retryKey);
        this.calls.push({ kind, to: String(body.to), messages, retryKey });
      }
      return [200, { sentMessages: messages.map((_, i) => ({ id: String(i), quoteToken: "q" })) }];
    }
    if (kind === "loading") {
      this.calls.push({ kind, chatId: String(body.chatId) });
      return [202, {}];
    }
    const userId = String(body.userId);
    this.calls.push({ kind: "profile", userId });
    const displayName = this.displayNames.get(userId);
    return displayName ? [200, { userId, displayName }] : [404, { message: "Not found" }];
  }

  count(kind: Operation): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  close(): void {
    this.scope.persist(false);
    this.dataScope.persist(false);
    for (const scope of this.richMenuScopes) scope.persist(false);
  }

  // --- rich menus (src/line/rich-menu/setup.ts) ---------------------------
  // Kept apart from `calls`: menus are channel state, not messages to users.

  /** The channel's rich menus by id, with the image uploaded to each. */
  readonly richMenus = new Map<string, { menu: messagingApi.RichMenuRequest; image?: { contentType: string; bytes: Buffer } }>();
  defaultRichMenuId: string | null = null;
  /** Each rich menu request that reached the fake, e.g. "create", "image richmenu-fake-1". */
  readonly richMenuCalls: string[] = [];
  private richMenuCount = 0;

  private readonly richMenuScopes = this.interceptRichMenus();

  private interceptRichMenus(): nock.Scope[] {
    const fake = this;
    return [
      nock(this.baseUrl)
        .persist()
        .post("/v2/bot/richmenu")
        .reply((_uri, body) => {
          this.richMenuCalls.push("create");
          const menu = body as messagingApi.RichMenuRequest;
          const problems = richMenuProblems(menu);
          if (problems.length > 0) {
            this.limitProblems.push(problems);
            return [400, { message: "The request body has invalid properties", details: problems }];
          }
          const richMenuId = `richmenu-fake-${++this.richMenuCount}`;
          this.richMenus.set(richMenuId, { menu });
          return [200, { richMenuId }];
        })
        .post(/^\/v2\/bot\/user\/all\/richmenu\/[^/]+$/)
        .reply((uri) => {
          const id = decodeURIComponent(uri.split("/").pop() ?? "");
          this.richMenuCalls.push(`default ${id}`);
          const entry = this.richMenus.get(id);
          if (!entry) return [404, { message: "Not found" }];
          if (!entry.image) return [400, { message: "must upload a rich menu image" }];
          this.defaultRichMenuId = id;
          return [200, {}];
        })
        .get("/v2/bot/richmenu/list")
        .reply(() => {
          this.richMenuCalls.push("list");
          return [200, { richmenus: [...this.richMenus].map(([richMenuId, { menu }]) => ({ richMenuId, ...menu })) }];
        })
        .delete(/^\/v2\/bot\/richmenu\/[^/]+$/)
        .reply((uri) => {
          const id = decodeURIComponent(uri.split("/").pop() ?? "");
          this.richMenuCalls.push(`delete ${id}`);
          if (!this.richMenus.delete(id)) return [404, { message: "Not found" }];
          if (this.defaultRichMenuId === id) this.defaultRichMenuId = null;
          // As LINE: the users linked to a deleted menu see the default again.
          for (const [userId, linked] of this.userRichMenus) if (linked === id) this.userRichMenus.delete(userId);
          return [200, {}];
        }),
      this.interceptRichMenuAliasesAndLinks(),
      nock(this.dataBaseUrl)
        .persist()
        .post(/^\/v2\/bot\/richmenu\/[^/]+\/content$/)
        .reply(function (this: nock.ReplyFnContext, uri, body) {
          return fake.answerRichMenuImage(uri, body, String(this.req.headers["content-type"] ?? ""));
        }),
    ];
  }

  // --- rich menu aliases and per-user links (setup.ts, link-job.ts) -------

  /** Alias id → rich menu id. */
  readonly richMenuAliases = new Map<string, string>();
  /** User id → the rich menu linked to that user. */
  readonly userRichMenus = new Map<string, string>();
  private readonly richMenuFailures = new Map<RichMenuUserOperation, Failure[]>();

  /** The next `times` calls of this kind answer `status` (0: never answer), recorded in richMenuCalls as "<op> failed". */
  failRichMenuNext(operation: RichMenuUserOperation, status: number, times = 1): void {
    const queue = this.richMenuFailures.get(operation) ?? [];
    queue.push({ status, times });
    this.richMenuFailures.set(operation, queue);
  }

  private richMenuFailure(operation: RichMenuUserOperation): nock.ReplyFnResult | undefined {
    const queue = this.richMenuFailures.get(operation);
    const head = queue?.[0];
    if (!head) return undefined;
    head.times -= 1;
    if (head.times <= 0) queue!.shift();
    this.richMenuCalls.push(`${operation} failed`);
    if (head.status === 0) return new Promise<never>(() => undefined) as never;
    return [head.status, { message: `fake ${head.status}` }];
  }

  private interceptRichMenuAliasesAndLinks(): nock.Scope {
    const lastSegment = (uri: string, back = 1) => decodeURIComponent(uri.split("/").at(-back) ?? "");
    return nock(this.baseUrl)
      .persist()
      .post("/v2/bot/richmenu/alias")
      .reply((_uri, body) => {
        const { richMenuAliasId, richMenuId } = body as { richMenuAliasId: string; richMenuId: string };
        this.richMenuCalls.push(`alias create ${richMenuAliasId} ${richMenuId}`);
        if (this.richMenuAliases.has(richMenuAliasId)) return [400, { message: "conflict richmenu alias id" }];
        if (!this.richMenus.has(richMenuId)) return [400, { message: "richmenu not found" }];
        this.richMenuAliases.set(richMenuAliasId, richMenuId);
        return [200, {}];
      })
      .post(/^\/v2\/bot\/richmenu\/alias\/[^/]+$/)
      .reply((uri, body) => {
        const alias = lastSegment(uri);
        const { richMenuId } = body as { richMenuId: string };
        this.richMenuCalls.push(`alias update ${alias} ${richMenuId}`);
        if (!this.richMenuAliases.has(alias)) return [400, { message: "richmenu alias not found" }];
        if (!this.richMenus.has(richMenuId)) return [400, { message: "richmenu not found" }];
        this.richMenuAliases.set(alias, richMenuId);
        return [200, {}];
      })
      .get(/^\/v2\/bot\/richmenu\/alias\/[^/]+$/)
      .reply((uri) => {
        const alias = lastSegment(uri);
        const failure = this.richMenuFailure("alias get");
        if (failure) return failure;
        this.richMenuCalls.push(`alias get ${alias}`);
        const richMenuId = this.richMenuAliases.get(alias);
        return richMenuId ? [200, { richMenuAliasId: alias, richMenuId }] : [404, { message: "richmenu alias not found" }];
      })
      // "all" is the default menu's path, answered above.
      .post(/^\/v2\/bot\/user\/(?!all\/)[^/]+\/richmenu\/[^/]+$/)
      .reply((uri) => {
        const failure = this.richMenuFailure("link");
        if (failure) return failure;
        const userId = lastSegment(uri, 3);
        const richMenuId = lastSegment(uri);
        this.richMenuCalls.push(`link ${userId} ${richMenuId}`);
        const entry = this.richMenus.get(richMenuId);
        if (!entry) return [404, { message: "Not found" }];
        if (!entry.image) return [400, { message: "must upload a rich menu image" }];
        this.userRichMenus.set(userId, richMenuId);
        return [200, {}];
      })
      .delete(/^\/v2\/bot\/user\/(?!all\/)[^/]+\/richmenu$/)
      .reply((uri) => {
        const failure = this.richMenuFailure("unlink");
        if (failure) return failure;
        const userId = lastSegment(uri, 2);
        this.richMenuCalls.push(`unlink ${userId}`);
        this.userRichMenus.delete(userId);
        return [200, {}];
      });
  }

  private answerRichMenuImage(uri: string, body: nock.Body, contentType: string): nock.ReplyFnResult {
    const id = decodeURIComponent(uri.split("/").at(-2) ?? "");
    this.richMenuCalls.push(`image ${id}`);
    const entry = this.richMenus.get(id);
    if (!entry) return [404, { message: "Not found" }];
    if (entry.image) return [400, { message: "An image has already been uploaded to the richmenu" }];
    if (contentType !== "image/png" && contentType !== "image/jpeg") return [415, { message: `Unsupported ${contentType}` }];
    const bytes = requestBytes(body);
    const problems = richMenuImageProblems(entry.menu.size, bytes);
    if (problems.length > 0) {
      this.limitProblems.push(problems);
      return [400, { message: "Invalid image", details: problems }];
    }
    entry.image = { contentType, bytes };
    return [200, {}];
  }
}

// nock hands a reply function the body as a string: UTF-8 when the bytes
// are valid UTF-8, else hex. Undo that.
function requestBytes(body: nock.Body): Buffer {
  if (Buffer.isBuffer(body)) return body;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  if (/^(?:[0-9a-f]{2})*$/.test(text)) {
    const bytes = Buffer.from(text, "hex");
    if (!Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes)) return bytes;
  }
  return Buffer.from(text, "utf8");
}

