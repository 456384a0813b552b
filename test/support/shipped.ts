// The bot as it ships: `node dist/main.js`, as `npm start` runs it, configured by
// environment variables only, against a fake LINE API on loopback
// (test/support/line-server.ts) and its own database (a fresh PostgreSQL
// database, or PGlite in a temporary data directory). Faults are injected
// from outside: LINE's policy, SIGKILL, a TCP proxy in front of PostgreSQL.
//
// Nothing here reaches into the process: what a test knows of the bot is what
// LINE received, what /metrics says, and what the database holds.
//
//   const bot = await ShippedBot.start({ db: "postgres" });
//   const somchai = bot.user("U1");
//   await somchai.follow();
//   await somchai.tap("ยินยอม");
//   expect(somchai.lastText()).toMatch(/ชื่อ/);
//   await bot.stop();
import { SHIPPED_MAIN } from "./shipped-command.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { messagingApi } from "@line/bot-sdk";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { createPostgresDatabase } from "./database.ts";
import { ACCESS_TOKEN, actionsOf, BOT_USER_ID, CHANNEL_SECRET, newEventId, sign, textOf, type Event } from "./harness.ts";
import { LineServer, waitUntil, type LineRequest } from "./line-server.ts";

export type ShippedDatabase = "postgres" | "pglite";

export interface ShippedOptions {
  db: ShippedDatabase;
  /** More environment (or overrides); a value of "" removes the variable. */
  env?: Record<string, string>;
  /** A LINE stand-in the test already controls; one is started otherwise (and closed by stop()). */
  line?: LineServer;
  /** Wait for the first /healthz 200 (default) or only for the "is up" line. */
  waitHealthy?: boolean;
}

/** LINE-shaped user ids (U + 32 hex digits). */
export const lineUserId = (n: number) => `U${n.toString(16).padStart(32, "0")}`;

/** One running (or stopped) process of the bot, and what it needs around it. */
export class ShippedBot {
  readonly users = new Map<string, ShippedUser>();
  private readonly tokens = new Map<string, string>(); // reply token → user
  private readonly keys = new Map<string, string>(); // push retry key → user
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private output = "";
  url = "";

  private constructor(
    readonly line: LineServer,
    private readonly ownsLine: boolean,
    readonly database: { kind: ShippedDatabase; url?: string; dataDir?: string; drop: () => Promise<void> },
    private env: Record<string, string>,
  ) {}

  static async start(options: ShippedOptions): Promise<ShippedBot> {
    const line = options.line ?? (await LineServer.start());
    let database: ShippedBot["database"];
    if (options.db === "postgres") {
      const created = await createPostgresDatabase();
      database = { kind: "postgres", url: created.url, drop: created.drop };
    } else {
      const dataDir = await mkdtemp(path.join(tmpdir(), "clb-shipped-"));
      database = { kind: "pglite", dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
    }
    const bot = new ShippedBot(line, !options.line, database, options.env ?? {});
    try {
      await bot.boot(options.waitHealthy !== false);
    } catch (error) {
      await bot.stop();
      throw error;
    }
    return bot;
  }

  /** The environment the process gets: only what `npm start` would read. */
  environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: "0",
      LOG_LEVEL: "warn",
      LINE_CHANNEL_SECRET: CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: ACCESS_TOKEN,
      LINE_API_BASE_URL: this.line.baseUrl,
      LINE_DATA_API_BASE_URL: this.line.dataBaseUrl,
      // LINE fetches media only over HTTPS; the bot refuses http:// with credentials set.
      PUBLIC_BASE_URL: "https://bot.example.test",
    };
    delete env.DATABASE_URL;
    delete env.DATA_DIR;
    if (this.database.kind === "postgres") env.DATABASE_URL = this.database.url!;
    else env.DATA_DIR = this.database.dataDir!;
    for (const [k, v] of Object.entries(this.env)) {
      if (v === "") delete env[k];
      else env[k] = v;
    }
    return env;
  }

  private async boot(waitHealthy: boolean): Promise<void> {
    this.output = "";
    const child = spawn(process.execPath, [...SHIPPED_MAIN], {
      env: this.environment(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.on("data", (d) => (this.output += d));
    child.stderr!.on("data", (d) => (this.output += d));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    this.url = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const m = /is up: http:\/\/localhost:(\d+)\/healthz/.exec(this.output);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      };
      child.stdout!.on("data", look);
      void this.exited.then((code) => reject(new Error(`the bot exited (${code}) before it was up:\n${this.output}`)));
    });
    if (waitHealthy) {
      await waitUntil(async () => (await fetch(`${this.url}/healthz`)).status === 200, { what: "/healthz 200" });
    }
  }

  /** Everything the process printed (stdout and stderr) since it started. */
  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the process again on the same database and LINE (after kill or stop of the process). */
  async restart(env?: Record<string, string>): Promise<void> {
    if (this.child) await this.kill("SIGTERM");
    if (env) this.env = { ...this.env, ...env };
    await this.boot(true);
  }

  /** Signals the process and waits for it to exit; -1 when a signal ended it. */
  async kill(signal: "SIGKILL" | "SIGTERM" = "SIGTERM"): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    child.kill(signal);
    return this.exited;
  }

  /** Stops the process, the fake LINE (if ours) and drops the database. */
  async stop(): Promise<void> {
    await this.kill("SIGKILL");
    if (this.ownsLine) await this.line.close();
    await this.database.drop();
  }

  /**
   * Opens the bot's database from the test. PostgreSQL: any time. PGlite on
   * disk allows one process, so only while the bot is not running.
   */
  async withDb<T>(work: (db: Database) => Promise<T>): Promise<T> {
    if (this.database.kind === "pglite" && this.child) throw new Error("stop or kill the bot before opening its PGlite database");
    const db =
      this.database.kind === "postgres"
        ? await openDatabase({ kind: "postgres", url: this.database.url! })
        : await openDatabase({ kind: "pglite", dataDir: this.database.dataDir! });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  /** Posts a raw body to /webhook, signed unless told otherwise. */
  async post(body: string, signature: string | null = sign(body)): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signature !== null) headers["x-line-signature"] = signature;
    return fetch(`${this.url}/webhook`, { method: "POST", headers, body });
  }

  /** Posts events as one signed delivery; returns the HTTP status. */
  async deliver(events: Event[]): Promise<number> {
    const res = await this.post(JSON.stringify({ destination: BOT_USER_ID, events }));
    await res.arrayBuffer();
    return res.status;
  }

  /** A webhook event from a user, with every field LINE's webhook.yml requires. */
  event(userId: string, fields: Event, options: { ageMs?: number } = {}): Event {
    const id = newEventId();
    const event: Event = {
      webhookEventId: id,
      timestamp: Date.now() - (options.ageMs ?? 0),
      mode: "active",
      source: { type: "user", userId },
      replyToken: `rt-${id}`,
      deliveryContext: { isRedelivery: false },
      ...fields,
    };
    if (typeof event.replyToken === "string") this.tokens.set(event.replyToken, userId);
    this.keys.set(retryKeyFor(id), userId);
    return event;
  }

  /** The value of one metric line of /metrics (0 when absent). */
  async metric(name: string): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const m = new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : 0;
  }

  /** LINE requests addressed to a user: replies by token, pushes, multicasts that include them. */
  requestsTo(userId: string): LineRequest[] {
    return this.line.requests.filter((r) => {
      if (r.kind === "reply") return this.tokens.get(r.replyToken!) === userId;
      return r.to.includes(userId);
    });
  }

  /** The event a reply or push answers (by reply token, or by the push's retry key). */
  eventIdOf(request: LineRequest): string | undefined {
    if (request.kind === "reply" && request.replyToken?.startsWith("rt-")) return request.replyToken.slice(3);
    if (request.kind === "push" && request.retryKey) {
      for (const [token] of this.tokens) {
        const id = token.slice(3);
        if (retryKeyFor(id) === request.retryKey) return id;
      }
    }
    return undefined;
  }

  user(id: string): ShippedUser {
    let user = this.users.get(id);
    if (!user) {
      user = new ShippedUser(this, id);
      this.users.set(id, user);
    }
    return user;
  }
}

/** A LINE user talking to the shipped bot; reads what LINE accepted for them. */
export class ShippedUser {
  constructor(
    readonly bot: ShippedBot,
    readonly id: string,
  ) {}

  /**
   * Sends one event and, unless told not to, waits until LINE accepted a new
   * answer for this user (reply or push); returns the new batches.
   */
  async send(fields: Event, options: { wait?: boolean; ageMs?: number; timeoutMs?: number } = {}): Promise<messagingApi.Message[][]> {
    const before = this.accepted().length;
    const event = this.bot.event(this.id, fields, { ageMs: options.ageMs });
    const status = await this.bot.deliver([event]);
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    if (options.wait === false) return [];
    await waitUntil(() => this.accepted().length > before, { timeoutMs: options.timeoutMs, what: `an answer to ${this.id}` });
    return this.accepted()
      .slice(before)
      .map((r) => r.messages);
  }

  /** Requests LINE accepted for this user, oldest first. */
  accepted(): LineRequest[] {
    return this.bot.requestsTo(this.id).filter((r) => r.accepted);
  }

  follow(options?: { wait?: boolean }) {
    return this.send({ type: "follow", follow: { isUnblocked: false } }, options);
  }
  say(text: string, options?: { wait?: boolean; ageMs?: number }) {
    return this.send({ type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text } }, options);
  }
  /** A LINE location message (as ChatUser.location). */
  location(latitude = 15.1186, longitude = 104.322) {
    return this.send({ type: "message", message: { type: "location", id: newEventId(), latitude, longitude } });
  }
  postback(data: string, options?: { wait?: boolean; params?: Record<string, string> }) {
    return this.send({ type: "postback", postback: { data, ...(options?.params ? { params: options.params } : {}) } }, options);
  }

  /** Taps a button (quick reply or Flex) from the latest accepted batch. */
  async tap(label: string, options?: { wait?: boolean }): Promise<messagingApi.Message[][]> {
    const action = this.actions().find((a) => a.label === label);
    if (!action) throw new Error(`No button "${label}" in: ${this.buttons().join(" | ")}`);
    if (action.data) return this.postback(action.data, options);
    return this.say(action.text ?? label, options);
  }

  last(): messagingApi.Message[] {
    return this.accepted().at(-1)?.messages ?? [];
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
