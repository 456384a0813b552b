// GET /metrics: the Prometheus text format. Counts and ages only, no
// personal data; still, keep it off the public internet (the reverse proxy
// should forward /webhook, /exports and /media only).
import express from "express";
import type { Database } from "../db/database.ts";
import type { MetricsRegistry, OutboxStats } from "../metrics.ts";

export function metricsRouter(metrics: MetricsRegistry): express.Router {
  const router = express.Router();
  router.get("/metrics", async (_req, res) => {
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
