// Wires the parts together: HTTP layer → inbox → processor → bot → LINE.
import { createBot } from "./bot.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { createHttpApp } from "./http/app.ts";
import { InboxWriter } from "./inbox/inbox.ts";
import { JobScheduler } from "./jobs/scheduler.ts";
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
  /** How often background jobs look for due work; 0: only when kicked or run by a test. */
  jobIntervalMs?: number;
  lineTimeoutMs?: number;
}

export function createApp(options: AppOptions) {
  const { config, db, logger } = options;
  const gateway = config.line.channelAccessToken
    ? new LineGateway({
        channelAccessToken: config.line.channelAccessToken,
        apiBaseUrl: config.line.apiBaseUrl,
        dataApiBaseUrl: config.line.dataApiBaseUrl,
        timeoutMs: options.lineTimeoutMs,
      })
    : null;
  const bot = createBot({
    provinceCode: config.provinceCode,
    conversationTimeoutMinutes: config.conversationTimeoutMinutes,
  });
  const now = options.now ?? (() => new Date());
  const jobs = new JobScheduler({ logger, now, intervalMs: options.jobIntervalMs ?? 1_000 });
  const processor = new EventProcessor({
    db,
    handler: bot.handleEvent,
    gateway,
    logger,
    concurrency: config.eventConcurrency,
    now: options.now,
    sweepIntervalMs: options.sweepIntervalMs,
    afterCommit: () => jobs.kick(),
  });
  const http = createHttpApp({
    channelSecret: config.line.channelSecret,
    db,
    inbox: new InboxWriter(db),
    logger,
    onStored: (keys) => processor.kick(keys),
  });
  return { http, processor, jobs, bot, gateway };
}
