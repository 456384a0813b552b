// The demo chat page and what it calls (mounted at /simulator, local mode
// only): personas, chat histories, server-sent updates, and the user's side
// of a chat (text, location, sticker, image, postback), which the platform
// stand-in turns into signed webhook deliveries.
import { readFileSync } from "node:fs";
import express from "express";
import { VILLAGER_PNG, villagerRichMenu } from "../line/rich-menu/villager-menu.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import { DEMO_MEMBER, SPARE_DEMO_MEMBERS } from "./demo-seed.ts";
import type { LinePlatform, UserAction } from "./line-platform.ts";
import { DEMO_VILLAGES, type Personas } from "./personas.ts";
import { runNow, TIME_ACTIONS, type TimeAction } from "./time-panel.ts";

const PAGE_DIR = new URL("./page/", import.meta.url);
const PAGE_FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "styles.css": "text/css; charset=utf-8",
};

export interface ChatApiOptions {
  platform: LinePlatform;
  personas: Personas;
  logger: Logger;
  /** The bot's database: personas made here, who already follows the bot, the time panel's jobs. */
  db: Database;
  /** Sends what the time panel queued now (the bot's job scheduler). */
  kickJobs: () => void;
}

export function chatPageRouter({ platform, personas, logger, db, kickJobs }: ChatApiOptions): express.Router {
  const r = express.Router();
  // The personas made here before a restart, before anything is answered.
  const attached = personas.attach(db);
  r.use((_req, res, next) => {
    attached.then(
      () => next(),
      (error: unknown) => {
        logger.error("simulator personas not loaded", { error });
        res.status(500).json({ error: "personas not loaded" });
      },
    );
  });
  const followed = new Set<string>();
  // The shipped menu, until the bot (or richmenu:setup) sets one on the stand-in.
  const fallbackMenu = villagerRichMenu();
  const fallbackImage = readFileSync(VILLAGER_PNG);

  const page = (name: string) => (_req: express.Request, res: express.Response) => {
    // Read on each request: editing the page needs no restart.
    res
      .type(PAGE_FILES[name]!)
      .set("cache-control", "no-store")
      .send(readFileSync(new URL(name, PAGE_DIR)));
  };
  r.get("/", page("index.html"));
  r.get("/app.js", page("app.js"));
  r.get("/styles.css", page("styles.css"));

  /** The menu LINE would show this user (linked to them, else the default); no user: the default. */
  const menuOf = (userId: unknown) => (typeof userId === "string" && userId ? platform.richMenuOf(userId) : platform.defaultRichMenu());
  const describeMenu = (userId: unknown) => {
    const shown = menuOf(userId);
    const menu = shown?.menu ?? fallbackMenu;
    const image = `/simulator/api/richmenu-image${typeof userId === "string" && userId ? `?userId=${encodeURIComponent(userId)}` : ""}`;
    return { id: shown?.id ?? null, name: menu.name, size: menu.size, chatBarText: menu.chatBarText, areas: menu.areas, image };
  };

  r.get("/api/state", (_req, res) => {
    res.json({
      personas: personas.list(),
      villages: DEMO_VILLAGES,
      demoMember: DEMO_MEMBER,
      spareMembers: SPARE_DEMO_MEMBERS,
      richMenu: describeMenu(undefined),
    });
  });

  r.get("/api/richmenu", (req, res) => {
    res.json(describeMenu(req.query.userId));
  });

  r.get("/api/richmenu-image", (req, res) => {
    const set = menuOf(req.query.userId);
    res
      .type(set?.image.contentType ?? "image/png")
      .set("cache-control", "no-store")
      .send(set?.image.bytes ?? fallbackImage);
  });

  r.get("/api/chats/:userId", (req, res) => {
    res.json({ entries: platform.history(String(req.params.userId)) });
  });

  r.get("/api/content/:messageId", (req, res) => {
    const content = platform.content(String(req.params.messageId));
    if (!content) return void res.status(404).end();
    res.type(content.contentType).send(content.bytes);
  });

  r.get("/api/events", (req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": connected\n\n");
    const unsubscribe = platform.subscribe((update) => res.write(`data: ${JSON.stringify(update)}\n\n`));
    // Proxies close idle streams; a comment now and then keeps it open.
    const ping = setInterval(() => res.write(": ping\n\n"), 20_000);
    const forget = platform.onClose(() => res.end());
    req.on("close", () => {
      clearInterval(ping);
      unsubscribe();
      forget();
    });
  });

  const json = express.json({ limit: "100kb" });

  r.post("/api/personas", json, async (req, res) => {
    const name = typeof req.body?.displayName === "string" ? req.body.displayName.trim() : "";
    if (name.length < 1 || name.length > 20) return void res.status(400).json({ error: "displayName: 1–20 characters" });
    res.json(await personas.create(name));
  });

  r.post("/api/time/:action", async (req, res) => {
    const action = String(req.params.action) as TimeAction;
    if (!TIME_ACTIONS.includes(action)) return void res.status(404).json({ error: "unknown action" });
    try {
      const queued = await runNow(db, action);
      kickJobs();
      res.json({ action, queued });
    } catch (error) {
      logger.error("simulator time panel failed", { action, error });
      res.status(500).json({ error: "failed" });
    }
  });

  const deliver = async (res: express.Response, userId: string, action: UserAction) => {
    try {
      const status = await platform.send(userId, action);
      if (status !== 200) logger.warn("simulator webhook refused", { status });
      res.status(status === 200 ? 200 : 502).json({ webhookStatus: status });
    } catch (error) {
      logger.error("simulator webhook failed", { error });
      res.status(502).json({ error: "webhook unreachable" });
    }
  };

  /** Opening a chat for the first time is LINE's "add friend": a follow event. */
  r.post("/api/open", json, async (req, res) => {
    const userId = String(req.body?.userId ?? "");
    if (!personas.get(userId)) return void res.status(404).json({ error: "unknown persona" });
    // A friend of the bot before this process started (the bot's own record): no second greeting.
    const friend = async () => (await db.prisma.lineUser.count({ where: { id: userId, following: true } })) > 0;
    if (followed.has(userId) || platform.hasChat(userId) || (await friend())) {
      followed.add(userId);
      return void res.json({ followed: false });
    }
    followed.add(userId);
    await deliver(res, userId, { type: "follow" });
  });

  r.post("/api/send", json, async (req, res) => {
    const userId = String(req.body?.userId ?? "");
    const action = parseAction(req.body?.action);
    if (!personas.get(userId) || !action) return void res.status(400).json({ error: "unknown persona or action" });
    followed.add(userId);
    await deliver(res, userId, action);
  });

  r.post("/api/image", express.raw({ type: "image/*", limit: "10mb" }), async (req, res) => {
    const userId = String(req.query.userId ?? "");
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!personas.get(userId) || bytes.length === 0) return void res.status(400).json({ error: "unknown persona or empty image" });
    await deliver(res, userId, { type: "image", contentType: String(req.get("content-type")), bytes });
  });
  return r;
}

const str = (v: unknown, max: number) => (typeof v === "string" && v.length <= max ? v : undefined);

/** What the page may ask for; anything else is refused. */
function parseAction(a: unknown): UserAction | null {
  if (!a || typeof a !== "object") return null;
  const o = a as Record<string, unknown>;
  switch (o.type) {
    case "text": {
      const text = str(o.text, 5000);
      return text?.trim() ? { type: "text", text } : null;
    }
    case "location": {
      const latitude = Number(o.latitude);
      const longitude = Number(o.longitude);
      if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return null;
      return {
        type: "location",
        latitude,
        longitude,
        title: str(o.title, 100) ?? "ตำแหน่งของฉัน",
        address: str(o.address, 200) ?? `${latitude}, ${longitude}`,
      };
    }
    case "sticker":
      return { type: "sticker", packageId: str(o.packageId, 20) ?? "446", stickerId: str(o.stickerId, 20) ?? "1988" };
    case "postback": {
      const data = str(o.data, 300);
      if (!data) return null;
      const params =
        o.params && typeof o.params === "object"
          ? Object.fromEntries(
              Object.entries(o.params as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"),
            )
          : undefined;
      return { type: "postback", data, displayText: str(o.displayText, 300), ...(params ? { params } : {}) };
    }
    default:
      return null;
  }
}
