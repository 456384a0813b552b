// A stand-in for LINE's Messaging API, built on nock: it records every call
// the bot makes, checks each request as LINE would (against LINE's own
// OpenAPI file and the rules it cannot express: src/line/openapi/), answers
// 400 with LINE's `{ message, details }`, 400 to a reply token used before,
// 409 to a repeated retry key, an X-Line-Request-Id on every answer, and can
// be told to fail on purpose (500, 429 with either of LINE's bodies, 400, a
// hanging answer).
import type { messagingApi } from "@line/bot-sdk";
import nock from "nock";
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
import { richMenuImageProblems } from "../../src/line/rich-menu/validate.ts";

export { LINE_ANSWERS } from "../../src/line/openapi/platform.ts";

let instances = 0;

export type LineCall =
  | { kind: "reply"; replyToken: string; messages: messagingApi.Message[] }
  | { kind: "push"; to: string; messages: messagingApi.Message[]; retryKey: string | undefined }
  | { kind: "multicast"; to: string[]; messages: messagingApi.Message[]; retryKey: string | undefined }
  | { kind: "content"; messageId: string }
  | { kind: "loading"; chatId: string }
  | { kind: "profile"; userId: string };

type Operation = LineCall["kind"];
type RichMenuUserOperation = "alias get" | "link" | "unlink" | "bulk link" | "bulk unlink";

type Handler = (
  uri: string,
  body: Record<string, unknown>,
  headers: Record<string, string | undefined>,
  raw: nock.Body,
) => nock.ReplyFnResult;

interface Failure {
  status: number; // 0: no answer until the client gives up
  times: number;
  body?: unknown;
}

export class FakeLine {
  readonly calls: LineCall[] = [];
  /**
   * Requests LINE would refuse (400), one list of problems each, as
   * "property: message": a test that sees any has a bug to fix.
   */
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
  private readonly ledger = new LineLedger();
  private readonly scope: nock.Scope;
  private sentIds = 0;

  // Each fake answers on its own host, so fakes of consecutive tests in one
  // file never see each other's calls.
  readonly baseUrl = `https://api-${process.pid}-${++instances}.line.test`;
  readonly dataBaseUrl = this.baseUrl.replace("https://api-", "https://api-data-");
  private readonly dataScope: nock.Scope;

  /**
   * Every route goes through `gate`: LINE checks the request (endpoint,
   * headers, body against messaging-api.yml) before anything else, and
   * stamps every answer with a request id.
   */
  private route(handler: Handler): (this: nock.ReplyFnContext, uri: string, body: nock.Body) => nock.ReplyFnResult {
    const fake = this;
    return function (uri, body) {
      return fake.gate(this.req.method ?? "GET", uri, this.req.headers, body, handler);
    };
  }

  constructor() {
    warmLineChecks();
    const route = (handler: Handler) => this.route(handler);
    this.scope = nock(this.baseUrl)
      .persist()
      .post("/v2/bot/message/reply")
      .reply(route((_uri, body) => this.answer("reply", body, undefined)))
      .post("/v2/bot/message/push")
      .reply(route((_uri, body, headers) => this.answer("push", body, headers["x-line-retry-key"])))
      .post("/v2/bot/message/multicast")
      .reply(route((_uri, body, headers) => this.answer("multicast", body, headers["x-line-retry-key"])))
      .post("/v2/bot/chat/loading/start")
      .reply(route((_uri, body) => this.answer("loading", body, undefined)))
      .get(/\/v2\/bot\/profile\/.+/)
      .reply(
        route((uri) => {
          const userId = decodeURIComponent(uri.split("/").pop() ?? "");
          return this.answer("profile", { userId }, undefined);
        }),
      );
    this.dataScope = nock(this.dataBaseUrl)
      .persist()
      .get(/\/v2\/bot\/message\/[^/]+\/content$/)
      .reply(
        route((uri) => {
          const messageId = decodeURIComponent(uri.split("/").at(-2) ?? "");
          return this.answerContent(messageId);
        }),
      );
    // Registered last, so it only gets what no route above took: LINE's 404
    // (or its 400 for a bad request to an endpoint this fake does not model).
    this.fallbackScopes = [this.baseUrl, this.dataBaseUrl].map((host) => {
      let scope = nock(host).persist();
      for (const method of ["GET", "POST", "PUT", "DELETE"])
        scope = scope.intercept(/.*/, method).reply(route(() => lineAnswer(LINE_ANSWERS.notFound)));
      return scope;
    });
  }

  private readonly fallbackScopes: nock.Scope[];

  /** LINE's refusals that come before any handling, then the handler; every answer gets an X-Line-Request-Id. */
  private gate(
    method: string,
    uri: string,
    rawHeaders: Record<string, string | string[] | undefined>,
    rawBody: nock.Body,
    handler: Handler,
  ): nock.ReplyFnResult {
    const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]));
    const body = parsedBody(rawBody);
    const checked = checkLineRequest({ method, path: uri, headers, body });
    const kind = kindOf(checked.operation?.operationId);
    let result: nock.ReplyFnResult;
    // An injected failure stands for LINE failing before it looked at the request.
    const failure = kind ? this.peekFailure(kind) : undefined;
    if (checked.refusal && !failure) {
      if (kind === "push" || kind === "multicast") this.requests.push({ kind, retryKey: headers["x-line-retry-key"] });
      if (checked.problems.length > 0) this.limitProblems.push(problemLines(checked.problems));
      result = lineAnswer(checked.refusal);
    } else {
      result = handler(uri, (body && typeof body === "object" ? body : {}) as Record<string, unknown>, headers, rawBody);
    }
    if (!Array.isArray(result)) return result; // a hanging answer
    const [status, answerBody, answerHeaders] = result as [number, nock.ReplyBody, Record<string, string> | undefined];
    return [status, answerBody, { "x-line-request-id": newLineRequestId(), ...answerHeaders }];
  }

  private answerContent(messageId: string): nock.ReplyFnResult {
    const failure = this.takeFailure("content");
    if (failure?.status === 0) return new Promise<never>(() => undefined) as never;
    if (failure) return [failure.status, failure.body ?? lineErrorBody(failure.status)];
    this.calls.push({ kind: "content", messageId });
    if (this.expiredContent.has(messageId)) return lineAnswer(LINE_ANSWERS.notFound);
    const content = this.contents.get(messageId) ?? {
      contentType: "image/jpeg",
      bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`fake photo ${messageId}`)]),
    };
    return [200, content.bytes, { "content-type": content.contentType }];
  }

  /**
   * The next `times` calls of this kind fail with `status` (0: never answer)
   * and `body`; without a body, LINE's for that status (429: the rate limit;
   * pass LINE_ANSWERS.monthlyLimit.body for an exhausted quota).
   */
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

  private peekFailure(operation: Operation): Failure | undefined {
    return this.failures.get(operation)?.[0];
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
    if (failure) return [failure.status, failure.body ?? lineErrorBody(failure.status)];
    if (kind === "reply" || kind === "push" || kind === "multicast") {
      const replyToken = kind === "reply" ? String(body.replyToken) : undefined;
      const spent = this.ledger.refusal({ replyToken, retryKey });
      if (spent) return lineAnswer(spent);
      const messages = (body.messages ?? []) as messagingApi.Message[];
      const requestId = newLineRequestId();
      this.ledger.accept({ replyToken, retryKey }, requestId);
      const hang = kind === "push" || kind === "multicast" ? (this.acceptThenHang.get(kind) ?? 0) : 0;
      if (kind === "reply") this.calls.push({ kind, replyToken: replyToken!, messages });
      else if (kind === "multicast") this.calls.push({ kind, to: (body.to as string[]).map(String), messages, retryKey });
      else this.calls.push({ kind, to: String(body.to), messages, retryKey });
      if (hang > 0) {
        this.acceptThenHang.set(kind, hang - 1);
        return new Promise<never>(() => undefined) as never;
      }
      const answer = kind === "multicast" ? {} : sentMessages(messages.length, () => String(++this.sentIds));
      return [200, answer, { "x-line-request-id": requestId }];
    }
    if (kind === "loading") {
      this.calls.push({ kind, chatId: String(body.chatId) });
      return [202, {}];
    }
    const userId = String(body.userId);
    this.calls.push({ kind: "profile", userId });
    const displayName = this.displayNames.get(userId);
    return displayName ? [200, { userId, displayName }] : lineAnswer(LINE_ANSWERS.notFound);
  }

  count(kind: Operation): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  close(): void {
    this.scope.persist(false);
    this.dataScope.persist(false);
    for (const scope of this.fallbackScopes) scope.persist(false);
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
    return [
      nock(this.baseUrl)
        .persist()
        .post("/v2/bot/richmenu")
        .reply(
          this.route((_uri, body) => {
            this.richMenuCalls.push("create");
            const menu = body as messagingApi.RichMenuRequest;
            const richMenuId = `richmenu-fake-${++this.richMenuCount}`;
            this.richMenus.set(richMenuId, { menu });
            return [200, { richMenuId }];
          }),
        )
        .post(/^\/v2\/bot\/user\/all\/richmenu\/[^/]+$/)
        .reply(
          this.route((uri) => {
            const id = decodeURIComponent(uri.split("/").pop() ?? "");
            this.richMenuCalls.push(`default ${id}`);
            const entry = this.richMenus.get(id);
            if (!entry) return [404, { message: "Not found" }];
            if (!entry.image) return [400, { message: "must upload a rich menu image" }];
            this.defaultRichMenuId = id;
            return [200, {}];
          }),
        )
        .get("/v2/bot/richmenu/list")
        .reply(
          this.route(() => {
            this.richMenuCalls.push("list");
            return [200, { richmenus: [...this.richMenus].map(([richMenuId, { menu }]) => ({ richMenuId, ...menu })) }];
          }),
        )
        .delete(/^\/v2\/bot\/richmenu\/[^/]+$/)
        .reply(
          this.route((uri) => {
            const id = decodeURIComponent(uri.split("/").pop() ?? "");
            this.richMenuCalls.push(`delete ${id}`);
            if (!this.richMenus.delete(id)) return [404, { message: "Not found" }];
            if (this.defaultRichMenuId === id) this.defaultRichMenuId = null;
            // As LINE: the users linked to a deleted menu see the default again.
            for (const [userId, linked] of this.userRichMenus) if (linked === id) this.userRichMenus.delete(userId);
            return [200, {}];
          }),
        ),
      this.interceptRichMenuAliasesAndLinks(),
      nock(this.dataBaseUrl)
        .persist()
        .post(/^\/v2\/bot\/richmenu\/[^/]+\/content$/)
        .reply(this.route((uri, _body, headers, raw) => this.answerRichMenuImage(uri, raw, String(headers["content-type"] ?? "")))),
    ];
  }

  // --- rich menu aliases and per-user links (setup.ts, link-job.ts) -------

  /** Alias id → rich menu id. */
  readonly richMenuAliases = new Map<string, string>();
  /** User id → the rich menu linked to that user. */
  readonly userRichMenus = new Map<string, string>();
  /**
   * User ids LINE refuses: a link (one or bulk) naming one answers 400 for
   * the whole call, as LINE does for an invalid user id.
   */
  readonly invalidUserIds = new Set<string>();
  /** Every bulk link/unlink request that passed LINE's schema check, whatever the answer, in order. */
  readonly bulkRichMenuRequests: { op: "bulk link" | "bulk unlink"; richMenuId?: string; userIds: string[]; status: number }[] = [];
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
    return [head.status, lineErrorBody(head.status)];
  }

  private interceptRichMenuAliasesAndLinks(): nock.Scope {
    const lastSegment = (uri: string, back = 1) => decodeURIComponent(uri.split("/").at(-back) ?? "");
    return (
      nock(this.baseUrl)
        .persist()
        .post("/v2/bot/richmenu/alias")
        .reply(
          this.route((_uri, body) => {
            const { richMenuAliasId, richMenuId } = body as { richMenuAliasId: string; richMenuId: string };
            this.richMenuCalls.push(`alias create ${richMenuAliasId} ${richMenuId}`);
            if (this.richMenuAliases.has(richMenuAliasId)) return [400, { message: "conflict richmenu alias id" }];
            if (!this.richMenus.has(richMenuId)) return [400, { message: "richmenu not found" }];
            this.richMenuAliases.set(richMenuAliasId, richMenuId);
            return [200, {}];
          }),
        )
        .post(/^\/v2\/bot\/richmenu\/alias\/[^/]+$/)
        .reply(
          this.route((uri, body) => {
            const alias = lastSegment(uri);
            const { richMenuId } = body as { richMenuId: string };
            this.richMenuCalls.push(`alias update ${alias} ${richMenuId}`);
            if (!this.richMenuAliases.has(alias)) return [400, { message: "richmenu alias not found" }];
            if (!this.richMenus.has(richMenuId)) return [400, { message: "richmenu not found" }];
            this.richMenuAliases.set(alias, richMenuId);
            return [200, {}];
          }),
        )
        .get(/^\/v2\/bot\/richmenu\/alias\/[^/]+$/)
        .reply(
          this.route((uri) => {
            const alias = lastSegment(uri);
            const failure = this.richMenuFailure("alias get");
            if (failure) return failure;
            this.richMenuCalls.push(`alias get ${alias}`);
            const richMenuId = this.richMenuAliases.get(alias);
            return richMenuId ? [200, { richMenuAliasId: alias, richMenuId }] : [404, { message: "richmenu alias not found" }];
          }),
        )
        // Up to 500 users a call (the schema's maxItems is checked by the gate); 202 as LINE.
        .post("/v2/bot/richmenu/bulk/link")
        .reply(
          this.route((_uri, body) => {
            const { richMenuId, userIds } = body as { richMenuId: string; userIds: string[] };
            const request = { op: "bulk link" as const, richMenuId, userIds: [...userIds], status: 0 };
            this.bulkRichMenuRequests.push(request);
            const failure = this.richMenuFailure("bulk link");
            const answer: nock.ReplyFnResult = failure ?? this.bulkLink(userIds, richMenuId);
            if (Array.isArray(answer)) request.status = answer[0] as number;
            return answer;
          }),
        )
        .post("/v2/bot/richmenu/bulk/unlink")
        .reply(
          this.route((_uri, body) => {
            const { userIds } = body as { userIds: string[] };
            const request = { op: "bulk unlink" as const, userIds: [...userIds], status: 0 };
            this.bulkRichMenuRequests.push(request);
            const failure = this.richMenuFailure("bulk unlink");
            const answer: nock.ReplyFnResult = failure ?? this.bulkLink(userIds, null);
            if (Array.isArray(answer)) request.status = answer[0] as number;
            return answer;
          }),
        )
        // "all" is the default menu's path, answered above.
        .post(/^\/v2\/bot\/user\/(?!all\/)[^/]+\/richmenu\/[^/]+$/)
        .reply(
          this.route((uri) => {
            const failure = this.richMenuFailure("link");
            if (failure) return failure;
            const userId = lastSegment(uri, 3);
            const richMenuId = lastSegment(uri);
            this.richMenuCalls.push(`link ${userId} ${richMenuId}`);
            const entry = this.richMenus.get(richMenuId);
            if (!entry) return [404, { message: "Not found" }];
            if (!entry.image) return [400, { message: "must upload a rich menu image" }];
            if (this.invalidUserIds.has(userId)) return [400, { message: "The user ID is invalid" }];
            this.userRichMenus.set(userId, richMenuId);
            return [200, {}];
          }),
        )
        .delete(/^\/v2\/bot\/user\/(?!all\/)[^/]+\/richmenu$/)
        .reply(
          this.route((uri) => {
            const failure = this.richMenuFailure("unlink");
            if (failure) return failure;
            const userId = lastSegment(uri, 2);
            this.richMenuCalls.push(`unlink ${userId}`);
            this.userRichMenus.delete(userId);
            return [200, {}];
          }),
        )
    );
  }

  /** A bulk link (`richMenuId`) or unlink (null), all or nothing: one invalid user id refuses the call. */
  private bulkLink(userIds: string[], richMenuId: string | null): nock.ReplyFnResult {
    this.richMenuCalls.push(richMenuId === null ? `bulk unlink ${userIds.length}` : `bulk link ${richMenuId} ${userIds.length}`);
    if (richMenuId !== null) {
      const entry = this.richMenus.get(richMenuId);
      if (!entry) return [404, { message: "Not found" }];
      if (!entry.image) return [400, { message: "must upload a rich menu image" }];
    }
    const invalid = userIds.findIndex((id) => this.invalidUserIds.has(id));
    if (invalid >= 0)
      return [
        400,
        { message: "The request body has 1 error(s)", details: [{ message: "The user ID is invalid", property: `userIds[${invalid}]` }] },
      ];
    for (const userId of userIds) {
      if (richMenuId === null) this.userRichMenus.delete(userId);
      else this.userRichMenus.set(userId, richMenuId);
    }
    return [202, {}];
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
      return [400, { message: "Invalid image", details: problems.map((message) => ({ message, property: "" })) }];
    }
    entry.image = { contentType, bytes };
    return [200, {}];
  }
}

/** The fake's operation kind for a messaging-api.yml operation (failures are injected per kind). */
function kindOf(operationId: string | undefined): Operation | undefined {
  const kinds: Record<string, Operation> = {
    replyMessage: "reply",
    pushMessage: "push",
    multicast: "multicast",
    showLoadingAnimation: "loading",
    getProfile: "profile",
    getMessageContent: "content",
  };
  return operationId ? kinds[operationId] : undefined;
}

function lineAnswer(answer: LineAnswer): [number, Record<string, unknown>, Record<string, string>] {
  return [answer.status, answer.body, answer.headers ?? {}];
}

/** What LINE parses: the JSON body nock already parsed, a string it could not, or nothing. */
function parsedBody(body: nock.Body): unknown {
  if (body === undefined || body === "") return undefined;
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return INVALID_JSON;
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
