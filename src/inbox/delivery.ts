// Delivers the answers a user's turns stored (src/inbox/turn.ts), as soon as
// each turn has committed: reply with the token while it is fresh, else push
// (with a retry key derived from the event id, so a retried push is accepted
// once, and counted in the month's push quota). 5xx/429/timeouts are retried
// with backoff, by the sweeper. Answers under the rate limit go by reply or
// not at all: a flood never spends the push quota.
//
// A reply is marked as tried before LINE is called; a retry of a reply LINE
// may have taken goes out as a reply again while its token is fresh (LINE
// answers 400 if the first one was used: that counts as delivered), so a
// crash mid-reply does not become a pushed duplicate. Only an answer whose
// token has grown old is pushed.
import type { messagingApi } from "@line/bot-sdk";
import { LineApiError, type LineGateway, retryKeyFor } from "../line/gateway.ts";
import { LineLimitError } from "../line/limits.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { countPushes, type PushQuota, quotaMonth, quotaWatcher } from "../outbox/quota.ts";
import type { HandledRow, InboxQueries } from "./inbox.ts";
import { leaseFrom } from "./turn.ts";

/** What delivery needs of the processor's options (the processor passes its own). */
export interface DeliveryOptions {
  inbox: InboxQueries;
  gateway: LineGateway | null;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  replyTokenMaxAgeMs: number;
  leaseMs: number;
  maxAttempts: number;
  instanceKey: string | null;
  quota?: PushQuota;
  /** A delivery of this source waits for a retry at `at`. */
  onRetry?: (sourceKey: string, at: Date) => void;
}

export class Delivery {
  private readonly watchQuota: ReturnType<typeof quotaWatcher> | null;

  constructor(private readonly o: DeliveryOptions) {
    this.watchQuota = o.quota ? quotaWatcher(o.quota, o.logger) : null;
  }

  /**
   * Delivers the user's handled answers that this run may send now, oldest
   * first. Returns true when one must wait for a retry (the rest were
   * released and wait behind it). `handled`: the user's handled answers,
   * when the caller has just read them (InboxQueries.pending).
   */
  async deliverDue(key: string, justHandled: string | null, handled?: HandledRow[]): Promise<boolean> {
    const due = await this.claimDue(key, justHandled, handled);
    for (const [i, event] of due.entries()) {
      const retryLater = await this.deliver(event, event.id === justHandled);
      if (retryLater) {
        // Keep the user's messages in order: the rest are released and wait
        // behind this one (claimDue stops at an older event not yet due).
        const rest = due.slice(i + 1).map((e) => e.id);
        // The new answer's reply was marked as tried with its turn; it was not.
        await this.o.inbox.release(rest, this.o.now(), justHandled);
        return true;
      }
    }
    return false;
  }

  /**
   * Delivers the answer a turn has just committed, as that turn wrote it
   * (leased to this instance, its reply marked as tried), when no older
   * answer of the user waits: deliverDue without reading it back. Returns
   * true when it must wait for a retry.
   */
  async deliverJustHandled(answer: HandledRow): Promise<boolean> {
    if (!this.o.gateway) return false;
    return (await this.deliver(answer, true)) !== null;
  }

  /**
   * Handled events of this source that this run may deliver now, oldest
   * first, stopping at one that waits out a backoff while nothing newer came.
   */
  private async claimDue(key: string, justHandled: string | null, handled?: HandledRow[]): Promise<HandledRow[]> {
    if (!this.o.gateway) return [];
    const now = this.o.now();
    const mine: HandledRow[] = [];
    for (const row of handled ?? (await this.o.inbox.handled(key))) {
      if (row.id === justHandled) {
        mine.push(row);
        continue;
      }
      // Waiting out a backoff: later messages wait too, unless a new answer
      // is going out now, in which case the older one is tried first.
      const due = !row.nextAttemptAt || row.nextAttemptAt <= now || justHandled !== null;
      if (!due) break;
      // Not won: being sent by another live instance right now, not ours.
      if (await this.o.inbox.claim(row.id, now, leaseFrom(now, this.o.leaseMs), this.o.instanceKey)) mine.push(row);
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
    const now = this.o.now();
    const fresh = event.replyToken !== null && now.getTime() - event.occurredAt.getTime() < this.o.replyTokenMaxAgeMs;
    // An earlier reply LINE may have taken: the process died, or the call timed out.
    const uncertain = !first && event.replyAttemptedAt !== null;
    let replyRefused = false;
    try {
      let via: "reply" | "reply-used" | "push" | "none" = event.throttled ? "none" : "push";
      if (fresh) {
        if (!first && !uncertain) await this.o.inbox.replyAttempted(event.id, now);
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
        await this.o.inbox.closeUnanswered(event.id, "rate limited: reply token not usable, not pushed", this.o.now());
        this.o.logger.info("rate-limited answer dropped", { eventId: event.id });
        return null;
      }
      if (via === "push") {
        await gateway.push(to, messages, retryKeyFor(event.id));
        const at = this.o.now();
        await this.o.inbox.delivered(event.id, at, async (tx) => {
          const month = quotaMonth(at);
          const { before, after } = await countPushes(tx, month, 1);
          await this.watchQuota?.(tx, month, before, after, at);
        });
      } else {
        await this.o.inbox.delivered(event.id, this.o.now());
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
    const now = this.o.now();
    const backoffMs = Math.min(2_000 * 2 ** (attempts - 1), 300_000);
    const next = new Date(now.getTime() + backoffMs);
    if (retriable) {
      await this.o.inbox.retryLater(event.id, attempts, reason, next, now, replyRefused);
      this.o.onRetry?.(event.sourceKey, next);
    } else {
      await this.o.inbox.failed(event.id, attempts, reason, now);
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
