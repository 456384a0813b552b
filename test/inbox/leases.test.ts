// Who holds a lease, and what a retry does with a reply that may have gone
// out (issue 10, §2). A processor built with an instance key, as main.ts
// builds it (src/db/instance-lock.ts):
//  - an answer leased by an instance that holds no lock any more (killed) is
//    taken over at once; one leased by a live instance waits for its lease;
//  - a reply tried before and never confirmed is tried again as a reply while
//    its token is fresh; LINE's 400 then means the first try used it: counted
//    delivered, not pushed; with an old token it is pushed, and the push is
//    counted in the month's quota.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdInstanceLock, newInstanceKey, type InstanceLock } from "../../src/db/instance-lock.ts";
import { EventProcessor } from "../../src/inbox/processor.ts";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { silentLogger } from "../../src/log.ts";
import { quotaMonth } from "../../src/outbox/quota.ts";
import { STORE_DATABASES } from "../support/database.ts";
import type { LineCall } from "../support/fake-line.ts";
import { Harness, newEventId } from "../support/harness.ts";

type Push = Extract<LineCall, { kind: "push" }>;
type Reply = Extract<LineCall, { kind: "reply" }>;

describe.each(STORE_DATABASES)("lease owners and retried replies on %s", (kind) => {
  let h: Harness;
  let mine: InstanceLock;
  let processor: EventProcessor;
  /** Another live instance: on PostgreSQL a session of its own; PGlite has one session for all. */
  let live: { key: string; close: () => Promise<void> };

  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
    // The fake LINE's first answer is slow (it loads LINE's OpenAPI files): not within a test's gateway timeout.
    await h.user("U-warm-up").follow();
    const target = kind === "postgres" ? { kind: "postgres" as const, url: h.db.url! } : { kind: "pglite-memory" as const };
    mine = await holdInstanceLock(target, h.db, silentLogger);
    if (kind === "postgres") {
      const client = new pg.Client({ connectionString: h.db.url! });
      await client.connect();
      const key = newInstanceKey();
      await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
      live = { key, close: () => client.end() };
    } else {
      const key = newInstanceKey();
      await h.db.sql.query("SELECT pg_advisory_lock($1::bigint)", [key]);
      live = { key, close: async () => undefined };
    }
    processor = new EventProcessor({
      db: h.db,
      handler: h.app.bot.handleEvent,
      gateway: h.app.gateway,
      logger: silentLogger,
      concurrency: 4,
      now: () => h.clock.now,
      sweepIntervalMs: 0,
      instanceKey: mine.key,
    });
  });
  afterAll(async () => {
    await processor?.drain();
    await live?.close();
    await mine?.close();
    await h?.stop();
  });

  /** A handled answer waiting for delivery, as a process left it. */
  async function handledRow(
    userId: string,
    fields: { ageMs: number; owner: string | null; leaseMs: number; replyAttempted?: boolean },
  ): Promise<string> {
    const id = newEventId();
    const occurredAt = new Date(h.clock.now.getTime() - fields.ageMs);
    await h.db.prisma.webhookEvent.create({
      data: {
        id,
        sourceKey: userId,
        type: "message",
        payload: { type: "message" },
        replyToken: `rt-${id}`,
        occurredAt,
        status: "HANDLED",
        outgoing: [{ type: "text", text: "คำตอบ" }],
        handledAt: occurredAt,
        leaseUntil: new Date(h.clock.now.getTime() + fields.leaseMs),
        leaseOwner: fields.owner === null ? null : BigInt(fields.owner),
        replyAttemptedAt: fields.replyAttempted ? occurredAt : null,
      },
    });
    return id;
  }
  const replies = (id: string) => h.line.calls.filter((c): c is Reply => c.kind === "reply" && c.replyToken === `rt-${id}`);
  const pushes = (userId: string) => h.line.calls.filter((c): c is Push => c.kind === "push" && c.to === userId);
  const statusOf = async (id: string) => (await h.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id } })).status;
  const quotaUsed = async () => (await h.db.prisma.pushQuotaUsage.findUnique({ where: { month: quotaMonth(h.clock.now) } }))?.messages ?? 0;

  it("takes over at once the answers of an instance that is gone, and leaves a live instance's until its lease runs out", async () => {
    const dead = newInstanceKey(); // nobody holds it: the process was killed
    const orphan = await handledRow("U-lease-dead", { ageMs: 1_000, owner: dead, leaseMs: 30_000 });
    const busy = await handledRow("U-lease-live", { ageMs: 1_000, owner: live.key, leaseMs: 30_000 });
    await processor.sweep();
    expect(replies(orphan)).toHaveLength(1);
    const row = await h.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: orphan } });
    expect({ status: row.status, lastError: row.lastError, attempts: row.attempts }).toEqual({
      status: "DONE",
      lastError: null,
      attempts: 0,
    });
    expect(replies(busy)).toHaveLength(0);
    expect(await statusOf(busy)).toBe("HANDLED");
    // Time-based expiry still holds for a live owner that stopped renewing.
    h.clock.advance(30_001);
    await processor.sweep();
    expect(replies(busy)).toHaveLength(1);
    expect(await statusOf(busy)).toBe("DONE");
  });

  it("retries a reply that may have gone out as a reply; LINE's 400 counts it delivered, nothing is pushed", async () => {
    const id = await handledRow("U-used-token", { ageMs: 5_000, owner: newInstanceKey(), leaseMs: 30_000, replyAttempted: true });
    h.line.failNext("reply", 400, 1, { message: "Invalid reply token" });
    const before = await quotaUsed();
    await processor.sweep();
    // The fake records only what it accepted: nothing was sent, and the reply's 400 was taken.
    expect(replies(id)).toHaveLength(0);
    expect(pushes("U-used-token")).toHaveLength(0);
    expect(await h.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "DONE", lastError: null });
    expect(await quotaUsed()).toBe(before);
  });

  it("pushes an answer whose reply may have gone out once its token is too old, with the retry key, and counts the push", async () => {
    const id = await handledRow("U-old-token", { ageMs: 120_000, owner: newInstanceKey(), leaseMs: 30_000, replyAttempted: true });
    const before = await quotaUsed();
    await processor.sweep();
    expect(replies(id)).toHaveLength(0);
    const pushed = pushes("U-old-token");
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.retryKey).toBe(retryKeyFor(id));
    expect(await statusOf(id)).toBe("DONE");
    expect(await quotaUsed()).toBe(before + 1);
  });

  it("pushes, as before, when a first reply is refused with 400", async () => {
    const id = await handledRow("U-first-400", { ageMs: 5_000, owner: null, leaseMs: -1 });
    h.line.failNext("reply", 400, 1, { message: "Invalid reply token" });
    await processor.sweep();
    expect(replies(id)).toHaveLength(0);
    expect(pushes("U-first-400")).toHaveLength(1);
    expect(await statusOf(id)).toBe("DONE");
  });
});
