// Works the inbox off the request path. For one source (user) at a time:
//  1. handle: per event, one transaction that locks the user's conversation,
//     runs the oldest RECEIVED event through the bot, stores what to send;
//  2. deliver: reply with the token while it is fresh, else push (with a
//     retry key derived from the event id, so a retried push is accepted
//     once); 5xx/429/timeouts are retried with backoff, by the sweeper.
// The in-memory queue is only a scheduling hint: everything it knows is also
// in the database, and sweep() finds it again after a restart.
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
import { inboxInTx, inboxQueries, type HandledRow, type InboxQueries } from "./inbox.ts";
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

const APOLOGY = renderOutgoing({
  replies: [{ kind: "text", text: INBOX_TEXT.failed }],
  buttons: [{ kind: "postback", label: INBOX_TEXT.menu, data: encodePostback({ kind: "global", word: "menu" }), displayText: INBOX_TEXT.menu }],
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
  private readonly o: Required<Omit<ProcessorOptions, "now" | "gateway" | "afterCommit">> &
    Pick<ProcessorOptions, "gateway" | "afterCommit">;

  constructor(options: ProcessorOptions) {
    this.now = options.now ?? (() => new Date());
    this.inbox = inboxQueries(options.db);
    this.o = {
      replyTokenMaxAgeMs: 50_000,
      leaseMs: 30_000,
      maxAttempts: 10,
      sweepIntervalMs: 2_000,
      retentionMs: 7 * 24 * 3_600_000,
      metrics: noopMetrics,
      ...options,
    };
  }

  start(): void {
    if (this.o.sweepIntervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), this.o.sweepIntervalMs);
      this.timer.unref();
    }
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
    const rows = await this.inbox.resumable(now);
    await this.inbox.closeWithoutAnswer(rows.filter((r) => r.sourceKey === null).map((r) => r.id), now);
    this.kick(new Set(rows.flatMap((r) => (r.sourceKey ? [r.sourceKey] : []))));
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

  private async processSource(key: string): Promise<void> {
    const handled = await this.handleReceived(key);
    const due = await this.claimDue(key, handled.ids);
    for (const [i, event] of due.entries()) {
      const retryLater = await this.deliver(event);
      if (retryLater) {
        // Keep the user's messages in order: the rest are released and wait
        // behind this one (claimDue stops at an older event not yet due).
        const rest = due.slice(i + 1).map((e) => e.id);
        await this.inbox.release(rest, this.now());
        break;
      }
    }
    // After the answer, not before it: a slow profile call must not delay it.
    if (handled.wantsProfile) await this.fetchProfile(key);
  }

  /**
   * Runs the user's RECEIVED events through the bot, oldest first, one
   * transaction each, under the user's conversation lock. An event whose
   * handling throws is rolled back and tried again later; after
   * MAX_HANDLING_ATTEMPTS it is answered with an apology and the
   * conversation is reset, so one bad event never silences a user.
   */
  private async handleReceived(key: string): Promise<{ ids: Set<string>; wantsProfile: boolean }> {
    const ids = new Set<string>();
    let wantsProfile = false;
    // LINE's loading animation starts when a slow step begins its work, not
    // after the work has committed (the reply would follow at once).
    let loadingShown = false;
    const busy = () => {
      if (loadingShown || !this.o.gateway) return;
      loadingShown = true;
      void this.o.gateway.showLoading(key).catch((error) => this.o.logger.debug("loading animation failed", { error }));
    };
    for (;;) {
      // Checked without a transaction first: most kicks find one event, and
      // the sweeper's find none.
      if (!(await this.inbox.hasReceived(key))) break;
      let outcome: { id: string; sends: boolean; wantsProfile: boolean } | null;
      try {
        outcome = await this.o.db.transaction(
          async (tx) => {
            const state = await lockConversation(tx, key);
            // Under the lock: another worker may have taken events meanwhile.
            const row = await inboxInTx.oldestReceived(tx, key);
            if (!row) return null;
            const now = this.now();
            let result: HandleResult = { outgoing: null };
            const parsed = webhookEventSchema.safeParse(row.payload);
            if (parsed.success) result = await this.o.handler.handle({ tx, userId: key, now, state, busy }, parsed.data);
            const outgoing = result.outgoing && result.outgoing.replies.length > 0 ? renderOutgoing(result.outgoing) : null;
            await inboxInTx.handled(tx, row.id, row.type, outgoing, now, this.leaseFrom(now));
            await saveConversation(tx, state);
            return { id: row.id, sends: outgoing !== null, wantsProfile: result.wantsProfile === true };
          },
        );
      } catch (error) {
        const gaveUpOn = await this.handlingFailed(key, error);
        if (!gaveUpOn) break; // tried again by the sweeper
        ids.add(gaveUpOn);
        continue;
      }
      if (!outcome) break;
      this.o.metrics.eventProcessed();
      this.o.logger.debug("handled", { eventId: outcome.id, answers: outcome.sends });
      this.o.afterCommit?.();
      if (outcome.sends) ids.add(outcome.id);
      wantsProfile ||= outcome.wantsProfile;
    }
    return { ids, wantsProfile };
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
        await inboxInTx.handled(tx, row.id, row.type, APOLOGY, now, this.leaseFrom(now));
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
   * Handled events of this source that this run may deliver now, oldest
   * first, stopping at one that waits out a backoff while nothing newer came.
   */
  private async claimDue(key: string, justHandled: Set<string>): Promise<HandledRow[]> {
    if (!this.o.gateway) return [];
    const now = this.now();
    const mine: HandledRow[] = [];
    for (const row of await this.inbox.handled(key)) {
      if (justHandled.has(row.id)) {
        mine.push(row);
        continue;
      }
      // Being sent by another instance right now: not ours, no reason to wait.
      if (row.leaseUntil && row.leaseUntil > now) continue;
      // Waiting out a backoff: later messages wait too, unless a new answer
      // is going out now, in which case the older one is tried first.
      const due = !row.nextAttemptAt || row.nextAttemptAt <= now || justHandled.size > 0;
      if (!due) break;
      if (await this.inbox.claim(row.id, now, this.leaseFrom(now))) mine.push(row);
    }
    return mine;
  }

  /** Sends one handled event; returns when to try again if it may be retried. */
  private async deliver(event: HandledRow): Promise<Date | null> {
    const gateway = this.o.gateway!;
    const messages = event.outgoing as messagingApi.Message[];
    const to = event.sourceKey;
    const now = this.now();
    const fresh = event.replyToken && now.getTime() - event.occurredAt.getTime() < this.o.replyTokenMaxAgeMs;
    try {
      let via = "push";
      if (fresh) {
        try {
          await gateway.reply(event.replyToken!, messages);
          via = "reply";
        } catch (error) {
          // 400: the token was used or expired. Anything else is retried.
          if (!(error instanceof LineApiError) || error.retriable) throw error;
          this.o.logger.info("reply token refused, pushing", { eventId: event.id, status: error.status });
        }
      }
      if (via === "push") await gateway.push(to, messages, retryKeyFor(event.id));
      await this.inbox.delivered(event.id, this.now());
      this.o.metrics.replied(event.id);
      this.o.logger.debug("delivered", { eventId: event.id, via });
      return null;
    } catch (error) {
      return this.failed(event, error);
    }
  }

  private async failed(event: HandledRow, error: unknown): Promise<Date | null> {
    const attempts = event.attempts + 1;
    const retriable = error instanceof LineApiError && error.retriable && attempts < this.o.maxAttempts;
    const reason = error instanceof Error ? error.message.slice(0, 500) : String(error);
    const now = this.now();
    const backoffMs = Math.min(2_000 * 2 ** (attempts - 1), 300_000);
    const next = new Date(now.getTime() + backoffMs);
    if (retriable) await this.inbox.retryLater(event.id, attempts, reason, next, now);
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
