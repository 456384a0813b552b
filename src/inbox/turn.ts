// One turn of one user: their oldest waiting event run through the bot in
// one transaction under the user's conversation lock, its answer rendered
// and stored for delivery (src/inbox/delivery.ts), all committed together.
//
// Rate limit: a user sending more than rateLimitPerMinute events a minute
// while they pile up (others wait behind the one being handled) gets one
// notice (by reply) and, per step, only their latest event is handled; the
// others are closed unanswered. A user whose messages are each answered
// before the next arrives is never limited (replies are free).
//
// Standby (LINE's mode "standby": another channel holds the chat): the event
// is stored and closed, never handled or answered.
import type { Database, Tx } from "../db/database.ts";
import { clearFlow } from "../engine/engine.ts";
import { encodePostback } from "../engine/postback.ts";
import { lockConversation, saveConversation } from "../engine/state-store.ts";
import type { ConversationState, Outgoing } from "../engine/types.ts";
import { type WebhookEvent, webhookEventSchema } from "../line/events.ts";
import type { LineGateway } from "../line/gateway.ts";
import { renderOutgoing } from "../line/render.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { inboxInTx, type ReceivedRow } from "./inbox.ts";
import { INBOX_TEXT } from "./texts.ts";

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

/** One handled event: what happened to it. */
export interface Step {
  id: string;
  sends: boolean;
  wantsProfile: boolean;
}

/** What a turn needs of the processor's options (the processor passes its own). */
export interface TurnOptions {
  db: Database;
  handler: EventHandler;
  gateway: LineGateway | null;
  afterCommit?: () => void;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  replyTokenMaxAgeMs: number;
  leaseMs: number;
  instanceKey: string | null;
  rateLimitPerMinute: number;
}

/** The event came with a reply token young enough to try. */
export function freshToken(payload: unknown, occurredAt: Date, now: Date, replyTokenMaxAgeMs: number): boolean {
  const token = payload && typeof payload === "object" ? (payload as { replyToken?: unknown }).replyToken : undefined;
  return typeof token === "string" && now.getTime() - occurredAt.getTime() < replyTokenMaxAgeMs;
}

/** How long a lease taken now lasts. */
export function leaseFrom(now: Date, leaseMs: number): Date {
  return new Date(now.getTime() + leaseMs);
}

export class Turns {
  constructor(private readonly o: TurnOptions) {}

  /**
   * Runs the user's oldest RECEIVED event through the bot in one
   * transaction under the user's conversation lock. A turn that throws is
   * rolled back and tried again later; after MAX_HANDLING_ATTEMPTS it is
   * answered with an apology and the conversation is reset, so one bad event
   * never silences a user. `blocked`: an earlier answer of the user waits for
   * a retry, so this one is not delivered in this run.
   */
  async handleNext(key: string, busy: () => void, blocked: boolean): Promise<Step | null> {
    let step: Step | null;
    try {
      step = await this.o.db.transaction(async (tx) => {
        const state = await lockConversation(tx, key);
        // Under the lock: another worker may have taken events meanwhile.
        const oldest = await inboxInTx.oldestReceived(tx, key);
        if (!oldest) return null;
        const now = this.o.now();
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
        const fresh = freshToken(row.payload, row.occurredAt, now, this.o.replyTokenMaxAgeMs);
        await inboxInTx.handled(tx, row.id, row.type, outgoing, now, {
          // Delivery is blocked behind an earlier answer: any instance may send this one when it is due.
          leaseUntil: blocked ? now : leaseFrom(now, this.o.leaseMs),
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
        const now = this.o.now();
        await inboxInTx.handled(tx, row.id, row.type, APOLOGY, now, {
          leaseUntil: leaseFrom(now, this.o.leaseMs),
          leaseOwner: this.o.instanceKey,
          // Delivered next, in this run: its reply counts as tried from this commit.
          replyAttemptedAt: freshToken(row.payload, row.occurredAt, now, this.o.replyTokenMaxAgeMs) ? now : null,
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

  /** Asks LINE for the user's display name and hands it to the bot, in a turn of its own. */
  async fetchProfile(userId: string): Promise<void> {
    if (!this.o.gateway || !this.o.handler.onProfile) return;
    try {
      const displayName = await this.o.gateway.displayName(userId);
      if (!displayName) return;
      await this.o.db.transaction(async (tx) => {
        const state = await lockConversation(tx, userId);
        await this.o.handler.onProfile!({ tx, userId, now: this.o.now(), state, busy: () => undefined }, displayName);
        await saveConversation(tx, state);
      });
    } catch (error) {
      this.o.logger.warn("profile lookup failed", { error });
    }
  }
}
