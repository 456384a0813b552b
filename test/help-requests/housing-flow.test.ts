// The housing request (บ้านพอเพียง) as transcripts, on PGlite: a
// non-member and a member filing (the member's name and masked phone
// offered), corrections through ย้อนกลับ and from the summary, cancel, wrong
// input, an image set as one answer, more than five photos, the case number,
// and the row with its photos (fetched afterwards) and its history.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CASE_NUMBER_PATTERN } from "../../src/help-requests/case-number.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, newEventId, type ChatUser } from "../support/harness.ts";

// 2026-11-28 in Bangkok: Buddhist-era year 2569, month 11.
const CASE = /เลขที่คำขอ: (SSK-H-6911-\d{4})/;

function quickItems(u: ChatUser): messagingApi.QuickReplyItem[] {
  return u.last().at(-1)?.quickReply?.items ?? [];
}
const quickLabels = (u: ChatUser) => quickItems(u).map((i) => (i.action as { label?: string }).label ?? "");

describe.each(FLOW_DATABASES)("housing request on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const newUser = (label: string) => h.user(`U-house-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const requestsOf = (u: ChatUser) =>
    h.db.prisma.helpRequest.findMany({
      where: { lineUserId: u.id },
      include: { photos: { orderBy: { id: "asc" } }, history: true },
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

  /** Sends `total` photos at once: an image set, one event each. */
  async function imageSet(u: ChatUser, total: number, prefix: string) {
    const set = newEventId();
    const ids: string[] = [];
    for (let i = 1; i <= total; i++) {
      const id = `${prefix}-${i}-${set}`;
      ids.push(id);
      await u.image({ id, imageSet: { id: set, index: i, total } });
    }
    return ids;
  }

  /** A non-member from the keyword to the photo question: head, 4 people, under 3,000, roof + floor, own land. */
  async function toPhotos(u: ChatUser) {
    await u.say("บ้านพอเพียง");
    expect(u.lastText()).toMatch(/หัวหน้าครัวเรือนชื่ออะไร/);
    await u.say("นางบุญมี ยากจน");
    expect(u.lastText()).toMatch(/อยู่กันกี่คน/);
    await u.say("4");
    expect(u.lastText()).toMatch(/รายได้รวม/);
    await u.tap("ต่ำกว่า 3,000 บาท");
    expect(u.lastText()).toMatch(/ส่วนไหนของบ้าน/);
    await u.tap("หลังคา");
    await u.tap("พื้น");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/ที่ดินของใคร/);
    await u.tap("ที่ดินของตัวเอง");
    expect(u.lastText()).toMatch(/ส่งรูปบ้าน/);
  }

  /** From the location question of a non-member to the summary: typed village, the first council, a typed phone. */
  async function toSummary(u: ChatUser) {
    await u.say("บ้านหนองแวง หมู่ 3");
    expect(u.lastText()).toMatch(/อำเภอใด/);
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
    await u.say("0898765432");
    expect(u.lastText()).toMatch(/ตรวจสอบคำขอซ่อมบ้านก่อนส่ง/);
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

  it("a non-member files with three photos at once and a LINE location: case number, next steps, the row, photos, history", async () => {
    const u = newUser("happy");
    await u.say("ขอซ่อมบ้านค่ะ");
    expect(u.lastText()).toContain("บ้านพอเพียง");
    expect(u.lastText()).toContain("เจ้าหน้าที่สภาฯ ของตำบลเท่านั้นที่เห็น");
    // No member: no name to offer.
    expect(u.buttons()).toEqual(["ยกเลิก"]);
    await u.say("นางบุญมี ยากจน");
    await u.say("๕ คน");
    expect(u.buttons()).toEqual(["ต่ำกว่า 3,000 บาท", "3,000–5,000 บาท", "5,001–10,000 บาท", "มากกว่า 10,000 บาท", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("3,000–5,000 บาท");
    expect(u.buttons()).toEqual(["หลังคา", "ฝาบ้าน/ผนัง", "พื้น", "เสา", "ห้องน้ำ/ส้วม", "ทั้งหลัง", "เสร็จแล้ว", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("เสา");
    await u.say("ห้องน้ำ");
    await u.tap("หลังคา");
    expect(u.lastText()).toContain("เลือกแล้ว: หลังคา, เสา, ห้องน้ำ/ส้วม");
    await u.tap("เสร็จแล้ว");
    expect(u.buttons()).toEqual(["ที่ดินของตัวเอง", "ที่ดินเช่า", "ที่ดินญาติ", "ที่สาธารณะ", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("ที่ดินญาติ");
    expect(u.buttons()).toEqual(["ข้าม", "ย้อนกลับ", "ยกเลิก"]);
    const batches = u.received.length;
    const set = newEventId();
    await u.image({ id: `h1-${set}`, imageSet: { id: set, index: 1, total: 3 } });
    await u.image({ id: `h2-${set}`, imageSet: { id: set, index: 2, total: 3 } });
    expect(u.received.length).toBe(batches); // quiet while the set arrives
    expect(await conversation(u)).toMatchObject({ stepId: "photos" });
    await u.image({ id: `h3-${set}`, imageSet: { id: set, index: 3, total: 3 } });
    expect(u.received.length).toBe(batches + 1);
    expect(u.lastText()).toBe("ได้รับรูปแล้ว 3 รูป ส่งเพิ่มได้อีก 2 รูป หรือแตะ “เสร็จแล้ว” ค่ะ");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
    expect(quickItems(u)[0]!.action).toEqual({ type: "location", label: "ส่งตำแหน่ง" });
    await u.location(15.05, 104.52);
    expect(u.buttons()).toEqual(["ใช่", "เลือกเอง", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("เลือกเอง");
    expect(u.lastText()).toMatch(/อำเภอใด/);
    await u.say("กันทรลักษ์");
    const councilLabel = quickLabels(u)[0]!;
    await u.tap(councilLabel);
    // Not a member: no stored phone to offer; someone without a phone still goes on.
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
    expect(u.buttons()).toEqual(["ไม่มีเบอร์", "ใช้เบอร์ญาติ", "ย้อนกลับ", "ยกเลิก"]);
    await u.say("089-876-5432");

    const summary = u.lastText();
    expect(summary).toMatch(/ตรวจสอบคำขอซ่อมบ้านก่อนส่ง/);
    expect(summary).toContain("หัวหน้าครัวเรือน: นางบุญมี ยากจน");
    expect(summary).toContain("จำนวนคน: 5 คน");
    expect(summary).toContain("รายได้ต่อเดือน: 3,000–5,000 บาท");
    expect(summary).toContain("ส่วนที่ชำรุด: หลังคา, เสา, ห้องน้ำ/ส้วม");
    expect(summary).toContain("ที่ดิน: ที่ดินญาติ");
    expect(summary).toContain("รูป: 3 รูป");
    expect(summary).toContain("ส่งตำแหน่งแล้ว (ศรีสะเกษ)");
    expect(summary).toContain("โทร: xxx-xxx-5432");
    expect(summary).not.toContain("0898765432");
    expect(u.buttons()).toEqual([
      "ยืนยันส่งคำขอ",
      "แก้หัวหน้าครัวเรือน",
      "แก้จำนวนคน",
      "แก้รายได้",
      "แก้ส่วนที่ชำรุด",
      "แก้ที่ดิน",
      "แก้รูป",
      "แก้ที่ตั้งบ้าน",
      "แก้ตำบล",
      "แก้เบอร์โทร",
      "ย้อนกลับ",
      "ยกเลิก",
    ]);

    await u.tap("ยืนยันส่งคำขอ");
    const reply = u.lastText();
    const caseNumber = CASE.exec(reply)?.[1];
    expect(caseNumber).toMatch(CASE_NUMBER_PATTERN);
    expect(reply).toMatch(/เลขานุการ.*จะตรวจสอบคำขอ/);
    expect(reply).toContain("เยี่ยมบ้าน");
    expect(reply).toContain("แจ้งในแชตนี้");
    expect(reply).toContain("“คำขอของฉัน”");
    expect(reply).not.toContain("ความเร่งด่วน");
    expect(u.buttons()).toContain("ขอซ่อมบ้าน");

    const [row, ...more] = await requestsOf(u);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      kind: "HOUSING",
      caseNumber,
      memberId: null,
      householdHead: "นางบุญมี ยากจน",
      peopleCount: 5,
      incomeBand: "3000-5000",
      unsafeParts: ["roof", "posts", "toilet"],
      landStatus: "relative",
      latitude: 15.05,
      longitude: 104.52,
      address: "ศรีสะเกษ",
      village: null,
      phone: "0898765432",
      priority: null,
      waterLevel: null,
      status: "PENDING",
    });
    expect(row!.photos.map((p) => [p.lineMessageId, p.status, p.stage, p.addedBy])).toEqual(
      [1, 2, 3].map((i) => [`h${i}-${set}`, "PENDING", "REQUEST", u.id]),
    );
    expect(row!.history).toMatchObject([{ kind: "CREATED", actorUserId: u.id, toStatus: "PENDING", byStaff: false }]);
    const council = await h.db.prisma.council.findUniqueOrThrow({ where: { id: row!.councilId }, include: { tambon: true } });
    expect(council.tambon.nameTh === councilLabel || council.name === councilLabel).toBe(true);
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });

    // The photos are fetched from LINE after the turn.
    await h.runJobs();
    const photos = await h.db.prisma.helpRequestPhoto.findMany({ where: { requestId: row!.id }, orderBy: { id: "asc" } });
    expect(photos.map((p) => p.status)).toEqual(["FETCHED", "FETCHED", "FETCHED"]);
    expect(Buffer.from(photos[0]!.bytes!).toString("latin1")).toContain(`fake photo h1-${set}`);
  });

  it("a member files for their own council: their name and masked phone as buttons, no district question", async () => {
    const u = newUser("member");
    const member = await signUp(u);
    await u.tap("ขอซ่อมบ้าน");
    expect(u.buttons()).toEqual(["สมศรี ใจดี", "ยกเลิก"]);
    await u.tap("สมศรี ใจดี");
    await u.say("2");
    await u.tap("ต่ำกว่า 3,000 บาท");
    await u.tap("หลังคา");
    await u.tap("ทั้งหลัง");
    // The whole house stands alone.
    expect(u.buttons().slice(0, 6)).toEqual(["หลังคา", "ฝาบ้าน/ผนัง", "พื้น", "เสา", "ห้องน้ำ/ส้วม", "✓ ทั้งหลัง"]);
    await u.tap("เสร็จแล้ว");
    await u.tap("ที่สาธารณะ");
    await u.tap("ข้าม");
    await u.say("บ้านโนนสูง หมู่ 5");
    expect(u.lastText()).toMatch(/แตะเบอร์ของท่าน/);
    expect(u.buttons()).toEqual(["xxx-xxx-5678", "ไม่มีเบอร์", "ใช้เบอร์ญาติ", "ย้อนกลับ", "ยกเลิก"]);
    // The button carries a marker, never the number.
    expect(u.actions().find((a) => a.label === "xxx-xxx-5678")!.data).not.toContain("0812345678");
    await u.tap("xxx-xxx-5678");
    const summary = u.lastText();
    expect(summary).toContain("หัวหน้าครัวเรือน: สมศรี ใจดี");
    expect(summary).toContain("ส่วนที่ชำรุด: ทั้งหลัง");
    expect(summary).toContain("ที่ดิน: ที่สาธารณะ");
    expect(summary).toContain("รูป: ไม่มี");
    expect(summary).toContain("หมู่บ้าน: บ้านโนนสูง หมู่ 5");
    expect(summary).toContain("โทร: xxx-xxx-5678");
    expect(u.buttons()).not.toContain("แก้ตำบล");
    // Conversation state holds no phone number.
    expect(JSON.stringify((await conversation(u)).data)).not.toContain("0812345678");
    await u.tap("ยืนยันส่งคำขอ");
    expect(CASE.exec(u.lastText())?.[1]).toMatch(CASE_NUMBER_PATTERN);
    expect(await requestsOf(u)).toMatchObject([
      {
        kind: "HOUSING",
        councilId: member.councilId,
        memberId: member.id,
        householdHead: "สมศรี ใจดี",
        peopleCount: 2,
        incomeBand: "under3000",
        unsafeParts: ["whole"],
        landStatus: "public",
        village: "บ้านโนนสูง หมู่ 5",
        latitude: null,
        phone: "0812345678",
        photos: [],
        history: [{ kind: "CREATED" }],
      },
    ]);
  });

  it("a member may give another phone than their stored one", async () => {
    const u = newUser("other-phone");
    await signUp(u);
    await u.say("ซ่อมบ้าน");
    await u.say("นายมา ดีใจ");
    await u.say("3");
    await u.tap("มากกว่า 10,000 บาท");
    await u.tap("ฝาบ้าน/ผนัง");
    await u.tap("เสร็จแล้ว");
    await u.tap("ที่ดินเช่า");
    await u.tap("ข้าม");
    await u.location();
    await u.say("045 612 345");
    expect(u.lastText()).toContain("โทร: xx-xxx-2345");
    await u.tap("ยืนยันส่งคำขอ");
    expect(await requestsOf(u)).toMatchObject([{ householdHead: "นายมา ดีใจ", incomeBand: "over10000", phone: "045612345" }]);
  });

  it("keeps the first five of more photos and says so", async () => {
    const u = newUser("seven");
    await toPhotos(u);
    const batches = u.received.length;
    const ids = await imageSet(u, 7, "many");
    expect(u.received.length).toBe(batches + 1);
    expect(u.lastText()).toContain("ได้รับรูปเกิน 5 รูป ขอเก็บไว้ 5 รูปแรกนะคะ");
    expect(u.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
    await toSummary(u);
    expect(u.lastText()).toContain("รูป: 5 รูป");
    await u.tap("ยืนยันส่งคำขอ");
    const [row] = await requestsOf(u);
    expect(row!.photos.map((p) => p.lineMessageId)).toEqual(ids.slice(0, 5));
  });

  it("corrects answers through ย้อนกลับ and from the summary", async () => {
    const u = newUser("back");
    await u.say("บ้านพอเพียง");
    await u.say("นางบุญมี ยากจน");
    await u.say("4");
    await u.tap("ต่ำกว่า 3,000 บาท");
    // Back twice: the income, then the number of people.
    await u.tap("ย้อนกลับ");
    expect(u.lastText()).toMatch(/รายได้รวม/);
    await u.tap("ย้อนกลับ");
    expect(u.lastText()).toMatch(/อยู่กันกี่คน/);
    await u.say("6");
    await u.tap("5,001–10,000 บาท");
    await u.tap("พื้น");
    await u.tap("เสร็จแล้ว");
    await u.tap("ย้อนกลับ");
    // Back at the multi-select, with the earlier selection ticked.
    expect(u.buttons().slice(0, 3)).toEqual(["หลังคา", "ฝาบ้าน/ผนัง", "✓ พื้น"]);
    await u.tap("เสา");
    await u.tap("เสร็จแล้ว");
    await u.tap("ที่ดินของตัวเอง");
    await u.tap("ข้าม");
    await toSummary(u);
    expect(u.lastText()).toContain("จำนวนคน: 6 คน");
    expect(u.lastText()).toContain("ส่วนที่ชำรุด: พื้น, เสา");

    await u.tap("แก้รายได้");
    await u.tap("ต่ำกว่า 3,000 บาท");
    expect(u.lastText()).toMatch(/ตรวจสอบคำขอซ่อมบ้านก่อนส่ง/);
    expect(u.lastText()).toContain("รายได้ต่อเดือน: ต่ำกว่า 3,000 บาท");
    await u.tap("แก้รูป");
    await u.image({ id: "late-photo" });
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toContain("รูป: 1 รูป");
    await u.tap("แก้หัวหน้าครัวเรือน");
    await u.say("นายทอง ยากจน");
    expect(u.lastText()).toContain("หัวหน้าครัวเรือน: นายทอง ยากจน");
    await u.tap("แก้ตำบล");
    await u.say("ขุขันธ์");
    await u.tap(quickLabels(u)[0]!);
    // A new council, then straight back to the summary (the phone is kept).
    expect(u.lastText()).toMatch(/ตรวจสอบคำขอซ่อมบ้านก่อนส่ง/);
    await u.tap("แก้เบอร์โทร");
    await u.say("0611111111");
    expect(u.lastText()).toContain("โทร: xxx-xxx-1111");
    await u.tap("ยืนยันส่งคำขอ");
    const [row] = await requestsOf(u);
    const council = await h.db.prisma.council.findUniqueOrThrow({
      where: { id: row!.councilId },
      include: { tambon: { include: { district: true } } },
    });
    expect(council.tambon.district.nameTh).toBe("ขุขันธ์");
    expect(row).toMatchObject({
      householdHead: "นายทอง ยากจน",
      peopleCount: 6,
      incomeBand: "under3000",
      unsafeParts: ["floor", "posts"],
      village: "บ้านหนองแวง หมู่ 3",
      phone: "0611111111",
      photos: [{ lineMessageId: "late-photo" }],
    });
  });

  it("keeps a half-finished request a day: back after five hours, ทำต่อ asks the same question", async () => {
    const start = h.clock.now;
    try {
      const u = newUser("kept");
      await toPhotos(u);
      h.clock.advance(5 * 3_600_000);
      await u.say("สวัสดีค่ะ");
      expect(u.lastText()).toContain("การขอซ่อมบ้านที่ทำค้างไว้ยังอยู่ค่ะ");
      await u.tap("ทำต่อ");
      expect(u.lastText()).toMatch(/ส่งรูปบ้าน/);
      expect((await conversation(u)).data).toMatchObject({ head: "นางบุญมี ยากจน", people: 4, land: "own" });
    } finally {
      h.clock.now = start;
    }
  });

  it("cancel drops the request and its answers", async () => {
    const u = newUser("cancel");
    await toPhotos(u);
    await u.say("ยกเลิก");
    expect(u.lastText()).toContain("ยกเลิกการขอซ่อมบ้านแล้วค่ะ");
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
    expect(await requestsOf(u)).toEqual([]);
  });

  it("re-prompts wrong answers at each kind of step", async () => {
    const u = newUser("wrong");
    await u.say("บ้านพอเพียง");
    await u.say("12345");
    expect(u.lastText()).toContain("ชื่อ-นามสกุลควรเป็นตัวอักษร 2–100 ตัวค่ะ");
    await u.say("นางบุญมี ยากจน");
    await u.say("หลายคน");
    expect(u.lastText()).toContain("ยังไม่เข้าใจจำนวนคนค่ะ");
    await u.say("3");
    await u.say("ไม่แน่ใจ");
    expect(u.lastText()).toContain("ยังไม่เข้าใจจำนวนเงินค่ะ");
    expect(u.lastText()).toContain("กรุณาแตะช่วงรายได้ หรือพิมพ์รายได้ต่อเดือนเป็นตัวเลข");
    expect(await conversation(u)).toMatchObject({ stepId: "income" });
    // A typed amount in Thai digits lands in its band.
    await u.say("๔๐๐๐");
    expect(u.lastText()).toMatch(/ส่วนไหนของบ้าน/);
    expect((await conversation(u)).data).toMatchObject({ income: "3000-5000" });
    await u.tap("ย้อนกลับ");
    await u.say("สองพันห้าร้อยบาท");
    expect((await conversation(u)).data).toMatchObject({ income: "under3000" });
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toContain("กรุณาเลือกอย่างน้อยหนึ่งข้อค่ะ (ถ้าทรุดโทรมทั้งหลัง เลือก “ทั้งหลัง”)");
    await u.tap("หลังคา");
    await u.tap("เสร็จแล้ว");
    await u.tap("ที่ดินของตัวเอง");
    await u.say("ไม่มีรูป");
    expect(u.lastText()).toContain("กรุณาส่งรูปภาพ หรือแตะ “ข้าม”");
    await u.sticker();
    expect(await conversation(u)).toMatchObject({ stepId: "photos" });
    await u.tap("ข้าม");
    await u.say("1");
    // What was wrong, then what to do: each once.
    expect(u.lastText()).toContain("ชื่อหมู่บ้านควรมี 2–100 ตัวอักษรค่ะ");
    expect(u.lastText().match(/ส่งตำแหน่ง/g)).toHaveLength(1);
    await u.say("บ้านหนองแวง หมู่ 3");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.say("12345");
    expect(u.lastText()).toContain("เบอร์โทรศัพท์ไม่ถูกต้องค่ะ");
    await u.image();
    expect(u.lastText()).toMatch(/ยังไม่ต้องใช้รูป/);
    expect(await conversation(u)).toMatchObject({ stepId: "phone" });
    expect(await requestsOf(u)).toEqual([]);
  });

  it("numbers housing cases on their own counter: SSK-H, Buddhist-era year and month, running number", async () => {
    const numbers: string[] = [];
    for (const label of ["n1", "n2"]) {
      const u = newUser(label);
      await toPhotos(u);
      await u.tap("ข้าม");
      await toSummary(u);
      await u.tap("ยืนยันส่งคำขอ");
      numbers.push(CASE.exec(u.lastText())![1]!);
    }
    const [first, second] = numbers.map((c) => Number(c.slice(-4)));
    expect(second).toBe(first! + 1);
    const floods = await h.db.prisma.helpRequest.count({ where: { kind: "FLOOD" } });
    expect(floods).toBe(0);
    const housing = await h.db.prisma.helpRequest.findMany({ where: { kind: "HOUSING" }, select: { caseNumber: true } });
    expect(new Set(housing.map((r) => r.caseNumber)).size).toBe(housing.length);
    expect(housing.every((r) => /^SSK-H-6911-\d{4}$/.test(r.caseNumber))).toBe(true);
  });
});
