// Works the inbox off the request path. For one source (user) at a time:
//  1. handle: per event, one transaction that locks the user's conversation,
//     runs the oldest RECEIVED event through the bot, stores what to send;
//  2. deliver, as soon as that turn has committed (before the next event is
//     handled, so reply tokens stay fresh): reply with the token while it is
//     fresh, else push (with a retry key derived from the event id, so a
//     retried push is accepted once, and counted in the month's push quota);
//     5xx/429/timeouts are retried with backoff, by the sweeper.
// The in-memory queue is only a scheduling hint: everything it knows is also
// in the database, and sweep() (at start, then every sweepIntervalMs) finds
// it again after a restart.
//
// Leases name their owner (src/db/instance-lock.ts): the answers a killed
// process was delivering are taken over at once by the next sweep, not
// after the lease runs out. A reply is marked as tried before LINE is
// called; a retry of a reply LINE may have taken goes out as a reply again
// while its token is fresh (LINE answers 400 if the first one was used: that
// counts as delivered), so a crash mid-reply does not become a pushed
// duplicate. Only an answer whose token has grown old is pushed.
//
// Rate limit: a user sending more than rateLimitPerMinute events a minute
// while they pile up (others wait behind the one being handled) gets one
// notice (by reply) and, per step, only their latest event is handled; the
// others are closed unanswered. Answers under the limit go by reply or not
// at all: a flood never spends the push quota. A user whose messages are
// each answered before the next arrives is never limited (replies are free).
//
// Standby (LINE's mode "standby": another channel holds the chat): the event
// is stored and closed, never handled or answered.
import type { messagingApi } from "@line/bot-sdk";
import type { Database, Tx } from "../db/database.ts";
import { clearFlow } from "../engine/engine.ts";
import { encodePostback } from "../engine/postback.ts";
import { forgetExpiredAnswers, lockConversation, saveConversation } from "../engine/state-store.ts";
import type { ConversationState } from "../engine/types.ts";
import { webhookEventSchema, type WebhookEvent } from "../line/events.ts";
import { LineApiError, retryKeyFor, type LineGateway } from "../line/gateway.ts";
import { LineLimitError } from "../line/limits.ts";
import { renderOutgoing } from "../line/render.ts";
import type { Logger } from "../log.ts";
import { noopMetrics, type Metrics } from "../metrics.ts";
import { withDefaults, type WithDefaults } from "../options.ts";
import { countPushes, quotaMonth, quotaWatcher, type PushQuota } from "../outbox/quota.ts";
import { inboxInTx, inboxQueries, type HandledRow, type InboxQueries, type ReceivedRow } from "./inbox.ts";
import { INBOX_TEXT } from "./texts.ts";
import type { Outgoing } from "../engine/types.ts";

export interface HandleResult {
  outgoing: Outgoing | null;
  /** Ask LINE for the user's display name once the answer is sent (follow). */
  wantsProfile?: boolean;
}

export interface EventHandlerContext {
  tx: Tx;
  userId: string;
  now: Date;
  state: ConversationState;
  busy: () => void;
}

export interface EventHandler {
  handle(ctx: EventHandlerContext, event: WebhookEvent): Promise<HandleResult>;
  /** The user's LINE display name, fetched after a follow was answered. */
  onProfile?(ctx: EventHandlerContext, displayName: string): Promise<void>;
}

/** Handling one event failed this often (a bug, not an outage): give up on it. */
export const MAX_HANDLING_ATTEMPTS = 3;

/** LINE takes at most five messages in one reply. */
const MAX_MESSAGES = 5;

const SLOW_DOWN = renderOutgoing({ replies: [{ kind: "text", text: INBOX_TEXT.slowDown }], buttons: [] });

/** One notice per flood: none while an event of the user was rate limited this recently. */
const NOTICE_QUIET_MS = 10 * 60_000;
const RATE_WINDOW_MS = 60_000;

const APOLOGY = renderOutgoing({
  replies: [{ kind: "text", text: INBOX_TEXT.failed }],
  buttons: [
    { kind: "postback", label: INBOX_TEXT.menu, data: encodePostback({ kind: "global", word: "menu" }), displayText: INBOX_TEXT.menu },
  ],
});

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
  sweepIntervalMs: 2_000,
  retentionMs: 7 * 24 * 3_600_000,
  metrics: noopMetrics as Metrics,
  instanceKey: null as string | null,
  rateLimitPerMinute: 20,
};

/** One handled event: what happened to it. */
interface Step {
  id: string;
  sends: boolean;
  wantsProfile: boolean;
}

export class EventProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly waiting: string[] = [];
  private active = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastPurge = 0;
  private readonly now: () => Date;
  private readonly inbox: InboxQueries;
  private readonly o: WithDefaults<typeof PROCESSOR_DEFAULTS, ProcessorOptions>;
  private readonly watchQuota: ReturnType<typeof quotaWatcher> | null;

  constructor(options: ProcessorOptions) {
    this.now = options.now ?? (() => new Date());
    this.inbox = inboxQueries(options.db);
    this.o = withDefaults(PROCESSOR_DEFAULTS, options);
    this.watchQuota = options.quota ? quotaWatcher(options.quota, options.logger) : null;
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

  /** New events arrived for these sources. */
  kick(sourceKeys: Iterable<string>): void {
    for (const key of sourceKeys) this.schedule(key);
  }

  private schedule(key: string): void {
    if (this.stopped) return;
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
      const run = this.processSource(key)
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
    this.waiting.length = 0;
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
   */
  private async processSource(key: string): Promise<void> {
    let wantsProfile = false;
    // LINE's loading animation starts when a slow step begins its work, not
    // after the work has committed (the reply would follow at once).
    let loadingShown = false;
    const busy = () => {
      if (loadingShown || !this.o.gateway) return;
      loadingShown = true;
      void this.o.gateway.showLoading(key).catch((error) => this.o.logger.debug("loading animation failed", { error }));
    };
    let blocked = await this.deliverDue(key, null);
    for (;;) {
      // Checked without a transaction first: most kicks find one event, and
      // the sweeper's find none.
      if (!(await this.inbox.hasReceived(key))) break;
      const step = await this.handleNext(key, busy, blocked);
      if (!step) break; // nothing left, or a failed turn the sweeper will try again
      wantsProfile ||= step.wantsProfile;
      if (step.sends && !blocked) blocked = await this.deliverDue(key, step.id);
    }
    // After the answer, not before it: a slow profile call must not delay it.
    if (wantsProfile) await this.fetchProfile(key);
  }

  /**
   * Runs the user's oldest RECEIVED event through the bot in one
   * transaction under the user's conversation lock. A turn that throws is
   * rolled back and tried again later; after MAX_HANDLING_ATTEMPTS it is
   * answered with an apology and the conversation is reset, so one bad event
   * never silences a user.
   */
  private async handleNext(key: string, busy: () => void, blocked: boolean): Promise<Step | null> {
    let step: Step | null;
    try {
      step = await this.o.db.transaction(async (tx) => {
        const state = await lockConversation(tx, key);
        // Under the lock: another worker may have taken events meanwhile.
        const oldest = await inboxInTx.oldestReceived(tx, key);
        if (!oldest) return null;
        const now = this.now();
        let row: ReceivedRow = oldest;
        let throttled = false;
        let notice = false;
        // The limit applies while messages pile up (more wait behind this
        // one): a user whose every message is answered before the next
        // comes costs replies only, which are free.
        const newest = (await inboxInTx.newestReceived(tx, key))!;
        const windowStart = new Date(oldest.occurredAt.getTime() - RATE_WINDOW_MS);
        if (newest.id !== oldest.id && (await inboxInTx.countUpTo(tx, key, windowStart, oldest.id)) > this.o.rateLimitPerMinute) {
          // Over the limit: only the latest is handled, the rest closed unanswered.
          row = newest;
          throttled = true;
          notice = !(await inboxInTx.throttledSince(tx, key, new Date(row.occurredAt.getTime() - NOTICE_QUIET_MS)));
          const closed = await inboxInTx.closeReceivedExcept(tx, key, row.id, now);
          this.o.logger.info("rate limited", { sourceKey: key, closed, notice });
        }
        let result: HandleResult = { outgoing: null };
        const parsed = webhookEventSchema.safeParse(row.payload);
        // Standby: another channel answers this chat; the event is only kept.
        if (parsed.success && parsed.data.mode !== "standby") {
          result = await this.o.handler.handle({ tx, userId: key, now, state, busy }, parsed.data);
        }
        let outgoing = result.outgoing && result.outgoing.replies.length > 0 ? renderOutgoing(result.outgoing) : null;
        if (notice) outgoing = [...SLOW_DOWN, ...(outgoing ?? []).slice(-(MAX_MESSAGES - SLOW_DOWN.length))];
        const fresh = this.freshToken(row.payload, row.occurredAt, now);
        await inboxInTx.handled(tx, row.id, row.type, outgoing, now, {
          // Delivery is blocked behind an earlier answer: any instance may send this one when it is due.
          leaseUntil: blocked ? now : this.leaseFrom(now),
          leaseOwner: this.o.instanceKey,
          replyAttemptedAt: fresh && !blocked ? now : null,
          throttled,
        });
        await saveConversation(tx, state);
        return { id: row.id, sends: outgoing !== null, wantsProfile: result.wantsProfile === true };
      });
    } catch (error) {
      const gaveUpOn = await this.handlingFailed(key, error);
      if (!gaveUpOn) return null; // tried again by the sweeper
      step = { id: gaveUpOn, sends: true, wantsProfile: false };
    }
    if (!step) return null;
    this.o.metrics.eventProcessed();
    this.o.logger.debug("handled", { eventId: step.id, answers: step.sends });
    this.o.afterCommit?.();
    return step;
  }

  /** The event came with a reply token young enough to try. */
  private freshToken(payload: unknown, occurredAt: Date, now: Date): boolean {
    const token = payload && typeof payload === "object" ? (payload as { replyToken?: unknown }).replyToken : undefined;
    return typeof token === "string" && now.getTime() - occurredAt.getTime() < this.o.replyTokenMaxAgeMs;
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.o.leaseMs);
  }

  /** Counts a failed handling; returns the event's id when it was given up on. */
  private async handlingFailed(key: string, error: unknown): Promise<string | null> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error);
    try {
      return await this.o.db.transaction(async (tx) => {
        const state = await lockConversation(tx, key);
        const row = await inboxInTx.oldestReceived(tx, key);
        if (!row) return null;
        const attempts = row.attempts + 1;
        this.o.logger.error("handling an event failed", { eventId: row.id, attempts, error });
        if (attempts < MAX_HANDLING_ATTEMPTS) {
          await inboxInTx.handlingFailed(tx, row.id, attempts, reason);
          return null;
        }
        clearFlow(state);
        await saveConversation(tx, state);
        const now = this.now();
        await inboxInTx.handled(tx, row.id, row.type, APOLOGY, now, {
          leaseUntil: this.leaseFrom(now),
          leaseOwner: this.o.instanceKey,
          // Delivered next, in this run: its reply counts as tried from this commit.
          replyAttemptedAt: this.freshToken(row.payload, row.occurredAt, now) ? now : null,
          throttled: false,
        });
        await inboxInTx.noteError(tx, row.id, reason);
        this.o.metrics.eventFailed();
        return row.id;
      });
    } catch (inner) {
      // The database itself is failing: leave everything for the sweeper.
      this.o.logger.error("could not record a failed handling", { sourceKey: key, error: inner });
      return null;
    }
  }

  private async fetchProfile(userId: string): Promise<void> {
    if (!this.o.gateway || !this.o.handler.onProfile) return;
    try {
      const displayName = await this.o.gateway.displayName(userId);
      if (!displayName) return;
      await this.o.db.transaction(async (tx) => {
        const state = await lockConversation(tx, userId);
        await this.o.handler.onProfile!({ tx, userId, now: this.now(), state, busy: () => undefined }, displayName);
        await saveConversation(tx, state);
      });
    } catch (error) {
      this.o.logger.warn("profile lookup failed", { error });
    }
  }

  /**
   * Delivers the user's handled answers that this run may send now, oldest
   * first. Returns true when one must wait for a retry (the rest were
   * released and wait behind it).
   */
  private async deliverDue(key: string, justHandled: string | null): Promise<boolean> {
    const due = await this.claimDue(key, justHandled);
    for (const [i, event] of due.entries()) {
      const retryLater = await this.deliver(event, event.id === justHandled);
      if (retryLater) {
        // Keep the user's messages in order: the rest are released and wait
        // behind this one (claimDue stops at an older event not yet due).
        const rest = due.slice(i + 1).map((e) => e.id);
        // The new answer's reply was marked as tried with its turn; it was not.
        await this.inbox.release(rest, this.now(), justHandled);
        return true;
      }
    }
    return false;
  }

  /**
   * Handled events of this source that this run may deliver now, oldest
   * first, stopping at one that waits out a backoff while nothing newer came.
   */
  private async claimDue(key: string, justHandled: string | null): Promise<HandledRow[]> {
    if (!this.o.gateway) return [];
    const now = this.now();
    const mine: HandledRow[] = [];
    for (const row of await this.inbox.handled(key)) {
      if (row.id === justHandled) {
        mine.push(row);
        continue;
      }
      // Waiting out a backoff: later messages wait too, unless a new answer
      // is going out now, in which case the older one is tried first.
      const due = !row.nextAttemptAt || row.nextAttemptAt <= now || justHandled !== null;
      if (!due) break;
      // Not won: being sent by another live instance right now, not ours.
      if (await this.inbox.claim(row.id, now, this.leaseFrom(now), this.o.instanceKey)) mine.push(row);
    }
    return mine;
  }

  /**
   * Sends one handled event; returns when to try again if it may be
   * retried. `first`: handled in this run, its reply not tried before.
   */
  private async deliver(event: HandledRow, first: boolean): Promise<Date | null> {
    const gateway = this.o.gateway!;
    const messages = event.outgoing as messagingApi.Message[];
    const to = event.sourceKey;
    const now = this.now();
    const fresh = event.replyToken !== null && now.getTime() - event.occurredAt.getTime() < this.o.replyTokenMaxAgeMs;
    // An earlier reply LINE may have taken: the process died, or the call timed out.
    const uncertain = !first && event.replyAttemptedAt !== null;
    let replyRefused = false;
    try {
      let via: "reply" | "reply-used" | "push" | "none" = event.throttled ? "none" : "push";
      if (fresh) {
        if (!first && !uncertain) await this.inbox.replyAttempted(event.id, now);
        try {
          await gateway.reply(event.replyToken!, messages);
          via = "reply";
        } catch (error) {
          if (!(error instanceof LineApiError) || error.retriable) {
            // LINE answered (5xx, 429): it did not take this reply.
            replyRefused = error instanceof LineApiError && error.status !== null && !uncertain;
            throw error;
          }
          // 400: the token was used or has expired. Used by our own earlier
          // try, when there was one: that answer was delivered.
          if (uncertain) via = "reply-used";
          else this.o.logger.info("reply token refused", { eventId: event.id, status: error.status, pushing: via === "push" });
        }
      }
      if (via === "none") {
        // Rate limited: by reply or not at all.
        await this.inbox.closeUnanswered(event.id, "rate limited: reply token not usable, not pushed", this.now());
        this.o.logger.info("rate-limited answer dropped", { eventId: event.id });
        return null;
      }
      if (via === "push") {
        await gateway.push(to, messages, retryKeyFor(event.id));
        const at = this.now();
        await this.inbox.delivered(event.id, at, async (tx) => {
          const month = quotaMonth(at);
          const { before, after } = await countPushes(tx, month, 1);
          await this.watchQuota?.(tx, month, before, after, at);
        });
      } else {
        await this.inbox.delivered(event.id, this.now());
      }
      this.o.metrics.replied(event.id);
      this.o.logger.debug("delivered", { eventId: event.id, via });
      return null;
    } catch (error) {
      return this.failed(event, error, replyRefused);
    }
  }

  private async failed(event: HandledRow, error: unknown, replyRefused: boolean): Promise<Date | null> {
    const attempts = event.attempts + 1;
    const retriable = error instanceof LineApiError && error.retriable && attempts < this.o.maxAttempts;
    const reason = error instanceof Error ? error.message.slice(0, 500) : String(error);
    const now = this.now();
    const backoffMs = Math.min(2_000 * 2 ** (attempts - 1), 300_000);
    const next = new Date(now.getTime() + backoffMs);
    if (retriable) await this.inbox.retryLater(event.id, attempts, reason, next, now, replyRefused);
    else {
      await this.inbox.failed(event.id, attempts, reason, now);
      this.o.metrics.eventFailed();
    }
    const level = retriable ? "warn" : "error";
    this.o.logger[level](retriable ? "delivery failed, will retry" : "delivery failed for good", {
      eventId: event.id,
      attempts,
      status: error instanceof LineApiError ? error.status : undefined,
      limits: error instanceof LineLimitError ? error.problems : undefined,
    });
    return retriable ? next : null;
  }
}
