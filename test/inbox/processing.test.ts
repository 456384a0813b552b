// The inbox processor: from stored webhook events to messages LINE accepted.
// Every case checks LINE calls (fake LINE), webhook_event rows and the
// conversation state; time is the harness clock, moved by hand.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { recordEvents } from "../../src/inbox/inbox-writer.ts";
import { webhookEventSchema } from "../../src/line/events.ts";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { createTestDatabase, STORE_DATABASES, type DatabaseKind } from "../support/database.ts";
import type { LineCall } from "../support/fake-line.ts";
import { Clock, Harness, newEventId, textOf, type Event } from "../support/harness.ts";

type Push = Extract<LineCall, { kind: "push" }>;
type Reply = Extract<LineCall, { kind: "reply" }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TWO_MINUTES = 2 * 60_000;

/** A one-to-one chat event as LINE sends it, timed by a harness's clock. */
function eventAt(at: { clock: Clock }, userId: string, fields: Event): Event {
  const id = newEventId();
  return {
    webhookEventId: id,
    timestamp: at.clock.now.getTime(),
    mode: "active",
    source: { type: "user", userId },
    replyToken: `rt-${id}`,
    deliveryContext: { isRedelivery: false },
    ...fields,
  };
}

const follow = (at: { clock: Clock }, userId: string, fields: Event = {}): Event =>
  eventAt(at, userId, { type: "follow", follow: { isUnblocked: false }, ...fields });

const text = (at: { clock: Clock }, userId: string, t: string, fields: Event = {}): Event =>
  eventAt(at, userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: t }, ...fields });

const repliesWith = (h: Harness, token: unknown): Reply[] =>
  h.line.calls.filter((c): c is Reply => c.kind === "reply" && c.replyToken === token);

const pushesTo = (h: Harness, userId: string): Push[] => h.line.calls.filter((c): c is Push => c.kind === "push" && c.to === userId);

const rowOf = (h: Harness, event: Event) => h.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: String(event.webhookEventId) } });

const conversationOf = (h: Harness, userId: string) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: userId } });

/** Stores events as the webhook would, without handing them to any processor. */
const storeOnly = (h: { db: Harness["db"] }, events: Event[]) =>
  recordEvents(
    h.db,
    events.map((e) => webhookEventSchema.parse(e)),
  );

/** A follow, handled and answered: the user is at the consent step. */
async function atConsent(h: Harness, userId: string): Promise<void> {
  const e = follow(h, userId);
  await h.deliver([e]);
  expect(repliesWith(h, e.replyToken)).toHaveLength(1);
}

describe.each(STORE_DATABASES)("processing on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe("reply or push", () => {
    it("replies with a fresh token", async () => {
      const e = follow(h, "U-fresh");
      await h.deliver([e]);
      expect(repliesWith(h, e.replyToken)).toHaveLength(1);
      expect(textOf(repliesWith(h, e.replyToken)[0]!.messages)).toMatch(/ข้อมูลส่วนตัว/);
      expect(pushesTo(h, "U-fresh")).toHaveLength(0);
      const row = await rowOf(h, e);
      expect(row).toMatchObject({ status: "DONE", attempts: 0, lastError: null, replyToken: null });
      expect(row.doneAt).not.toBeNull();
    });

    it("pushes, with a retry key, when the token is too old to try", async () => {
      const e = follow(h, "U-old", { timestamp: h.clock.now.getTime() - TWO_MINUTES });
      await h.deliver([e]);
      expect(repliesWith(h, e.replyToken)).toHaveLength(0);
      const pushes = pushesTo(h, "U-old");
      expect(pushes).toHaveLength(1);
      expect(pushes[0]!.retryKey).toMatch(UUID);
      expect(pushes[0]!.retryKey).toBe(retryKeyFor(String(e.webhookEventId)));
      expect(textOf(pushes[0]!.messages)).toMatch(/ข้อมูลส่วนตัว/);
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE", attempts: 0 });
    });

    it("pushes when LINE refuses the reply token (400)", async () => {
      const e = follow(h, "U-refused");
      h.line.failNext("reply", 400, 1, { message: "Invalid reply token" });
      await h.deliver([e]);
      expect(repliesWith(h, e.replyToken)).toHaveLength(0);
      const pushes = pushesTo(h, "U-refused");
      expect(pushes).toHaveLength(1);
      expect(pushes[0]!.retryKey).toBe(retryKeyFor(String(e.webhookEventId)));
      expect(textOf(pushes[0]!.messages)).toMatch(/ข้อมูลส่วนตัว/);
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE", lastError: null });
    });
  });

  describe("LINE failures", () => {
    it.each([
      ["reply", 500],
      ["reply", 429],
      ["push", 500],
      ["push", 429],
    ] as const)("keeps the event on a %s answered %i and delivers it once after the backoff", async (op, status) => {
      const user = `U-${op}-${status}`;
      const e = follow(h, user, op === "push" ? { timestamp: h.clock.now.getTime() - TWO_MINUTES } : {});
      h.line.failNext(op, status);
      await h.deliver([e]);

      const failed = await rowOf(h, e);
      expect(failed).toMatchObject({ status: "HANDLED", attempts: 1 });
      expect(failed.lastError).toContain(String(status));
      expect(failed.outgoing).not.toBeNull();
      expect(failed.nextAttemptAt!.getTime()).toBeGreaterThan(h.clock.now.getTime());
      expect(h.messagesTo(user)).toHaveLength(0);
      expect(repliesWith(h, e.replyToken)).toHaveLength(0);
      expect(pushesTo(h, user)).toHaveLength(0);
      // The state was committed once: the retry resends, it does not re-run the turn.
      expect(await conversationOf(h, user)).toMatchObject({ stepId: "consent", turn: 1 });

      // Not before the backoff…
      await h.app.processor.sweep();
      expect(repliesWith(h, e.replyToken).length + pushesTo(h, user).length).toBe(0);

      // …then exactly once.
      h.clock.advance(failed.nextAttemptAt!.getTime() - h.clock.now.getTime() + 1);
      await h.app.processor.sweep();
      h.clock.advance(60_000);
      await h.app.processor.sweep();

      const sent = op === "reply" ? repliesWith(h, e.replyToken) : pushesTo(h, user);
      expect(sent).toHaveLength(1);
      expect(textOf(sent[0]!.messages)).toMatch(/ข้อมูลส่วนตัว/);
      if (op === "reply") expect(pushesTo(h, user)).toHaveLength(0);
      else expect((sent[0] as Push).retryKey).toBe(retryKeyFor(String(e.webhookEventId)));
      // Delivered; the error it got over is kept for whoever investigates.
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE", attempts: 1, lastError: expect.stringContaining(String(status)) });
      expect(await conversationOf(h, user)).toMatchObject({ stepId: "consent", turn: 1 });
    });

    it("pushes on the retry once the reply token has grown old", async () => {
      const e = follow(h, "U-late-retry");
      h.line.failNext("reply", 503);
      await h.deliver([e]);
      expect(await rowOf(h, e)).toMatchObject({ status: "HANDLED", attempts: 1 });
      h.clock.advance(TWO_MINUTES);
      await h.app.processor.sweep();
      expect(repliesWith(h, e.replyToken)).toHaveLength(0);
      const pushes = pushesTo(h, "U-late-retry");
      expect(pushes).toHaveLength(1);
      expect(pushes[0]!.retryKey).toBe(retryKeyFor(String(e.webhookEventId)));
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE" });
    });

    it("counts a 409 on push (retry key already accepted) as delivered", async () => {
      const e = follow(h, "U-409", { timestamp: h.clock.now.getTime() - TWO_MINUTES });
      h.line.failNext("push", 409, 1, { message: "The retry key is already accepted" });
      await h.deliver([e]);
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE", lastError: null, attempts: 0 });
      h.clock.advance(10 * 60_000);
      await h.app.processor.sweep();
      expect(pushesTo(h, "U-409")).toHaveLength(0);
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE" });
    });

    it("sends a push once when it is retried after LINE already took it", async () => {
      const e = follow(h, "U-pushed-twice", { timestamp: h.clock.now.getTime() - TWO_MINUTES });
      await h.deliver([e]);
      expect(pushesTo(h, "U-pushed-twice")).toHaveLength(1);
      const done = await rowOf(h, e);
      // A crash after LINE accepted the push but before DONE was written.
      await h.db.prisma.webhookEvent.update({
        where: { id: done.id },
        data: {
          status: "HANDLED",
          doneAt: null,
          outgoing: [{ type: "text", text: "ข้อความเดิม" }],
          leaseUntil: new Date(h.clock.now.getTime() - 1_000),
        },
      });
      await h.app.processor.sweep();
      expect(pushesTo(h, "U-pushed-twice")).toHaveLength(1); // LINE answered 409 to the same retry key
      expect(await rowOf(h, e)).toMatchObject({ status: "DONE", lastError: null });
    });

    it.each([400, 403])("gives up on a push answered %i: FAILED with the reason, no more tries", async (status) => {
      const user = `U-push-${status}`;
      const e = follow(h, user, { timestamp: h.clock.now.getTime() - TWO_MINUTES });
      h.line.failNext("push", status);
      await h.deliver([e]);
      const row = await rowOf(h, e);
      expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
      expect(row.lastError).toContain(String(status));
      expect(row.doneAt).not.toBeNull();

      h.clock.advance(60 * 60_000);
      await h.app.processor.sweep();
      await h.app.processor.sweep();
      expect(pushesTo(h, user)).toHaveLength(0);
      expect(await rowOf(h, e)).toMatchObject({ status: "FAILED", attempts: 1 });
    });

    it("gives up after the last attempt when LINE keeps failing", async () => {
      const user = "U-always-500";
      const e = follow(h, user, { timestamp: h.clock.now.getTime() - TWO_MINUTES });
      const maxAttempts = 10; // the processor's default
      h.line.failNext("push", 500, maxAttempts);
      await h.deliver([e]);
      for (let i = 0; i < maxAttempts + 3; i++) {
        h.clock.advance(301_000); // past the longest backoff
        await h.app.processor.sweep();
      }
      const row = await rowOf(h, e);
      expect(row).toMatchObject({ status: "FAILED", attempts: maxAttempts });
      expect(row.lastError).toContain("500");
      // Had it tried an eleventh time, the fake would have accepted it.
      expect(pushesTo(h, user)).toHaveLength(0);
    });
  });

  describe("order", () => {
    it("handles one user's events of one delivery in timestamp order", async () => {
      const user = "U-order";
      const t = h.clock.now.getTime();
      // Ids (and array order) disagree with the timestamps on purpose.
      const third = text(h, user, "สมชาย ใจดี", { timestamp: t - 1 });
      const second = text(h, user, "ยินยอม", { timestamp: t - 2 });
      const first = follow(h, user, { timestamp: t - 3 });
      await h.deliver([third, first, second]);

      const conversation = await conversationOf(h, user);
      expect(conversation).toMatchObject({
        flowId: "signup",
        stepId: "phone",
        turn: 3,
        data: { consent: "yes", fullName: "สมชาย ใจดี" },
      });
      const tokens = h.line.calls.flatMap((c) => (c.kind === "reply" && String(c.replyToken).startsWith("rt-") ? [c.replyToken] : []));
      const order = [first, second, third].map((e) => tokens.indexOf(String(e.replyToken)));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(textOf(repliesWith(h, first.replyToken)[0]!.messages)).toMatch(/ข้อมูลส่วนตัว/);
      expect(textOf(repliesWith(h, second.replyToken)[0]!.messages)).toMatch(/ชื่อ-นามสกุล/);
      expect(textOf(repliesWith(h, third.replyToken)[0]!.messages)).toMatch(/เบอร์โทรศัพท์/);
    });

    it("handles two deliveries of one user posted at once, one after the other", async () => {
      const user = "U-concurrent";
      await atConsent(h, user);
      const t = h.clock.now.getTime();
      const consent = text(h, user, "ยินยอม", { timestamp: t + 1 });
      const name = text(h, user, "สมชาย ใจดี", { timestamp: t + 2 });
      const answers = await Promise.all([h.deliver([consent], { wait: false }), h.deliver([name], { wait: false })]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      await h.settle();

      for (const e of [consent, name]) {
        expect(repliesWith(h, e.replyToken)).toHaveLength(1);
        expect(await rowOf(h, e)).toMatchObject({ status: "DONE" });
      }
      // Which of the two LINE's deliveries brought first is not defined; the
      // state must be that of applying them one after the other, in the
      // order they were answered.
      const tokens = h.line.calls.flatMap((c) => (c.kind === "reply" ? [c.replyToken] : []));
      const consentFirst = tokens.indexOf(String(consent.replyToken)) < tokens.indexOf(String(name.replyToken));
      const conversation = await conversationOf(h, user);
      if (consentFirst) {
        expect(conversation).toMatchObject({ stepId: "phone", turn: 3, data: { consent: "yes", fullName: "สมชาย ใจดี" } });
        expect(textOf(repliesWith(h, name.replyToken)[0]!.messages)).toMatch(/เบอร์โทรศัพท์/);
      } else {
        expect(conversation).toMatchObject({ stepId: "name", turn: 2, attempts: 0, data: { consent: "yes" } });
        expect(textOf(repliesWith(h, name.replyToken)[0]!.messages)).toMatch(/ยินยอม/);
      }
    });

    it("counts every answer of one user when many deliveries arrive at once", async () => {
      const user = "U-many-at-once";
      await atConsent(h, user);
      const misses = Array.from({ length: 6 }, (_, i) => text(h, user, `อะไรนะ ${i}`, { timestamp: h.clock.now.getTime() + i }));
      await Promise.all(misses.map((e) => h.deliver([e], { wait: false })));
      await h.settle();
      for (const e of misses) {
        expect(repliesWith(h, e.replyToken)).toHaveLength(1);
        expect(await rowOf(h, e)).toMatchObject({ status: "DONE" });
      }
      // Each wrong answer is counted: no turn read a state another turn was changing.
      expect(await conversationOf(h, user)).toMatchObject({ stepId: "consent", turn: 1, attempts: misses.length });
    });

    it("handles events of different users, in one delivery and in deliveries at once", async () => {
      const together = ["U-a", "U-b", "U-c"].map((u) => follow(h, u));
      const apart = ["U-d", "U-e", "U-f"].map((u) => follow(h, u));
      await Promise.all([h.deliver(together, { wait: false }), ...apart.map((e) => h.deliver([e], { wait: false }))]);
      await h.settle();
      for (const e of [...together, ...apart]) {
        expect(repliesWith(h, e.replyToken)).toHaveLength(1);
        expect(await rowOf(h, e)).toMatchObject({ status: "DONE" });
        const userId = (e.source as { userId: string }).userId;
        expect(await conversationOf(h, userId)).toMatchObject({ stepId: "consent", turn: 1 });
      }
    });
  });

  describe("loading animation", () => {
    it("shows LINE's loading animation when the slow confirm step is answered", async () => {
      const user = "U-loading";
      const somsak = h.user(user);
      await somsak.follow();
      await somsak.tap("ยินยอม");
      await somsak.say("สมศักดิ์ รักถิ่น");
      await somsak.say("0891234567");
      await somsak.say("กันทรลักษ์");
      await somsak.tap(somsak.buttons()[0]!);
      expect(somsak.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      const loadingFor = () => h.line.calls.filter((c) => c.kind === "loading" && c.chatId === user).length;
      expect(loadingFor()).toBe(0); // the other steps are not slow

      await somsak.tap("ยืนยัน");
      expect(somsak.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
      // The animation is best effort and not awaited by the processor.
      await vi.waitFor(() => expect(loadingFor()).toBe(1), { timeout: 5_000, interval: 5 });
      expect(await h.db.prisma.member.findUnique({ where: { lineUserId: user } })).toMatchObject({ phone: "0891234567" });
    });
  });

  describe("personal data", () => {
    it("keeps no typed text in webhook_event once handled", async () => {
      const user = "U-pdpa";
      const malee = h.user(user);
      await malee.follow();
      await malee.tap("ยินยอม");
      await malee.say("มาลี ศรีสุข");
      await malee.say("0869998877");
      const phoneEvents = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: user, type: "message" } });
      expect(phoneEvents).toHaveLength(2); // the name and the phone number
      for (const row of phoneEvents) {
        const payload = JSON.stringify(row.payload);
        expect(payload).not.toContain("0869998877");
        expect(payload).not.toContain("มาลี");
        expect(row.payload).toEqual({ type: "message" });
      }
    });

    it("keeps no sent messages (names, phone numbers) in webhook_event once delivered", async () => {
      const user = "U-pdpa-out";
      const wichai = h.user(user);
      await wichai.follow();
      await wichai.tap("ยินยอม");
      await wichai.say("วิชัย ทองดี");
      await wichai.say("0865554433");
      await wichai.say("กันทรลักษ์");
      await wichai.tap(wichai.buttons()[0]!);
      // The summary card names the person; it was stored to be sent.
      expect(wichai.lastText()).toContain("วิชัย ทองดี");
      const stored = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: user } });
      expect(stored.every((r) => r.status === "DONE")).toBe(true);
      for (const row of stored) {
        const kept = JSON.stringify([row.payload, row.outgoing]);
        expect(kept).not.toContain("วิชัย");
        expect(kept).not.toContain("5554433");
        expect(row.outgoing).toBeNull();
      }
    });

    it("keeps no payload of an event without a source once swept", async () => {
      const e = h.event("U-nobody", {
        type: "message",
        message: { type: "text", id: newEventId(), quoteToken: "q", text: "เบอร์ 0812223333" },
      });
      delete e.source;
      expect((await h.deliver([e])).status).toBe(200);
      await h.app.processor.sweep();
      const row = await rowOf(h, e);
      expect(row.status).toBe("DONE");
      expect(JSON.stringify(row.payload ?? null)).not.toContain("0812223333");
      expect(h.line.calls.filter((c) => c.kind === "reply" && c.replyToken === e.replyToken)).toHaveLength(0);
    });
  });
});

describe.each(STORE_DATABASES)("timeouts on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    // Short enough that the hangs below end soon, long enough for an answer on
    // a busy machine; the first answer (LINE's schemas compiled) comes before.
    h = await Harness.start({ kind, geography: false, lineTimeoutMs: 1_000 });
    await h.user("U-hang-warm-up").follow();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it.each(["reply", "push"] as const)("retries a %s that got no answer, and delivers it once", async (op) => {
    const user = `U-hang-${op}`;
    const e = follow(h, user, op === "push" ? { timestamp: h.clock.now.getTime() - TWO_MINUTES } : {});
    h.line.failNext(op, 0);
    await h.deliver([e]);
    const row = await rowOf(h, e);
    expect(row).toMatchObject({ status: "HANDLED", attempts: 1 });
    expect(row.lastError).toMatch(/timeout|no answer/);
    expect(repliesWith(h, e.replyToken).length + pushesTo(h, user).length).toBe(0);

    h.clock.advance(row.nextAttemptAt!.getTime() - h.clock.now.getTime() + 1);
    await h.app.processor.sweep();
    h.clock.advance(60_000);
    await h.app.processor.sweep();
    const sent = op === "reply" ? repliesWith(h, e.replyToken) : pushesTo(h, user);
    expect(sent).toHaveLength(1);
    expect(await rowOf(h, e)).toMatchObject({ status: "DONE", attempts: 1 });
  });
});

describe.each(STORE_DATABASES)("restarts on %s", (kind: DatabaseKind) => {
  it("continues a conversation on a new instance", async () => {
    const db = await createTestDatabase(kind);
    const clock = new Clock();
    try {
      const a = await Harness.start({ kind, db, clock });
      const before = a.user("U-restart");
      await before.follow();
      await before.tap("ยินยอม");
      expect(before.lastText()).toMatch(/ชื่อ-นามสกุล/);
      await a.stop();

      clock.advance(5 * 60_000);
      const b = await Harness.start({ kind, db, clock });
      try {
        const after = b.user("U-restart");
        await after.say("สมปอง ดีใจ");
        expect(after.lastText()).toMatch(/เบอร์โทรศัพท์/);
        expect(await conversationOf(b, "U-restart")).toMatchObject({
          stepId: "phone",
          data: { consent: "yes", fullName: "สมปอง ดีใจ" },
        });
      } finally {
        await b.stop();
      }
    } finally {
      await db.drop();
    }
  });

  it("answers events stored before a restart, and a handled event never delivered, once each", async () => {
    const db = await createTestDatabase(kind);
    const clock = new Clock();
    try {
      // Stored by an instance that died before handling them.
      const received = [follow({ clock }, "U-r1"), follow({ clock }, "U-r2")];
      received.push(text({ clock }, "U-r1", "ยินยอม", { timestamp: clock.now.getTime() + 1 }));
      await storeOnly({ db }, received);
      // Handled and committed, then the instance died before LINE took it.
      const orphanId = newEventId();
      await db.prisma.webhookEvent.create({
        data: {
          id: orphanId,
          sourceKey: "U-r3",
          type: "message",
          payload: { type: "message" },
          replyToken: `rt-${orphanId}`,
          occurredAt: new Date(clock.now.getTime() - TWO_MINUTES),
          status: "HANDLED",
          outgoing: [{ type: "text", text: "ขอบคุณค่ะ" }],
          handledAt: new Date(clock.now.getTime() - TWO_MINUTES),
          leaseUntil: new Date(clock.now.getTime() - 1_000),
        },
      });
      // Another instance is still delivering this one: its lease is not up.
      const leasedId = newEventId();
      await db.prisma.webhookEvent.create({
        data: {
          id: leasedId,
          sourceKey: "U-r4",
          type: "message",
          payload: { type: "message" },
          replyToken: `rt-${leasedId}`,
          occurredAt: new Date(clock.now.getTime() - TWO_MINUTES),
          status: "HANDLED",
          outgoing: [{ type: "text", text: "รอสักครู่" }],
          handledAt: clock.now,
          leaseUntil: new Date(clock.now.getTime() + 30_000),
        },
      });

      const b = await Harness.start({ kind, db, clock });
      try {
        expect(b.line.calls).toHaveLength(0);
        await b.app.processor.sweep();
        await b.app.processor.sweep();

        for (const e of received) {
          expect(repliesWith(b, e.replyToken)).toHaveLength(1);
          expect(await rowOf(b, e)).toMatchObject({ status: "DONE" });
        }
        expect(await conversationOf(b, "U-r1")).toMatchObject({ stepId: "name", turn: 2 });
        expect(await conversationOf(b, "U-r2")).toMatchObject({ stepId: "consent", turn: 1 });

        const pushed = pushesTo(b, "U-r3");
        expect(pushed).toHaveLength(1);
        expect(pushed[0]!.retryKey).toBe(retryKeyFor(orphanId));
        expect(pushed[0]!.messages).toEqual([{ type: "text", text: "ขอบคุณค่ะ" }]);
        expect(repliesWith(b, `rt-${orphanId}`)).toHaveLength(0);
        expect(await b.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: orphanId } })).toMatchObject({ status: "DONE" });

        expect(pushesTo(b, "U-r4")).toHaveLength(0);
        clock.advance(30_001);
        await b.app.processor.sweep();
        expect(pushesTo(b, "U-r4")).toHaveLength(1);
        expect(pushesTo(b, "U-r3")).toHaveLength(1);
        expect(b.line.calls.filter((c) => c.kind === "reply")).toHaveLength(received.length);
      } finally {
        await b.stop();
      }
    } finally {
      await db.drop();
    }
  });

  it("drains: finishes the events in hand, takes no new ones", async () => {
    const db = await createTestDatabase(kind);
    const clock = new Clock();
    try {
      const a = await Harness.start({ kind, db, clock, geography: false });
      const inHand = ["U-d1", "U-d2", "U-d3"].map((u) => follow(a, u));
      expect((await a.deliver(inHand, { wait: false })).status).toBe(200);
      await a.app.processor.drain();
      for (const e of inHand) {
        expect(await rowOf(a, e)).toMatchObject({ status: "DONE" });
        expect(repliesWith(a, e.replyToken)).toHaveLength(1);
      }
      // After drain the webhook still stores (LINE gets its 200), nothing is handled…
      const late = follow(a, "U-d4");
      expect((await a.deliver([late])).status).toBe(200);
      await a.app.processor.sweep();
      expect(await rowOf(a, late)).toMatchObject({ status: "RECEIVED" });
      await a.stop();
      // …and the next instance answers it.
      const b = await Harness.start({ kind, db, clock, geography: false });
      try {
        await b.app.processor.sweep();
        expect(repliesWith(b, late.replyToken)).toHaveLength(1);
        expect(await rowOf(b, late)).toMatchObject({ status: "DONE" });
      } finally {
        await b.stop();
      }
    } finally {
      await db.drop();
    }
  });
});

describe("two instances on one PostgreSQL database", () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await Harness.start({ kind: "postgres" });
    b = await Harness.start({ kind: "postgres", db: a.db, line: a.line, clock: a.clock });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("handles each stored event once, in order, when both sweep at the same time", async () => {
    const users = ["U-p1", "U-p2", "U-p3", "U-p4"];
    for (const u of users) await atConsent(a, u);
    const t = a.clock.now.getTime();
    const events = users.flatMap((u) => [
      text(a, u, "ยินยอม", { timestamp: t + 1 }),
      text(a, u, "ประยุทธ์ มั่นคง", { timestamp: t + 2 }),
      text(a, u, "0812345678", { timestamp: t + 3 }),
    ]);
    await storeOnly(a, events);
    await Promise.all([a.app.processor.sweep(), b.app.processor.sweep(), a.app.processor.sweep()]);
    await Promise.all([a.settle(), b.settle()]);

    for (const e of events) {
      expect(repliesWith(a, e.replyToken)).toHaveLength(1);
      expect(await rowOf(a, e)).toMatchObject({ status: "DONE" });
    }
    for (const u of users) {
      expect(await conversationOf(a, u)).toMatchObject({
        stepId: "district",
        turn: 4,
        data: { consent: "yes", fullName: "ประยุทธ์ มั่นคง", phone: "0812345678" },
      });
    }
  });

  it("handles one user's events arriving at both instances at once exactly once each", async () => {
    const user = "U-both";
    await atConsent(a, user);
    const misses = Array.from({ length: 8 }, (_, i) => text(a, user, `ไม่เข้าใจ ${i}`, { timestamp: a.clock.now.getTime() + i }));
    const answers = await Promise.all(misses.map((e, i) => (i % 2 === 0 ? a : b).deliver([e], { wait: false })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await Promise.all([a.settle(), b.settle()]);
    await Promise.all([a.settle(), b.settle()]);

    for (const e of misses) {
      expect(repliesWith(a, e.replyToken)).toHaveLength(1);
      expect(await rowOf(a, e)).toMatchObject({ status: "DONE" });
    }
    // Every wrong answer counted once: the turns ran one at a time across instances.
    expect(await conversationOf(a, user)).toMatchObject({ stepId: "consent", turn: 1, attempts: misses.length });
  });

  it("shows the loading animation while the slow step works, not after", async () => {
    const user = "U-loading-early";
    const nid = a.user(user);
    await nid.follow();
    await nid.tap("ยินยอม");
    await nid.say("นิด ใจงาม");
    await nid.say("0827776655");
    await nid.say("กันทรลักษ์");
    await nid.tap(nid.buttons()[0]!);
    const confirm = nid.actions().find((x) => x.label === "ยืนยัน");
    expect(confirm?.data).toBeDefined();

    const locker = new pg.Client({ connectionString: a.db.url });
    await locker.connect();
    try {
      // Saving the member will wait on this lock: the confirm step is "working".
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE member IN ACCESS EXCLUSIVE MODE");
      const e = a.event(user, { type: "postback", postback: { data: confirm!.data } });
      expect((await a.deliver([e], { wait: false })).status).toBe(200);
      await vi.waitFor(() => expect(a.line.calls.filter((c) => c.kind === "loading" && c.chatId === user)).toHaveLength(1), {
        timeout: 10_000,
        interval: 10,
      });
      expect(await rowOf(a, e)).toMatchObject({ status: "RECEIVED" }); // still working
      await locker.query("ROLLBACK");
      await a.settle();
      expect(textOf(repliesWith(a, e.replyToken)[0]!.messages)).toMatch(/สมัครสมาชิกเรียบร้อย/);
      expect(a.line.calls.filter((c) => c.kind === "loading" && c.chatId === user)).toHaveLength(1);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
  });
});
