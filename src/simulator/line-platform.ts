// A stand-in for the LINE platform, for local mode: the Messaging API
// endpoints the gateway calls (mounted at /v2/bot of the bot's own server,
// for both the API and the data host: the SDK resolves its paths against
// the host's root, so they cannot live under a prefix), and the other half
// of LINE, which turns what a chat page sends into signed webhook
// deliveries to the bot's /webhook.
//
// It answers as LINE does where the bot could tell the difference: a bearer
// token, every request checked against LINE's own OpenAPI file and the rules
// it cannot express (../line/openapi/, not the bot's own limit checker,
// which would share the bot's mistakes), 400 with `{ message, details }`,
// single-use reply tokens, 409 on a repeated retry key, an X-Line-Request-Id
// on every answer; and the webhook events it sends carry every field
// webhook.yml requires. Chats, menus and links live in memory only: a
// restart forgets the demo's chat history (the page keeps what it shows),
// never the bot's own data.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { messagingApi } from "@line/bot-sdk";
import express, { type NextFunction, type Request, type Response } from "express";
import {
  checkLineRequest,
  INVALID_JSON,
  LINE_ANSWERS,
  LineLedger,
  newLineRequestId,
  problemLines,
  sentMessages,
  type LineAnswer,
} from "../line/openapi/platform.ts";
import { imageInfo, richMenuImageProblems } from "../line/rich-menu/validate.ts";

/** One line of a chat, as the page shows it. */
export interface ChatEntry {
  seq: number;
  /**
   * Unique across processes: the page keeps what it shows through a server
   * restart, and a new process counts `seq` from 1 again.
   */
  key: string;
  userId: string;
  from: "user" | "bot";
  at: number;
  /** A LINE message object: what the bot sent, or the user's message as LINE would deliver it. */
  message: Record<string, unknown>;
  /** How the bot sent it (reply, push, multicast). */
  via?: "reply" | "push" | "multicast";
}

export type PlatformUpdate =
  | { type: "entry"; entry: ChatEntry }
  | { type: "loading"; userId: string; seconds: number }
  /** A rich menu changed: the default (no userId) or one user's link. */
  | { type: "richmenu"; userId?: string };

export interface Profile {
  userId: string;
  displayName: string;
}

export interface LinePlatformOptions {
  channelSecret: string;
  channelAccessToken: string;
  /** Where the bot's webhook listens, e.g. http://127.0.0.1:3000/webhook. */
  webhookUrl: string;
  /** The display name LINE would give for a user; null: not a friend (404). */
  profileOf: (userId: string) => Profile | null;
  /**
   * Local mode only: the bot's own http:// address (PUBLIC_BASE_URL), whose
   * /media/… images the stand-in takes as if they were https://. LINE
   * refuses http image URLs, and rightly; but a demo on a laptop has no
   * https address, and the only one who fetches these images is the chat
   * page, from this same server. Any other http URL is refused as LINE does.
   */
  ownMediaBase?: string;
}

/** What the page can make a user do, in LINE's webhook terms. */
export type UserAction =
  | { type: "text"; text: string }
  | { type: "location"; title?: string; address?: string; latitude: number; longitude: number }
  | { type: "sticker"; packageId: string; stickerId: string }
  | { type: "image"; contentType: string; bytes: Buffer }
  | { type: "postback"; data: string; displayText?: string; params?: Record<string, string> }
  | { type: "follow" };

const REPLY_TOKEN_MS = 60_000;

// LINE's bot-user ids: U + 32 hex digits.
export const newLineUserId = () => `U${randomBytes(16).toString("hex")}`;
/** The bot's own user id, the `destination` of every delivery (webhook.yml: U + 32 hex digits). */
export const SIMULATOR_BOT_USER_ID = "U5e0a1a7e0b0710cab0710cab0710cab0";
const newQuoteToken = () => randomBytes(24).toString("base64url");

export function signBody(body: string | Buffer, channelSecret: string): string {
  return createHmac("sha256", channelSecret).update(body).digest("base64");
}

export class LinePlatform {
  private readonly chats = new Map<string, ChatEntry[]>();
  private readonly replyTokens = new Map<string, { userId: string; expires: number }>();
  private readonly ledger = new LineLedger();
  private readonly contents = new Map<string, { contentType: string; bytes: Buffer }>();
  private readonly listeners = new Set<(update: PlatformUpdate) => void>();
  readonly richMenus = new Map<string, { menu: messagingApi.RichMenuRequest; image?: { contentType: string; bytes: Buffer } }>();
  defaultRichMenuId: string | null = null;
  /** Rich menu aliases: alias id → rich menu id. */
  readonly richMenuAliases = new Map<string, string>();
  /** Per-user links (LINE's "link rich menu to user"): user id → rich menu id, shown instead of the default. */
  readonly userRichMenus = new Map<string, string>();
  private seq = 0;
  /** This process's mark on its entries' keys. */
  private readonly boot = randomBytes(6).toString("hex");
  private messageIds = 0;
  /** Requests LINE would refuse (400), as "property: message" lines: a bug of the bot's, shown in the log. */
  readonly refused: string[][] = [];

  constructor(private readonly options: LinePlatformOptions) {}

  // --- what the chat page sees -------------------------------------------

  history(userId: string): ChatEntry[] {
    return this.chats.get(userId) ?? [];
  }

  hasChat(userId: string): boolean {
    return this.chats.has(userId);
  }

  content(messageId: string) {
    return this.contents.get(messageId);
  }

  subscribe(listener: (update: PlatformUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly closers = new Set<() => void>();

  /** A long-lived stream (the page's updates) to end at shutdown. */
  onClose(closer: () => void): () => void {
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  closeStreams(): void {
    for (const close of this.closers) close();
    this.closers.clear();
  }

  private emit(update: PlatformUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  private record(userId: string, from: ChatEntry["from"], message: Record<string, unknown>, via?: ChatEntry["via"]): ChatEntry {
    const seq = ++this.seq;
    const entry: ChatEntry = { seq, key: `${this.boot}-${seq}`, userId, from, at: Date.now(), message, ...(via ? { via } : {}) };
    const chat = this.chats.get(userId) ?? [];
    chat.push(entry);
    // Bounded: a long demo session must not grow without end.
    if (chat.length > 500) chat.splice(0, chat.length - 500);
    this.chats.set(userId, chat);
    this.emit({ type: "entry", entry });
    return entry;
  }

  // --- the user's side: webhook deliveries --------------------------------

  /** What a user did in the chat, delivered to the bot as LINE would. Resolves the webhook's HTTP status. */
  async send(userId: string, action: UserAction): Promise<number> {
    const replyToken = randomBytes(16).toString("hex");
    this.replyTokens.set(replyToken, { userId, expires: Date.now() + REPLY_TOKEN_MS });
    const base = {
      webhookEventId: `01SIM${randomUUID().replace(/-/g, "").toUpperCase().slice(0, 21)}`,
      timestamp: Date.now(),
      source: { type: "user", userId },
      mode: "active",
      deliveryContext: { isRedelivery: false },
      replyToken,
    };
    let event: Record<string, unknown>;
    switch (action.type) {
      case "follow":
        event = { ...base, type: "follow", follow: { isUnblocked: false } };
        break;
      case "postback": {
        // A postback shows its displayText as the user's message, as in LINE.
        if (action.displayText) this.record(userId, "user", { type: "text", text: action.displayText });
        event = { ...base, type: "postback", postback: { data: action.data, ...(action.params ? { params: action.params } : {}) } };
        break;
      }
      case "image": {
        const id = this.nextMessageId();
        this.contents.set(id, { contentType: action.contentType, bytes: action.bytes });
        const message = { id, type: "image", contentProvider: { type: "line" }, quoteToken: newQuoteToken() };
        this.record(userId, "user", message);
        event = { ...base, type: "message", message };
        break;
      }
      default: {
        const { type: _type, ...fields } = action;
        // As webhook.yml requires: text and sticker messages carry a quote
        // token, stickers their resource type.
        const message = {
          id: this.nextMessageId(),
          type: action.type,
          ...fields,
          ...(action.type === "text" || action.type === "sticker" ? { quoteToken: newQuoteToken() } : {}),
          ...(action.type === "sticker" ? { stickerResourceType: "STATIC" } : {}),
        };
        this.record(userId, "user", message);
        event = { ...base, type: "message", message };
      }
    }
    const body = JSON.stringify({ destination: SIMULATOR_BOT_USER_ID, events: [event] });
    const res = await fetch(this.options.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-line-signature": signBody(body, this.options.channelSecret) },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  private nextMessageId(): string {
    return String(600_000_000_000_000 + ++this.messageIds);
  }

  // --- the bot's side: the Messaging API ----------------------------------

  /** Mounted at /v2/bot of the API base URL (and the data host's: the paths do not collide). */
  router(): express.Router {
    const r = express.Router();
    r.use((req, res, next) => {
      res.setHeader("x-line-request-id", newLineRequestId());
      if (req.get("authorization") !== `Bearer ${this.options.channelAccessToken}`) return void this.answer(res, LINE_ANSWERS.unauthorized);
      next();
    });
    // LINE checks every request before it acts on it: the endpoint, the
    // headers it takes and the JSON body against messaging-api.yml.
    const json = express.json({ limit: "2mb" });
    r.use((req, res, next) => {
      json(req, res, (error?: unknown) => {
        const body: unknown = error ? INVALID_JSON : req.is("application/json") ? req.body : undefined;
        const checked = checkLineRequest({ method: req.method, path: req.originalUrl, headers: req.headers, body: this.asIfHttps(body) });
        if (checked.refusal) {
          if (checked.problems.length > 0) this.refused.push(problemLines(checked.problems));
          return void this.answer(res, checked.refusal);
        }
        next();
      });
    });

    r.post("/message/reply", (req, res) => {
      const body = req.body as { replyToken: string; messages: messagingApi.Message[] };
      const token = this.replyTokens.get(body.replyToken);
      if (!token || token.expires < Date.now()) return void this.answer(res, LINE_ANSWERS.invalidReplyToken);
      // Single use, like LINE's; a second reply with it gets the same 400.
      this.replyTokens.delete(body.replyToken);
      for (const m of body.messages) this.record(token.userId, "bot", m as unknown as Record<string, unknown>, "reply");
      res.json(sentMessages(body.messages.length, () => this.nextMessageId()));
    });

    r.post("/message/push", (req, res) => {
      const body = req.body as { to: string; messages: messagingApi.Message[] };
      if (!this.takeRetryKey(req, res)) return;
      for (const m of body.messages) this.record(body.to, "bot", m as unknown as Record<string, unknown>, "push");
      res.json(sentMessages(body.messages.length, () => this.nextMessageId()));
    });

    r.post("/message/multicast", (req, res) => {
      const body = req.body as { to: string[]; messages: messagingApi.Message[] };
      if (!this.takeRetryKey(req, res)) return;
      for (const to of body.to) for (const m of body.messages) this.record(to, "bot", m as unknown as Record<string, unknown>, "multicast");
      res.json({});
    });

    r.post("/chat/loading/start", (req, res) => {
      const body = req.body as { chatId: string; loadingSeconds?: number };
      this.emit({ type: "loading", userId: body.chatId, seconds: body.loadingSeconds ?? 20 });
      res.status(202).json({});
    });

    r.get("/profile/:userId", (req, res) => {
      const profile = this.options.profileOf(String(req.params.userId));
      if (!profile) return void this.answer(res, LINE_ANSWERS.notFound);
      res.json({ userId: profile.userId, displayName: profile.displayName, language: "th" });
    });

    // Data host: what a user sent (photos).
    r.get("/message/:messageId/content", (req, res) => {
      const content = this.contents.get(String(req.params.messageId));
      if (!content) return void this.answer(res, LINE_ANSWERS.notFound);
      res.type(content.contentType).send(content.bytes);
    });

    // Rich menus: create, image (data host), default, list, delete; aliases and per-user links above.
    r.post("/richmenu", (req, res) => {
      const menu = req.body as messagingApi.RichMenuRequest;
      const richMenuId = `richmenu-${randomBytes(16).toString("hex")}`;
      this.richMenus.set(richMenuId, { menu });
      res.json({ richMenuId });
    });
    r.post("/richmenu/:id/content", express.raw({ type: () => true, limit: "2mb" }), (req, res) => {
      const entry = this.richMenus.get(String(req.params.id));
      if (!entry) return void this.answer(res, LINE_ANSWERS.notFound);
      if (entry.image) return void res.status(400).json({ message: "An image has already been uploaded to the richmenu" });
      const contentType = String(req.get("content-type") ?? "");
      if (contentType !== "image/png" && contentType !== "image/jpeg")
        return void res.status(415).json({ message: "Unsupported Media Type" });
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const problems = richMenuImageProblems(entry.menu.size, bytes);
      if (problems.length > 0)
        return void res.status(400).json({ message: "Invalid image", details: problems.map((message) => ({ message, property: "" })) });
      entry.image = { contentType, bytes };
      res.json({});
    });
    r.post("/user/all/richmenu/:id", (req, res) => {
      const entry = this.richMenus.get(String(req.params.id));
      if (!entry) return void this.answer(res, LINE_ANSWERS.notFound);
      if (!entry.image) return void res.status(400).json({ message: "must upload richmenu image before applying it to user" });
      this.defaultRichMenuId = String(req.params.id);
      this.emit({ type: "richmenu" });
      res.json({});
    });
    // Aliases (the setup points "council-staff" at the staff menu; the link
    // job resolves it). Registered before /richmenu/:id routes so that
    // "alias" is never taken for a menu id.
    r.post("/richmenu/alias", (req, res) => {
      const body = req.body as messagingApi.CreateRichMenuAliasRequest;
      if (this.richMenuAliases.has(body.richMenuAliasId)) return void res.status(400).json({ message: "conflict richmenu alias id" });
      if (!this.richMenus.get(body.richMenuId)?.image) return void res.status(400).json({ message: "richmenu not found" });
      this.richMenuAliases.set(body.richMenuAliasId, body.richMenuId);
      res.json({});
    });
    r.get("/richmenu/alias/list", (_req, res) => {
      res.json({ aliases: [...this.richMenuAliases].map(([richMenuAliasId, richMenuId]) => ({ richMenuAliasId, richMenuId })) });
    });
    r.get("/richmenu/alias/:aliasId", (req, res) => {
      const aliasId = String(req.params.aliasId);
      const richMenuId = this.richMenuAliases.get(aliasId);
      if (!richMenuId) return void res.status(404).json({ message: "richmenu alias not found" });
      res.json({ richMenuAliasId: aliasId, richMenuId });
    });
    r.post("/richmenu/alias/:aliasId", (req, res) => {
      const aliasId = String(req.params.aliasId);
      const body = req.body as messagingApi.UpdateRichMenuAliasRequest;
      if (!this.richMenuAliases.has(aliasId)) return void res.status(400).json({ message: "richmenu alias not found" });
      if (!this.richMenus.get(body.richMenuId)?.image) return void res.status(400).json({ message: "richmenu not found" });
      this.richMenuAliases.set(aliasId, body.richMenuId);
      res.json({});
    });
    r.delete("/richmenu/alias/:aliasId", (req, res) => {
      if (!this.richMenuAliases.delete(String(req.params.aliasId)))
        return void res.status(400).json({ message: "richmenu alias not found" });
      res.json({});
    });

    // Per-user links, one at a time (the link job) or up to 500 a call.
    r.post("/richmenu/bulk/link", (req, res) => {
      const body = req.body as messagingApi.RichMenuBulkLinkRequest;
      const problem = this.linkProblem(body.richMenuId);
      if (problem) return void this.answer(res, problem);
      for (const userId of body.userIds) this.link(userId, body.richMenuId);
      res.status(202).json({});
    });
    r.post("/richmenu/bulk/unlink", (req, res) => {
      const body = req.body as messagingApi.RichMenuBulkUnlinkRequest;
      for (const userId of body.userIds) this.link(userId, null);
      res.status(202).json({});
    });
    r.post("/user/:userId/richmenu/:richMenuId", (req, res, next) => {
      if (req.params.userId === "all") return next();
      const problem = this.linkProblem(String(req.params.richMenuId));
      if (problem) return void this.answer(res, problem);
      this.link(String(req.params.userId), String(req.params.richMenuId));
      res.json({});
    });
    r.get("/user/:userId/richmenu", (req, res, next) => {
      if (req.params.userId === "all") return next();
      const richMenuId = this.userRichMenus.get(String(req.params.userId));
      if (!richMenuId) return void res.status(404).json({ message: "the user has no richmenu" });
      res.json({ richMenuId });
    });
    r.delete("/user/:userId/richmenu", (req, res, next) => {
      if (req.params.userId === "all") return next();
      this.link(String(req.params.userId), null);
      res.json({});
    });

    r.get("/richmenu/list", (_req, res) => {
      res.json({ richmenus: [...this.richMenus].map(([richMenuId, { menu }]) => ({ richMenuId, ...menu })) });
    });
    r.delete("/richmenu/:id", (req, res) => {
      const id = String(req.params.id);
      if (!this.richMenus.delete(id)) return void this.answer(res, LINE_ANSWERS.notFound);
      // As LINE does: users linked to a deleted menu see the default again.
      for (const [userId, linked] of this.userRichMenus) if (linked === id) this.link(userId, null);
      if (this.defaultRichMenuId === id) {
        this.defaultRichMenuId = null;
        this.emit({ type: "richmenu" });
      }
      res.json({});
    });

    r.use((_req, res) => this.answer(res, LINE_ANSWERS.notFound));
    r.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => this.answer(res, LINE_ANSWERS.serverError));
    return r;
  }

  /** The body as checked: the bot's own media URLs read as https:// (see ownMediaBase); nothing else changes. */
  private asIfHttps(body: unknown): unknown {
    const own = this.options.ownMediaBase?.replace(/\/+$/, "");
    if (!own?.startsWith("http://")) return body;
    const prefix = `${own}/media/`;
    const visit = (v: unknown): unknown => {
      if (typeof v === "string") return v.startsWith(prefix) ? `https://${v.slice("http://".length)}` : v;
      if (Array.isArray(v)) return v.map(visit);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
      return v;
    };
    return visit(body);
  }

  private answer(res: Response, answer: LineAnswer): void {
    if (answer.headers) for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  }

  /** The default rich menu and its image, if the bot (or `richmenu:setup`) set one. */
  defaultRichMenu() {
    return this.shownMenu(this.defaultRichMenuId);
  }

  /** The menu this user sees: the one linked to them, else the default. */
  richMenuOf(userId: string) {
    return this.shownMenu(this.userRichMenus.get(userId) ?? null) ?? this.defaultRichMenu();
  }

  private shownMenu(id: string | null) {
    const entry = id ? this.richMenus.get(id) : undefined;
    return entry?.image ? { id: id!, menu: entry.menu, image: entry.image, info: imageInfo(entry.image.bytes) } : null;
  }

  /** LINE links only an existing menu that has its image. */
  private linkProblem(richMenuId: string): LineAnswer | null {
    const entry = this.richMenus.get(richMenuId);
    if (!entry) return LINE_ANSWERS.notFound;
    if (!entry.image) return { status: 400, body: { message: "must upload richmenu image before applying it to user" } };
    return null;
  }

  private link(userId: string, richMenuId: string | null): void {
    if (richMenuId === null ? !this.userRichMenus.delete(userId) : this.userRichMenus.get(userId) === richMenuId) return;
    if (richMenuId !== null) this.userRichMenus.set(userId, richMenuId);
    this.emit({ type: "richmenu", userId });
  }

  /** Spends the request's retry key (none: nothing to spend); false when answered 409 here: already accepted. */
  private takeRetryKey(req: Request, res: Response): boolean {
    const retryKey = req.get("x-line-retry-key");
    const refusal = this.ledger.refusal({ retryKey });
    if (refusal) {
      this.answer(res, refusal);
      return false;
    }
    this.ledger.accept({ retryKey }, String(res.getHeader("x-line-request-id")));
    return true;
  }
}
