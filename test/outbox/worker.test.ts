// The outbox worker against a fake LINE API that fails on purpose: every
// queued message reaches each recipient once as far as our side can tell
// (one accepted request per retry key), and none is lost.
import type { messagingApi } from "@line/bot-sdk";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LineGateway } from "../../src/line/gateway.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { enqueueMulticast, enqueuePush } from "../../src/outbox/outbox.ts";
import { outboxWorker, throttlePauseMs, type OutboxGateway, type OutboxWorkerOptions } from "../../src/outbox/worker.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";
import { FakeLine, type LineCall } from "../support/fake-line.ts";

// The harness's start time; the clock is local so this file does not build the whole app.
class Clock {
  now = new Date("2026-11-28T03:00:00.000Z");
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

type Sent = Extract<LineCall, { kind: "push" | "multicast" }>;

/** LINE-shaped user ids (U + 32 hex digits). */
const uid = (n: number) => `U${n.toString(16).padStart(32, "0")}`;
const text = (t: string): messagingApi.Message[] => [{ type: "text", text: t }];
const never = <T>() => new Promise<T>(() => undefined);

describe.each(STORE_DATABASES)("outbox worker on %s", (kind) => {
  let db: TestDatabase;
  let line: FakeLine;
  let clock: Clock;
  let gateway: LineGateway;
  /** For the first try of a request the fake never answers; a loaded test machine may be slower than this. */
  let impatient: LineGateway;

  beforeAll(async () => {
    nock.disableNetConnect();
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    line = new FakeLine();
    clock = new Clock();
    gateway = new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: line.baseUrl, timeoutMs: 60_000 });
    impatient = new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: line.baseUrl, timeoutMs: 200 });
    await db.sql.exec(`TRUNCATE outbox_message, push_quota_usage`);
  });
  afterEach(() => line.close());

  const worker = (options: Partial<OutboxWorkerOptions> = {}) =>
    outboxWorker({ db, gateway, logger: silentLogger, now: () => clock.now, ...options });

  /** What runAll does: rounds until nothing was due. */
  async function drain(w = worker()): Promise<number> {
    let total = 0;
    for (let round = 0; round < 50; round++) {
      const done = await w.runOnce(clock.now);
      if (done === 0) return total;
      total += done;
    }
    throw new Error("outbox still busy");
  }

  const push = (to: string, body = "hello", options: { notBefore?: Date } = {}) =>
    db.transaction((tx) => enqueuePush(tx, to, text(body), { purpose: "test", now: clock.now, ...options })) as Promise<number>;
  const multicast = (to: string[], body = "news") =>
    db.transaction((tx) => enqueueMulticast(tx, to, text(body), { purpose: "test", now: clock.now }));
  const row = (id: number) => db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
  const sent = () => line.calls.filter((c): c is Sent => c.kind === "push" || c.kind === "multicast");
  const recipientsOf = (c: Sent) => (c.kind === "push" ? [c.to] : c.to);
  /** Each request's kind and recipient count, largest first: requests on different lanes go out in any order. */
  const sentBySize = () =>
    sent()
      .map((c) => [c.kind, recipientsOf(c).length])
      .sort((a, b) => Number(b[1]) - Number(a[1]));
  /** How many accepted requests reached each user. */
  function deliveriesPerUser(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of sent()) for (const to of recipientsOf(c)) counts.set(to, (counts.get(to) ?? 0) + 1);
    return counts;
  }
  const requestsWithKey = (key: string) => line.requests.filter((r) => r.retryKey === key).length;
  const usage = async () => Object.fromEntries((await db.prisma.pushQuotaUsage.findMany()).map((u) => [u.month, u.messages]));

  it("sends a push once, with the row's retry key, and counts it against the month", async () => {
    const id = await push(uid(1));
    expect(await drain()).toBe(1);
    const stored = await row(id);
    expect(sent()).toEqual([{ kind: "push", to: uid(1), messages: text("hello"), retryKey: stored.retryKey }]);
    expect(stored).toMatchObject({ status: "SENT", attempts: 0, leaseUntil: null, sentAt: clock.now });
    // Like an answered event, a sent message may hold a name: not kept.
    expect(stored.messages).toEqual([]);
    expect(await usage()).toEqual({ "2026-11": 1 });
    clock.advance(3_600_000);
    expect(await drain()).toBe(0);
    expect(line.requests).toHaveLength(1);
  });

  it("waits for notBefore", async () => {
    await push(uid(1), "reminder", { notBefore: new Date(clock.now.getTime() + 60_000) });
    expect(await drain()).toBe(0);
    clock.advance(60_000);
    expect(await drain()).toBe(1);
    expect(sent()).toHaveLength(1);
  });

  it("multicasts 1,234 recipients as three requests (500/500/234), each recipient once", async () => {
    const users = Array.from({ length: 1_234 }, (_, i) => uid(i + 1));
    const ids = await multicast(users);
    expect(ids).toHaveLength(3);
    await drain();
    // Different recipients, different lanes: in any order.
    expect(sentBySize()).toEqual([
      ["multicast", 500],
      ["multicast", 500],
      ["multicast", 234],
    ]);
    const perUser = deliveriesPerUser();
    expect(perUser.size).toBe(1_234);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(sent().map((c) => c.retryKey)).size).toBe(3);
    expect(line.requests).toHaveLength(3);
    expect(await usage()).toEqual({ "2026-11": 1_234 });
  });

  it("sends a chunk of one recipient as a push", async () => {
    await multicast(Array.from({ length: 501 }, (_, i) => uid(i + 1)));
    await drain();
    // Two lanes again, so in either order.
    expect(sentBySize()).toEqual([
      ["multicast", 500],
      ["push", 1],
    ]);
    expect(deliveriesPerUser().size).toBe(501);
  });

  it("retries a 500 after a backoff, with the same retry key", async () => {
    const id = await push(uid(1));
    line.failNext("push", 500);
    const w = worker();
    await drain(w);
    const waiting = await row(id);
    expect(waiting).toMatchObject({ status: "PENDING", attempts: 1, leaseUntil: null });
    expect(waiting.nextAttemptAt).toEqual(new Date(clock.now.getTime() + 2_000));
    expect(waiting.lastError).toMatch(/500/);
    expect(await w.runOnce(clock.now)).toBe(0); // not before the backoff
    // A run woken by something else, finding nothing due, still says when the retry is due.
    clock.advance(1_000);
    expect(await w.runOnce(clock.now)).toBe(0);
    expect(w.nextWake?.()).toEqual(waiting.nextAttemptAt);
    clock.advance(1_000);
    await drain();
    expect(await row(id)).toMatchObject({ status: "SENT", attempts: 1 });
    expect(line.requests.map((r) => r.retryKey)).toEqual([waiting.retryKey, waiting.retryKey]);
    expect(sent()).toHaveLength(1);
  });

  it("retries after a timeout in which LINE got nothing", async () => {
    const id = await push(uid(1));
    line.failNext("push", 0);
    await drain(worker({ gateway: impatient }));
    expect(await row(id)).toMatchObject({ status: "PENDING", attempts: 1, lastError: expect.stringMatching(/timeout/) });
    clock.advance(2_000);
    await drain();
    const done = await row(id);
    expect(done.status).toBe("SENT");
    expect(requestsWithKey(done.retryKey)).toBe(2);
    expect(sent()).toHaveLength(1);
  });

  it("delivers once when LINE accepted but its answer was lost: the retry gets 409 and counts as sent", async () => {
    const pushed = await push(uid(1));
    const [multi] = await multicast([uid(2), uid(3), uid(4)]);
    line.acceptThenHangNext("push");
    line.acceptThenHangNext("multicast");
    await drain(worker({ gateway: impatient }));
    expect(await row(pushed)).toMatchObject({ status: "PENDING", attempts: 1 });
    expect(await row(multi!)).toMatchObject({ status: "PENDING", attempts: 1 });
    clock.advance(2_000);
    await drain();
    for (const id of [pushed, multi!]) {
      const done = await row(id);
      expect(done.status).toBe("SENT");
      expect(requestsWithKey(done.retryKey)).toBe(2); // the repeat reached LINE …
      expect(sent().filter((c) => c.retryKey === done.retryKey)).toHaveLength(1); // … and was accepted once
    }
    expect([...deliveriesPerUser().entries()].sort()).toEqual([uid(1), uid(2), uid(3), uid(4)].map((u) => [u, 1]));
    expect(await usage()).toEqual({ "2026-11": 4 }); // counted once, not per attempt
  });

  it("pauses the whole channel on 429; the message waits without using up its attempts", async () => {
    const ids = [await push(uid(1)), await push(uid(2)), await push(uid(3))];
    line.failNext("push", 429);
    const w = worker({ concurrency: 1 });
    await drain(w);
    expect(line.requests).toHaveLength(1); // the others were not tried during the pause
    expect(await row(ids[0]!)).toMatchObject({
      status: "PENDING",
      attempts: 0,
      nextAttemptAt: new Date(clock.now.getTime() + 1_000),
      lastError: expect.stringMatching(/429/),
    });
    for (const id of ids.slice(1)) expect(await row(id)).toMatchObject({ status: "PENDING", leaseUntil: null, attempts: 0 });
    expect(w.pausedUntil).toEqual(new Date(clock.now.getTime() + 1_000));

    clock.advance(500);
    expect(await w.runOnce(clock.now)).toBe(0); // rows 2 and 3 are due, the channel is not
    expect(line.requests).toHaveLength(1);

    clock.advance(500);
    await drain(w);
    for (const id of ids) expect(await row(id)).toMatchObject({ status: "SENT", attempts: 0 });
    expect(sent()).toHaveLength(3);
  });

  it("pauses longer on consecutive 429s", async () => {
    expect([1, 2, 3, 20].map(throttlePauseMs)).toEqual([1_000, 2_000, 4_000, 300_000]);
    const id = await push(uid(1));
    line.failNext("push", 429, 2);
    const w = worker();
    await drain(w);
    clock.advance(1_000);
    await drain(w);
    expect(w.pausedUntil).toEqual(new Date(clock.now.getTime() + 2_000));
    clock.advance(1_999);
    await drain(w);
    expect(line.requests).toHaveLength(2);
    clock.advance(1);
    await drain(w);
    expect(await row(id)).toMatchObject({ status: "SENT", attempts: 0 });
  });

  it("pauses once for 429s of requests that were in flight together", async () => {
    for (let n = 1; n <= 4; n++) await push(uid(n));
    line.failNext("push", 429, 4);
    const w = worker({ concurrency: 4 });
    await drain(w);
    expect(line.requests).toHaveLength(4);
    expect(w.pausedUntil).toEqual(new Date(clock.now.getTime() + 1_000));
    clock.advance(1_000);
    await drain(w);
    expect(sent()).toHaveLength(4);
  });

  it("fails a 400 at once, keeps LINE's reason, and does not retry it", async () => {
    const id = await push(uid(1));
    line.failNext("push", 400, 1, { message: "The property, 'to', in the request body is invalid" });
    await drain();
    const failed = await row(id);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1, leaseUntil: null, sentAt: null });
    expect(failed.lastError).toMatch(/400/);
    expect(failed.lastError).toMatch(/'to', in the request body is invalid/);
    clock.advance(3_600_000);
    await drain();
    expect(line.requests).toHaveLength(1);
    expect(await usage()).toEqual({});
  });

  it("gives up after 12 failed attempts, with backoffs doubling to 5 minutes", async () => {
    const id = await push(uid(1));
    line.failNext("push", 503, 100);
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 12; attempt++) {
      await drain();
      const r = await row(id);
      expect(r.attempts).toBe(attempt);
      if (attempt < 12) {
        expect(r.status).toBe("PENDING");
        gaps.push(r.nextAttemptAt!.getTime() - clock.now.getTime());
        clock.now = r.nextAttemptAt!;
      } else {
        expect(r.status).toBe("FAILED");
        expect(r.lastError).toMatch(/503/);
      }
    }
    expect(gaps).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1_000));
    clock.advance(3_600_000);
    await drain();
    expect(line.requests).toHaveLength(12);
  });

  it("takes over the batch of a worker that died mid-batch once its lease has run out; every recipient gets it once", async () => {
    const pushIds = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => push(uid(n), `p${n}`)));
    const multiIds = await multicast([uid(7), uid(8), uid(9)]);
    const all = [...pushIds, ...multiIds];
    // Worker A: its first two requests go through; the third reaches LINE,
    // which accepts it, and then the process "dies": nothing more is
    // recorded and nothing more is sent.
    let requests = 0;
    let dead = false;
    const dying: OutboxGateway = {
      async push(to, messages, key) {
        if (dead) return never();
        if (++requests < 3) return gateway.push(to, messages, key);
        dead = true;
        await gateway.push(to, messages, key);
        return never();
      },
      async multicast(to, messages, key) {
        if (dead) return never();
        if (++requests < 3) return gateway.multicast(to, messages, key);
        dead = true;
        await gateway.multicast(to, messages, key);
        return never();
      },
    };
    void worker({ gateway: dying, concurrency: 2 }).runOnce(clock.now);
    const status = async () => (await db.prisma.outboxMessage.findMany({ where: { id: { in: all } } })).map((r) => r.status);
    // Polls for up to 3 minutes: only a hang should fail on a busy machine.
    for (let i = 0; i < 18_000 && (sent().length < 3 || (await status()).filter((s) => s === "SENT").length < 2); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sent()).toHaveLength(3);
    expect((await status()).filter((s) => s === "SENT")).toHaveLength(2);

    // Another instance, while A's lease holds: nothing to take.
    const b = worker();
    expect(await b.runOnce(clock.now)).toBe(0);
    clock.advance(60_000);
    await drain(b);

    expect(await status()).toEqual(all.map(() => "SENT"));
    const perUser = deliveriesPerUser();
    expect([...perUser.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(uid).sort());
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    const keys = sent().map((c) => c.retryKey);
    expect(new Set(keys).size).toBe(keys.length); // one accepted request per retry key
    expect(line.requests.filter((r) => r.retryKey === keys[2])).toHaveLength(2); // the dead one's message: a 409 for B
    expect(await usage()).toEqual({ "2026-11": 9 });
  });

  it("lets two workers run at once without sending any row twice", async () => {
    const ids = await db.transaction(async (tx) => {
      const out: number[] = [];
      for (let n = 1; n <= 120; n++) out.push((await enqueuePush(tx, uid(n), text("x"), { purpose: "test", now: clock.now }))!);
      return out;
    });
    const w1 = worker({ batchSize: 15 });
    const w2 = worker({ batchSize: 15 });
    const done: number[][] = [];
    for (let round = 0; round < 50; round++) {
      const [a, b] = await Promise.all([w1.runOnce(clock.now), w2.runOnce(clock.now)]);
      done.push([a, b]);
      if (a + b === 0) break;
    }
    expect(done.flat().reduce((s, n) => s + n, 0)).toBe(120);
    expect(done.some(([a, b]) => a! > 0 && b! > 0)).toBe(true); // they really shared the work
    expect(line.requests).toHaveLength(120); // no row was even tried twice
    expect(new Set(line.requests.map((r) => r.retryKey)).size).toBe(120);
    const rows = await db.prisma.outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === "SENT")).toBe(true);
    expect(await usage()).toEqual({ "2026-11": 120 });
  });

  it("skips a row withdrawn after its claim (a flood situation ended); one already in flight goes", async () => {
    const [first] = await multicast([uid(1), uid(2)], "check-in 1");
    const [second] = await multicast([uid(3), uid(4)], "check-in 2");
    const withdrawn: (number | null)[] = [];
    // One lane: the second row waits in the claimed batch while the first is sent.
    const slow: OutboxGateway = {
      push: () => Promise.reject(new Error("no pushes here")),
      multicast: async (to, messages, retryKey) => {
        // While the first multicast is on its way, the situation ends: both
        // rows are withdrawn the way src/disaster/situation-write.ts does it.
        if (withdrawn.length === 0) {
          const rows = await db.sql.query<{ id: number }>(
            `UPDATE outbox_message SET status = 'CANCELLED', "lastError" = 'cancelled: test', "leaseUntil" = NULL
              WHERE status = 'PENDING' AND "sendingAt" IS NULL RETURNING id`,
          );
          withdrawn.push(...rows.map((r) => Number(r.id)));
        }
        return gateway.multicast(to, messages, retryKey);
      },
    };
    expect(await worker({ gateway: slow, concurrency: 1 }).runOnce(clock.now)).toBe(2);
    // The first was in flight (sendingAt set), so the withdrawal left it alone; the second never went.
    expect(withdrawn).toEqual([second]);
    expect(sent().map((c) => recipientsOf(c))).toEqual([[uid(1), uid(2)]]);
    expect((await row(first!)).status).toBe("SENT");
    expect(await row(second!)).toMatchObject({ status: "CANCELLED", sendingAt: null, leaseUntil: null });
    expect(await drain()).toBe(0);
    expect(await usage()).toEqual({ "2026-11": 2 });
  });

  it("counts pushed messages per Bangkok month", async () => {
    clock.now = new Date("2026-11-30T16:59:59.000Z"); // 23:59:59 on 30 Nov in Bangkok
    await push(uid(1));
    await multicast([uid(2), uid(3)]);
    await drain();
    clock.now = new Date("2026-11-30T17:00:00.000Z"); // already 1 Dec in Bangkok (still November in UTC)
    await push(uid(1));
    await drain();
    expect(await usage()).toEqual({ "2026-11": 3, "2026-12": 1 });
  });

  it("paces multicasts to the channel's rate limit", async () => {
    const pacing = {
      t: 0,
      slept: 0,
      now: () => pacing.t,
      sleep: async (ms: number) => {
        pacing.slept += ms;
        pacing.t += ms;
      },
    };
    for (let i = 0; i < 4; i++) await multicast([uid(2 * i + 1), uid(2 * i + 2)]);
    await drain(worker({ pacing, rateLimits: { multicast: { perSecond: 2, burst: 1 } } }));
    expect(sent()).toHaveLength(4);
    expect(pacing.slept).toBeGreaterThanOrEqual(1_500); // three waits of 500 ms
  });

  it("warns once a month when the quota's threshold is crossed, and tells the admins", async () => {
    const admins = [uid(0xa1), uid(0xa2)];
    const logs: string[] = [];
    const logger = createLogger("warn", (l) => logs.push(l));
    const w = () => worker({ logger, quota: { monthly: 10, warnPercent: 80, adminLineUserIds: admins } });
    for (let n = 1; n <= 7; n++) await push(uid(n), `secret ${n}`);
    await drain(w());
    expect(await db.prisma.outboxMessage.count({ where: { purpose: "push-quota.warning" } })).toBe(0);

    await multicast([uid(8), uid(9), uid(10)]); // 7 → 10: crosses 8
    await drain(w());
    const warnings = await db.prisma.outboxMessage.findMany({ where: { purpose: "push-quota.warning" } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ dedupeKey: "quota-warning:2026-11#0", recipients: admins, status: "SENT" });
    const told = sent().filter((c) => c.retryKey === warnings[0]!.retryKey);
    expect(told).toHaveLength(1);
    expect(recipientsOf(told[0]!)).toEqual(admins);
    expect(JSON.stringify(told[0]!.messages)).toMatch(/10 จาก 10 ข้อความ/);

    // More sends this month, by a fresh worker (a restart): no second warning.
    await push(uid(11));
    await drain(w());
    expect(await db.prisma.outboxMessage.count({ where: { purpose: "push-quota.warning" } })).toBe(1);
    const warned = logs.filter((l) => l.includes("LINE push quota nearly used"));
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0]!)).toMatchObject({ month: "2026-11", used: 10, quota: 10, adminsTold: 2 });
    expect(logs.join("\n")).not.toMatch(/secret/); // no message text in logs

    // A new month starts counting afresh and warns again.
    clock.now = new Date("2026-12-15T03:00:00.000Z");
    for (let n = 1; n <= 8; n++) await push(uid(n));
    await drain(w());
    expect(await db.prisma.outboxMessage.count({ where: { dedupeKey: "quota-warning:2026-12#0" } })).toBe(1);
  });
});
