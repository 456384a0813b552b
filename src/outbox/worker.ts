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
//    LINE's answer kept in lastError, and reported to whoever queued it
//    (onRefused: an announcement's author is told why), never dropped unsaid.
//  - 429 for the rate limit: the whole channel is paused in this process
//    (nothing is sent until it resumes: 1 s doubling to 5 min per consecutive
//    429, as LINE sends no Retry-After). The row waits for the resume and the
//    attempt is not counted towards FAILED: the limit is the channel's.
//  - 429 for an exhausted monthly quota (LINE's body says "monthly limit"):
//    retrying until the month ends helps nobody. The month is marked used up
//    for every instance (held.ts): rows stay PENDING, one push is tried every
//    15 minutes (or at the new month), the admins are warned, and a held push
//    to one user goes out in the reply to that user's next message instead.
// Messages to one user within a claimed batch go out in id order; different
// users, and multicasts, go out concurrently under LINE's rate limits.
import type { Database } from "../db/database.ts";
import type { Job } from "../jobs/scheduler.ts";
import { LineApiError, type LineGateway } from "../line/gateway.ts";
import type { Logger } from "../log.ts";
import { LINE_RATE_LIMITS, realPacing, TokenBucket, type Pacing, type RateLimit } from "./pace.ts";
import { outboxQueries, type ClaimedMessage } from "./queries.ts";
import { quotaMonth, quotaWatcher, type PushQuota } from "./quota.ts";
import { isQuotaExhausted, quotaState, recordQuotaExhausted, takeProbe } from "./held.ts";
import { refusalReason, summariseLineError, type RefusalReporter } from "./refusal.ts";
import { withDefaults } from "../options.ts";

export type OutboxGateway = Pick<LineGateway, "push" | "multicast">;

export interface OutboxWorkerOptions {
  db: Database;
  gateway: OutboxGateway;
  logger: Logger;
  /**
   * This process's instance key (src/db/instance-lock.ts), recorded on its
   * leases, so a process started after a kill takes them over at once.
   */
  instanceKey?: string | null;
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
  /** Told of each message LINE refused for good (4xx), in the transaction that marks it FAILED. */
  onRefused?: RefusalReporter;
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
  const o = withDefaults(OUTBOX_DEFAULTS, options);
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
  // The earliest retry this run set: the scheduler comes back then.
  let wakeAt: number | null = null;
  const retryAt = (at: Date) => {
    wakeAt = wakeAt === null ? at.getTime() : Math.min(wakeAt, at.getTime());
    return at;
  };
  // LINE said the month's quota is used up during this run: the rest of the batch waits.
  let quotaHeld = false;
  let accepted = 0;
  const paused = () => clock().getTime() < resumeAt || quotaHeld;

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
    // Withdrawn while it waited in this batch (or taken over): not sent.
    if (!(await queries.startSending(row, clock()))) return;
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
    accepted += 1;
    const now = clock();
    const month = quotaMonth(now);
    const counted = await queries.sent(row, now, month, (tx, before, after) =>
      watchQuota ? watchQuota(tx, month, before, after, now) : Promise.resolve(),
    );
    o.logger.debug("outbox message sent", {
      outboxId: row.id,
      via: kind,
      recipients: row.recipients.length,
      outcome,
      counted: counted !== null,
    });
  }

  async function failed(row: ClaimedMessage, error: unknown): Promise<void> {
    const now = clock();
    const status = error instanceof LineApiError ? error.status : undefined;
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (isQuotaExhausted(error)) {
      quotaHeld = true;
      const admins = options.quota?.adminLineUserIds ?? [];
      const first = await queries.heldForQuota(row, reason, (tx) => recordQuotaExhausted(tx, { now, adminLineUserIds: admins }));
      if (first) {
        o.logger.error("LINE monthly message quota used up: pushes held until it is back (tried every 15 minutes); replies still work", {
          month: quotaMonth(now),
          adminsToldAtTheirNextMessage: admins.length,
        });
      }
      return;
    }
    if (status === 429) {
      // Requests that were in flight together all get their 429 at once:
      // one pause for them, longer only if LINE still refuses after it.
      if (now.getTime() >= resumeAt) {
        throttles += 1;
        resumeAt = now.getTime() + throttlePauseMs(throttles);
        o.logger.warn("LINE rate limit: outbox paused", { outboxId: row.id, pauseMs: resumeAt - now.getTime() });
      }
      await queries.retryLater(row, row.attempts, reason, retryAt(new Date(resumeAt)));
      return;
    }
    const attempts = row.attempts + 1;
    const retriable = error instanceof LineApiError && error.retriable && attempts < o.maxAttempts;
    // LINE's own words (its message and details, no content of ours) for the log and the report.
    const line = error instanceof LineApiError ? summariseLineError(error.body) : reason;
    if (retriable) await queries.retryLater(row, attempts, reason, retryAt(new Date(now.getTime() + retryBackoffMs(attempts))));
    else {
      const refused = error instanceof LineApiError && status !== null && status !== undefined && status < 500;
      await queries.failed(row, attempts, reason, async (tx) => {
        if (refused && options.onRefused) {
          await options.onRefused(tx, {
            outboxId: row.id,
            purpose: row.purpose,
            status,
            line,
            reason: refusalReason(status, error.body),
            now,
          });
        }
      });
    }
    o.logger[retriable ? "warn" : "error"](retriable ? "outbox send failed, will retry" : "outbox send failed for good", {
      outboxId: row.id,
      purpose: row.purpose,
      attempts,
      status: status ?? null,
      line,
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
    nextWake() {
      return wakeAt === null ? null : new Date(wakeAt);
    },
    async runOnce(now: Date): Promise<number> {
      // A retry an earlier run scheduled stays scheduled: a run woken by
      // another job's commit that finds nothing due must not forget it (it
      // would wait for the worker's own, slower, schedule).
      if (wakeAt !== null && wakeAt <= now.getTime()) wakeAt = null;
      if (resumeAt > now.getTime()) wakeAt = wakeAt === null ? resumeAt : Math.min(wakeAt, resumeAt);
      if (now.getTime() < resumeAt) return 0;
      // The month's quota used up: one push now and then (the probe), else nothing.
      const month = quotaMonth(now);
      const quota = await quotaState(o.db.sql, month, now);
      const probing = quota.exhausted;
      if (probing && !(quota.probeDue && (await takeProbe(o.db.sql, month, now)))) return 0;
      accepted = 0;
      quotaHeld = false;
      const rows = await queries.claim(now, new Date(now.getTime() + o.leaseMs), probing ? 1 : o.batchSize, options.instanceKey ?? null);
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
      if (probing && accepted > 0) o.logger.warn("LINE takes pushes again: the monthly quota is back", { month });
      if (errors.length > 0) throw errors[0];
      return rows.length;
    },
  };
}
