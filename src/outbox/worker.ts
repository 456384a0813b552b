// Sends the outbox (src/outbox/outbox.ts): every push, multicast and
// reminder the bot sends on its own initiative.
//  - Claim: due PENDING rows are leased (UPDATE … FOR UPDATE SKIP LOCKED),
//    so several instances share the work, and a row whose worker died is
//    taken over once its lease has run out.
//  - Send: with the row's own X-Line-Retry-Key, kept across every retry and
//    takeover, so LINE accepts a message once; a 409 ("already accepted")
//    counts as sent. One recipient → push, more → multicast (≤ 500 a row).
//  - Outcome: SENT plus the month's quota count in one transaction; 5xx,
//    timeouts and network errors retried with backoff (2 s doubling to
//    5 min) up to maxAttempts, then FAILED; other 4xx FAILED at once, with
//    LINE's answer kept in lastError.
//  - 429: the whole channel is paused in this process (nothing is sent until
//    it resumes: 1 s doubling to 5 min per consecutive 429, as LINE sends no
//    Retry-After). The row waits for the resume and the attempt is not
//    counted towards FAILED: the limit is the channel's, not the message's.
//    A 429 for an exhausted monthly quota therefore keeps rows PENDING until
//    LINE takes them again (the quota warning comes before that).
// Messages to one user within a claimed batch go out in id order; different
// users, and multicasts, go out concurrently under LINE's rate limits.
import type { Database } from "../db/database.ts";
import type { Job } from "../jobs/scheduler.ts";
import { LineApiError, type LineGateway } from "../line/gateway.ts";
import type { Logger } from "../log.ts";
import { LINE_RATE_LIMITS, realPacing, TokenBucket, type Pacing, type RateLimit } from "./pace.ts";
import { outboxQueries, type ClaimedMessage } from "./queries.ts";
import { quotaMonth, quotaWatcher, type PushQuota } from "./quota.ts";

export type OutboxGateway = Pick<LineGateway, "push" | "multicast">;

export interface OutboxWorkerOptions {
  db: Database;
  gateway: OutboxGateway;
  logger: Logger;
  /** The time of writes during a run (sentAt, backoffs, the pause); tests move it. */
  now?: () => Date;
  /** How long a claimed row is reserved; it must cover the sends of a whole batch. */
  leaseMs?: number;
  /** A row is not started when less than this is left of its lease (a send may take a timeout). */
  leaseMarginMs?: number;
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  maxAttempts?: number;
  rateLimits?: Partial<Record<"push" | "multicast", RateLimit>>;
  /** The pacing's own time; tests inject a fake one. */
  pacing?: Pacing;
  quota?: PushQuota;
}

export const OUTBOX_DEFAULTS = {
  leaseMs: 60_000,
  leaseMarginMs: 15_000,
  batchSize: 100,
  concurrency: 8,
  maxAttempts: 12,
};

const BACKOFF_FIRST_MS = 2_000;
const BACKOFF_MAX_MS = 300_000;
const PAUSE_FIRST_MS = 1_000;
const PAUSE_MAX_MS = 300_000;

export function retryBackoffMs(attempts: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** (attempts - 1), BACKOFF_MAX_MS);
}

export function throttlePauseMs(consecutive429s: number): number {
  return Math.min(PAUSE_FIRST_MS * 2 ** (consecutive429s - 1), PAUSE_MAX_MS);
}

export interface OutboxWorker extends Job {
  /** While set and in the future, nothing is sent (LINE answered 429). */
  readonly pausedUntil: Date | null;
}

export function outboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const o = { ...OUTBOX_DEFAULTS, ...options };
  const clock = options.now ?? (() => new Date());
  const queries = outboxQueries(o.db);
  const pacing = options.pacing ?? realPacing;
  const buckets = {
    push: new TokenBucket(options.rateLimits?.push ?? LINE_RATE_LIMITS.push, pacing),
    multicast: new TokenBucket(options.rateLimits?.multicast ?? LINE_RATE_LIMITS.multicast, pacing),
  };
  const watchQuota = options.quota ? quotaWatcher(options.quota, o.logger) : null;
  let resumeAt = 0;
  let throttles = 0;
  const paused = () => clock().getTime() < resumeAt;

  async function send(row: ClaimedMessage): Promise<void> {
    // A 429 may have come while this row waited for its turn.
    if (paused() || clock().getTime() + o.leaseMarginMs > row.leaseUntil.getTime()) {
      await queries.release(row);
      return;
    }
    const kind = row.recipients.length === 1 ? "push" : "multicast";
    await buckets[kind].take();
    if (paused()) {
      await queries.release(row);
      return;
    }
    let outcome: "sent" | "duplicate";
    try {
      outcome =
        kind === "push"
          ? await o.gateway.push(row.recipients[0]!, row.messages, row.retryKey)
          : await o.gateway.multicast(row.recipients, row.messages, row.retryKey);
    } catch (error) {
      await failed(row, error);
      return;
    }
    throttles = 0;
    const now = clock();
    const month = quotaMonth(now);
    const counted = await queries.sent(row, now, month, (tx, before, after) =>
      watchQuota ? watchQuota(tx, month, before, after, now) : Promise.resolve(),
    );
    o.logger.debug("outbox message sent", { outboxId: row.id, via: kind, recipients: row.recipients.length, outcome, counted: counted !== null });
  }

  async function failed(row: ClaimedMessage, error: unknown): Promise<void> {
    const now = clock();
    const status = error instanceof LineApiError ? error.status : undefined;
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (status === 429) {
      // Requests that were in flight together all get their 429 at once:
      // one pause for them, longer only if LINE still refuses after it.
      if (now.getTime() >= resumeAt) {
        throttles += 1;
        resumeAt = now.getTime() + throttlePauseMs(throttles);
        o.logger.warn("LINE rate limit: outbox paused", { outboxId: row.id, pauseMs: resumeAt - now.getTime() });
      }
      await queries.retryLater(row, row.attempts, reason, new Date(resumeAt));
      return;
    }
    const attempts = row.attempts + 1;
    const retriable = error instanceof LineApiError && error.retriable && attempts < o.maxAttempts;
    if (retriable) await queries.retryLater(row, attempts, reason, new Date(now.getTime() + retryBackoffMs(attempts)));
    else await queries.failed(row, attempts, reason);
    o.logger[retriable ? "warn" : "error"](retriable ? "outbox send failed, will retry" : "outbox send failed for good", {
      outboxId: row.id,
      attempts,
      status: status ?? null,
    });
  }

  /** One user's pushes in order; each multicast on its own. */
  function lanes(rows: ClaimedMessage[]): ClaimedMessage[][] {
    const byUser = new Map<string, ClaimedMessage[]>();
    const result: ClaimedMessage[][] = [];
    for (const row of rows) {
      if (row.recipients.length !== 1) {
        result.push([row]);
        continue;
      }
      const lane = byUser.get(row.recipients[0]!);
      if (lane) lane.push(row);
      else {
        const fresh = [row];
        byUser.set(row.recipients[0]!, fresh);
        result.push(fresh);
      }
    }
    return result;
  }

  return {
    name: "outbox",
    get pausedUntil() {
      return resumeAt > 0 ? new Date(resumeAt) : null;
    },
    async runOnce(now: Date): Promise<number> {
      if (now.getTime() < resumeAt) return 0;
      const rows = await queries.claim(now, new Date(now.getTime() + o.leaseMs), o.batchSize);
      if (rows.length === 0) return 0;
      const queue = lanes(rows);
      // A row whose outcome could not be written (the database failing)
      // keeps its lease and is taken again when it runs out; the other lanes
      // finish, then the first such error is thrown for the scheduler's log.
      const errors: unknown[] = [];
      const runLanes = async () => {
        for (let lane = queue.shift(); lane; lane = queue.shift()) {
          for (const row of lane) await send(row).catch((error: unknown) => errors.push(error));
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.concurrency, queue.length) }, runLanes));
      if (errors.length > 0) throw errors[0];
      return rows.length;
    },
  };
}
