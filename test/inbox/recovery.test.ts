// What happens when handling itself fails (a bug, bad stored state), and the
// order in which a user receives answers when LINE fails some of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HANDLING_ATTEMPTS } from "../../src/inbox/processor.ts";
import { STORE_DATABASES } from "../support/database.ts";
import type { LineCall } from "../support/fake-line.ts";
import { Harness, textOf } from "../support/harness.ts";

type Sent = Extract<LineCall, { kind: "reply" | "push" }>;

describe.each(STORE_DATABASES)("recovery on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function atSummary(userId: string) {
    const u = h.user(userId);
    await u.follow();
    await u.tap("ยินยอม");
    await u.say("มะลิ ทองดี");
    await u.say("0899990000");
    await u.say("กันทรลักษ์");
    await u.tap(u.buttons()[0]!);
    expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
    return u;
  }

  it("gives up on an event that keeps failing: apologises, resets the conversation, and the user is not stuck", async () => {
    const u = await atSummary("U-poison");
    // Stored state that makes the confirm step throw (a council that no
    // longer resolves), as a bug or a bad data fix would.
    await h.db.prisma.conversation.update({
      where: { lineUserId: u.id },
      data: { data: { consent: "yes", fullName: "มะลิ ทองดี", phone: "0899990000", districtId: "3304", councilId: "999999" } },
    });
    const before = h.line.calls.length;
    await u.tap("ยืนยัน");
    const row = () => h.db.prisma.webhookEvent.findFirstOrThrow({ where: { sourceKey: u.id }, orderBy: { id: "desc" } });
    expect(await row()).toMatchObject({ status: "RECEIVED", attempts: 1 });
    const said = () => h.line.calls.slice(before).filter((c) => c.kind === "reply" || c.kind === "push");
    expect(said()).toEqual([]); // nothing said yet: it may be a passing fault

    // A later message waits behind it, so the user's turns keep their order.
    await u.say("สวัสดี");
    const later = await row();
    expect(later.status).toBe("RECEIVED");

    for (let i = 1; i < MAX_HANDLING_ATTEMPTS; i++) await h.app.processor.sweep();
    const events = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: u.id }, orderBy: { id: "asc" } });
    expect(events.every((e) => e.status === "DONE")).toBe(true);
    const failed = events.at(-2)!;
    expect(failed.lastError).toMatch(/council/);
    expect(await h.db.prisma.member.count({ where: { lineUserId: u.id } })).toBe(0);

    const answers = h.line.calls.slice(before).filter((c): c is Sent => c.kind === "reply" || c.kind === "push");
    expect(answers).toHaveLength(2);
    expect(textOf(answers[0]!.messages)).toMatch(/ขออภัยค่ะ ระบบขัดข้อง/);
    // The next message was handled on a clean conversation: the menu.
    expect(textOf(answers[1]!.messages)).toMatch(/ต้องการทำรายการใด/);
    expect(await h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } })).toMatchObject({ flowId: null });

    await u.say("สมัครสมาชิก");
    expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
  });

  it("sends a user's answers in order when an earlier one is waiting for a retry", async () => {
    const u = h.user("U-order");
    await u.follow();
    h.line.failNext("reply", 500);
    const before = h.line.calls.length;
    await u.tap("ยินยอม"); // answer 1 fails: waits for its retry
    expect(h.line.calls.length).toBe(before);
    await u.say("ชบา ใจดี"); // answer 2: must not overtake answer 1
    const sent = h.line.calls.slice(before).filter((c): c is Sent => c.kind === "reply" || c.kind === "push");
    expect(sent).toHaveLength(2);
    expect(textOf(sent[0]!.messages)).toMatch(/ขอทราบชื่อ-นามสกุล/);
    expect(textOf(sent[1]!.messages)).toMatch(/ขอเบอร์โทรศัพท์/);
    const rows = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: u.id } });
    expect(rows.every((r) => r.status === "DONE")).toBe(true);
  });

  it("holds later answers back while an earlier one waits out its backoff, then sends both in order", async () => {
    const u = h.user("U-order-2");
    await u.follow();
    h.line.failNext("reply", 500, 2); // and the immediate retry ahead of answer 2 fails too
    const before = h.line.calls.length;
    await u.tap("ยินยอม");
    await u.say("ชบา ใจดี");
    expect(h.line.calls.length).toBe(before); // answer 2 waits behind answer 1
    h.clock.advance(60_000);
    await h.app.processor.sweep();
    const sent = h.line.calls.slice(before).filter((c): c is Sent => c.kind === "reply" || c.kind === "push");
    expect(sent.map((c) => textOf(c.messages))).toEqual([expect.stringMatching(/ชื่อ-นามสกุล/), expect.stringMatching(/เบอร์โทรศัพท์/)]);
  });
});
