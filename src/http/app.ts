// The HTTP surface: the LINE webhook and a health check.
import express, { type NextFunction, type Request, type Response } from "express";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import { webhookRouter, type WebhookOptions } from "./webhook.ts";

export interface HttpOptions extends WebhookOptions {
  db: Database;
  logger: Logger;
}

export function createHttpApp(options: HttpOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(webhookRouter(options));

  app.get("/healthz", async (_req, res) => {
    const ready = await options.db.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "database unavailable or not migrated" });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });

  // One place decides the HTTP answer for errors thrown below.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number; type?: string }).status;
    if (status === 413) {
      res.status(413).json({ error: "body too large" });
      return;
    }
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: "bad request" });
      return;
    }
    options.logger.error("unhandled HTTP error", { error });
    res.status(500).json({ error: "internal error" });
  });
  return app;
}
