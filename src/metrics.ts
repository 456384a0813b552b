// Operational counters for Prometheus (prom-client), one registry per app so
// tests and several apps in one process never share counts. The parts that
// count (webhook, processor, LINE gateway) take a `Metrics` and default to
// `noopMetrics`, so code built without one still runs.
import { performance } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface OutboxStats {
  pending: number;
  /** Age of the oldest PENDING row that is due (not a future scheduled one); 0 when none. */
  oldestAgeSeconds: number;
}

export interface Metrics {
  webhookRequest(status: number): void;
  /** Events of a delivery that was stored (duplicates included: LINE sent them). */
  eventsReceived(eventIds: string[]): void;
  eventProcessed(): void;
  eventFailed(): void;
  /** The answer to an event was accepted by LINE (reply or push). */
  replied(eventId: string): void;
  lineApiError(operation: string, status: number | null): void;
}

export const noopMetrics: Metrics = {
  webhookRequest: () => undefined,
  eventsReceived: () => undefined,
  eventProcessed: () => undefined,
  eventFailed: () => undefined,
  replied: () => undefined,
  lineApiError: () => undefined,
};

/** Receipt times kept for latency; events never answered (groups, unfollows) fall out past this many. */
const MAX_TRACKED = 10_000;

export interface MetricsRegistry extends Metrics {
  readonly registry: Registry;
  /** How the outbox gauges are read at scrape time (set once the database is known). */
  setOutboxProbe(probe: () => Promise<OutboxStats>): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(): MetricsRegistry {
  const registry = new Registry();
  const received = new Counter({
    name: "line_events_received_total",
    help: "Webhook events stored from LINE deliveries",
    registers: [registry],
  });
  const processed = new Counter({
    name: "line_events_processed_total",
    help: "Events handled by the bot (committed)",
    registers: [registry],
  });
  const failed = new Counter({
    name: "line_events_failed_total",
    help: "Events given up on: handling failed too often, or the answer could not be delivered",
    registers: [registry],
  });
  const apiErrors = new Counter({
    name: "line_api_errors_total",
    help: "Failed LINE API calls by operation and HTTP status (none: timeout or network error)",
    labelNames: ["operation", "status"] as const,
    registers: [registry],
  });
  const requests = new Counter({
    name: "webhook_requests_total",
    help: "POST /webhook answers by HTTP status",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "reply_latency_seconds",
    help: "From webhook receipt to the answer accepted by LINE (reply or push)",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  let probe: (() => Promise<OutboxStats>) | null = null;
  // Both gauges from one query per scrape: the first collect() starts it, the other awaits it.
  let scrape: Promise<OutboxStats | null> | null = null;
  const outbox = () => (scrape ??= probe ? probe().catch(() => null) : Promise.resolve(null));
  new Gauge({
    name: "outbox_pending",
    help: "Outbox messages waiting to be sent",
    registers: [registry],
    async collect() {
      const stats = await outbox();
      if (stats) this.set(stats.pending);
    },
  });
  new Gauge({
    name: "outbox_oldest_pending_age_seconds",
    help: "How long the oldest due outbox message has waited",
    registers: [registry],
    async collect() {
      const stats = await outbox();
      if (stats) this.set(stats.oldestAgeSeconds);
    },
  });

  const receivedAt = new Map<string, number>();
  return {
    registry,
    contentType: registry.contentType,
    setOutboxProbe(p) {
      probe = p;
    },
    async render() {
      scrape = null;
      try {
        return await registry.metrics();
      } finally {
        scrape = null;
      }
    },
    webhookRequest: (status) => requests.inc({ status: String(status) }),
    eventsReceived(ids) {
      received.inc(ids.length);
      const at = performance.now();
      for (const id of ids) if (!receivedAt.has(id)) receivedAt.set(id, at);
      for (const oldest of receivedAt.keys()) {
        if (receivedAt.size <= MAX_TRACKED) break;
        receivedAt.delete(oldest);
      }
    },
    eventProcessed: () => processed.inc(),
    eventFailed: () => failed.inc(),
    replied(id) {
      const at = receivedAt.get(id);
      if (at === undefined) return; // received before a restart: unknown
      receivedAt.delete(id);
      latency.observe((performance.now() - at) / 1000);
    },
    lineApiError: (operation, status) => apiErrors.inc({ operation, status: status === null ? "none" : String(status) }),
  };
}
