// Local mode: with neither LINE credential set, the bot runs against the
// in-process LINE stand-in and a demo chat page. Only configuration differs
// from production: a generated channel secret and token, and API base URLs
// that point at this server, where the stand-in answers LINE's /v2/bot/…
// paths. The bot is built as usual and does not know; the stand-in and the
// page are mounted in front of it.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import express from "express";
import { STAFF_TILES } from "../bot.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { LineGateway } from "../line/gateway.ts";
import { installRichMenus } from "../line/rich-menu/setup.ts";
import { FLOOD_MENU, FLOOD_PNG, floodRichMenu } from "../line/rich-menu/flood-menu.ts";
import { STAFF_MENU, STAFF_PNG, staffRichMenu } from "../line/rich-menu/staff-menu.ts";
import { VILLAGER_MENU, VILLAGER_PNG, villagerRichMenu } from "../line/rich-menu/villager-menu.ts";
import type { Logger } from "../log.ts";
import { chatPageRouter } from "./chat-api.ts";
import { needsDemoSeed, seedDemo, seedMissingDemoVillagers } from "./demo-seed.ts";
import { LinePlatform } from "./line-platform.ts";
import { Personas } from "./personas.ts";

export const SIMULATOR_PATH = "/simulator";
/** LINE's own API paths, on this server. */
export const SIMULATOR_LINE_PATH = "/v2/bot";

/** Local mode is for a laptop with no channel at all; one credential alone is a mistake to report, not a demo. */
export function wantsLocalMode(config: Config): boolean {
  return !config.line.channelSecret && !config.line.channelAccessToken;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface LocalMode {
  /** The configuration the bot runs with: credentials and base URLs of the stand-in. */
  config: Config;
  platform: LinePlatform;
  personas: Personas;
  /** The stand-in and the page in front of the bot's own HTTP app; `bot`: its database and job scheduler. */
  wrap(botHttp: express.Express, bot: { db: Database; jobs: { kick(): void } }): express.Express;
  /**
   * Seeds the demo province on a database without funds; true when it did.
   * Also forgets the rich-menu links recorded by an earlier process: they
   * named that process's stand-in menus, which this one never had.
   */
  seedIfEmpty(db: Database, logger: Logger): Promise<boolean>;
  /** Once listening: the page's address, and a warning naming what is open to whom at `bound`. */
  announce(logger: Logger, bound: { address: string; port: number }): Promise<void>;
  /** Ends the pages' open update streams, which would otherwise hold the server open at shutdown. */
  close(): void;
}

/** 127.0.0.0/8, ::1, localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1";
}

const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);

/** Where the database is, without its password. */
function describeDatabase(database: Config["database"]): string {
  if (database.kind === "pglite") return `embedded PGlite in ${database.dataDir}`;
  try {
    const url = new URL(database.url);
    return `PostgreSQL ${url.host}${url.pathname}`;
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

export async function prepareLocalMode(config: Config, logger: Logger): Promise<LocalMode> {
  // The stand-in's URLs name the port, and the gateway takes them when the
  // app is built, before listening: so port 0 is resolved here.
  const port = config.port === 0 ? await freePort() : config.port;
  // Anyone who reaches this server can act as the staff personas: only this
  // machine, unless HOST says otherwise.
  const host = config.host ?? "127.0.0.1";
  // The bot calls the stand-in on this server: through the address it
  // listens on (a wildcard listens on loopback too).
  const self = WILDCARD.has(host) ? "127.0.0.1" : host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const origin = `http://${self}:${port}`;
  const line = {
    channelSecret: randomBytes(16).toString("hex"),
    channelAccessToken: randomBytes(32).toString("base64url"),
    apiBaseUrl: origin,
    dataApiBaseUrl: origin,
  };
  const publicBaseUrl = config.publicBaseUrl === `http://localhost:${config.port}` ? `http://localhost:${port}` : config.publicBaseUrl;
  const local: Config = Object.freeze({ ...config, port, host, line, publicBaseUrl, mediaOverHttp: true });

  const personas = new Personas();
  const platform = new LinePlatform({
    channelSecret: line.channelSecret,
    channelAccessToken: line.channelAccessToken,
    webhookUrl: `${origin}/webhook`,
    // Announcement photos are served by this server at PUBLIC_BASE_URL, http:// on a laptop.
    ownMediaBase: publicBaseUrl,
    profileOf: (userId) => {
      const p = personas.get(userId);
      return p ? { userId, displayName: p.displayName } : null;
    },
  });

  await installDemoRichMenus(platform, line, logger);

  return {
    config: local,
    platform,
    personas,
    wrap(botHttp, bot) {
      const app = express();
      app.disable("x-powered-by");
      app.use(SIMULATOR_LINE_PATH, platform.router());
      app.use(SIMULATOR_PATH, chatPageRouter({ platform, personas, logger, db: bot.db, kickJobs: () => bot.jobs.kick() }));
      app.use(botHttp);
      return app;
    },
    async seedIfEmpty(db, log) {
      // As LINE does when a menu is deleted: its links go, and the link job links staff again.
      await db.prisma.richMenuLink.deleteMany({});
      if (!(await needsDemoSeed(db))) {
        // A demo database from before disaster mode: its signed-up villagers.
        const added = await seedMissingDemoVillagers(db);
        if (added > 0) log.info("demo villagers signed up", { added });
        return false;
      }
      if (config.provinceCode !== 33) {
        log.warn("demo data is for Sisaket (PROVINCE_CODE=33); not seeded", { provinceCode: config.provinceCode });
        return false;
      }
      const started = Date.now();
      const result = await seedDemo(db);
      log.info("demo data seeded", {
        funds: result.funds.length,
        meetings: result.meetingsAdded,
        roles: result.rolesGranted,
        signedUp: result.membersSignedUp,
        ms: Date.now() - started,
      });
      return true;
    },
    close() {
      platform.closeStreams();
    },
    async announce(log, bound) {
      // The warning first: it must not wait for the rich menu.
      const at = `${bound.address.includes(":") ? `[${bound.address}]` : bound.address}:${bound.port}`;
      const open = !isLoopback(bound.address);
      log.warn("local mode: demo chat page, staff personas and LINE stand-in served without login", {
        listen: at,
        reachableFromOtherMachines: open,
      });
      process.stderr.write(
        [
          "",
          `WARNING: local mode is a demo, not a production mode. Listening on ${at}${open ? ": REACHABLE FROM OTHER MACHINES." : " (this machine only)."}`,
          `  Open there to ${open ? "anyone who can reach this address" : "anyone on this machine"}, with no login:`,
          `  - the demo chat page ${SIMULATOR_PATH}, where they can act as any persona, staff included (a council secretary, district and province coordinators);`,
          `  - the LINE stand-in ${SIMULATOR_LINE_PATH}/…, which sends the bot signed webhook events as LINE would.`,
          `  Database: ${describeDatabase(config.database)}.`,
          open
            ? "  Unset HOST (local mode then listens on 127.0.0.1 only), or set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN for a real channel."
            : "  For a real channel set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN; HOST=0.0.0.0 would open the demo to other machines.",
          "",
        ].join("\n"),
      );
      process.stdout.write(
        [
          "",
          "Local mode: no LINE credentials, so the bot talks to a built-in stand-in for LINE.",
          `Demo chat: http://${self === "127.0.0.1" ? "localhost" : self}:${port}${SIMULATOR_PATH}`,
          "(Chat history on that page lives in this process's memory; personas and the bot's data are in the database.)",
          "",
        ].join("\n"),
      );
    },
  };
}

/**
 * Both of the channel's rich menus, through the real setup code (as
 * `npm run richmenu:setup` would): the villagers' as the default, the
 * staff's under its alias for the link job. Done on a private loopback
 * listener before the bot starts, so the link job's first look at the alias
 * finds it (a miss is trusted for minutes).
 */
async function installDemoRichMenus(platform: LinePlatform, line: { channelAccessToken: string }, logger: Logger): Promise<void> {
  const app = express().use(SIMULATOR_LINE_PATH, platform.router());
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  try {
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const gateway = new LineGateway({ channelAccessToken: line.channelAccessToken, apiBaseUrl: base, dataApiBaseUrl: base });
    await installRichMenus(gateway, [
      { menu: villagerRichMenu(), image: readFileSync(VILLAGER_PNG), alias: VILLAGER_MENU.alias, makeDefault: true },
      { menu: staffRichMenu(STAFF_TILES), image: readFileSync(STAFF_PNG), alias: STAFF_MENU.alias, makeDefault: false },
      { menu: floodRichMenu(), image: readFileSync(FLOOD_PNG), alias: FLOOD_MENU.alias, makeDefault: false },
    ]);
  } catch (error) {
    // The page falls back to the shipped menu; the demo still runs.
    logger.warn("demo rich menus not installed", { error });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
