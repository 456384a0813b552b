// The outbox worker when LINE's monthly quota is used up (429 with "You have
// reached your monthly limit."), on a clock the test moves: no retry until
// the 15-minute probe or the new month, the admins' warning queued once a
// month, and held pushes handed to a reply (src/outbox/held.ts).
import type { messagingApi } from "@line/bot-sdk";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LineGateway } from "../../src/line/gateway.ts";
import { silentLogger } from "../../src/log.ts";
import {
  nextProbeAt,
  QUOTA_PROBE_MS,
  recordQuotaExhausted,
  SENT_IN_REPLY,
  takeHeldNoticesFor,
  withHeldNotices,
} from "../../src/outbox/held.ts";
import { enqueueMulticast, enqueuePush } from "../../src/outbox/outbox.ts";
import { outboxWorker } from "../../src/outbox/worker.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";
import { FakeLine } from "../support/fake-line.ts";

const MONTHLY_LIMIT = { message: "You have reached your monthly limit." };
const uid = (n: number) => `U${n.toString(16).padStart(32, "0")}`;
const ADMINS = [uid(0xa1), uid(0xa2)];
const text = (t: string): messagingApi.Message[] => [{ type: "text", text: t }];

describe("the probe time", () => {
  it("is 15 minutes on, or the start of the next Bangkok month if sooner", () => {
    expect(nextProbeAt(new Date("2026-11-28T03:00:00Z"))).toEqual(new Date("2026-11-28T03:15:00Z"));
    // 23:50 on 30 November in Bangkok: December starts at 17:00 UTC.
    expect(nextProbeAt(new Date("2026-11-30T16:50:00Z"))).toEqual(new Date("2026-11-30T17:00:00Z"));
    expect(nextProbeAt(new Date("2026-12-31T16:59:00Z"))).toEqual(new Date("2026-12-31T17:00:00Z"));
  });
});

describe.each(STORE_DATABASES)("monthly quota used up, on %s", (kind) => {
  let db: TestDatabase;
  let line: FakeLine;
  let now: Date;
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));

  beforeAll(async () => {
    nock.disableNetConnect();
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    line = new FakeLine();
    now = new Date("2026-11-28T03:00:00.000Z");
    await db.sql.exec(`TRUNCATE outbox_message, push_quota_usage`);
  });
  afterEach(() => line.close());

  const worker = () =>
    outboxWorker({
      db,
      gateway: new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: line.baseUrl, timeoutMs: 60_000 }),
      logger: silentLogger,
      now: () => now,
      quota: { monthly: 300, warnPercent: 80, adminLineUserIds: ADMINS },
    });
  async function drain(w: ReturnType<typeof worker>): Promise<number> {
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const done = await w.runOnce(now);
      if (done === 0) return total;
      total += done;
    }
    throw new Error("outbox still busy");
  }
  const push = (to: string, body = "hello") =>
    db.transaction((tx) => enqueuePush(tx, to, text(body), { purpose: "test", now })) as Promise<number>;
  const rows = () => db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
  const sentTo = () => line.calls.flatMap((c) => (c.kind === "push" ? [c.to] : c.kind === "multicast" ? c.to : []));

  it("tries once, holds everything, probes one push every 15 minutes, and sends all once LINE takes it", async () => {
    const w = worker();
    // One user's pushes go in order: the first is refused, the rest wait behind it.
    for (let i = 1; i <= 5; i++) await push(uid(1), `notice ${i}`);
    // The first try and the first probe.
    line.failNext("push", 429, 2, MONTHLY_LIMIT);
    await drain(w);
    const tried = line.requests.length;
    expect(tried).toBe(1);
    // Held: pending, attempts not counted; the admins' warning queued (one push each).
    const held = await rows();
    expect(held.filter((r) => r.purpose === "test").every((r) => r.status === "PENDING" && r.attempts === 0)).toBe(true);
    expect(held.filter((r) => r.purpose === "push-quota.exhausted").map((r) => r.recipients)).toEqual(ADMINS.map((a) => [a]));
    expect(await db.prisma.pushQuotaUsage.findUniqueOrThrow({ where: { month: "2026-11" } })).toMatchObject({ exhaustedAt: now });

    // A rate limit would be retried within seconds; the quota is not, until the probe.
    for (const step of [1_000, 60_000, QUOTA_PROBE_MS - 61_001]) {
      advance(step);
      expect(await drain(w)).toBe(0);
    }
    expect(line.requests).toHaveLength(tried);

    // The probe: one push, still refused; then 15 minutes more.
    advance(1);
    expect(await drain(w)).toBe(1);
    expect(line.requests).toHaveLength(tried + 1);
    advance(QUOTA_PROBE_MS - 1);
    expect(await drain(w)).toBe(0);

    // LINE takes the probe (a bigger plan): the rest goes at once, each once.
    advance(1);
    await drain(w);
    expect(sentTo().sort()).toEqual([...ADMINS, ...Array.from({ length: 5 }, () => uid(1))].sort());
    expect((await rows()).every((r) => r.status === "SENT")).toBe(true);
    expect(await db.prisma.pushQuotaUsage.findUniqueOrThrow({ where: { month: "2026-11" } })).toMatchObject({
      exhaustedAt: null,
      probeAt: null,
    });
  });

  it("the new month sends at once, without waiting for the probe; the admins are warned once a month", async () => {
    const w = worker();
    now = new Date("2026-11-30T16:55:00Z"); // 23:55 in Bangkok, the last day of November
    await push(uid(1));
    line.failNext("push", 429, 1, MONTHLY_LIMIT);
    await drain(w);
    expect(line.requests).toHaveLength(1);
    // Used up again later the same month (after a push got through): no second warning.
    await db.sql.exec(`UPDATE push_quota_usage SET "exhaustedAt" = NULL, "probeAt" = NULL`);
    expect(await db.sql.transaction((tx) => recordQuotaExhausted(tx, { now, adminLineUserIds: ADMINS }))).toBe(true);
    expect((await rows()).filter((r) => r.purpose === "push-quota.exhausted")).toHaveLength(ADMINS.length);

    advance(5 * 60_000); // 00:00, 1 December: 5 minutes, not 15
    await drain(w);
    expect(sentTo().sort()).toEqual([uid(1), ...ADMINS].sort());
  });

  it("a held push to one user goes into that user's reply, whole and within five messages; only while the quota is gone", async () => {
    const secretary = uid(0x5ec);
    await push(secretary, "card 1");
    await db.transaction((tx) => enqueuePush(tx, secretary, [...text("card 2a"), ...text("card 2b")], { purpose: "test", now }));
    await push(secretary, "card 3");
    await db.transaction((tx) => enqueueMulticast(tx, [secretary, uid(2)], text("news"), { purpose: "announcement", now }));
    // Pushes can go out: nothing is taken from the worker.
    expect(await db.transaction((tx) => takeHeldNoticesFor(tx, secretary, now, 5))).toEqual([]);

    await db.sql.exec(`INSERT INTO push_quota_usage (month, messages, "exhaustedAt") VALUES ('2026-11', 300, now())`);
    const answer = {
      replies: [{ kind: "text" as const, text: "answer" }],
      buttons: [{ kind: "text" as const, label: "เมนู", text: "เมนู" }],
    };
    // Room for 3 (two of the answer's five are taken in this example): card 1, card 2 (two messages); card 3 waits.
    const twoAnswers = { ...answer, replies: [{ kind: "flex" as const, altText: "a", contents: { type: "bubble" } }, ...answer.replies] };
    const out = await db.transaction((tx) => withHeldNotices(tx, secretary, now, twoAnswers));
    expect(out!.replies.map((r) => (r.kind === "text" ? r.text : r.altText))).toEqual(["card 1", "card 2a", "card 2b", "a", "answer"]);
    expect(out!.buttons).toEqual(answer.buttons);
    const after = await rows();
    expect(after.map((r) => [r.status, r.lastError])).toEqual([
      ["SENT", SENT_IN_REPLY],
      ["SENT", SENT_IN_REPLY],
      ["PENDING", null],
      ["PENDING", null], // a multicast is never handed to one user
    ]);
    // A turn that rolls back gives them back.
    await expect(
      db.transaction(async (tx) => {
        expect(await takeHeldNoticesFor(tx, secretary, now, 5)).toEqual(text("card 3"));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect((await rows())[2]!.status).toBe("PENDING");
    // No answer, nothing handed over.
    expect(await db.transaction((tx) => withHeldNotices(tx, secretary, now, null))).toBeNull();
  });
});
