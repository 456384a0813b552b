// Starts the bot: configuration, database (migrated, geography loaded), HTTP
// server, and the processor, which first resumes events left unfinished.
import type { Server } from "node:http";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig, missingLineCredentials, type Config } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { holdInstanceLock } from "./db/instance-lock.ts";
import { loadGeography } from "./geography/load-geography.ts";
import { createLogger } from "./log.ts";
import { DemoSeedRefused } from "./simulator/demo-seed.ts";
import { prepareLocalMode, wantsLocalMode } from "./simulator/local-mode.ts";

function describeMissingCredentials(missing: string[]): string {
  return [
    `LINE credentials are not set: ${missing.join(", ")}.`,
    "The server runs and /healthz answers, but /webhook refuses events (503) until they are set.",
    "To get them: LINE Developers console (developers.line.biz) → your provider → a Messaging API channel →",
    "  'Basic settings' → Channel secret            → LINE_CHANNEL_SECRET",
    "  'Messaging API' → Channel access token (long-lived) → LINE_CHANNEL_ACCESS_TOKEN",
    "Then set the webhook URL to https://<your host>/webhook and turn on 'Use webhook'.",
  ].join("\n");
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md, "Configuration".\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // No credentials at all: the demo (LINE stand-in and chat page, src/simulator/).
  const local = wantsLocalMode(config) ? await prepareLocalMode(config, logger) : null;
  if (local) config = local.config;
  const missing = missingLineCredentials(config);
  if (missing.length > 0) process.stderr.write(`\n${describeMissingCredentials(missing)}\n\n`);

  const where = config.database.kind === "postgres" ? "PostgreSQL" : `embedded PGlite in ${config.database.dataDir}`;
  const db = await openDatabase(config.database);
  const applied = await db.migrate();
  const geography = await loadGeography(db.prisma, { provinceCode: config.provinceCode });
  logger.info("database ready", { database: where, migrationsApplied: applied.length, councilsCreated: geography.councilsCreated });
  try {
    await local?.seedIfEmpty(db, logger);
  } catch (error) {
    if (!(error instanceof DemoSeedRefused)) throw error;
    process.stderr.write(`\n${error.message}\n`);
    await db.close();
    process.exit(1);
  }

  // Held for the process's life: while it is held, the leases this process takes are its own.
  const instance = await holdInstanceLock(config.database, db, logger);
  const app = createApp({ config, db, logger, instanceKey: instance.key });
  const server: Server = (local ? local.wrap(app.http, { db, jobs: app.jobs }) : app.http).listen(
    { port: config.port, host: config.host },
    () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      logger.info("listening", { port, webhook: `/webhook`, health: `/healthz`, metrics: `/metrics` });
      process.stdout.write(`Council LINE bot is up: http://localhost:${port}/healthz\n`);
      if (typeof address === "object" && address) void local?.announce(logger, address);
    },
  );
  app.processor.start();
  app.jobs.start();
  app.jobs.kick();
  void app.processor.sweep().catch((error) => logger.error("resuming unfinished events failed", { error }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    // Stop taking requests, finish the events in hand, then close the database.
    local?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.processor.drain();
    await app.jobs.stop();
    await instance.close();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
