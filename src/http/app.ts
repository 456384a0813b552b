// The HTTP surface: the LINE webhook, signed report downloads and a health check.
import { randomUUID } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Database } from "../db/database.ts";
import type { MediaLinks } from "../line/media-links.ts";
import type { Logger } from "../log.ts";
import type { MetricsRegistry } from "../metrics.ts";
import { exportsRouter, type ExportsOptions } from "./exports.ts";
import { mediaRouter } from "./media.ts";
import { metricsRouter } from "./metrics.ts";
import { webhookRouter, type WebhookOptions } from "./webhook.ts";

export interface HttpOptions extends WebhookOptions {
  db: Database;
  logger: Logger;
  /** Signed report downloads (GET /exports/…); without it there are none. */
  exports?: Pick<ExportsOptions, "links" | "now" | "summary">;
  /** Signed media files for LINE to fetch (GET /media/…); without it there are none. */
  media?: MediaLinks;
  /** GET /metrics (Prometheus); without it there is none. */
  metrics?: MetricsRegistry;
  /** METRICS_TOKEN: /metrics answers 401 without it. */
  metricsToken?: string;
}

/** A caller's x-request-id is kept when it looks like an id (it ends up in our logs). */
const REQUEST_ID = /^[\w.:-]{1,100}$/;

export function createHttpApp(options: HttpOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // One id per request, in its logs and its answer, to find one delivery's lines.
  app.use((req, res, next) => {
    const given = req.get("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.set("x-request-id", requestId);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      // The path only: query strings carry signatures (exports, media).
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      options.logger.debug("http", { requestId, method: req.method, path: req.path.slice(0, 100), status: res.statusCode, durationMs });
    });
    next();
  });
  if (options.metrics) app.use(metricsRouter(options.metrics, { token: options.metricsToken }));
  app.use(webhookRouter(options));
  if (options.exports) app.use(exportsRouter({ db: options.db, logger: options.logger, ...options.exports }));
  if (options.media) app.use(mediaRouter({ db: options.db, logger: options.logger, links: options.media }));

  app.get("/healthz", async (_req, res) => {
    const ready = await options.db.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "database unavailable or not migrated" });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });

  // One place decides the HTTP answer for errors thrown below.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const requestId = res.locals.requestId as string | undefined;
    const status = (error as { status?: number; type?: string }).status;
    if (status === 413) {
      res.status(413).json({ error: "body too large" });
      return;
    }
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: "bad request" });
      return;
    }
    options.logger.error("unhandled HTTP error", { requestId, error });
    res.status(500).json({ error: "internal error" });
  });
  return app;
}
