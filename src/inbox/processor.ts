// Works the inbox off the request path. For one source (user) at a time:
//  1. handle: per event, one transaction that locks the user's conversation,
//     runs the oldest RECEIVED event through the bot, stores what to send
//     (src/inbox/turn.ts);
//  2. deliver, as soon as that turn has committed (before the next event is
//     handled, so reply tokens stay fresh): by reply while the token is
//     fresh, else by push; failures are retried with backoff, by the sweeper
//     (src/inbox/delivery.ts).
// A run kicked by the webhook starts with the turn, which says whether more
// events or older answers wait, so the usual tap costs the turn's
// transaction and one UPDATE for its delivery (issue 13).
// This file is the queue: which users are run, how many at once, and the
// sweep that finds work again. The in-memory queue is only a scheduling
// hint: everything it knows is also in the database, and sweep() (at start,
// then every sweepIntervalMs) finds it again after a restart.
//
// Leases name their owner (src/db/instance-lock.ts): the answers a killed
// process was delivering are taken over at once by the next sweep, not
// after the lease runs out.
import type { Database } from "../db/database.ts";
import { forgetExpiredAnswers } from "../engine/state-store.ts";
import type { LineGateway } from "../line/gateway.ts";
import type { Logger } from "../log.ts";
import { type Metrics, noopMetrics } from "../metrics.ts";
import { type WithDefaults, withDefaults } from "../options.ts";
import type { PushQuota } from "../outbox/quota.ts";
import { Delivery } from "./delivery.ts";
import { type InboxQueries, inboxQueries } from "./inbox.ts";
import { type EventHandler, Turns } from "./turn.ts";

export { type EventHandler, type EventHandlerContext, type HandleResult, MAX_HANDLING_ATTEMPTS } from "./turn.ts";

export interface ProcessorOptions {
  db: Database;
  handler: EventHandler;
  /** null when no LINE credentials are configured: events wait in the inbox. */
  gateway: LineGateway | null;
  /** Called after a turn committed: it may have queued pushes or other jobs. */
  afterCommit?: () => void;
  logger: Logger;
  concurrency: number;
  now?: () => Date;
  /** A reply token older than this is not tried; LINE keeps them about a minute. */
  replyTokenMaxAgeMs?: number;
  /** How long a handled event is reserved for the instance delivering it. */
  leaseMs?: number;
  maxAttempts?: number;
  /** 0 disables the timer; tests call sweep() themselves. */
  sweepIntervalMs?: number;
  /** Finished events are deleted after this long (they only matter for dedupe). */
  retentionMs?: number;
  metrics?: Metrics;
  /**
   * This process's instance key (src/db/instance-lock.ts), recorded on its
   * leases. Without one (tests that build the app themselves), leases are
   * only taken over once they run out.
   */
  instanceKey?: string | null;
  /** Pushes are counted in the month's quota, and cross its warning as the outbox's do. */
  quota?: PushQuota;
  /** More events than this from one user within a minute are rate limited. */
  rateLimitPerMinute?: number;
}

export const PROCESSOR_DEFAULTS = {
  replyTokenMaxAgeMs: 50_000,
  leaseMs: 30_000,
  maxAttempts: 10,
  // Retries and a dead instance's leases are found within this; an idle bot costs one statement per sweep.
  sweepIntervalMs: 10_000,
  retentionMs: 7 * 24 * 3_600_000,
  metrics: noopMetrics as Metrics,
  instanceKey: null as string | null,
  rateLimitPerMinute: 20,
};

export class EventProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly waiting: string[] = [];
  /** Kicked for new events since their last run began: the next run starts with a turn. */
  private readonly fresh = new Set<string>();
  private active = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private ticking = false;
  private lastPurge = 0;
  private readonly now: () => Date;
  private readonly inbox: InboxQueries;
  private readonly o: WithDefaults<typeof PROCESSOR_DEFAULTS, ProcessorOptions>;
  private readonly turns: Turns;
  private readonly delivery: Delivery;

  constructor(options: ProcessorOptions) {
    this.now = options.now ?? (() => new Date());
    this.inbox = inboxQueries(options.db);
    this.o = withDefaults(PROCESSOR_DEFAULTS, options);
    const shared = { ...this.o, now: this.now, inbox: this.inbox, onRetry: (key: string, at: Date) => this.retryAt(key, at) };
    this.turns = new Turns(shared);
    this.delivery = new Delivery(shared);
  }

  start(): void {
    if (this.o.sweepIntervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.tick(), this.o.sweepIntervalMs);
      this.timer.unref();
    }
  }

  /** Whether the periodic sweep runs (retries, takeovers, the hourly purge). */
  get sweeping(): boolean {
    return this.timer !== undefined;
  }

  /**
   * The timer's sweep: finds work and queues it, without waiting for it to
   * finish (under steady traffic the queue is never idle, and retries that
   * fall due must still be found).
   */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.findWork();
      await this.purgeHourly();
    } catch (error) {
      this.o.logger.warn("sweep failed", { error });
    } finally {
      this.ticking = false;
    }
  }

  /**
   * A delivery backed off until `at`: the source runs again then, rather
   * than at the next sweep (which stays the safety net, and finds retries
   * another process left). Only with the sweep timer on: tests without it
   * decide when retries run.
   */
  private retryAt(key: string, at: Date): void {
    if (!this.timer || this.stopped) return;
    const delay = Math.max(0, at.getTime() - this.now().getTime());
    const known = this.retryTimers.get(key);
    if (known && known.at <= at.getTime()) return;
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => {
      this.retryTimers.delete(key);
      this.schedule(key);
    }, delay);
    timer.unref();
    this.retryTimers.set(key, { at: at.getTime(), timer });
  }

  /** New events arrived for these sources. */
  kick(sourceKeys: Iterable<string>): void {
    for (const key of sourceKeys) this.schedule(key, true);
  }

  /** `fresh`: new events of the source were stored (else: the sweep found work, or a run ended with more to do). */
  private schedule(key: string, fresh = false): void {
    if (this.stopped) return;
    if (fresh) this.fresh.add(key);
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.waiting.includes(key)) return;
    this.waiting.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.o.concurrency && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      this.active += 1;
      const run = this.processSource(key, this.fresh.delete(key))
        .catch((error) => this.o.logger.error("processing failed", { sourceKey: key, error }))
        .finally(() => {
          this.active -= 1;
          this.running.delete(key);
          if (this.again.delete(key)) this.schedule(key);
          this.pump();
        });
      this.running.set(key, run);
    }
  }

  /** Waits until nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.waiting.length > 0) {
      await Promise.allSettled([...this.running.values()]);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Stops taking new work and finishes what is in hand (SIGTERM). */
  async drain(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const { timer } of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.waiting.length = 0;
    this.fresh.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Finds work the queue does not know about (events stored but not handled
   * after a restart or another instance's crash, deliveries due for a
   * retry) and waits until it is done. At start, and in tests.
   */
  async sweep(): Promise<void> {
    await this.findWork();
    await this.idle();
    await this.purgeHourly();
  }

  private async findWork(): Promise<void> {
    const now = this.now();
    const rows = await this.inbox.resumable(now, this.o.instanceKey);
    await this.inbox.closeWithoutAnswer(
      rows.filter((r) => r.sourceKey === null).map((r) => r.id),
      now,
    );
    const keys = new Set<string>();
    for (const r of rows) {
      if (!r.sourceKey) continue;
      // Leased by this process and not run out: being sent right now, unless no run has the user.
      if (r.mine && (this.running.has(r.sourceKey) || this.waiting.includes(r.sourceKey))) continue;
      keys.add(r.sourceKey);
    }
    this.kick(keys);
  }

  private async purgeHourly(): Promise<void> {
    const now = this.now();
    if (now.getTime() - this.lastPurge < 3_600_000) return;
    this.lastPurge = now.getTime();
    await this.purge(now);
    await forgetExpiredAnswers(this.o.db, now);
  }

  /**
   * Deletes finished events past the retention period. LINE redelivers
   * within hours, so a week of ids is ample for dedupe.
   */
  async purge(now = this.now()): Promise<number> {
    return this.inbox.purge(new Date(now.getTime() - this.o.retentionMs));
  }

  // --- one source ----------------------------------------------------------

  /**
   * One run for a user: answers due from before (retries, a dead instance's
   * leases) first, then each waiting event in turn, its answer delivered as
   * soon as its turn has committed. Once an answer must wait for a retry,
   * the later ones wait behind it (the user's answers stay in order): the
   * rest of the run only handles, and the sweeper delivers.
   *
   * `fresh`: kicked for new events, so the run starts with a turn, whose
   * load says whether older answers wait (then they go out after it,
   * before its own, by claimDue) and whether more events wait. Otherwise
   * (the sweep, a run asked for again) one statement first reads what
   * waits: most such runs find nothing to handle.
   */
  private async processSource(key: string, fresh: boolean): Promise<void> {
    let wantsProfile = false;
    // LINE's loading animation starts when a slow step begins its work, not
    // after the work has committed (the reply would follow at once).
    let loadingShown = false;
    const busy = () => {
      if (loadingShown || !this.o.gateway) return;
      loadingShown = true;
      void this.o.gateway.showLoading(key).catch((error) => this.o.logger.debug("loading animation failed", { error }));
    };
    let blocked = false;
    // The answers due from before are sent first thing in a run (the first
    // turn's load, in a fresh run, says whether there are any).
    let olderSent = false;
    let handle = true;
    if (!fresh) {
      const pending = await this.inbox.pending(key);
      blocked = await this.delivery.deliverDue(key, null, pending.handled);
      olderSent = true;
      handle = pending.received;
    }
    while (handle) {
      const { step, older, more } = await this.turns.handleNext(key, busy, blocked);
      if (step) wantsProfile ||= step.wantsProfile;
      if (!blocked) {
        if (step?.sends && step.answer && older === false) {
          // Nothing older waits: the answer goes out as its turn wrote it.
          blocked = await this.delivery.deliverJustHandled(step.answer);
        } else if (step?.sends || (older !== false && !olderSent)) {
          // Older answers first (all of them, when a new one goes out), as claimDue finds them.
          blocked = await this.delivery.deliverDue(key, step?.sends ? step.id : null);
        }
      }
      olderSent = true;
      if (!step) break; // nothing left, or a failed turn the sweeper will try again
      // Whether more wait was seen by the turn's load; after an apology it is asked.
      handle = more ?? (await this.inbox.hasReceived(key));
    }
    // After the answer, not before it: a slow profile call must not delay it.
    if (wantsProfile) await this.turns.fetchProfile(key);
  }
}
