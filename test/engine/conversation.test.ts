// The conversation engine, as transcripts through the real app: global
// words, re-prompts, other message kinds, expiry, stale buttons, paging,
// edits from the summary, and what happens with no flow running. The
// sign-up flow is the flow under test; its steps are
// consent → name → phone → district → council → confirm.
import { GUEST_MENU } from "../support/menus.ts";
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FLOW_DATABASES } from "../support/database.ts";
import { actionsOf, Harness, textOf, type ChatUser } from "../support/harness.ts";

const MINUTE = 60_000;
const MENU_PROMPT = /ต้องการทำรายการใด/;
const NOT_UNDERSTOOD = /ยังไม่เข้าใจ/;
const STALE = /หมดอายุ/;
const STUCK = /ติดขัด/;
const CONSENT_REPROMPT = "กรุณาแตะ “ยินยอม” หรือ “ไม่ยินยอม”ค่ะ";
const PHONE_REPROMPT = /กรุณาพิมพ์เบอร์โทรศัพท์ 10 หลัก/;
const DISTRICT_REPROMPT = "กรุณาเลือกอำเภอค่ะ";
const COUNCIL_REPROMPT = "กรุณาเลือกตำบลค่ะ";
const NEXT = "ถัดไป ▶";
const PREVIOUS = "◀ ก่อนหน้า";

/** The quick-reply buttons of a batch (not the Flex buttons). */
function quickReplies(messages: messagingApi.Message[]): { label: string; data?: string }[] {
  const last = messages.at(-1);
  return (last?.quickReply?.items ?? []).map((item) => {
    const action = item.action as { label?: string; data?: string };
    return { label: action.label ?? "", data: action.data };
  });
}
const quickLabels = (u: ChatUser) => quickReplies(u.last()).map((b) => b.label);

/** Data of a button from the latest batch, to be tapped later. */
function dataOf(u: ChatUser, label: string): string {
  const action = u.actions().find((a) => a.label === label);
  if (!action?.data) throw new Error(`No postback "${label}" in: ${u.buttons().join(" | ")}`);
  return action.data;
}

/** The same postback with other fields. */
function withParams(data: string, changes: Record<string, string>): string {
  const q = new URLSearchParams(data);
  for (const [k, v] of Object.entries(changes)) q.set(k, v);
  return q.toString();
}

describe.each(FLOW_DATABASES)("conversation engine on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const newUser = (label: string) => h.user(`U-conv-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });

  // Walks the sign-up flow up to a step; each helper checks where it landed.
  async function toConsent(u: ChatUser) {
    await u.say("สมัครสมาชิก");
    expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
  }
  async function toName(u: ChatUser) {
    await toConsent(u);
    await u.tap("ยินยอม");
    expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
  }
  async function toPhone(u: ChatUser) {
    await toName(u);
    await u.say("สมชาย ใจดี");
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
  }
  async function toDistrict(u: ChatUser) {
    await toPhone(u);
    await u.say("0812345678");
    expect(u.lastText()).toMatch(/อำเภอใด/);
  }
  async function toCouncil(u: ChatUser, district = "กันทรลักษ์") {
    await toDistrict(u);
    await u.say(district);
    expect(u.lastText()).toContain(`ตำบลใดในอำเภอ${district}`);
  }
  async function toConfirm(u: ChatUser) {
    await toCouncil(u);
    await u.tap(u.buttons()[0]!);
    expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
  }
  async function expectNoFlow(u: ChatUser) {
    expect(await conversation(u)).toMatchObject({ flowId: null, stepId: null, data: {}, history: [], attempts: 0 });
  }
  async function expectMenu(u: ChatUser) {
    expect(u.lastText()).toMatch(MENU_PROMPT);
    expect(quickLabels(u)).toEqual(GUEST_MENU);
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  describe("cancel (ยกเลิก / cancel)", () => {
    it("typed in Thai mid-flow: clears the flow, says so, shows the menu", async () => {
      const u = newUser("cancel-th");
      await toPhone(u);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "phone", data: { consent: "yes", fullName: "สมชาย ใจดี" } });
      await u.say("ยกเลิก");
      expect(u.lastText()).toContain("ยกเลิกการสมัครสมาชิกแล้วค่ะ");
      await expectMenu(u);
      await expectNoFlow(u);
      // The flow is gone: a phone number now is just unknown text.
      await u.say("0812345678");
      expect(u.lastText()).toMatch(NOT_UNDERSTOOD);
      expect(await h.db.prisma.member.count({ where: { lineUserId: u.id } })).toBe(0);
    });

    it("typed in English, or politely, mid-flow", async () => {
      const u = newUser("cancel-en");
      await toDistrict(u);
      await u.say("Cancel");
      expect(u.lastText()).toContain("ยกเลิกการสมัครสมาชิกแล้วค่ะ");
      await expectMenu(u);
      await expectNoFlow(u);

      await toName(u);
      await u.say("ยกเลิกค่ะ");
      expect(u.lastText()).toContain("ยกเลิกการสมัครสมาชิกแล้วค่ะ");
      await expectNoFlow(u);
    });

    it("tapped mid-flow", async () => {
      const u = newUser("cancel-tap");
      await toConsent(u);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);
      await u.tap("ยกเลิก");
      expect(u.lastText()).toContain("ยกเลิกการสมัครสมาชิกแล้วค่ะ");
      await expectMenu(u);
      await expectNoFlow(u);
      expect(await h.db.prisma.consentRecord.count({ where: { lineUserId: u.id } })).toBe(0);
    });

    it("with nothing running: says there is nothing to cancel", async () => {
      const u = newUser("cancel-idle");
      for (const word of ["ยกเลิก", "cancel"]) {
        await u.say(word);
        expect(u.lastText()).toContain("ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ");
        expect(u.lastText()).not.toMatch(/ยกเลิกการสมัคร/);
        await expectMenu(u);
      }
      // A cancel button kept from an old message says the same.
      await toConsent(u);
      const cancel = dataOf(u, "ยกเลิก");
      await u.tap("ยกเลิก");
      await u.postback(cancel);
      expect(u.lastText()).toContain("ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ");
      await expectNoFlow(u);
    });
  });

  describe("back (ย้อนกลับ / back)", () => {
    it("typed in Thai: returns to the previous step with its prompt", async () => {
      const u = newUser("back-th");
      await toPhone(u);
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/ขอทราบชื่อ-นามสกุล/);
      expect(quickLabels(u)).toEqual(["ย้อนกลับ", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "name", history: ["consent"] });
      // Answering again carries on from there.
      await u.say("สมหญิง ใจดี");
      expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
      expect(await conversation(u)).toMatchObject({ stepId: "phone", data: { fullName: "สมหญิง ใจดี" } });
    });

    it("typed in English and tapped", async () => {
      const u = newUser("back-en");
      await toDistrict(u);
      await u.say("back");
      expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
      expect(await conversation(u)).toMatchObject({ stepId: "phone" });
      await u.tap("ย้อนกลับ");
      expect(u.lastText()).toMatch(/ขอทราบชื่อ-นามสกุล/);
      expect(await conversation(u)).toMatchObject({ stepId: "name" });
      await u.tap("ย้อนกลับ");
      expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent", history: [] });
    });

    it("at the first step: says it is the first question and asks it again", async () => {
      const u = newUser("back-first");
      await toConsent(u);
      for (const word of ["ย้อนกลับ", "back"]) {
        await u.say(word);
        expect(u.lastText()).toContain("นี่เป็นคำถามแรกแล้วค่ะ");
        expect(u.lastText()).toContain(CONSENT_REPROMPT);
        expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);
        expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent", history: [] });
      }
      await u.tap("ยินยอม");
      expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
    });

    it("with nothing running: shows the menu", async () => {
      const u = newUser("back-idle");
      await u.say("ย้อนกลับ");
      await expectMenu(u);
      expect(u.lastText()).not.toMatch(NOT_UNDERSTOOD);
    });
  });

  describe("menu (เมนู / menu)", () => {
    it("typed in Thai mid-flow: leaves the flow and shows the menu", async () => {
      const u = newUser("menu-th");
      await toDistrict(u);
      await u.say("เมนู");
      expect(u.lastText()).toContain("ออกจากการสมัครสมาชิกแล้วค่ะ");
      await expectMenu(u);
      await expectNoFlow(u);
    });

    it("typed in English mid-flow, and with nothing running", async () => {
      const u = newUser("menu-en");
      await toName(u);
      await u.say("menu");
      expect(u.lastText()).toContain("ออกจากการสมัครสมาชิกแล้วค่ะ");
      await expectMenu(u);
      await expectNoFlow(u);
      await u.say("MENU");
      await expectMenu(u);
      expect(u.lastText()).not.toMatch(/ออกจาก|ยังไม่เข้าใจ/);
    });

    it("the menu's own button opens the entry", async () => {
      const u = newUser("menu-tap");
      await u.say("เมนู");
      await u.tap("สมัครสมาชิก");
      expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent" });
    });
  });

  describe("help (ช่วยเหลือ / help)", () => {
    it("typed mid-flow: shows help and asks the same step again, data kept", async () => {
      const u = newUser("help-th");
      await toPhone(u);
      const before = await conversation(u);
      await u.say("ช่วยเหลือ");
      expect(u.lastText()).toMatch(/วิธีใช้งาน/);
      expect(u.lastText()).toContain("ทำรายการต่อจากคำถามเดิมได้เลยค่ะ");
      expect(u.lastText()).toMatch(PHONE_REPROMPT);
      expect(quickLabels(u)).toEqual(["ย้อนกลับ", "ยกเลิก"]);
      const after = await conversation(u);
      expect(after).toMatchObject({ flowId: "signup", stepId: "phone", data: before.data, history: before.history });
      expect(after.data).toMatchObject({ consent: "yes", fullName: "สมชาย ใจดี" });
      await u.say("0812345678");
      expect(u.lastText()).toMatch(/อำเภอใด/);
    });

    it("typed in English at a choice step keeps its buttons", async () => {
      const u = newUser("help-en");
      await toCouncil(u);
      const councils = quickLabels(u);
      await u.say("help");
      expect(u.lastText()).toMatch(/วิธีใช้งาน/);
      expect(u.lastText()).toContain(COUNCIL_REPROMPT);
      expect(quickLabels(u)).toEqual(councils);
      expect(await conversation(u)).toMatchObject({ stepId: "council", data: { districtId: "3304" } });
    });

    it("tapped: with nothing running shows help and the menu; tapped mid-flow re-asks the step", async () => {
      const u = newUser("help-tap");
      await u.say("เมนู");
      const help = dataOf(u, "ช่วยเหลือ");
      await u.tap("ช่วยเหลือ");
      expect(u.lastText()).toMatch(/วิธีใช้งาน/);
      await expectMenu(u);
      await expectNoFlow(u);

      await toName(u);
      await u.postback(help); // the help button of the older menu message
      expect(u.lastText()).toMatch(/วิธีใช้งาน/);
      expect(u.lastText()).toContain("กรุณาพิมพ์ชื่อ-นามสกุล");
      expect(u.lastText()).not.toMatch(STALE);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "name", data: { consent: "yes" } });
    });
  });

  describe("re-prompts", () => {
    it("a wrong answer says what is expected and repeats the buttons; misses are counted", async () => {
      const u = newUser("miss");
      await toConsent(u);
      await u.say("อะไรนะ");
      expect(u.lastText()).toContain("กรุณาแตะเลือกจากปุ่มด้านล่าง");
      expect(u.lastText()).toContain(CONSENT_REPROMPT);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ stepId: "consent", attempts: 1 });

      await u.say("ยอม"); // part of both labels
      expect(u.lastText()).toContain(CONSENT_REPROMPT);
      expect(u.lastText()).not.toMatch(STUCK);
      expect(quickLabels(u)).not.toContain("เมนูหลัก");
      expect(await conversation(u)).toMatchObject({ stepId: "consent", attempts: 2 });

      await u.say("ok");
      expect(u.lastText()).toMatch(STUCK);
      expect(u.lastText()).toContain(CONSENT_REPROMPT);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "เมนูหลัก", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ stepId: "consent", attempts: 3 });

      // The next step starts afresh.
      await u.tap("ยินยอม");
      expect(await conversation(u)).toMatchObject({ stepId: "name", attempts: 0 });
      expect(quickLabels(u)).not.toContain("เมนูหลัก");
    });

    it("a text step explains the problem; after three misses the menu is offered and works", async () => {
      const u = newUser("miss-text");
      await toPhone(u);
      await u.say("12345");
      expect(u.lastText()).toContain("เบอร์โทรศัพท์ไม่ถูกต้องค่ะ");
      expect(u.lastText()).toMatch(PHONE_REPROMPT);
      expect(quickLabels(u)).toEqual(["ย้อนกลับ", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ stepId: "phone", attempts: 1 });
      await u.say("ไม่มีเบอร์");
      expect(await conversation(u)).toMatchObject({ attempts: 2 });
      await u.say("081");
      expect(u.lastText()).toMatch(STUCK);
      expect(quickLabels(u)).toEqual(["เมนูหลัก", "ย้อนกลับ", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ stepId: "phone", attempts: 3, data: { fullName: "สมชาย ใจดี" } });
      await u.tap("เมนูหลัก");
      expect(u.lastText()).toContain("ออกจากการสมัครสมาชิกแล้วค่ะ");
      await expectMenu(u);
      await expectNoFlow(u);
    });

    it("a bad name is refused", async () => {
      const u = newUser("miss-name");
      await toName(u);
      await u.say("ส");
      expect(u.lastText()).toContain("ชื่อควรเป็นตัวอักษร");
      await u.say("สมชาย 123");
      expect(u.lastText()).toContain("ชื่อควรเป็นตัวอักษร");
      expect(await conversation(u)).toMatchObject({ stepId: "name", attempts: 2 });
      expect((await conversation(u)).data).not.toHaveProperty("fullName");
    });
  });

  describe("stickers, images and locations where an answer is expected", () => {
    it("get a kind word and the re-prompt, and are not misses", async () => {
      const u = newUser("kinds");
      await toConsent(u);
      await u.say("อะไร");
      await u.say("ไม่รู้");
      expect(await conversation(u)).toMatchObject({ attempts: 2 });

      await u.sticker();
      expect(u.lastText()).toContain("ขอบคุณสำหรับสติกเกอร์ค่ะ");
      expect(u.lastText()).toContain(CONSENT_REPROMPT);
      expect(u.lastText()).not.toMatch(STUCK);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);

      await u.image();
      expect(u.lastText()).toContain("ได้รับรูปภาพแล้วค่ะ");
      expect(u.lastText()).toContain(CONSENT_REPROMPT);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);

      await u.location();
      expect(u.lastText()).toContain("ได้รับตำแหน่งแล้วค่ะ");
      expect(u.lastText()).toContain(CONSENT_REPROMPT);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);

      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent", attempts: 2 });
    });

    it("at a text step too", async () => {
      const u = newUser("kinds-text");
      await toPhone(u);
      await u.sticker();
      expect(u.lastText()).toContain("ขอบคุณสำหรับสติกเกอร์ค่ะ");
      expect(u.lastText()).toMatch(PHONE_REPROMPT);
      await u.location();
      expect(u.lastText()).toContain("ได้รับตำแหน่งแล้วค่ะ");
      expect(u.lastText()).toMatch(PHONE_REPROMPT);
      await u.image();
      expect(u.lastText()).toContain("ได้รับรูปภาพแล้วค่ะ");
      expect(quickLabels(u)).toEqual(["ย้อนกลับ", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ stepId: "phone", attempts: 0, data: { fullName: "สมชาย ใจดี" } });
      await u.say("0812345678");
      expect(u.lastText()).toMatch(/อำเภอใด/);
    });

    it("with nothing running a sticker gets a thank-you and the menu", async () => {
      const u = newUser("kinds-idle");
      await u.sticker();
      expect(u.lastText()).toContain("ขอบคุณค่ะ 😊");
      await expectMenu(u);
    });
  });

  describe("expiry", () => {
    it("a flow left alone for longer than the timeout is dropped with a word", async () => {
      const u = newUser("expiry");
      await toPhone(u);
      h.clock.advance(29 * MINUTE);
      await u.say("0812345678"); // in time: carries on, and the clock restarts
      expect(u.lastText()).toMatch(/อำเภอใด/);
      const row = await conversation(u);
      expect(row.expiresAt?.getTime()).toBe(h.clock.now.getTime() + 30 * MINUTE);

      h.clock.advance(31 * MINUTE);
      await u.say("กันทรลักษ์");
      expect(u.lastText()).toMatch(/หมดเวลา/);
      expect(u.lastText()).toContain("การสมัครสมาชิกที่ทำค้างไว้หมดเวลาแล้ว (ไม่ได้ตอบเกิน 30 นาที)");
      expect(u.lastText()).not.toMatch(NOT_UNDERSTOOD);
      expect(u.lastText()).not.toMatch(/ตำบลใด/);
      await expectMenu(u);
      await expectNoFlow(u);
      expect(await conversation(u)).toMatchObject({ expiresAt: null });
    });

    it("a button tapped after the timeout says it timed out, not that the button is old", async () => {
      const u = newUser("expiry-tap");
      await toConsent(u);
      h.clock.advance(31 * MINUTE);
      await u.tap("ยินยอม");
      expect(u.lastText()).toMatch(/หมดเวลา/);
      expect(u.lastText()).not.toMatch(STALE);
      expect(u.lastText()).not.toMatch(/ชื่อ-นามสกุล/);
      await expectMenu(u);
      await expectNoFlow(u);
      expect(await h.db.prisma.consentRecord.count({ where: { lineUserId: u.id } })).toBe(0);
      // Once said, it is not said again.
      await u.say("สวัสดี");
      expect(u.lastText()).not.toMatch(/หมดเวลา/);
      expect(u.lastText()).toMatch(NOT_UNDERSTOOD);
    });

    it("a global word after the timeout still says the flow timed out", async () => {
      const u = newUser("expiry-word");
      await toName(u);
      h.clock.advance(31 * MINUTE);
      await u.say("ยกเลิก");
      expect(u.lastText()).toMatch(/หมดเวลา/);
      expect(u.lastText()).toContain("ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ");
      await expectNoFlow(u);
    });

    describe("with CONVERSATION_TIMEOUT_MINUTES=5", () => {
      let h5: Harness;
      beforeAll(async () => {
        h5 = await Harness.start({ kind, env: { CONVERSATION_TIMEOUT_MINUTES: "5" } });
      });
      afterAll(async () => {
        await h5?.stop();
      });
      afterEach(() => {
        expect(h5.line.limitProblems).toEqual([]);
      });

      it("expires after five minutes, and says five", async () => {
        const u = h5.user("U-conv-timeout5");
        await u.say("สมัครสมาชิก");
        await u.tap("ยินยอม");
        h5.clock.advance(4 * MINUTE);
        await u.say("สมชาย ใจดี");
        expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
        h5.clock.advance(6 * MINUTE);
        await u.say("0812345678");
        expect(u.lastText()).toMatch(/หมดเวลา/);
        expect(u.lastText()).toContain("ไม่ได้ตอบเกิน 5 นาที");
        expect(u.lastText()).not.toMatch(/อำเภอใด/);
        expect(await h5.db.prisma.conversation.findUnique({ where: { lineUserId: u.id } })).toMatchObject({
          flowId: null,
          data: {},
        });
      });
    });
  });

  describe("stale and forged buttons", () => {
    it("a button from an earlier message is refused and the current step asked again", async () => {
      const u = newUser("stale");
      await toDistrict(u);
      const oldKhukhan = dataOf(u, "ขุขันธ์");
      const oldNext = dataOf(u, NEXT);
      await u.say("กันทรลักษ์");
      expect(u.lastText()).toContain("ตำบลใดในอำเภอกันทรลักษ์");
      const councils = quickLabels(u);

      await u.postback(oldKhukhan);
      expect(u.lastText()).toMatch(STALE);
      expect(u.lastText()).toContain(COUNCIL_REPROMPT);
      expect(quickLabels(u)).toEqual(councils);
      expect(await conversation(u)).toMatchObject({ stepId: "council", attempts: 0, data: { districtId: "3304" } });

      await u.postback(oldNext);
      expect(u.lastText()).toMatch(STALE);
      expect(quickLabels(u)).toEqual(councils);

      // The same step at a later turn: the district step's old button is still refused.
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/อำเภอใด/);
      await u.postback(oldKhukhan);
      expect(u.lastText()).toMatch(STALE);
      expect(u.lastText()).toContain(DISTRICT_REPROMPT);
      expect(await conversation(u)).toMatchObject({ stepId: "district", data: { districtId: "3304" } });
    });

    it("an answer button of a finished step is refused and nothing is saved", async () => {
      const u = newUser("stale-consent");
      await toConsent(u);
      const disagree = dataOf(u, "ไม่ยินยอม");
      await u.tap("ยินยอม");
      await u.postback(disagree);
      expect(u.lastText()).toMatch(STALE);
      expect(u.lastText()).toContain("กรุณาพิมพ์ชื่อ-นามสกุล");
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "name", data: { consent: "yes" } });
      expect(await h.db.prisma.consentRecord.count({ where: { lineUserId: u.id } })).toBe(0);
    });

    it("garbage postback data is refused, mid-flow and with nothing running", async () => {
      const u = newUser("garbage");
      await toPhone(u);
      for (const data of ["garbage", "f=signup&s=phone&v=0812345678", "g=explode", "f=signup&s=phone&t=99999&v=0812345678"]) {
        await u.postback(data);
        expect(u.lastText(), data).toMatch(STALE);
        expect(u.lastText(), data).toMatch(PHONE_REPROMPT);
        expect(await conversation(u)).toMatchObject({ stepId: "phone" });
        expect((await conversation(u)).data).not.toHaveProperty("phone");
      }
      await u.say("เมนู");
      await u.postback("x=1");
      expect(u.lastText()).toMatch(STALE);
      await expectMenu(u);
      await u.postback("m=no-such-entry");
      expect(u.lastText()).toMatch(STALE);
      await expectMenu(u);
    });

    it("a members-only entry tapped by a non-member opens its stand-in (sign-up), not a stale-button message", async () => {
      const u = newUser("hidden-entry");
      await u.follow();
      await u.tap("ไม่ยินยอม").catch(() => undefined);
      await u.say("เมนู");
      await u.postback("m=profile");
      expect(u.lastText()).toContain("บริการนี้สำหรับสมาชิก");
      expect(u.lastText()).not.toMatch(STALE);
      expect(await conversation(u)).toMatchObject({ flowId: "signup" });
    });

    it("a district the step does not offer is refused, even with the current turn", async () => {
      const u = newUser("forged-district");
      await toDistrict(u);
      const real = dataOf(u, quickLabels(u)[0]!);
      // 3401 is a district of another province; 9999 does not exist.
      for (const value of ["3401", "9999", "edit:phone", ""]) {
        await u.postback(withParams(real, { v: value }));
        expect(u.lastText(), value).toMatch(STALE);
        expect(u.lastText(), value).toContain(DISTRICT_REPROMPT);
        const row = await conversation(u);
        expect(row.stepId).toBe("district");
        expect(row.data).not.toHaveProperty("districtId");
      }
      // The genuine button still works.
      await u.postback(real);
      expect(u.lastText()).toContain("ตำบลใดในอำเภอเมืองศรีสะเกษ");
    });

    it("a council of another district is refused", async () => {
      const u = newUser("forged-council");
      await toCouncil(u, "กันทรลักษ์");
      const real = dataOf(u, quickLabels(u)[0]!);
      const elsewhere = await h.db.prisma.council.findFirstOrThrow({ where: { tambon: { districtId: 3301 } } });
      await u.postback(withParams(real, { v: String(elsewhere.id) }));
      expect(u.lastText()).toMatch(STALE);
      expect(u.lastText()).toContain(COUNCIL_REPROMPT);
      const row = await conversation(u);
      expect(row.stepId).toBe("council");
      expect(row.data).not.toHaveProperty("councilId");
      // Typed, its name does not match either.
      await u.say(elsewhere.name);
      expect(u.lastText()).toContain("กรุณาแตะเลือกจากปุ่มด้านล่าง");
      expect((await conversation(u)).data).not.toHaveProperty("councilId");
    });
  });

  describe("paged choices", () => {
    it("the district step pages through every district, at most 13 buttons a page", async () => {
      const u = newUser("paging");
      await toDistrict(u);
      const districts = (await h.db.prisma.district.findMany({ where: { provinceId: 33 }, orderBy: { id: "asc" } })).map((d) => d.nameTh);
      expect(districts).toHaveLength(22);
      const fixed = ["ย้อนกลับ", "ยกเลิก"];
      const nav = [NEXT, PREVIOUS];
      const seen: string[] = [];
      const page = () => {
        const labels = quickLabels(u);
        expect(labels.length).toBeLessThanOrEqual(13);
        expect(labels.slice(-2)).toEqual(fixed);
        return labels.filter((l) => !fixed.includes(l) && !nav.includes(l));
      };

      const first = page();
      expect(quickLabels(u)).toContain(NEXT);
      expect(quickLabels(u)).not.toContain(PREVIOUS);
      seen.push(...first);

      await u.tap(NEXT);
      expect(u.lastText()).toContain(DISTRICT_REPROMPT);
      expect(quickLabels(u)).toContain(NEXT);
      expect(quickLabels(u)).toContain(PREVIOUS);
      const second = page();
      expect(second).toHaveLength(first.length);
      seen.push(...second);

      await u.tap(NEXT);
      expect(quickLabels(u)).not.toContain(NEXT);
      expect(quickLabels(u)).toContain(PREVIOUS);
      const third = page();
      seen.push(...third);
      expect(seen).toEqual(districts);
      expect(third).toContain("ศิลาลาด");

      await u.tap(PREVIOUS);
      expect(page()).toEqual(second);
      expect(await conversation(u)).toMatchObject({ stepId: "district", attempts: 0 });
      expect((await conversation(u)).data).not.toHaveProperty("districtId");

      await u.tap(NEXT);
      await u.tap("ศิลาลาด");
      expect(u.lastText()).toContain("ตำบลใดในอำเภอศิลาลาด");
      expect(await conversation(u)).toMatchObject({ stepId: "council", data: { districtId: "3322" } });
    });

    it("a district typed from another page is accepted", async () => {
      const u = newUser("paging-typed");
      await toDistrict(u);
      expect(quickLabels(u)).not.toContain("ศิลาลาด");
      await u.say("ศิลาลาด");
      expect(u.lastText()).toContain("ตำบลใดในอำเภอศิลาลาด");
      expect(await conversation(u)).toMatchObject({ stepId: "council", data: { districtId: "3322" } });
    });

    it("stays within 13 buttons when the menu button is added after three misses", async () => {
      const u = newUser("paging-stuck");
      await toDistrict(u);
      for (const typed of ["ไม่รู้", "อุบล", "ที่บ้าน"]) await u.say(typed);
      expect(u.lastText()).toMatch(STUCK);
      const labels = quickLabels(u);
      expect(labels.length).toBeLessThanOrEqual(13);
      expect(labels).toContain("เมนูหลัก");
      expect(labels).toContain(NEXT);
      await u.tap(NEXT);
      expect(quickLabels(u).length).toBeLessThanOrEqual(13);
      expect(quickLabels(u)).toContain(PREVIOUS);
    });
  });

  describe("edits from the summary", () => {
    it("แก้เบอร์โทร asks the phone and comes straight back to the summary", async () => {
      const u = newUser("edit-phone");
      await toConfirm(u);
      expect(u.buttons()).toEqual(["ยืนยัน", "แก้ชื่อ", "แก้เบอร์โทร", "แก้ตำบล", "ย้อนกลับ", "ยกเลิก"]);
      expect(u.lastText()).toContain("xxx-xxx-5678");
      const summaryBefore = u.lastText();

      await u.tap("แก้เบอร์โทร");
      expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
      expect(await conversation(u)).toMatchObject({ stepId: "phone", returnTo: "confirm" });
      await u.say("089-876-5432");
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).not.toMatch(/อำเภอใด/);
      expect(u.lastText()).toContain("xxx-xxx-5432");
      expect(u.lastText()).toContain("อำเภอกันทรลักษ์");
      expect(u.lastText().replace("xxx-xxx-5432", "xxx-xxx-5678")).toBe(summaryBefore);
      expect(await conversation(u)).toMatchObject({ stepId: "confirm", returnTo: null, data: { phone: "0898765432" } });

      await u.tap("ยืนยัน");
      expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
      const member = await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
      expect(member).toMatchObject({ fullName: "สมชาย ใจดี", phone: "0898765432", status: "ACTIVE" });
    });

    it("แก้ตำบล asks the district, then the council, then returns to the summary", async () => {
      const u = newUser("edit-council");
      await toConfirm(u);
      await u.tap("แก้ตำบล");
      expect(u.lastText()).toMatch(/อำเภอใด/);
      await u.say("ขุขันธ์");
      expect(u.lastText()).toContain("ตำบลใดในอำเภอขุขันธ์");
      expect((await conversation(u)).data).not.toHaveProperty("councilId");
      const council = u.buttons()[0]!;
      await u.tap(council);
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("อำเภอขุขันธ์");
      expect(u.lastText()).toContain(council);
      expect(await conversation(u)).toMatchObject({ stepId: "confirm", returnTo: null });

      await u.tap("ยืนยัน");
      const member = await h.db.prisma.member.findUniqueOrThrow({
        where: { lineUserId: u.id },
        include: { council: { include: { tambon: true } } },
      });
      expect(member.council?.tambon.districtId).toBe(3305);
      expect(member.council?.tambon.nameTh).toBe(council);
    });

    it("แก้ชื่อ then back returns to the summary unchanged", async () => {
      const u = newUser("edit-back");
      await toConfirm(u);
      await u.tap("แก้ชื่อ");
      expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("สมชาย ใจดี");
      expect(await conversation(u)).toMatchObject({ stepId: "confirm", returnTo: null });
      await u.tap("ยืนยัน");
      expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    });

    it("backing out of a council change half-way asks the council instead of a summary without one", async () => {
      const u = newUser("edit-back-council");
      await toConfirm(u);
      await u.tap("แก้ตำบล");
      await u.say("ขุขันธ์"); // a new district clears the council
      expect(u.lastText()).toContain("ตำบลใดในอำเภอขุขันธ์");
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/อำเภอใด/);
      await u.say("ย้อนกลับ");
      // The summary cannot be shown without a council: the council is asked.
      expect(u.lastText()).not.toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("ตำบลใดในอำเภอขุขันธ์");
      expect(await conversation(u)).toMatchObject({
        flowId: "signup",
        stepId: "council",
        returnTo: null,
        history: ["consent", "name", "phone", "district"],
      });
      expect((await conversation(u)).data).not.toHaveProperty("councilId");
      await u.say("ยืนยัน"); // not a council: a miss, and still an answer
      expect(u.lastText()).toContain(COUNCIL_REPROMPT);

      const council = quickLabels(u)[0]!;
      await u.tap(council);
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("อำเภอขุขันธ์");
      await u.tap("ยืนยัน");
      expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
      const member = await h.db.prisma.member.findUniqueOrThrow({
        where: { lineUserId: u.id },
        include: { council: { include: { tambon: true } } },
      });
      expect(member.council?.tambon).toMatchObject({ districtId: 3305, nameTh: council });
    });

    it("backing from the summary through a finished edit and changing the district again asks the council", async () => {
      const u = newUser("edit-back-twice");
      await toConfirm(u);
      await u.tap("แก้ตำบล");
      await u.say("ขุขันธ์");
      await u.tap(quickLabels(u)[0]!);
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toContain("ตำบลใดในอำเภอขุขันธ์");
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/อำเภอใด/);
      await u.say("ภูสิงห์");
      expect(u.lastText()).toContain("ตำบลใดในอำเภอภูสิงห์");
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/อำเภอใด/);
      await u.say("ย้อนกลับ");
      expect(u.lastText()).not.toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("ตำบลใดในอำเภอภูสิงห์");
      expect(await conversation(u)).toMatchObject({ stepId: "council", data: { districtId: "3317" } });
      // Back from here goes to the district, not round the same question.
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toMatch(/อำเภอใด/);
      await u.say("ภูสิงห์");
      await u.tap(quickLabels(u)[0]!);
      expect(u.lastText()).toContain("อำเภอภูสิงห์");
      await u.tap("ยืนยัน");
      const member = await h.db.prisma.member.findUniqueOrThrow({
        where: { lineUserId: u.id },
        include: { council: { include: { tambon: true } } },
      });
      expect(member.council?.tambon.districtId).toBe(3317);
    });
  });

  describe("with nothing running", () => {
    it("unknown text gets not-understood and the menu", async () => {
      const u = newUser("idle");
      await u.say("สวัสดีค่ะ");
      expect(u.lastText()).toMatch(NOT_UNDERSTOOD);
      await expectMenu(u);
      await expectNoFlow(u);
    });

    it("a menu keyword starts its flow", async () => {
      const u = newUser("keyword");
      await u.say("สมัครสมาชิก");
      expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
      expect(u.lastText()).not.toMatch(NOT_UNDERSTOOD);
      expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent", attempts: 0 });

      const v = newUser("keyword-polite");
      await v.say("อยากสมัคร ค่ะ");
      expect(v.lastText()).toMatch(/ข้อมูลส่วนตัว/);
      expect(await conversation(v)).toMatchObject({ flowId: "signup", stepId: "consent" });
    });
  });

  it("never leaves the user without a button to tap", async () => {
    // Sanity for the transcript helpers above: every call to LINE in this
    // file was a reply or the loading animation, and every batch had text.
    for (const call of h.line.calls) {
      expect(["reply", "loading", "profile"]).toContain(call.kind);
      if (call.kind === "reply") expect(textOf(call.messages).length).toBeGreaterThan(0);
      if (call.kind === "reply") expect(actionsOf(call.messages).length).toBeGreaterThan(0);
    }
  });
});
