// Detours (issue 11 §1): the first message after adding the account is never
// blocked by the consent question. Emergency words start the flood request
// from any step, for anyone; a step waiting for a button lets menu words,
// staff words and invite codes through; the flow put aside comes back where
// it was. A non-member asking for the fund balance signs up first and is
// then shown the balance.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { COMPOSE_FLOW } from "../../src/announcements/compose-flow.ts";
import { FLOOD_FLOW } from "../../src/help-requests/flood-flow.ts";
import { HELP_TEXT } from "../../src/help-requests/texts.ts";
import { createInvite } from "../../src/staff/invites.ts";
import { grantRole, rolesOf, type RoleGrant } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const CONSENT_REPROMPT = "กรุณาแตะ “ยินยอม” หรือ “ไม่ยินยอม”";
const PDPA = /PDPA|ข้อมูลส่วน/;
const RESUMED_SIGNUP = "ต่อจากการสมัครสมาชิกที่ทำค้างไว้ค่ะ";
const WAITING_SIGNUP = /การสมัครสมาชิกยังทำค้างไว้/;
const BACK = "↩ ทำต่อ";
const KANTHARALAK = 3304;

/** The quick replies of the last batch (not the buttons on its cards). */
function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

describe.each(FLOW_DATABASES)("detours on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const newUser = (label: string) => h.user(`U-detour-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const grant = (u: ChatUser, g: RoleGrant) => grantRole(h.db.prisma, u.id, g, { by: "Uadmin", at: h.clock.now, via: "test" });

  async function expectFloodStarted(u: ChatUser) {
    expect(u.lastText()).toContain(HELP_TEXT.askWhose);
    expect(u.lastText()).not.toContain(CONSENT_REPROMPT);
    expect(u.buttons()).toContain(HELP_TEXT.mine);
    expect(await conversation(u)).toMatchObject({ flowId: FLOOD_FLOW });
  }

  /**
   * Answers the flood request's steps until it is sent, by step: it reads
   * the conversation row rather than the wording, which other work changes.
   */
  async function finishFlood(u: ChatUser, stopAt?: string) {
    for (let i = 0; i < 30; i++) {
      const c = await conversation(u);
      if (c.flowId !== FLOOD_FLOW || c.stepId === stopAt) return;
      const [first] = u.buttons();
      switch (c.stepId) {
        case "location":
          await u.location(15.05, 104.52);
          break;
        case "district":
          await u.say("กันทรลักษ์");
          break;
        case "phone":
          await u.say("0891234567");
          break;
        case "people":
          await u.say("3");
          break;
        case "household":
          await u.say("สมศรี ใจดี");
          break;
        case "vulnerable":
        case "needs": {
          // A choice, then the done button (the third from the end: done, back, cancel).
          await u.tap(first!);
          const buttons = u.buttons();
          await u.tap(buttons.at(-3)!);
          break;
        }
        default:
          await u.tap(first!);
      }
    }
    throw new Error(`The flood request did not finish: ${u.lastText()}`);
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

  it("a cry for help right after adding the account starts the flood request; the sign-up comes back when it is sent", async () => {
    const u = newUser("flagship");
    await u.follow();
    expect(u.lastText()).toMatch(PDPA);
    await u.say("ช่วยด้วย น้ำท่วมบ้าน");
    await expectFloodStarted(u);
    await finishFlood(u);
    expect(await h.db.prisma.helpRequest.count({ where: { lineUserId: u.id, kind: "FLOOD" } })).toBe(1);
    // The case number, then the consent question where it was.
    expect(u.lastText()).toMatch(/เลขที่คำขอ/);
    expect(u.lastText()).toContain(RESUMED_SIGNUP);
    expect(u.lastText()).toMatch(PDPA);
    expect(u.lastText()).not.toMatch(/ต้องการทำรายการใด/);
    expect(quickLabels(u)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);
    expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent" });
    await u.tap("ยินยอม");
    expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
  });

  it("ช่วยด้วย and น้ำท่วม alone, and at a step taking text (the name), start it too; ยกเลิก brings back the step put aside", async () => {
    const u = newUser("words");
    await u.follow();
    for (const cry of ["ช่วยด้วย", "น้ำท่วม", "นํ้าท่วมค่ะ"]) {
      await u.say(cry);
      await expectFloodStarted(u);
      await u.say("ยกเลิก");
      expect(u.lastText()).toContain("ยกเลิก");
      expect(u.lastText()).toContain(RESUMED_SIGNUP);
      expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "consent" });
    }
    await u.tap("ยินยอม");
    await u.say("น้ำท่วม");
    await expectFloodStarted(u);
    await u.say("ยกเลิก");
    expect(u.lastText()).toContain(RESUMED_SIGNUP);
    expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
    expect(await conversation(u)).toMatchObject({ flowId: "signup", stepId: "name" });
    expect((await conversation(u)).data).not.toHaveProperty("fullName");
    // เมนู still leaves everything.
    await u.say("ช่วยด้วย");
    await u.say("เมนู");
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
  });

  it("inside the flood request its own words are answers, and in what staff write they are words", async () => {
    const u = newUser("own");
    await u.say("น้ำท่วม");
    await expectFloodStarted(u);
    const before = await conversation(u);
    await u.say("น้ำท่วมมากค่ะ");
    expect(await conversation(u)).toMatchObject({ flowId: FLOOD_FLOW, stepId: "whose", turn: before.turn, attempts: 1 });

    const coordinator = newUser("prose");
    await grant(coordinator, { role: "COORDINATOR", level: "PROVINCE", areaId: 33 });
    await coordinator.say("ส่งประกาศ");
    expect(await conversation(coordinator)).toMatchObject({ flowId: COMPOSE_FLOW, stepId: "text" });
    await coordinator.say("เตือนภัยน้ำท่วม ช่วยด้วยกันเก็บของขึ้นที่สูงค่ะ");
    const c = await conversation(coordinator);
    expect(c.flowId).toBe(COMPOSE_FLOW);
    expect(c.stepId).not.toBe("text");
    expect(c.data).toMatchObject({ text: "เตือนภัยน้ำท่วม ช่วยด้วยกันเก็บของขึ้นที่สูงค่ะ" });
  });

  it("menu words, staff words and an invite code at the consent question: answered, with the way back to it", async () => {
    const secretary = newUser("secretary");
    const coordinator = newUser("report");
    await grant(coordinator, { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK });
    const council = await h.db.prisma.council.findFirstOrThrow({ where: { tambon: { districtId: KANTHARALAK } }, orderBy: { id: "asc" } });
    const invite = await createInvite(
      h.db.prisma,
      { role: "SECRETARY", level: "COUNCIL", areaId: council.id },
      { userId: coordinator.id, now: h.clock.now },
    );
    await secretary.follow();
    await secretary.say(invite.code);
    expect(secretary.lastText()).toMatch(/ยินดีต้อนรับ/);
    expect(secretary.lastText()).toMatch(WAITING_SIGNUP);
    expect(quickLabels(secretary)[0]).toBe(BACK);
    expect(secretary.buttons()).toContain("งานเจ้าหน้าที่");
    expect(await rolesOf(h.db.prisma, secretary.id)).toEqual([{ role: "SECRETARY", level: "COUNCIL", areaId: council.id }]);
    await secretary.say("งานเจ้าหน้าที่");
    expect(secretary.lastText()).toContain(`เลขานุการ${council.name}`);
    expect(secretary.lastText()).toMatch(WAITING_SIGNUP);
    // The sign-up kept its place: the button asks its question in full.
    expect(await conversation(secretary)).toMatchObject({ flowId: "signup", stepId: "consent" });
    await secretary.tap(BACK);
    expect(secretary.lastText()).toMatch(PDPA);
    expect(quickLabels(secretary)).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);

    await coordinator.follow();
    await coordinator.say("รายงาน");
    expect(coordinator.lastText()).not.toContain(CONSENT_REPROMPT);
    expect(coordinator.lastText()).toMatch(WAITING_SIGNUP);
    // The report's own buttons stay, after the one back.
    expect(quickLabels(coordinator)[0]).toBe(BACK);
    expect(quickLabels(coordinator).length).toBeGreaterThan(2);

    const villager = newUser("meetings");
    await villager.follow();
    await villager.say("ประชุม");
    expect(villager.lastText()).not.toContain(CONSENT_REPROMPT);
    expect(villager.lastText()).toMatch(WAITING_SIGNUP);
    // Still answerable as it was.
    await villager.say("ยินยอม");
    expect(villager.lastText()).toMatch(/ชื่อ-นามสกุล/);
  });

  it("a flow started on the way finishes, then the one put aside continues at its step", async () => {
    const u = newUser("member");
    await u.say("สมัครสมาชิก");
    await u.tap("ยินยอม");
    await u.say("สมชาย ใจดี");
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    await u.tap(u.buttons()[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    await u.say("ข้อมูลของฉัน");
    await u.postback(encodePostback({ kind: "menu", entry: "profile-council" }));
    expect(await conversation(u)).toMatchObject({ flowId: "profile", stepId: "district" });
    // A rich-menu tile would do the same as the typed word.
    await u.say("ถอนความยินยอม");
    expect(await conversation(u)).toMatchObject({ flowId: "withdraw" });
    await u.tap("ไม่ถอน");
    expect(u.lastText()).toMatch(/ยังอยู่เหมือนเดิม/);
    expect(u.lastText()).toContain("ต่อจากการแก้ไขข้อมูลที่ทำค้างไว้ค่ะ");
    expect(u.lastText()).toMatch(/อำเภอใด/);
    expect(await conversation(u)).toMatchObject({ flowId: "profile", stepId: "district" });
  });

  it("a photo taken back is forgotten in a flow put aside too", async () => {
    const u = newUser("unsend");
    await u.say("น้ำท่วม");
    await finishFlood(u, "photo");
    await u.image({ id: "img-detour-1" });
    await finishFlood(u, "confirm");
    expect((await conversation(u)).data).toMatchObject({ photos: ["img-detour-1"] });
    // Sign-up started from the summary: the request waits under it, photo and all.
    await u.say("สมัครสมาชิก");
    expect(await conversation(u)).toMatchObject({ flowId: "signup" });
    expect(JSON.stringify((await conversation(u)).data)).toContain("img-detour-1");
    await h.deliver([h.event(u.id, { type: "unsend", unsend: { messageId: "img-detour-1" } })]);
    expect(JSON.stringify((await conversation(u)).data)).not.toContain("img-detour-1");
    await u.say("ยกเลิก");
    expect(await conversation(u)).toMatchObject({ flowId: FLOOD_FLOW, stepId: "confirm" });
    expect((await conversation(u)).data).toMatchObject({ photos: [] });
  });

  it("a non-member tapping ยอดเงินกองทุน is told why sign-up comes first, and sees the balance after it", async () => {
    const u = newUser("balance");
    await u.follow();
    await u.say("ยอดเงินกองทุน");
    expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
    expect(u.lastText()).toMatch(PDPA);
    await u.tap("ยินยอม");
    await u.say("สมหญิง ใจงาม");
    await u.say("0812345679");
    await u.say("กันทรลักษ์");
    await u.tap(u.buttons()[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    // No fund account linked yet: the balance says so and offers the link.
    expect(u.lastText()).toMatch(/ยังไม่ได้เชื่อมบัญชี/);
    expect(u.buttons()[0]).toBe("เชื่อมบัญชีกองทุน");
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });

    // Refused consent: no balance, and no second sign-up.
    const v = newUser("balance-no");
    await v.say("ยอดเงินกองทุน");
    await v.tap("ไม่ยินยอม");
    expect(v.lastText()).not.toMatch(/ยังไม่ได้เชื่อมบัญชี|PDPA/);
    expect(await conversation(v)).toMatchObject({ flowId: null });
  });
});
