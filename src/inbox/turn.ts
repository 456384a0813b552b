// One turn of one user: their oldest waiting event run through the bot in
// one transaction under the user's conversation lock, its answer rendered
// and stored for delivery (src/inbox/delivery.ts), all committed together.
//
// A turn's own round trips are four (issue 13): BEGIN; one statement that
// takes the lock and reads the oldest waiting event, how many wait, what
// the rate limit needs and whether older answers wait for delivery
// (inboxInTx.loadTurn; it also reads whether LINE's push quota is used up,
// which the reply's held notices need); the bot's own statements; one statement that
// stores the answer and saves the conversation; COMMIT. The answer is then
// delivered as written here (Step.answer), not read back. The inbox's
// statements go to the driver directly (Database.driverTransaction); the
// bot's Prisma client joins the transaction only if the bot uses it.
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
import { quotaMonth } from "../outbox/quota.ts";
import { type HandledRow, inboxInTx, type ReceivedRow } from "./inbox.ts";
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
  /**
   * Whether the month of `now` had LINE's push quota used up when the turn
   * began (read with the turn's load): only then can pushes be waiting for
   * this user's reply (src/outbox/held.ts). Absent: not known, ask.
   */
  quotaExhausted?: boolean;
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
  /**
   * The answer as its turn committed it, leased to this instance: delivered
   * from here, without reading it back. Null when it is not to be delivered
   * in this run, or was not written by a normal turn (the apology).
   */
  answer: HandledRow | null;
}

/** A turn's outcome, for the run it is part of (src/inbox/processor.ts). */
export interface TurnOutcome {
  /** The event handled; null: none waited, or handling failed and is tried again later. */
  step: Step | null;
  /** Answers of the user handled before waited for delivery; null: not known. */
  older: boolean | null;
  /** More events of the user wait to be handled; null: not known. */
  more: boolean | null;
}

const UNKNOWN: TurnOutcome = { step: null, older: null, more: null };

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
  async handleNext(key: string, busy: () => void, blocked: boolean): Promise<TurnOutcome> {
    let outcome: TurnOutcome;
    try {
      outcome = await this.o.db.driverTransaction(async (sql, tx) => {
        // One statement: the lock, the oldest waiting event (read under the
        // lock: another worker may have taken events meanwhile), and what
        // the rate limit and the delivery need to know.
        const month = quotaMonth(this.o.now());
        const load = await inboxInTx.loadTurn(sql, key, RATE_WINDOW_MS, month);
        const { conversation: state, oldest } = load;
        if (!oldest) return { step: null, older: load.older, more: false };
        const now = this.o.now();
        // Known only for the month it was read for (a turn across midnight at a month's end asks again).
        const quotaExhausted = quotaMonth(now) === month ? load.quotaExhausted : undefined;
        let row: ReceivedRow = oldest;
        let throttled = false;
        let notice = false;
        // The limit applies while messages pile up (more wait behind this
        // one): a user whose every message is answered before the next
        // comes costs replies only, which are free.
        if (load.waiting > 1 && (load.inWindow ?? 0) > this.o.rateLimitPerMinute) {
          // Over the limit: only the latest is handled, the rest closed unanswered.
          row = (await inboxInTx.newestReceived(sql, key))!;
          throttled = true;
          notice = !(await inboxInTx.throttledSince(sql, key, new Date(row.occurredAt.getTime() - NOTICE_QUIET_MS)));
          const closed = await inboxInTx.closeReceivedExcept(sql, key, row.id, now);
          this.o.logger.info("rate limited", { sourceKey: key, closed, notice });
        }
        let result: HandleResult = { outgoing: null };
        const parsed = webhookEventSchema.safeParse(row.payload);
        // Standby: another channel answers this chat; the event is only kept.
        if (parsed.success && parsed.data.mode !== "standby") {
          result = await this.o.handler.handle({ tx, userId: key, now, state, busy, quotaExhausted }, parsed.data);
        }
        let outgoing = result.outgoing && result.outgoing.replies.length > 0 ? renderOutgoing(result.outgoing) : null;
        if (notice) outgoing = [...SLOW_DOWN, ...(outgoing ?? []).slice(-(MAX_MESSAGES - SLOW_DOWN.length))];
        const fresh = freshToken(row.payload, row.occurredAt, now, this.o.replyTokenMaxAgeMs);
        const fields = {
          // Delivery is blocked behind an earlier answer: any instance may send this one when it is due.
          leaseUntil: blocked ? now : leaseFrom(now, this.o.leaseMs),
          leaseOwner: this.o.instanceKey,
          replyAttemptedAt: fresh && !blocked ? now : null,
          throttled,
        };
        const json = outgoing ? JSON.stringify(outgoing) : null;
        // One statement: the event handled, its answer stored, and the conversation saved.
        await inboxInTx.handledAndSaved(sql, row.id, row.type, json, now, fields, state);
        const answer: HandledRow | null =
          json === null || blocked
            ? null
            : {
                id: row.id,
                sourceKey: key,
                replyToken: row.replyToken,
                occurredAt: row.occurredAt,
                // As delivery would read it back.
                outgoing: JSON.parse(json),
                attempts: 0,
                leaseUntil: fields.leaseUntil,
                nextAttemptAt: null,
                replyAttemptedAt: fields.replyAttemptedAt,
                throttled,
              };
        return {
          step: { id: row.id, sends: outgoing !== null, wantsProfile: result.wantsProfile === true, answer },
          older: load.older,
          // Under the limit the others were closed; events stored since are kicked anew.
          more: !throttled && load.waiting > 1,
        };
      });
    } catch (error) {
      const gaveUpOn = await this.handlingFailed(key, error);
      if (!gaveUpOn) return UNKNOWN; // tried again by the sweeper
      outcome = { ...UNKNOWN, step: { id: gaveUpOn, sends: true, wantsProfile: false, answer: null } };
    }
    const { step } = outcome;
    if (!step) return outcome;
    this.o.metrics.eventProcessed();
    this.o.logger.debug("handled", { eventId: step.id, answers: step.sends });
    this.o.afterCommit?.();
    return outcome;
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
