// Works the inbox off the request path. For one source (user) at a time:
//  1. handle: in one transaction, lock the user's conversation, run every
//     RECEIVED event through the bot in order, store what to send, commit;
//  2. deliver: reply with the token while it is fresh, else push (with a
//     retry key derived from the event id, so a retried push is accepted
//     once); 5xx/429/timeouts are retried with backoff, by the sweeper.
// The in-memory queue is only a scheduling hint: everything it knows is also
// in the database, and sweep() finds it again after a restart.
import type { messagingApi } from "@line/bot-sdk";
import type { Database, Tx } from "../db/database.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { lockConversation, saveConversation } from "../engine/state-store.ts";
import type { ConversationState } from "../engine/types.ts";
import { webhookEventSchema, type WebhookEvent } from "../line/events.ts";
import { LineApiError, retryKeyFor, type LineGateway } from "../line/gateway.ts";
import { LineLimitError } from "../line/limits.ts";
import { renderOutgoing } from "../line/render.ts";
import type { Logger } from "../log.ts";
import type { Outgoing } from "../engine/types.ts";

export interface HandleResult {
  outgoing: Outgoing | null;
  /** Ask LINE for the user's display name after commit (on follow). */
  refreshProfile?: boolean;
}

export interface EventHandlerContext {
  tx: Tx;
  userId: string;
  now: Date;
  state: ConversationState;
  busy: () => void;
}

export type EventHandler = (ctx: EventHandlerContext, event: WebhookEvent) => Promise<HandleResult>;

export interface ProcessorOptions {
  db: Database;
  handler: EventHandler;
  /** null when no LINE credentials are configured: events wait in the inbox. */
  gateway: LineGateway | null;
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
}

interface EventRow {
  id: string;
  sourceKey: string | null;
  type: string;
  payload: unknown;
  replyToken: string | null;
  occurredAt: Date;
  outgoing: unknown;
  attempts: number;
}

export class EventProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly waiting: string[] = [];
  private active = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;
  private lastPurge = 0;
  private readonly now: () => Date;
  private readonly o: Required<Omit<ProcessorOptions, "now" | "gateway">> & { gateway: LineGateway | null };

  constructor(options: ProcessorOptions) {
    this.now = options.now ?? (() => new Date());
    this.o = {
      replyTokenMaxAgeMs: 50_000,
      leaseMs: 30_000,
      maxAttempts: 10,
      sweepIntervalMs: 2_000,
      retentionMs: 7 * 24 * 3_600_000,
      ...options,
    };
  }

  start(): void {
    if (this.o.sweepIntervalMs > 0) {
      this.timer = setInterval(() => void this.sweep().catch((error) => this.o.logger.warn("sweep failed", { error })), this.o.sweepIntervalMs);
      this.timer.unref();
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
   * Finds work the queue does not know about: events stored but not handled
   * (a restart, another instance's crash) and deliveries due for a retry.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const now = this.now();
    const rows = await this.o.db.prisma.webhookEvent.findMany({
      where: {
        OR: [
          { status: "RECEIVED" },
          { status: "HANDLED", OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] },
        ],
      },
      select: { sourceKey: true, id: true, status: true },
      orderBy: { occurredAt: "asc" },
      take: 500,
    });
    const orphans = rows.filter((r) => r.sourceKey === null).map((r) => r.id);
    if (orphans.length > 0) {
      await this.o.db.prisma.webhookEvent.updateMany({
        where: { id: { in: orphans } },
        data: { status: "DONE", doneAt: now, payload: Prisma.DbNull },
      });
    }
    this.kick(new Set(rows.flatMap((r) => (r.sourceKey ? [r.sourceKey] : []))));
    await this.idle();
    if (now.getTime() - this.lastPurge >= 3_600_000) {
      this.lastPurge = now.getTime();
      await this.purge(now);
    }
  }

  /**
   * Deletes finished events past the retention period. LINE redelivers
   * within hours, so a week of ids is ample for dedupe.
   */
  async purge(now = this.now()): Promise<number> {
    const { count } = await this.o.db.prisma.webhookEvent.deleteMany({
      where: { status: { in: ["DONE", "FAILED"] }, doneAt: { lt: new Date(now.getTime() - this.o.retentionMs) } },
    });
    return count;
  }

  // --- one source ----------------------------------------------------------

  private async processSource(key: string): Promise<void> {
    const handled = await this.handleReceived(key);
    const due = await this.claimDue(key, handled);
    for (const event of due) await this.deliver(event);
  }

  private async handleReceived(key: string): Promise<Set<string>> {
    const handledIds = new Set<string>();
    let refreshProfile = false;
    // LINE's loading animation starts when a slow step begins its work, not
    // after the work has committed (the reply would follow at once).
    let loadingShown = false;
    const busy = () => {
      if (loadingShown || !this.o.gateway) return;
      loadingShown = true;
      void this.o.gateway.showLoading(key).catch((error) => this.o.logger.debug("loading animation failed", { error }));
    };
    await this.o.db.prisma.$transaction(
      async (tx) => {
        const events = await tx.webhookEvent.findMany({
          where: { sourceKey: key, status: "RECEIVED" },
          orderBy: [{ occurredAt: "asc" }, { receivedAt: "asc" }, { id: "asc" }],
        });
        if (events.length === 0) return;
        const state = await lockConversation(tx, key);
        // Re-read under the lock: another worker may have handled them.
        const fresh = await tx.webhookEvent.findMany({
          where: { id: { in: events.map((e) => e.id) }, status: "RECEIVED" },
          orderBy: [{ occurredAt: "asc" }, { receivedAt: "asc" }, { id: "asc" }],
        });
        const now = this.now();
        for (const row of fresh) {
          let outgoing: messagingApi.Message[] | null = null;
          const parsed = webhookEventSchema.safeParse(row.payload);
          if (parsed.success) {
            const result = await this.o.handler(
              { tx, userId: key, now, state, busy },
              parsed.data,
            );
            refreshProfile ||= result.refreshProfile === true;
            if (result.outgoing && result.outgoing.replies.length > 0) outgoing = renderOutgoing(result.outgoing);
          }
          await tx.webhookEvent.update({
            where: { id: row.id },
            data: {
              status: outgoing ? "HANDLED" : "DONE",
              outgoing: outgoing ?? undefined,
              payload: { type: row.type }, // the rest may hold personal data
              handledAt: now,
              doneAt: outgoing ? null : now,
              leaseUntil: new Date(now.getTime() + this.o.leaseMs),
            },
          });
          if (outgoing) handledIds.add(row.id);
        }
        await saveConversation(tx, state);
      },
      { maxWait: 30_000, timeout: 30_000 },
    );
    if (refreshProfile) await this.refreshDisplayName(key);
    return handledIds;
  }

  private async refreshDisplayName(userId: string): Promise<void> {
    if (!this.o.gateway) return;
    try {
      const displayName = await this.o.gateway.displayName(userId);
      await this.o.db.prisma.lineUser.updateMany({ where: { id: userId }, data: { displayName } });
    } catch (error) {
      this.o.logger.warn("profile lookup failed", { error });
    }
  }

  /** Handled events of this source that this run may deliver now. */
  private async claimDue(key: string, justHandled: Set<string>): Promise<EventRow[]> {
    if (!this.o.gateway) return [];
    const now = this.now();
    const rows = await this.o.db.prisma.webhookEvent.findMany({
      where: { sourceKey: key, status: "HANDLED" },
      orderBy: [{ occurredAt: "asc" }, { receivedAt: "asc" }, { id: "asc" }],
    });
    const mine: EventRow[] = [];
    const lease = new Date(now.getTime() + this.o.leaseMs);
    for (const row of rows) {
      if (justHandled.has(row.id)) {
        mine.push(row);
        continue;
      }
      const expired = !row.leaseUntil || row.leaseUntil <= now;
      const due = !row.nextAttemptAt || row.nextAttemptAt <= now;
      if (!expired || !due) continue;
      // Conditional update: only one instance wins an expired lease.
      const won = await this.o.db.prisma.webhookEvent.updateMany({
        where: { id: row.id, status: "HANDLED", leaseUntil: row.leaseUntil },
        data: { leaseUntil: lease },
      });
      if (won.count === 1) mine.push(row);
    }
    return mine;
  }

  private async deliver(event: EventRow): Promise<void> {
    const gateway = this.o.gateway!;
    const messages = event.outgoing as messagingApi.Message[];
    const to = event.sourceKey!;
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
      await this.o.db.prisma.webhookEvent.update({
        where: { id: event.id },
        // The sent messages can hold a name: not kept once LINE has them.
        data: { status: "DONE", doneAt: this.now(), replyToken: null, outgoing: Prisma.DbNull, lastError: null },
      });
      this.o.logger.debug("delivered", { eventId: event.id, via });
    } catch (error) {
      await this.failed(event, error);
    }
  }

  private async failed(event: EventRow, error: unknown): Promise<void> {
    const attempts = event.attempts + 1;
    const retriable = error instanceof LineApiError && error.retriable && attempts < this.o.maxAttempts;
    const reason = error instanceof Error ? error.message.slice(0, 500) : String(error);
    const now = this.now();
    const backoffMs = Math.min(2_000 * 2 ** (attempts - 1), 300_000);
    const next = new Date(now.getTime() + backoffMs);
    await this.o.db.prisma.webhookEvent.update({
      where: { id: event.id },
      data: retriable
        ? { attempts, lastError: reason, nextAttemptAt: next, leaseUntil: next }
        : { attempts, lastError: reason, status: "FAILED", doneAt: now, replyToken: null, outgoing: Prisma.DbNull },
    });
    const level = retriable ? "warn" : "error";
    this.o.logger[level](retriable ? "delivery failed, will retry" : "delivery failed for good", {
      eventId: event.id,
      attempts,
      status: error instanceof LineApiError ? error.status : undefined,
      limits: error instanceof LineLimitError ? error.problems : undefined,
    });
  }
}
