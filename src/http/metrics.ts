// GET /metrics: the Prometheus text format. Counts and ages only, no
// personal data; still, keep it off the public internet (the reverse proxy
// should forward /webhook, /exports and /media only).
import { createHash, timingSafeEqual } from "node:crypto";
import express from "express";
import type { Database } from "../db/database.ts";
import type { MetricsRegistry, OutboxStats } from "../metrics.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** METRICS_TOKEN, when set: scrapers send `Authorization: Bearer <token>`. */
export function metricsRouter(metrics: MetricsRegistry, options: { token?: string } = {}): express.Router {
  const router = express.Router();
  const wanted = options.token ? digest(options.token) : null;
  router.get("/metrics", async (req, res) => {
    if (wanted) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")?.[1];
      // Digests compare in constant time whatever the length given.
      if (!given || !timingSafeEqual(digest(given), wanted)) {
        res.status(401).set("www-authenticate", 'Bearer realm="metrics"').json({ error: "unauthorized" });
        return;
      }
    }
    const body = await metrics.render();
    res.status(200).type(metrics.contentType).send(body);
  });
  return router;
}

/**
 * The outbox gauges, in one query at scrape time. Age counts from when a row
 * became due (a reminder scheduled for tomorrow is not late).
 */
export function outboxProbe(db: Database, now: () => Date): () => Promise<OutboxStats> {
  return async () => {
    const at = now().toISOString();
    const [row] = await db.sql.query<{ pending: number; oldest: number | null }>(
      `SELECT count(*)::int AS pending,
              extract(epoch from ($1::timestamp - min(GREATEST("notBefore", "createdAt")) FILTER (WHERE "notBefore" <= $1::timestamp)))::float8 AS oldest
         FROM outbox_message WHERE status = 'PENDING'`,
      [at],
    );
    return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
  };
}
