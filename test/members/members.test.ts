// The members module as transcripts: consent, the profile card and its
// edits, withdrawing consent, follow and unfollow, the LINE display name as
// an answer, and the phone number never being sent back in full.
import { GUEST_MENU, MEMBER_MENU } from "../support/menus.ts";
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const MENU_PROMPT = /ต้องการทำรายการใด/;
const NOT_UNDERSTOOD = /ยังไม่เข้าใจ/;
const STALE = /หมดอายุ/;
const CARD_BUTTONS = ["แก้ชื่อ", "แก้เบอร์โทร", "ย้ายตำบล", "ถอนความยินยอม"];
// The welfare-fund entries are listed for members too (test/welfare-fund/link-flow.test.ts).

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

function dataOf(u: ChatUser, label: string): string {
  const action = u.actions().find((a) => a.label === label);
  if (!action?.data) throw new Error(`No postback "${label}" in: ${u.buttons().join(" | ")}`);
  return action.data;
}

/** Forms a phone number could take in a message: as stored, as typed, without the leading 0. */
function spellings(phone: string): string[] {
  const local = phone.slice(1);
  const dashed =
    phone.length === 10
      ? `${phone.slice(0, 3)}-${phone.slice(3, 6)}-${phone.slice(6)}`
      : `${phone.slice(0, 2)}-${phone.slice(2, 5)}-${phone.slice(5)}`;
  return [phone, dashed, local, phone.slice(0, 6)];
}

describe.each(FLOW_DATABASES)("members on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const phones = new Set<string>();
  const newUser = (label: string) => h.user(`U-mem-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const consents = (u: ChatUser) => h.db.prisma.consentRecord.findMany({ where: { lineUserId: u.id }, orderBy: { id: "asc" } });

  /** Every message the bot sent, as JSON, checked for any phone number a test typed. */
  function expectNoPhoneSent() {
    const sent = h.line.calls.flatMap((c) => (c.kind === "reply" || c.kind === "push" ? [JSON.stringify(c.messages)] : []));
    expect(sent.length).toBeGreaterThan(0);
    for (const phone of phones) {
      for (const form of spellings(phone)) {
        for (const json of sent) expect(json.includes(form), `${form} was sent`).toBe(false);
      }
    }
  }

  async function signUp(u: ChatUser, fullName: string, phone: string, district = "กันทรลักษ์") {
    phones.add(phone);
    await u.follow();
    expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
    await u.tap("ยินยอม");
    await u.say(fullName);
    await u.say(phone);
    await u.say(district);
    await u.tap(quickLabels(u)[0]!);
    expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    expect(quickLabels(u)).toEqual(MEMBER_MENU);
    return h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
    if (phones.size > 0) expectNoPhoneSent();
  });

  describe("consent", () => {
    it("refused: a granted=false record, no member, and the bot still answers", async () => {
      const u = newUser("refuse");
      await u.follow();
      expect(u.lastText()).toMatch(/ยินดีต้อนรับ/);
      await u.tap("ไม่ยินยอม");
      expect(u.lastText()).toContain("เราจะไม่เก็บข้อมูลส่วนตัวของท่าน");
      expect(u.lastText()).toMatch(MENU_PROMPT);
      expect(quickLabels(u)).toEqual(GUEST_MENU);

      const records = await consents(u);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ granted: false, noticeVersion: "2026-11" });
      expect(records[0]!.recordedAt.getTime()).toBe(h.clock.now.getTime());
      expect(await h.db.prisma.member.count({ where: { lineUserId: u.id } })).toBe(0);
      expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
      // Nothing asked for: no name, no phone were requested.
      expect(u.received.map((b) => JSON.stringify(b)).join("")).not.toMatch(/ขอทราบชื่อ|ขอเบอร์โทรศัพท์/);

      await u.say("สวัสดีค่ะ");
      expect(u.lastText()).toMatch(NOT_UNDERSTOOD);
      expect(quickLabels(u)).toEqual(GUEST_MENU);
      // Signing up later is still possible.
      await u.tap("สมัครสมาชิก");
      expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
    });

    it("refused by typing ไม่ยินยอม", async () => {
      const u = newUser("refuse-typed");
      await u.say("สมัครสมาชิก");
      await u.say("ไม่ยินยอมค่ะ");
      expect(u.lastText()).toContain("เราจะไม่เก็บข้อมูลส่วนตัวของท่าน");
      expect(await consents(u)).toMatchObject([{ granted: false }]);
      expect(await h.db.prisma.member.count({ where: { lineUserId: u.id } })).toBe(0);
    });

    it("given: a granted=true record and an active member", async () => {
      const u = newUser("grant");
      const member = await signUp(u, "มานี มีนา", "0823456789");
      expect(member).toMatchObject({ fullName: "มานี มีนา", phone: "0823456789", status: "ACTIVE" });
      expect(await consents(u)).toMatchObject([{ granted: true, noticeVersion: "2026-11" }]);
    });
  });

  describe("the profile card", () => {
    it("shows the masked phone, the council and its buttons", async () => {
      const u = newUser("card");
      const member = await signUp(u, "สมปอง ดีใจ", "0861112233");
      const council = await h.db.prisma.council.findUniqueOrThrow({ where: { id: member.councilId! } });

      await u.say("ข้อมูลของฉัน");
      const card = u.last();
      expect(card).toHaveLength(1);
      expect(card[0]).toMatchObject({ type: "flex", altText: "ข้อมูลสมาชิกของท่าน" });
      const text = u.lastText();
      expect(text).toContain("สมปอง ดีใจ");
      expect(text).toContain("xxx-xxx-2233");
      expect(text).not.toContain("0861112233");
      expect(text).not.toContain("086-111-2233");
      expect(text).toContain(council.name);
      expect(text).toContain("อำเภอกันทรลักษ์");
      expect(text).toMatch(/สมาชิกตั้งแต่ \d\d\/\d\d\/25\d\d/);
      expect(u.buttons()).toEqual([...CARD_BUTTONS, ...MEMBER_MENU]);
      expect(await conversation(u)).toMatchObject({ flowId: null });

      // The menu's button opens the same card.
      await u.say("เมนู");
      await u.tap("ข้อมูลของฉัน");
      expect(u.lastText()).toContain("xxx-xxx-2233");
      expect(u.buttons()).toEqual([...CARD_BUTTONS, ...MEMBER_MENU]);
    });

    it("is not open to someone who is not a member: asked for by name, it offers sign-up", async () => {
      const u = newUser("card-guest");
      await u.say("ข้อมูลของฉัน");
      expect(u.lastText()).toContain("บริการนี้สำหรับสมาชิก");
      expect(u.lastText()).not.toMatch(NOT_UNDERSTOOD);
      expect(u.last().some((m) => m.type === "flex" && m.altText.includes("ข้อมูลของฉัน"))).toBe(false);
      expect(await conversation(u)).toMatchObject({ flowId: "signup" });
    });

    it("แก้ชื่อ: a new name, the summary, and the member updated", async () => {
      const u = newUser("edit-name");
      const before = await signUp(u, "ประยูร ใจงาม", "0934445566");
      await u.say("ข้อมูลของฉัน");
      await u.tap("แก้ชื่อ");
      expect(u.lastText()).toMatch(/ขอทราบชื่อ-นามสกุล/);
      expect(await conversation(u)).toMatchObject({ flowId: "profile", stepId: "name", returnTo: "confirm" });

      await u.say("ประยูร ใจงามยิ่ง");
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("ประยูร ใจงามยิ่ง");
      expect(u.lastText()).toContain("xxx-xxx-5566");
      await u.tap("ยืนยัน");
      expect(u.lastText()).toContain("บันทึกการแก้ไขข้อมูลเรียบร้อยแล้วค่ะ");
      expect(quickLabels(u)).toEqual(MEMBER_MENU);

      const after = await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
      expect(after).toMatchObject({
        id: before.id,
        fullName: "ประยูร ใจงามยิ่ง",
        phone: "0934445566",
        councilId: before.councilId,
        status: "ACTIVE",
      });
      expect(await consents(u)).toHaveLength(1);
      await u.say("ข้อมูลของฉัน");
      expect(u.lastText()).toContain("ประยูร ใจงามยิ่ง");
    });

    it("แก้เบอร์โทร: the new number is saved and shown masked", async () => {
      const u = newUser("edit-phone");
      await signUp(u, "สุดา รักษ์ดี", "0947778899");
      phones.add("045123456");
      await u.say("ข้อมูลของฉัน");
      await u.tap("แก้เบอร์โทร");
      expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
      await u.say("045-123-456");
      expect(u.lastText()).toMatch(/ตรวจสอบข้อมูล/);
      expect(u.lastText()).toContain("xx-xxx-3456");
      await u.tap("ยืนยัน");
      expect(await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } })).toMatchObject({
        fullName: "สุดา รักษ์ดี",
        phone: "045123456",
      });
    });

    it("an edit can be cancelled and leaves the member as it was", async () => {
      const u = newUser("edit-cancel");
      await signUp(u, "วิไล ศรีงาม", "0951234567");
      await u.say("ข้อมูลของฉัน");
      await u.tap("แก้ชื่อ");
      await u.say("ยกเลิก");
      expect(u.lastText()).toContain("ยกเลิกการแก้ไขข้อมูลแล้วค่ะ");
      expect(await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } })).toMatchObject({
        fullName: "วิไล ศรีงาม",
        phone: "0951234567",
      });
    });

    it("a sign-up button kept from before shows a member their profile, not a second sign-up", async () => {
      const u = newUser("old-signup-button");
      await u.say("เมนู");
      const signupButton = dataOf(u, "สมัครสมาชิก");
      await signUp(u, "สมบัติ มั่นคง", "0961234567");
      await u.postback(signupButton);
      expect(u.lastText()).toContain("ท่านเป็นสมาชิกอยู่แล้ว");
      expect(u.lastText()).not.toMatch(STALE);
      expect(u.buttons()).toEqual([...CARD_BUTTONS, ...MEMBER_MENU]);
      expect(await conversation(u)).toMatchObject({ flowId: null });
    });
  });

  describe("withdrawing consent", () => {
    it("ยืนยันถอน erases the personal data, unlinks the LINE user and records the withdrawal", async () => {
      h.line.displayNames.set("U-mem-withdraw", "ทองใบ ใจเย็น");
      const u = h.user("U-mem-withdraw");
      const member = await signUp(u, "ทองใบ ใจเย็น", "0871234567");
      await u.say("ข้อมูลของฉัน");
      const oldEditName = dataOf(u, "แก้ชื่อ");
      await u.tap("ถอนความยินยอม");
      expect(u.lastText()).toMatch(/ยืนยันการถอนความยินยอมหรือไม่/);
      expect(quickLabels(u)).toEqual(["ยืนยันถอน", "ไม่ถอน"]);
      h.clock.advance(60_000);
      await u.tap("ยืนยันถอน");
      expect(u.lastText()).toContain("ถอนความยินยอมและลบข้อมูลส่วนตัวของท่านเรียบร้อยแล้วค่ะ");
      expect(quickLabels(u)).toEqual(GUEST_MENU);

      const after = await h.db.prisma.member.findUniqueOrThrow({ where: { id: member.id } });
      expect(after).toMatchObject({
        fullName: null,
        phone: null,
        lineUserId: null,
        status: "WITHDRAWN",
        councilId: member.councilId,
      });
      expect(after.withdrawnAt?.getTime()).toBe(h.clock.now.getTime());
      expect(await h.db.prisma.member.count({ where: { lineUserId: u.id } })).toBe(0);
      const records = await consents(u);
      expect(records.map((r) => r.granted)).toEqual([true, false]);
      expect(records[1]!.recordedAt.getTime()).toBe(h.clock.now.getTime());
      expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });

      // No longer a member: no card (sign-up is offered instead), and the
      // card's old buttons do nothing.
      await u.say("ข้อมูลของฉัน");
      expect(u.lastText()).toContain("บริการนี้สำหรับสมาชิก");
      expect(await conversation(u)).toMatchObject({ flowId: "signup" });
      await u.say("ยกเลิก");
      await u.postback(oldEditName);
      expect(u.lastText()).not.toContain("ขอทราบชื่อ-นามสกุล");
      expect(await conversation(u)).toMatchObject({ flowId: null });

      // Signing up again makes a new member; the anonymised row stays.
      phones.add("0879876543");
      await u.tap("สมัครสมาชิก");
      await u.tap("ยินยอม");
      await u.say("ทองใบ ใจเย็น");
      await u.say("0879876543");
      await u.say("ขุขันธ์");
      await u.tap(quickLabels(u)[0]!);
      await u.tap("ยืนยัน");
      expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
      const again = await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
      expect(again.id).not.toBe(member.id);
      expect(await h.db.prisma.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ status: "WITHDRAWN", phone: null });
      expect((await consents(u)).map((r) => r.granted)).toEqual([true, false, true]);
    });

    it("ไม่ถอน keeps everything", async () => {
      const u = newUser("keep");
      const member = await signUp(u, "จันทร์ เพ็ญ", "0891234567");
      await u.say("ถอนความยินยอม");
      expect(u.lastText()).toMatch(/ยืนยันการถอนความยินยอมหรือไม่/);
      await u.tap("ไม่ถอน");
      expect(u.lastText()).toContain("ข้อมูลของท่านยังอยู่เหมือนเดิมค่ะ");
      expect(quickLabels(u)).toEqual(MEMBER_MENU);
      expect(await h.db.prisma.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({
        fullName: "จันทร์ เพ็ญ",
        phone: "0891234567",
        lineUserId: u.id,
        status: "ACTIVE",
        withdrawnAt: null,
      });
      expect((await consents(u)).map((r) => r.granted)).toEqual([true]);
    });

    it("is only for members", async () => {
      const u = newUser("withdraw-guest");
      await u.say("ถอนความยินยอม");
      expect(u.lastText()).toMatch(NOT_UNDERSTOOD);
      expect(await consents(u)).toHaveLength(0);
    });
  });

  describe("follow and unfollow", () => {
    it("unfollow records it and drops the conversation; a member who comes back is welcomed back", async () => {
      const u = newUser("unfollow");
      const member = await signUp(u, "บุญส่ง แสงทอง", "0811239876");
      await u.say("ข้อมูลของฉัน");
      await u.tap("แก้ชื่อ");
      expect(await conversation(u)).toMatchObject({ flowId: "profile" });

      h.clock.advance(5 * 60_000);
      const callsBefore = h.line.calls.length;
      await u.unfollow();
      expect(h.line.calls.length).toBe(callsBefore); // nothing to say to someone who left
      const lineUser = await h.db.prisma.lineUser.findUniqueOrThrow({ where: { id: u.id } });
      expect(lineUser.following).toBe(false);
      expect(lineUser.unfollowedAt?.getTime()).toBe(h.clock.now.getTime());
      expect(await conversation(u)).toMatchObject({ flowId: null, stepId: null, data: {} });
      expect(await h.db.prisma.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ status: "ACTIVE" });

      h.clock.advance(60 * 60_000);
      await u.follow();
      expect(u.lastText()).toContain("ยินดีต้อนรับกลับมาค่ะ");
      expect(u.lastText()).not.toMatch(/ข้อมูลส่วนตัว/);
      expect(quickLabels(u)).toEqual(MEMBER_MENU);
      const back = await h.db.prisma.lineUser.findUniqueOrThrow({ where: { id: u.id } });
      expect(back.following).toBe(true);
      expect(back.followedAt?.getTime()).toBe(h.clock.now.getTime());
      expect(await conversation(u)).toMatchObject({ flowId: null });
    });

    it("someone who never signed up is greeted and asked for consent again", async () => {
      const u = newUser("refollow-guest");
      await u.follow();
      await u.say("ยกเลิก");
      await u.unfollow();
      expect(await h.db.prisma.lineUser.findUniqueOrThrow({ where: { id: u.id } })).toMatchObject({ following: false });
      await u.follow();
      expect(u.lastText()).not.toContain("ยินดีต้อนรับกลับมา");
      expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent" });
    });
  });

  describe("the LINE display name", () => {
    it("is offered as a button at the name step and can be tapped", async () => {
      h.line.displayNames.set("U-mem-display", "บุญมี ศรีสุข");
      const u = h.user("U-mem-display");
      await u.follow();
      // Fetched after the greeting went out, and kept only in the running
      // sign-up (PDPA: nothing stored before consent).
      const calls = h.line.calls.map((c) => c.kind);
      expect(calls.lastIndexOf("profile")).toBeGreaterThan(calls.lastIndexOf("reply"));
      expect(await conversation(u)).toMatchObject({ stepId: "consent", data: { lineDisplayName: "บุญมี ศรีสุข" } });
      await u.tap("ยินยอม");
      expect(u.lastText()).toMatch(/ขอทราบชื่อ-นามสกุล/);
      expect(quickLabels(u)).toEqual(["บุญมี ศรีสุข", "ย้อนกลับ", "ยกเลิก"]);
      await u.tap("บุญมี ศรีสุข");
      expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
      expect(await conversation(u)).toMatchObject({ stepId: "phone", data: { fullName: "บุญมี ศรีสุข" } });
      // Refusing consent drops it with the rest of the flow.
      await u.say("ยกเลิก");
      expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
    });

    it("is offered again on a later sign-up, not only the first", async () => {
      h.line.displayNames.set("U-mem-display-again", "ทองดี มีสุข");
      const u = h.user("U-mem-display-again");
      await u.follow();
      await u.say("ยกเลิก");
      expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
      await u.say("สมัครสมาชิก");
      expect(await conversation(u)).toMatchObject({ stepId: "consent", data: { lineDisplayName: "ทองดี มีสุข" } });
      await u.tap("ยินยอม");
      expect(quickLabels(u)).toEqual(["ทองดี มีสุข", "ย้อนกลับ", "ยกเลิก"]);
    });

    it("understands a tambon and district typed as in an address (ต.…, อ.…)", async () => {
      const u = newUser("typed-tambon");
      await u.follow();
      await u.tap("ยินยอม");
      await u.say("สมศักดิ์ ใจดี");
      await u.say("0812345678");
      await u.say("อ.กันทรลักษ์");
      expect(await conversation(u)).toMatchObject({ stepId: "council" });
      const tambon = quickLabels(u)[0]!;
      await u.say(`ต.${tambon}`);
      expect(await conversation(u)).toMatchObject({ stepId: "confirm" });
      expect(u.lastText()).toContain(tambon);
    });

    it("is not offered when LINE has none, or when it is not a name", async () => {
      const u = newUser("no-display");
      await u.follow();
      await u.tap("ยินยอม");
      expect(quickLabels(u)).toEqual(["ย้อนกลับ", "ยกเลิก"]);

      h.line.displayNames.set("U-mem-emoji", "Boonmee 🌸 123");
      const v = h.user("U-mem-emoji");
      await v.follow();
      await v.tap("ยินยอม");
      expect(quickLabels(v)).toEqual(["ย้อนกลับ", "ยกเลิก"]);
    });
  });

  it("never sends a phone number in full, in any message", async () => {
    expect(phones.size).toBeGreaterThanOrEqual(10);
    const members = await h.db.prisma.member.findMany({ where: { phone: { not: null } }, select: { phone: true } });
    expect(members.length).toBeGreaterThan(0);
    for (const m of members) expect(phones.has(m.phone!)).toBe(true);
    expectNoPhoneSent();
    // The masked forms were sent, so the scan looked at the right messages.
    const all = h.line.calls.flatMap((c) => (c.kind === "reply" || c.kind === "push" ? (c.messages as messagingApi.Message[]) : []));
    expect(JSON.stringify(all)).toContain("xxx-xxx-2233");
  });
});
