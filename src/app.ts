// Wires the parts together: HTTP layer → inbox → processor → bot → LINE.
import { createBot } from "./bot.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { createHttpApp } from "./http/app.ts";
import { InboxWriter } from "./inbox/inbox.ts";
import { EventProcessor } from "./inbox/processor.ts";
import { LineGateway } from "./line/gateway.ts";
import type { Logger } from "./log.ts";

export interface AppOptions {
  config: Config;
  db: Database;
  logger: Logger;
  /** Tests move time; production uses the wall clock. */
  now?: () => Date;
  sweepIntervalMs?: number;
  lineTimeoutMs?: number;
}

export function createApp(options: AppOptions) {
  const { config, db, logger } = options;
  const gateway = config.line.channelAccessToken
    ? new LineGateway({
        channelAccessToken: config.line.channelAccessToken,
        apiBaseUrl: config.line.apiBaseUrl,
        timeoutMs: options.lineTimeoutMs,
      })
    : null;
  const bot = createBot({
    provinceCode: config.provinceCode,
    conversationTimeoutMinutes: config.conversationTimeoutMinutes,
  });
  const processor = new EventProcessor({
    db,
    handler: bot.handleEvent,
    gateway,
    logger,
    concurrency: config.eventConcurrency,
    now: options.now,
    sweepIntervalMs: options.sweepIntervalMs,
  });
  const http = createHttpApp({
    channelSecret: config.line.channelSecret,
    db,
    inbox: new InboxWriter(db),
    logger,
    onStored: (keys) => processor.kick(keys),
  });
  return { http, processor, bot, gateway };
}
