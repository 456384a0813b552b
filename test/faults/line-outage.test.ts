// LINE misbehaves for a while, then recovers: 500s, then 429s, then it flaps
// (an earlier answer fails while later ones would go through), then answers
// that never come (past the gateway's timeout; pushes and multicasts taken by
// LINE before it went quiet), then normal service. Users keep talking all
// along and the outbox keeps pushing. Once the clock has moved on and the
// sweeper and jobs have run, every answer and every outbox message has been
// accepted exactly once (replies by token, pushes and multicasts by retry
// key), each user's answers in the order of their messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { enqueueMulticast, enqueuePush } from "../../src/outbox/outbox.ts";
import { DATABASE_KINDS } from "../support/database.ts";
import { Harness, newEventId, textOf, type Event } from "../support/harness.ts";
import { LineServer, type Behaviour, type LineRequest } from "../support/line-server.ts";

const MINUTE = 60_000;
/** LINE-shaped user ids (U + 32 hex digits), as the outbox's recipients. */
const uid = (n: number) => `U${n.toString(16).padStart(32, "0")}`;

/** One villager's sign-up, one message per phase of the outage; what each answer asks. */
const SCRIPT: { send: Event; expect: RegExp }[] = [
  { send: { type: "follow", follow: { isUnblocked: false } }, expect: /PDPA/ },
  { send: textMessage("ยินยอม"), expect: /ชื่อ-นามสกุล/ },
  { send: textMessage("สมชาย ใจดี"), expect: /เบอร์โทรศัพท์/ },
  { send: textMessage("0812345678"), expect: /อำเภอใด/ },
];

function textMessage(text: string): Event {
  return { type: "message", message: { type: "text", id: "", quoteToken: "q", text } };
}

describe.each(DATABASE_KINDS)("LINE outage on %s", (kind) => {
  let h: Harness;
  let line: LineServer;
  beforeAll(async () => {
    line = await LineServer.start();
    h = await Harness.start({
      kind,
      lineTimeoutMs: 300,
      env: { LINE_API_BASE_URL: line.baseUrl, LINE_DATA_API_BASE_URL: line.dataBaseUrl },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await line?.close();
  });

  it("delivers every answer and every outbox message once, in order per user, after 500s, 429s and hangs", async () => {
    // A new user joins in each phase (so each phase also meets a fresh reply
    // token, not only pushes of answers that waited), and everyone who has
    // joined sends their next message of the script.
    const users = ["U-outage-0", "U-outage-1", "U-outage-2", "U-outage-3"];
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
        const event = h.event(userId, fields);
        const answer = { eventId: String(event.webhookEventId), index: mine.length };
        answerOf.set(`reply:${String(event.replyToken)}`, answer);
        answerOf.set(`key:${retryKeyFor(answer.eventId)}`, answer);
        mine.push(event);
        return event;
      });
      // One delivery per user, as LINE sends them; stored (200) whatever LINE's API does.
      const answers = await Promise.all(events.map((e) => h.deliver([e], { wait: false })));
      expect(answers.map((r) => r.status)).toEqual(events.map(() => 200));
      await h.settle();
    };
    const round = async () => {
      h.clock.advance(5 * MINUTE); // past every backoff and the outbox's 429 pause
      await h.app.processor.sweep();
      await h.runJobs();
    };
    const behave = (behaviour: (kind: LineRequest["kind"]) => Behaviour) => {
      line.policy = (r) => behaviour(r.kind);
    };

    // Queued pushes: one per user, and an announcement-sized multicast (two chunks).
    const crowd = Array.from({ length: 700 }, (_, i) => uid(i + 1));
    const outboxIds = await h.db.transaction(async (tx) => {
      const ids: number[] = [];
      for (const to of [uid(9001), uid(9002), uid(9003)]) {
        ids.push((await enqueuePush(tx, to, [{ type: "text", text: `แจ้งเตือน ${to}` }], { purpose: "test.outage", now: h.clock.now }))!);
      }
      ids.push(...(await enqueueMulticast(tx, crowd, [{ type: "text", text: "ประกาศ" }], { purpose: "test.outage", now: h.clock.now })));
      return ids;
    });
    expect(outboxIds).toHaveLength(5);

    // 1. LINE answers 500 to everything.
    behave(() => ({ kind: "status", status: 500 }));
    await say(0);
    await h.runJobs();
    await round();
    expect(line.accepted()).toEqual([]);

    // 2. Then 429 (rate limited).
    behave(() => ({ kind: "status", status: 429 }));
    await say(1);
    await round();
    expect(line.accepted()).toEqual([]);

    // 3. Then it flaps: the first offer of the answer to each user's 1st
    //    message fails once more, while the later answers would go through:
    //    they must wait behind it. The outbox still gets 500s.
    const failedOnce = new Set<string>();
    line.policy = (r) => {
      const answer = eventOf(r);
      if (!answer) return { kind: "status", status: 500 };
      if (answer.index !== 0 || failedOnce.has(answer.eventId)) return { kind: "accept" };
      failedOnce.add(answer.eventId);
      return { kind: "status", status: 500 };
    };
    await round();
    await round();

    // 4. Then no answer at all: replies are not taken; pushes and multicasts
    //    are taken by LINE, but its answer never comes back.
    behave((k) => (k === "reply" ? { kind: "hang" } : { kind: "accept-then-hang" }));
    await say(2);
    await round();
    const takenWhileHanging = line.accepted().length;
    expect(takenWhileHanging).toBeGreaterThan(0);

    // 5. LINE is fully back. The users go on; the sweeper and the jobs catch up.
    behave(() => ({ kind: "accept" }));
    await say(3);
    for (let i = 0; i < 5; i++) await round();

    // The outage was real for every kind of request: each was refused 500, 429, and left hanging.
    for (const k of ["reply", "push", "multicast"] as const) {
      const outcomes = new Set(line.requests.filter((r) => r.kind === k).map((r) => r.outcome));
      expect([k, outcomes.has(500), outcomes.has(429), outcomes.has("hung")]).toEqual([k, true, true, true]);
    }

    // Every answer accepted exactly once, in the order of the user's messages.
    const answered = line
      .accepted()
      .filter((r) => r.kind !== "multicast")
      .flatMap((r) => {
        const eventId = eventOf(r)?.eventId;
        return eventId ? [{ eventId, request: r }] : [];
      });
    for (const [userId, events] of sent) {
      const mine = answered.filter((a) => events.some((e) => e.webhookEventId === a.eventId));
      expect(mine.map((a) => a.eventId)).toEqual(events.map((e) => String(e.webhookEventId)));
      mine.forEach((a, i) => expect(textOf(a.request.messages)).toMatch(SCRIPT[i]!.expect));
      for (const a of mine) if (a.request.kind === "push") expect(a.request.to).toEqual([userId]);
    }
    const rows = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: { in: users } } });
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => "DONE"));
    // The conversation went on from where each message left it.
    expect(users.map((u) => sent.get(u)!.length)).toEqual([4, 3, 2, 1]);
    const conversations = await h.db.prisma.conversation.findMany({ where: { lineUserId: { in: users } }, orderBy: { lineUserId: "asc" } });
    expect(conversations.map((c) => [c.flowId, c.stepId])).toEqual([
      ["signup", "district"],
      ["signup", "phone"],
      ["signup", "name"],
      ["signup", "consent"],
    ]);
    expect(conversations[0]!.data).toMatchObject({ consent: "yes", fullName: "สมชาย ใจดี", phone: "0812345678" });

    // The outbox: one accepted request per retry key, every recipient once.
    const outbox = await h.db.prisma.outboxMessage.findMany({ where: { id: { in: outboxIds } } });
    expect(outbox.map((m) => m.status)).toEqual(outbox.map(() => "SENT"));
    const keys = new Set(outbox.map((m) => m.retryKey));
    const outboxAccepted = line.accepted().filter((r) => r.retryKey && keys.has(r.retryKey));
    expect(outboxAccepted.map((r) => r.retryKey).sort()).toEqual([...keys].sort());
    const perRecipient = new Map<string, number>();
    for (const r of outboxAccepted) for (const to of r.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    expect(perRecipient.size).toBe(crowd.length + 3);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    // What LINE took during the hang was not sent again: the retries got 409.
    expect(line.requests.some((r) => r.outcome === 409)).toBe(true);
  }, 120_000);
});
