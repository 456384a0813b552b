// LINE misbehaves for a while, then recovers, against the bot as it ships
// (`node dist/main.js`, as `npm start` runs it, configured by environment only: no test
// option, no clock of the test's; test/support/shipped.ts): 500s, then 429s,
// then it flaps (an earlier answer fails once more while later ones would go
// through), then answers that never come (past the gateway's 10 s timeout;
// pushes and multicasts taken by LINE before it went quiet), then normal
// service. Users keep talking all along and the outbox keeps pushing. Every
// retry here is the shipped process's own (its sweep timer and job timer,
// production backoffs from 2 s): every answer and every outbox message is
// accepted exactly once in the end (replies by token, pushes and multicasts
// by retry key), each user's answers in the order of their messages.
//
// Without the sweep timer (issue 10: an undefined option overrode its
// default), a reply LINE refused with 500 was never tried again: the first
// phase's wait for a second offer of the same reply fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { enqueueMulticast, enqueuePush } from "../../src/outbox/outbox.ts";
import { newEventId, textOf, type Event } from "../support/harness.ts";
import { LineServer, waitUntil, type Behaviour, type LineRequest } from "../support/line-server.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";

/**
 * Hang catchers, not deadlines: production backoffs double from 2 s up to 5
 * minutes (inbox and outbox), and the gateway gives up on LINE after 10 s. A
 * busy machine makes the early phases longer, so more failed tries and a
 * longer backoff before the next phase's (90 s was once not enough). The test
 * may take 30 minutes for the same reason.
 */
const PHASE_MS = 360_000;

/** One villager's sign-up, one message per phase of the outage; what each answer asks. */
const SCRIPT: { send: Event; expect: RegExp }[] = [
  { send: { type: "follow", follow: { isUnblocked: false } }, expect: /ข้อมูลส่วนตัว/ },
  { send: textMessage("ยินยอม"), expect: /ชื่อ-นามสกุล/ },
  { send: textMessage("สมชาย ใจดี"), expect: /เบอร์โทรศัพท์/ },
  { send: textMessage("0812345678"), expect: /อำเภอใด/ },
];

function textMessage(text: string): Event {
  return { type: "message", message: { type: "text", id: "", quoteToken: "q", text } };
}

describe.each(["postgres", "pglite"] as const)("LINE outage, shipped process on %s", (db) => {
  let bot: ShippedBot;
  let line: LineServer;
  beforeAll(async () => {
    line = await LineServer.start();
    // 500 from the first call on.
    line.policy = () => ({ kind: "status", status: 500 });
    bot = await ShippedBot.start({ db, line });
  });
  afterAll(async () => {
    await bot?.stop();
    await line?.close();
  });

  it("delivers every answer and every outbox message once, in order per user, after 500s, 429s and hangs", async () => {
    const users = [1, 2, 3, 4].map((n) => lineUserId(0xa000 + n));
    /** Every event sent, per user, in the order the user sent them. */
    const sent = new Map<string, Event[]>(users.map((u) => [u, []]));
    /** "reply:<token>" / "key:<retry key>" → the event it answers, and its place in the user's messages. */
    const answerOf = new Map<string, { eventId: string; index: number }>();
    const eventOf = (r: { kind: string; replyToken?: string; retryKey?: string }) =>
      r.kind === "multicast" ? undefined : answerOf.get(r.kind === "reply" ? `reply:${r.replyToken}` : `key:${r.retryKey}`);
    const say = async (phase: number) => {
      const events = users.slice(0, phase + 1).map((userId) => {
        const mine = sent.get(userId)!;
        const { send } = SCRIPT[mine.length]!;
        const fields = send.type === "message" ? { ...send, message: { ...(send.message as object), id: newEventId() } } : send;
        const event = bot.event(userId, fields);
        const answer = { eventId: String(event.webhookEventId), index: mine.length };
        answerOf.set(`reply:${String(event.replyToken)}`, answer);
        answerOf.set(`key:${retryKeyFor(answer.eventId)}`, answer);
        mine.push(event);
        return event;
      });
      // One delivery per user, as LINE sends them; stored (200) whatever LINE's API does.
      const statuses = await Promise.all(events.map((e) => bot.deliver([e])));
      expect(statuses).toEqual(events.map(() => 200));
    };
    const seen = (kind: LineRequest["kind"], outcome: LineRequest["outcome"], from = 0, accepted?: boolean) =>
      line.requests.some(
        (r) => r.seq > from && r.kind === kind && r.outcome === outcome && (accepted === undefined || r.accepted === accepted),
      );
    const lastSeq = () => line.requests.at(-1)?.seq ?? 0;

    // Queued pushes, one per user, and an announcement-sized multicast (two
    // chunks), written while the process is stopped (PGlite on disk allows
    // one process), then sent by the restarted process's outbox job.
    await bot.kill("SIGTERM");
    const crowd = Array.from({ length: 700 }, (_, i) => lineUserId(i + 1));
    const outboxIds = await bot.withDb((d) =>
      d.transaction(async (tx) => {
        const ids: number[] = [];
        for (const to of [lineUserId(9001), lineUserId(9002), lineUserId(9003)]) {
          ids.push((await enqueuePush(tx, to, [{ type: "text", text: `แจ้งเตือน ${to}` }], { purpose: "test.outage", now: new Date() }))!);
        }
        ids.push(...(await enqueueMulticast(tx, crowd, [{ type: "text", text: "ประกาศ" }], { purpose: "test.outage", now: new Date() })));
        return ids;
      }),
    );
    expect(outboxIds).toHaveLength(5);
    await bot.restart();

    // 1. LINE answers 500 to everything. The shipped process offers the same
    //    reply again by itself (its sweep timer, 2 s backoff) and the outbox
    //    retries too.
    await say(0);
    const firstReply = `rt-${String(sent.get(users[0]!)![0]!.webhookEventId)}`;
    await waitUntil(() => line.requests.filter((r) => r.replyToken === firstReply).length >= 2, {
      timeoutMs: PHASE_MS,
      what: "the reply LINE refused with 500 offered again by the shipped process",
    });
    await waitUntil(() => seen("push", 500) && seen("multicast", 500), { timeoutMs: PHASE_MS, what: "outbox sends refused with 500" });
    expect(line.accepted()).toEqual([]);

    // 2. Then 429 (rate limited).
    let from = lastSeq();
    line.policy = () => ({ kind: "status", status: 429 });
    await say(1);
    await waitUntil(() => seen("reply", 429, from) && seen("push", 429, from) && seen("multicast", 429, from), {
      timeoutMs: PHASE_MS,
      what: "a reply, a push and a multicast refused with 429",
    });
    expect(line.accepted()).toEqual([]);

    // 3. Then it flaps: the first offer in this phase of the answer to each
    //    user's 1st message fails once more, while the later answers would
    //    go through: they must wait behind it. The outbox still gets 500s.
    const failedOnce = new Set<string>();
    line.policy = (r) => {
      const answer = eventOf(r);
      if (!answer) return { kind: "status", status: 500 };
      if (answer.index !== 0 || failedOnce.has(answer.eventId)) return { kind: "accept" };
      failedOnce.add(answer.eventId);
      return { kind: "status", status: 500 };
    };
    await waitUntil(() => failedOnce.size === 2, { timeoutMs: PHASE_MS, what: "both first answers refused once more" });

    // 4. Then no answer at all: replies are not taken; pushes and multicasts
    //    are taken by LINE, but its answer never comes back.
    from = lastSeq();
    line.policy = (r) => (r.kind === "reply" ? { kind: "hang" } : { kind: "accept-then-hang" }) as Behaviour;
    await say(2);
    await waitUntil(() => seen("reply", "hung", from) && seen("push", "hung", from, true) && seen("multicast", "hung", from, true), {
      timeoutMs: PHASE_MS,
      what: "a reply left hanging, a push and a multicast taken without an answer",
    });
    const takenWhileHanging = line.accepted().length;
    expect(takenWhileHanging).toBeGreaterThan(0);

    // 5. LINE is fully back. The users go on; the shipped process catches up by itself.
    line.policy = () => ({ kind: "accept" });
    await say(3);
    const total = [...sent.values()].reduce((n, events) => n + events.length, 0);
    const answered = () =>
      line
        .accepted()
        .filter((r) => r.kind !== "multicast")
        .flatMap((r) => {
          const eventId = eventOf(r)?.eventId;
          return eventId ? [{ eventId, request: r }] : [];
        });
    const outboxSent = () => line.accepted().filter((r) => !eventOf(r)).length;
    await waitUntil(() => new Set(answered().map((a) => a.eventId)).size === total && outboxSent() >= outboxIds.length, {
      timeoutMs: 3 * PHASE_MS,
      what: "every answer and every outbox message accepted",
    });
    // What LINE took without answering was offered again and recognised (409).
    const settled = () =>
      line.requests
        .filter((r) => r.accepted && r.outcome === "hung")
        .every((taken) => line.requests.some((r) => r.seq > taken.seq && r.retryKey === taken.retryKey && r.outcome === 409));
    await waitUntil(settled, { timeoutMs: 2 * PHASE_MS, what: "every request LINE took without answering offered again (409)" });
    expect(await bot.kill("SIGTERM")).toBe(0);

    // The outage was real for every kind of request: each was refused 500, 429, and left hanging.
    for (const k of ["reply", "push", "multicast"] as const) {
      const outcomes = new Set(line.requests.filter((r) => r.kind === k).map((r) => r.outcome));
      expect([k, outcomes.has(500), outcomes.has(429), outcomes.has("hung")]).toEqual([k, true, true, true]);
    }

    // Every answer accepted exactly once, in the order of the user's messages.
    const all = answered();
    for (const [userId, events] of sent) {
      const mine = all.filter((a) => events.some((e) => e.webhookEventId === a.eventId));
      expect(mine.map((a) => a.eventId)).toEqual(events.map((e) => String(e.webhookEventId)));
      for (const [i, a] of mine.entries()) expect(textOf(a.request.messages)).toMatch(SCRIPT[i]!.expect);
      for (const a of mine) if (a.request.kind === "push") expect(a.request.to).toEqual([userId]);
    }
    expect(users.map((u) => sent.get(u)!.length)).toEqual([4, 3, 2, 1]);

    await bot.withDb(async (d) => {
      const rows = await d.prisma.webhookEvent.findMany({ where: { sourceKey: { in: users } } });
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => "DONE"));
      // The conversation went on from where each message left it.
      const conversations = await d.prisma.conversation.findMany({ where: { lineUserId: { in: users } }, orderBy: { lineUserId: "asc" } });
      expect(conversations.map((c) => [c.flowId, c.stepId])).toEqual([
        ["signup", "district"],
        ["signup", "phone"],
        ["signup", "name"],
        ["signup", "consent"],
      ]);
      expect(conversations[0]!.data).toMatchObject({ consent: "yes", fullName: "สมชาย ใจดี", phone: "0812345678" });

      // The outbox: one accepted request per retry key, every recipient once.
      const outbox = await d.prisma.outboxMessage.findMany({ where: { id: { in: outboxIds } } });
      expect(outbox.map((m) => m.status)).toEqual(outbox.map(() => "SENT"));
      const keys = new Set(outbox.map((m) => m.retryKey));
      const outboxAccepted = line.accepted().filter((r) => r.retryKey && keys.has(r.retryKey));
      expect(outboxAccepted.map((r) => r.retryKey).sort()).toEqual([...keys].sort());
      const perRecipient = new Map<string, number>();
      for (const r of outboxAccepted) for (const to of r.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
      expect(perRecipient.size).toBe(crowd.length + 3);
      expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);

      // Every push LINE took is in the month's quota count: the outbox's and the inbox's fallbacks.
      const [usage] = await d.sql.query<{ messages: number }>(`SELECT coalesce(sum(messages), 0)::int AS messages FROM push_quota_usage`);
      const pushedRecipients = line
        .accepted()
        .filter((r) => r.kind !== "reply")
        .reduce((n, r) => n + r.to.length, 0);
      expect(usage!.messages).toBe(pushedRecipients);
    });
    // What LINE took during the hang was not sent again: the retries got 409.
    expect(line.requests.some((r) => r.outcome === 409)).toBe(true);
  }, 1_800_000);
});
