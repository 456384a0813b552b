// The flood help request as transcripts, on PGlite: a non-member
// (asked for a contact phone) and a member (their stored phone, no question)
// filing, corrections (back, edits from the summary), cancel,
// wrong input, a typed village, multi-select toggling, an image set as one
// answer, the critical reply's hotlines, and distinct case numbers under
// concurrency (the counter itself from parallel transactions on both
// databases).
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { allocateCaseNumber, CASE_NUMBER_PATTERN } from "../../src/help-requests/case-number.ts";
import { createTestDatabase, FLOW_DATABASES, STORE_DATABASES, type TestDatabase } from "../support/database.ts";
import { Harness, newEventId, type ChatUser } from "../support/harness.ts";

const PDPA_LINE = "ข้อมูลสุขภาพนี้ใช้เพื่อช่วยชีวิตเท่านั้น เจ้าหน้าที่สภาฯ ของตำบลเท่านั้นที่เห็น";
const CASE = /เลขที่คำขอ: (SSK-F-6911-\d{4})/;

function quickItems(u: ChatUser): messagingApi.QuickReplyItem[] {
  return u.last().at(-1)?.quickReply?.items ?? [];
}
const quickLabels = (u: ChatUser) => quickItems(u).map((i) => (i.action as { label?: string }).label ?? "");

describe.each(FLOW_DATABASES)("flood help on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const newUser = (label: string) => h.user(`U-flood-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const requestsOf = (u: ChatUser) =>
    h.db.prisma.helpRequest.findMany({
      where: { lineUserId: u.id },
      include: { photos: { select: { lineMessageId: true }, orderBy: { id: "asc" } }, history: true },
    });

  async function signUp(u: ChatUser) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say("สมศรี ใจดี");
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.tap("ยืนยัน");
    return h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
  }

  /** A non-member from the menu keyword to the number-of-people question. */
  async function toPeople(u: ChatUser) {
    await u.say("น้ำท่วม");
    expect(u.lastText()).toMatch(/บ้านของใคร/);
    await u.tap("บ้านของฉันเอง");
    expect(u.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
    await u.location();
    // The nearest tambon is offered first (nearby-council.test.ts); here the villager picks.
    expect(u.lastText()).toMatch(/ตำแหน่งที่ส่งมาอยู่ใกล้ ต\.เมืองเหนือ/);
    await u.tap("เลือกเอง");
    expect(u.lastText()).toMatch(/อำเภอใด/);
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
    await u.say("089-123-4567");
    expect(u.lastText()).toMatch(/กี่คน/);
  }

  /** From people to the summary: 4 people, given vulnerable/water/needs labels, no photo, no note. */
  async function toSummary(u: ChatUser, vulnerable: string[], water: string, needs: string[]) {
    await u.say("4");
    for (const v of vulnerable) await u.tap(v);
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/น้ำสูงแค่ไหน/);
    await u.tap(water);
    for (const x of needs) await u.tap(x);
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/ส่งรูป/);
    await u.tap("ข้าม");
    expect(u.lastText()).toMatch(/บอกเพิ่ม/);
    await u.tap("ข้าม");
    expect(u.lastText()).toMatch(/ตรวจสอบคำขอก่อนส่ง/);
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

  it("a non-member files a critical request: case number, priority, hotlines, the row", async () => {
    const u = newUser("critical");
    await u.say("ขอความช่วยเหลือน้ำท่วม");
    expect(u.buttons()).toEqual(["บ้านของฉันเอง", "บ้านคนอื่น", "ยกเลิก"]);
    await u.tap("บ้านของฉันเอง");
    // The location step: LINE's location quick reply first.
    expect(quickItems(u)[0]!.action).toEqual({ type: "location", label: "ส่งตำแหน่ง" });
    expect(quickLabels(u)).toEqual(["ส่งตำแหน่ง", "ย้อนกลับ", "ยกเลิก"]);
    await u.location(15.05, 104.52);
    expect(u.buttons()).toEqual(["ใช่", "เลือกเอง", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("เลือกเอง");
    expect(u.lastText()).toMatch(/อำเภอใด/);
    await u.say("กันทรลักษ์");
    const councilLabel = quickLabels(u)[0]!;
    await u.tap(councilLabel);
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
    await u.say("+66 89 123 4567");
    await u.say("๕ คน");
    expect(u.lastText()).toContain(PDPA_LINE);
    expect(u.buttons()).toEqual(["ผู้สูงอายุ", "ผู้ป่วยติดเตียง", "เด็กเล็ก", "หญิงตั้งครรภ์", "ผู้พิการ", "ไม่มี", "เสร็จแล้ว", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("ผู้ป่วยติดเตียง");
    await u.tap("ผู้สูงอายุ");
    expect(u.lastText()).toContain("เลือกแล้ว: ผู้สูงอายุ, ผู้ป่วยติดเตียง");
    await u.tap("เสร็จแล้ว");
    expect(u.buttons()).toEqual(["ข้อเท้า", "หัวเข่า", "เอว", "หน้าอก", "ถึงหลังคา", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("เอว");
    await u.tap("น้ำดื่ม");
    await u.tap("ยา");
    await u.tap("เสร็จแล้ว");
    await u.image({ id: "img-1" });
    expect(u.lastText()).toBe("ได้รับรูปแล้ว 1 รูป ส่งเพิ่มได้อีก 4 รูป หรือแตะ “เสร็จแล้ว” ค่ะ");
    expect(u.buttons()).toEqual(["เสร็จแล้ว", "ย้อนกลับ", "ยกเลิก"]);
    // A second photo, sent on its own, is taken too (issue 11 §2).
    await u.image({ id: "img-2" });
    expect(u.lastText()).toBe("ได้รับรูปแล้ว 2 รูป ส่งเพิ่มได้อีก 3 รูป หรือแตะ “เสร็จแล้ว” ค่ะ");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/บอกเพิ่ม/);
    await u.say("ติดต่อลูกสาว 0899999999");
    const summary = u.lastText();
    expect(summary).toMatch(/ตรวจสอบคำขอก่อนส่ง/);
    expect(summary).toContain("บ้าน: ของท่านเอง");
    expect(summary).toContain("ส่งตำแหน่งแล้ว (ศรีสะเกษ)");
    expect(summary).toContain("โทร: xxx-xxx-4567");
    expect(summary).not.toContain("0891234567");
    expect(summary).toContain("จำนวนคน: 5 คน");
    expect(summary).toContain("ผู้ที่ต้องดูแลเป็นพิเศษ: ผู้สูงอายุ, ผู้ป่วยติดเตียง");
    expect(summary).toContain("ระดับน้ำ: เอว");
    expect(summary).toContain("ต้องการ: น้ำดื่ม, ยา");
    expect(summary).toContain("รูป: 2 รูป");
    expect(u.buttons()).toContain("แก้ตำบล");
    expect(u.buttons()).toContain("แก้เบอร์โทร");
    expect(quickLabels(u).length).toBeLessThanOrEqual(13);

    await u.tap("ยืนยันส่งคำขอ");
    const reply = u.lastText();
    const caseNumber = CASE.exec(reply)?.[1];
    expect(caseNumber).toMatch(CASE_NUMBER_PATTERN);
    expect(reply).toContain("ความเร่งด่วน: วิกฤต");
    expect(reply).toContain("1784");
    expect(reply).toContain("1669");
    // The hotlines dial with one tap.
    const dial = u.actions().filter((a) => a.label.startsWith("โทร"));
    const uris = u.last().flatMap((m) => JSON.stringify(m).match(/tel:\d+/g) ?? []);
    expect(dial.map((a) => a.label)).toEqual(["โทร 1784 ปภ.", "โทร 1669 ฉุกเฉิน"]);
    expect(uris).toEqual(["tel:1784", "tel:1669"]);
    expect(u.buttons()).toContain("ขอช่วยเหลือน้ำท่วม");

    const [row, ...more] = await requestsOf(u);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      kind: "FLOOD",
      caseNumber,
      memberId: null,
      forSomeoneElse: false,
      householdName: null,
      latitude: 15.05,
      longitude: 104.52,
      address: "ศรีสะเกษ",
      village: null,
      peopleCount: 5,
      vulnerable: ["elderly", "bedridden"],
      waterLevel: "waist",
      needs: ["water", "medicine"],
      note: "ติดต่อลูกสาว 0899999999",
      phone: "0891234567",
      photos: [{ lineMessageId: "img-1" }, { lineMessageId: "img-2" }],
      priority: "CRITICAL",
      status: "PENDING",
    });
    expect(row!.history).toMatchObject([{ kind: "CREATED", actorUserId: u.id, toStatus: "PENDING", byStaff: false }]);
    const council = await h.db.prisma.council.findUniqueOrThrow({ where: { id: row!.councilId }, include: { tambon: true } });
    expect(council.tambon.nameTh === councilLabel || council.name === councilLabel).toBe(true);
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
  });

  it("a member files for a neighbour by typed village: their council, no district question, no hotlines", async () => {
    const u = newUser("member");
    const member = await signUp(u);
    await u.tap("ขอช่วยเหลือน้ำท่วม");
    await u.tap("บ้านคนอื่น");
    expect(u.lastText()).toMatch(/ขอชื่อเจ้าของบ้าน/);
    await u.say("ยายสมร บ้านหลังวัด");
    await u.say("บ้านโนนสูง หมู่ 5");
    expect(u.lastText()).toMatch(/กี่คน/);
    await toSummary(u, ["ไม่มี"], "หัวเข่า", ["อาหาร"]);
    expect(u.lastText()).toContain("บ้าน: ของยายสมร บ้านหลังวัด");
    expect(u.lastText()).toContain("หมู่บ้าน: บ้านโนนสูง หมู่ 5");
    expect(u.lastText()).toContain("ผู้ที่ต้องดูแลเป็นพิเศษ: ไม่มี");
    expect(u.lastText()).toContain("โทร: xxx-xxx-5678");
    expect(u.buttons()).not.toContain("แก้ตำบล");
    expect(u.buttons()).not.toContain("แก้เบอร์โทร");
    await u.tap("ยืนยันส่งคำขอ");
    expect(u.lastText()).toContain("ความเร่งด่วน: ปานกลาง");
    expect(u.lastText()).not.toContain("1784");
    expect(await requestsOf(u)).toMatchObject([
      {
        councilId: member.councilId,
        memberId: member.id,
        forSomeoneElse: true,
        householdName: "ยายสมร บ้านหลังวัด",
        village: "บ้านโนนสูง หมู่ 5",
        latitude: null,
        vulnerable: [],
        waterLevel: "knee",
        needs: ["food"],
        note: null,
        phone: "0812345678",
        photos: [],
        priority: "MEDIUM",
      },
    ]);
  });

  it("corrects answers through ย้อนกลับ and from the summary", async () => {
    const u = newUser("back");
    await toPeople(u);
    await u.say("3");
    await u.tap("ผู้สูงอายุ");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/น้ำสูงแค่ไหน/);
    await u.tap("ย้อนกลับ");
    // Back at the multi-select, with the earlier selection ticked.
    expect(u.buttons().slice(0, 2)).toEqual(["✓ ผู้สูงอายุ", "ผู้ป่วยติดเตียง"]);
    await u.tap("✓ ผู้สูงอายุ");
    await u.tap("เด็กเล็ก");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้อเท้า");
    await u.tap("อื่น ๆ");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้าม");
    await u.tap("ข้าม");
    expect(u.lastText()).toContain("ผู้ที่ต้องดูแลเป็นพิเศษ: เด็กเล็ก");
    await u.tap("แก้จำนวนคน");
    await u.say("7");
    expect(u.lastText()).toMatch(/ตรวจสอบคำขอก่อนส่ง/);
    expect(u.lastText()).toContain("จำนวนคน: 7 คน");
    await u.tap("แก้ระดับน้ำ");
    await u.tap("หน้าอก");
    expect(u.lastText()).toContain("ระดับน้ำ: หน้าอก");
    await u.tap("แก้เบอร์โทร");
    await u.say("045-612-345");
    expect(u.lastText()).toContain("โทร: xx-xxx-2345");
    await u.tap("ยืนยันส่งคำขอ");
    expect(u.lastText()).toContain("ความเร่งด่วน: วิกฤต");
    expect(await requestsOf(u)).toMatchObject([
      { peopleCount: 7, vulnerable: ["children"], waterLevel: "chest", phone: "045612345", priority: "CRITICAL" },
    ]);
  });

  it("opens on a cry for help (ช่วยด้วย), not on the usage help", async () => {
    const u = newUser("cry");
    await u.say("ช่วยด้วยค่ะ");
    expect(await conversation(u)).toMatchObject({ flowId: "flood-help", stepId: "whose" });
    expect(u.lastText()).not.toContain("วิธีใช้งาน");
  });

  it("cancel drops the request and its answers", async () => {
    const u = newUser("cancel");
    await toPeople(u);
    await u.say("2");
    await u.tap("ผู้พิการ");
    await u.say("ยกเลิก");
    expect(u.lastText()).toContain("ยกเลิกการขอความช่วยเหลือน้ำท่วมแล้ว");
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
    expect(await requestsOf(u)).toEqual([]);
  });

  it("re-prompts a wrong phone, a wrong number of people and other kinds of input", async () => {
    const u = newUser("wrong");
    await u.say("น้ำท่วม");
    await u.tap("บ้านของฉันเอง");
    await u.say("บ้านโนนสูง หมู่ 5");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.say("12345");
    expect(u.lastText()).toContain("เบอร์โทรศัพท์ไม่ถูกต้องค่ะ");
    expect(await conversation(u)).toMatchObject({ stepId: "phone" });
    await u.say("0812345678");
    expect(u.lastText()).toMatch(/กี่คน/);
    await u.say("abc");
    // What was wrong, then what is expected: not the same line twice.
    expect(u.lastText()).toContain("ยังไม่เข้าใจจำนวนคนค่ะ");
    expect(u.lastText()).toContain("กรุณาแตะจำนวนคน หรือพิมพ์จำนวนเป็นตัวเลขค่ะ");
    expect(u.lastText().match(/กรุณา/g)).toHaveLength(1);
    await u.say("0");
    expect(u.lastText()).toContain("ยังไม่เข้าใจจำนวนคนค่ะ");
    await u.say("120");
    expect(await conversation(u)).toMatchObject({ stepId: "people" });
    await u.location();
    expect(u.lastText()).toMatch(/ยังไม่ต้องใช้ตำแหน่ง/);
    await u.say("4");
    expect(u.lastText()).toContain(PDPA_LINE);
    // Done with nothing selected: the vulnerable question needs an answer, "ไม่มี" at least.
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toContain("“ไม่มี”");
    expect(await conversation(u)).toMatchObject({ stepId: "vulnerable" });
  });

  it("people as buttons (1–9, then 10 คนขึ้นไป and typed), Thai number words, no phone or a relative's", async () => {
    const u = newUser("taps");
    await u.say("น้ำท่วม");
    await u.tap("บ้านของฉันเอง");
    await u.say("บ้านโนนสูง หมู่ 5");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    expect(u.buttons()).toEqual(["ไม่มีเบอร์", "ใช้เบอร์ญาติ", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("ใช้เบอร์ญาติ");
    expect(u.lastText()).toContain("เบอร์ของญาติหรือเพื่อนบ้าน");
    expect(await conversation(u)).toMatchObject({ stepId: "phone" });
    await u.tap("ไม่มีเบอร์");
    expect(u.buttons()).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10 คนขึ้นไป", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("10 คนขึ้นไป");
    expect(u.lastText()).toContain("พิมพ์จำนวนได้เลย เช่น 12");
    expect(await conversation(u)).toMatchObject({ stepId: "people" });
    await u.say("๑๒ คน");
    expect(u.lastText()).toContain(PDPA_LINE);
    expect(u.lastText()).toContain("ในบ้านมีผู้สูงอายุ ผู้ป่วย เด็กเล็ก หรือผู้พิการไหม");
    await u.tap("ย้อนกลับ");
    await u.say("ห้าคน");
    await u.tap("ไม่มี");
    await u.tap("เสร็จแล้ว");
    await u.tap("หัวเข่า");
    await u.tap("อาหาร");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้าม");
    await u.tap("ข้าม");
    expect(u.lastText()).toContain("จำนวนคน: 5 คน");
    expect(u.lastText()).toContain("โทร: ไม่มีเบอร์");
    await u.tap("แก้จำนวนคน");
    await u.tap("3");
    expect(u.lastText()).toContain("จำนวนคน: 3 คน");
    await u.tap("ยืนยันส่งคำขอ");
    expect(await requestsOf(u)).toMatchObject([{ peopleCount: 3, phone: null }]);
  });

  it("keeps a half-finished request a day and offers it back (ทำต่อ / เริ่มใหม่), then lets it expire", async () => {
    const HOUR = 3_600_000;
    const start = h.clock.now;
    try {
      const u = newUser("kept");
      await toPeople(u);
      await u.tap("4");
      expect(u.lastText()).toContain(PDPA_LINE);

      // Two hours away (past the usual 30 minutes): what is typed is not taken as an answer.
      h.clock.advance(2 * HOUR);
      await u.say("บ้านโนนสูง");
      expect(u.lastText()).toBe("การขอความช่วยเหลือน้ำท่วมที่ทำค้างไว้ยังอยู่ค่ะ จะทำต่อจากเดิม หรือเริ่มใหม่คะ");
      expect(u.buttons()).toEqual(["ทำต่อ", "เริ่มใหม่", "ยกเลิก"]);
      await u.tap("ทำต่อ");
      expect(u.lastText()).toContain("เลือกคนที่มีในบ้าน");
      expect((await conversation(u)).data).toMatchObject({ people: 4, phone: "0891234567" });
      await u.tap("ไม่มี");
      await u.tap("เสร็จแล้ว");
      expect(u.lastText()).toMatch(/น้ำสูงแค่ไหน/);

      // Three hours later the flood tile is tapped again: offered back, not dropped.
      h.clock.advance(3 * HOUR);
      await u.postback(encodePostback({ kind: "menu", entry: "flood-help" }));
      expect(u.lastText()).toContain("ที่ทำค้างไว้ยังอยู่ค่ะ");
      await u.tap("เริ่มใหม่");
      expect(u.lastText()).toMatch(/บ้านของใคร/);
      const fresh = await conversation(u);
      expect(fresh).toMatchObject({ flowId: "flood-help", stepId: "whose" });
      expect(fresh.data).not.toHaveProperty("people");

      // A day without an answer: gone, answers dropped.
      await u.tap("บ้านของฉันเอง");
      h.clock.advance(25 * HOUR);
      await u.say("บ้านโนนสูง");
      expect(u.lastText()).toContain("ไม่ได้ตอบเกิน 24 ชั่วโมง");
      expect(await conversation(u)).toMatchObject({ flowId: null });
    } finally {
      h.clock.now = start;
    }
  });

  it("toggles the multi-select by tap and typed label; ไม่มี excludes the others", async () => {
    const u = newUser("multi");
    await toPeople(u);
    await u.say("4");
    await u.tap("ผู้สูงอายุ");
    expect(u.buttons().slice(0, 6)).toEqual(["✓ ผู้สูงอายุ", "ผู้ป่วยติดเตียง", "เด็กเล็ก", "หญิงตั้งครรภ์", "ผู้พิการ", "ไม่มี"]);
    await u.say("หญิงตั้งครรภ์");
    expect(u.lastText()).toContain("เลือกแล้ว: ผู้สูงอายุ, หญิงตั้งครรภ์");
    await u.tap("ไม่มี");
    expect(u.buttons().slice(0, 6)).toEqual(["ผู้สูงอายุ", "ผู้ป่วยติดเตียง", "เด็กเล็ก", "หญิงตั้งครรภ์", "ผู้พิการ", "✓ ไม่มี"]);
    await u.say("เด็กเล็ก");
    await u.tap("✓ เด็กเล็ก");
    expect(u.lastText()).toMatch(/ยังไม่ได้เลือก/);
    await u.say("ผู้พิการ");
    await u.say("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/น้ำสูงแค่ไหน/);
    expect((await conversation(u)).data).toMatchObject({ vulnerable: ["disabled"] });
  });

  it("takes three photos sent at once (an image set) as one answer", async () => {
    const u = newUser("photos");
    await toPeople(u);
    await u.say("4");
    await u.tap("ไม่มี");
    await u.tap("เสร็จแล้ว");
    await u.tap("หัวเข่า");
    await u.tap("อาหาร");
    await u.tap("เสร็จแล้ว");
    expect(u.buttons()).toEqual(["ข้าม", "ย้อนกลับ", "ยกเลิก"]);
    const set = newEventId();
    const batches = u.received.length;
    await u.image({ id: "p1", imageSet: { id: set, index: 1, total: 3 } });
    await u.image({ id: "p2", imageSet: { id: set, index: 2, total: 3 } });
    expect(u.received.length).toBe(batches); // nothing said while the set arrives
    expect(await conversation(u)).toMatchObject({ stepId: "photo" });
    await u.image({ id: "p3", imageSet: { id: set, index: 3, total: 3 } });
    expect(u.received.length).toBe(batches + 1);
    expect(u.lastText()).toBe("ได้รับรูปแล้ว 3 รูป ส่งเพิ่มได้อีก 2 รูป หรือแตะ “เสร็จแล้ว” ค่ะ");
    expect(u.buttons()).toEqual(["เสร็จแล้ว", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/บอกเพิ่ม/);
    await u.tap("ข้าม");
    expect(u.lastText()).toContain("รูป: 3 รูป");
    await u.tap("ยืนยันส่งคำขอ");
    expect(await requestsOf(u)).toMatchObject([
      { photos: [{ lineMessageId: "p1" }, { lineMessageId: "p2" }, { lineMessageId: "p3" }], priority: "MEDIUM" },
    ]);
  });

  it("keeps the first five photos of a larger image set and says so", async () => {
    const u = newUser("many-photos");
    await toPeople(u);
    await u.say("2");
    await u.tap("ไม่มี");
    await u.tap("เสร็จแล้ว");
    await u.tap("หัวเข่า");
    await u.tap("อาหาร");
    await u.tap("เสร็จแล้ว");
    const set = newEventId();
    for (let i = 1; i <= 7; i++) await u.image({ id: `${set}-m${i}`, imageSet: { id: set, index: i, total: 7 } });
    expect(u.lastText()).toContain("ขอเก็บไว้ 5 รูปแรก");
    expect(u.lastText()).toMatch(/บอกเพิ่ม/);
    await u.tap("ข้าม");
    expect(u.lastText()).toContain("รูป: 5 รูป");
    await u.tap("ยืนยันส่งคำขอ");
    const [row] = await requestsOf(u);
    expect(row!.photos.map((p) => p.lineMessageId)).toEqual([1, 2, 3, 4, 5].map((i) => `${set}-m${i}`));
  });

  it("gives concurrent requests distinct running numbers", async () => {
    const users = [newUser("c1"), newUser("c2"), newUser("c3")];
    for (const u of users) {
      await toPeople(u);
      await toSummary(u, ["ไม่มี"], "ข้อเท้า", ["อื่น ๆ"]);
    }
    const events = users.map((u) => {
      const action = u.actions().find((a) => a.label === "ยืนยันส่งคำขอ")!;
      const event = h.event(u.id, { type: "postback", postback: { data: action.data } });
      h.rememberToken(String(event.replyToken), u.id);
      return event;
    });
    await h.deliver(events);
    const rows = await h.db.prisma.helpRequest.findMany({ where: { lineUserId: { in: users.map((u) => u.id) } } });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.caseNumber)).size).toBe(3);
    for (const r of rows) expect(r.priority).toBe("LOW");
  });
});

describe.each(STORE_DATABASES)("case numbers on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("gives parallel transactions distinct running numbers", async () => {
    const at = new Date("2027-03-10T03:00:00Z");
    const numbers = await Promise.all(Array.from({ length: 8 }, () => db.transaction((tx) => allocateCaseNumber(tx, 33, "FLOOD", at))));
    expect([...numbers].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `SSK-F-7003-${String(i + 1).padStart(4, "0")}`));
  });
});
