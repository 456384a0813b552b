// A stand-in for LINE's Messaging API, built on nock: it records every call
// the bot makes, checks each payload against LINE's limits with the same
// function the bot uses, answers 409 to a repeated retry key as LINE does,
// and can be told to fail on purpose (500, 429, 400, a hanging answer).
import type { messagingApi } from "@line/bot-sdk";
import nock from "nock";
import { lineLimitProblems } from "../../src/line/limits.ts";

let instances = 0;

export type LineCall =
  | { kind: "reply"; replyToken: string; messages: messagingApi.Message[] }
  | { kind: "push"; to: string; messages: messagingApi.Message[]; retryKey: string | undefined }
  | { kind: "multicast"; to: string[]; messages: messagingApi.Message[]; retryKey: string | undefined }
  | { kind: "content"; messageId: string }
  | { kind: "loading"; chatId: string }
  | { kind: "profile"; userId: string };

type Operation = LineCall["kind"];

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

  private takeFailure(operation: Operation): Failure | undefined {
    const queue = this.failures.get(operation);
    const head = queue?.[0];
    if (!head) return undefined;
    head.times -= 1;
    if (head.times <= 0) queue!.shift();
    return head;
  }

  private answer(kind: Operation, body: Record<string, unknown>, retryKey: string | undefined): nock.ReplyFnResult {
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
  }
}
