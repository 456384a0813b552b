// Builds the real app for a test on a fresh database, with a fake LINE API
// and a clock the test moves. Conversations read as transcripts:
//
//   const somchai = h.user("U1");
//   await somchai.follow();
//   await somchai.tap("ยินยอม");
//   expect(somchai.lastText()).toMatch(/ชื่อ/);
import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { messagingApi } from "@line/bot-sdk";
import nock from "nock";
import { createApp } from "../../src/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { createLogger, silentLogger, type Logger } from "../../src/log.ts";
import { createTestDatabase, type DatabaseKind, type TestDatabase } from "./database.ts";
import { FakeLine, type LineCall } from "./fake-line.ts";

export const CHANNEL_SECRET = "test-channel-secret";
export const ACCESS_TOKEN = "test-access-token";
export const START_TIME = new Date("2026-11-28T03:00:00.000Z"); // 10:00 in Bangkok
/** The bot's user id, each delivery's `destination` (webhook.yml: U + 32 hex digits). */
export const BOT_USER_ID = "U0b07000000000000000000000000b0e1";

export function sign(body: string, secret = CHANNEL_SECRET): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export class Clock {
  constructor(public now: Date = new Date(START_TIME)) {}
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

let eventCounter = 0;
/** ULID-shaped and unique across the test run. */
export function newEventId(): string {
  eventCounter += 1;
  return `01TEST${process.pid.toString(36).toUpperCase()}${String(eventCounter).padStart(12, "0")}`;
}

export interface HarnessOptions {
  kind: DatabaseKind;
  /** Reuse a database (a "restart"): the harness will not drop it. */
  db?: TestDatabase;
  env?: Record<string, string>;
  /** false: no geography and no councils in the new database (ignored with `db`). */
  geography?: boolean;
  clock?: Clock;
  line?: FakeLine;
  logger?: Logger;
  lineTimeoutMs?: number;
}

export type Event = Record<string, unknown>;

export class Harness {
  readonly users = new Map<string, ChatUser>();
  private constructor(
    readonly db: TestDatabase,
    readonly app: ReturnType<typeof createApp>,
    readonly server: Server,
    readonly baseUrl: string,
    readonly line: FakeLine,
    readonly clock: Clock,
    readonly config: Config,
    private readonly ownsDb: boolean,
    private readonly ownsLine: boolean,
  ) {}

  static async start(options: HarnessOptions): Promise<Harness> {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
    // A copy of the migrated template, with Sisaket's geography and councils unless told otherwise.
    const db = options.db ?? (await createTestDatabase(options.kind, { geography: options.geography !== false }));
    const clock = options.clock ?? new Clock();
    const line = options.line ?? new FakeLine();
    const config = loadConfig({
      LINE_CHANNEL_SECRET: CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: ACCESS_TOKEN,
      LINE_API_BASE_URL: line.baseUrl,
      LINE_DATA_API_BASE_URL: line.dataBaseUrl,
      // With credentials the bot needs its public https:// address (LINE fetches images only over HTTPS).
      PUBLIC_BASE_URL: "https://bot.example.test",
      ...options.env,
    });
    const app = createApp({
      config,
      db,
      logger: options.logger ?? (process.env.TEST_LOG ? createLogger("debug") : silentLogger),
      now: () => clock.now,
      sweepIntervalMs: 0,
      jobIntervalMs: 0,
      // Generous: the fake LINE answers in-process, but its first answer compiles
      // LINE's schemas, and a busy machine is slow. Tests of hangs pass their own.
      lineTimeoutMs: options.lineTimeoutMs ?? 30_000,
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.http.listen(0, "127.0.0.1", () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    return new Harness(db, app, server, `http://127.0.0.1:${port}`, line, clock, config, !options.db, !options.line);
  }

  /** Stops the server and processor; the database stays unless we made it. */
  async stop(): Promise<void> {
    await this.app.processor.drain();
    await this.app.jobs.stop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.ownsLine) this.line.close();
    if (this.ownsDb) await this.db.drop();
  }

  /** Posts a raw body, signed unless told otherwise. */
  async post(body: string, signature: string | null = sign(body)): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signature !== null) headers["x-line-signature"] = signature;
    return fetch(`${this.baseUrl}/webhook`, { method: "POST", headers, body });
  }

  /** Posts events as one signed delivery and waits until they are handled. */
  async deliver(events: Event[], options: { wait?: boolean } = {}): Promise<Response> {
    const res = await this.post(JSON.stringify({ destination: BOT_USER_ID, events }));
    if (options.wait !== false) await this.settle();
    return res;
  }

  async settle(): Promise<void> {
    await this.app.processor.idle();
  }

  /** Runs background jobs (outbox, photo fetching, reminders) until nothing is due at the clock's time. */
  async runJobs(): Promise<void> {
    await this.app.jobs.runAll();
  }

  user(id: string): ChatUser {
    let user = this.users.get(id);
    if (!user) {
      user = new ChatUser(this, id);
      this.users.set(id, user);
    }
    return user;
  }

  event(userId: string, fields: Event): Event {
    const id = newEventId();
    return {
      webhookEventId: id,
      timestamp: this.clock.now.getTime(),
      mode: "active",
      source: { type: "user", userId },
      replyToken: `rt-${id}`,
      deliveryContext: { isRedelivery: false },
      ...fields,
    };
  }

  /** Messages sent to a user: replies (by their token) and pushes. */
  messagesTo(userId: string, since = 0): messagingApi.Message[][] {
    return this.line.calls.slice(since).flatMap((call: LineCall) => {
      if (call.kind === "push" && call.to === userId) return [call.messages];
      if (call.kind === "multicast" && call.to.includes(userId)) return [call.messages];
      if (call.kind === "reply" && this.tokenOwner(call.replyToken) === userId) return [call.messages];
      return [];
    });
  }

  private readonly tokens = new Map<string, string>();
  rememberToken(token: string, userId: string): void {
    this.tokens.set(token, userId);
  }
  private tokenOwner(token: string): string | undefined {
    return this.tokens.get(token);
  }
}

export function textOf(messages: messagingApi.Message[]): string {
  return messages
    .map((m) => {
      if (m.type === "text") return (m as messagingApi.TextMessage).text;
      if (m.type === "flex")
        return `[flex] ${(m as messagingApi.FlexMessage).altText} ${flexTexts((m as messagingApi.FlexMessage).contents).join(" ")}`;
      return `[${m.type}]`;
    })
    .join("\n");
}

function flexTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(flexTexts);
  if (!node || typeof node !== "object") return [];
  const obj = node as Record<string, unknown>;
  const own = obj.type === "text" && typeof obj.text === "string" ? [obj.text] : [];
  return [...own, ...Object.entries(obj).flatMap(([k, v]) => (k === "text" ? [] : flexTexts(v)))];
}

/** Every tappable action in a batch: quick replies and Flex buttons. */
export function actionsOf(messages: messagingApi.Message[]): { label: string; data?: string; text?: string }[] {
  const found: { label: string; data?: string; text?: string }[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
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

export class ChatUser {
  /** Every batch of messages the bot sent this user, oldest first. */
  readonly received: messagingApi.Message[][] = [];
  constructor(
    readonly h: Harness,
    readonly id: string,
  ) {}

  private async send(fields: Event, options: { wait?: boolean } = {}): Promise<messagingApi.Message[][]> {
    const event = this.h.event(this.id, fields);
    this.h.rememberToken(String(event.replyToken), this.id);
    const before = this.h.line.calls.length;
    const res = await this.h.deliver([event], options);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    const batches = this.h.messagesTo(this.id, before);
    this.received.push(...batches);
    return batches;
  }

  follow() {
    return this.send({ type: "follow", follow: { isUnblocked: false } });
  }
  unfollow() {
    const { replyToken: _unused, ...rest } = this.h.event(this.id, { type: "unfollow" });
    return this.h.deliver([rest]);
  }
  say(text: string) {
    return this.send({ type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text } });
  }
  postback(data: string) {
    return this.send({ type: "postback", postback: { data } });
  }
  sticker() {
    return this.send({
      type: "message",
      message: { type: "sticker", id: newEventId(), quoteToken: "q", packageId: "446", stickerId: "1988", stickerResourceType: "STATIC" },
    });
  }
  /** An image message; several sent at once share an imageSet (index 1…total), one event each. */
  image(options: { id?: string; imageSet?: { id: string; index: number; total: number } } = {}) {
    const { id = newEventId(), imageSet } = options;
    return this.send({
      type: "message",
      message: { type: "image", id, quoteToken: "q", contentProvider: { type: "line" }, ...(imageSet ? { imageSet } : {}) },
    });
  }
  /** A voice message (LINE's AudioMessageContent: id, quoteToken… as sent, contentProvider, duration in ms). */
  audio(options: { id?: string; durationMs?: number } = {}) {
    const { id = newEventId(), durationMs = 4_000 } = options;
    return this.send({ type: "message", message: { type: "audio", id, contentProvider: { type: "line" }, duration: durationMs } });
  }
  location(latitude = 15.1186, longitude = 104.322) {
    return this.send({
      type: "message",
      message: { type: "location", id: newEventId(), latitude, longitude, address: "ศรีสะเกษ" },
    });
  }

  /** Answers LINE's datetime picker (a button of the latest batch) with a wall time, "2026-12-05T09:30". */
  async pick(label: string, datetime: string): Promise<messagingApi.Message[][]> {
    const action = this.actions().find((a) => a.label === label);
    if (!action?.data) throw new Error(`No picker "${label}" in: ${this.buttons().join(" | ")}`);
    return this.send({ type: "postback", postback: { data: action.data, params: { datetime } } });
  }

  /** Taps a button (quick reply or Flex) from the latest message batch. */
  async tap(label: string): Promise<messagingApi.Message[][]> {
    const action = this.actions().find((a) => a.label === label);
    if (!action) throw new Error(`No button "${label}" in: ${this.buttons().join(" | ")}`);
    if (action.data) return this.postback(action.data);
    return this.say(action.text ?? label);
  }

  last(): messagingApi.Message[] {
    return this.received.at(-1) ?? [];
  }
  lastText(): string {
    return textOf(this.last());
  }
  actions() {
    return actionsOf(this.last());
  }
  buttons(): string[] {
    return this.actions().map((a) => a.label);
  }
}
