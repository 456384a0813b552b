// Meetings, villager side, as transcripts on PGlite: the list of
// upcoming meetings (audience, seats, map button), the detail card,
// registering (back, edit, cancel word, wrong counts, a sticker), refusals
// (non-member, deadline, forged postbacks), the waitlist and its promotion
// with one push to the promoted member, my registrations and cancelling,
// and two members taking the last seat at once. The seat count's lock is
// checked in the store on both databases.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace } from "../../src/geography/councils.ts";
import { register } from "../../src/meetings/meeting-store.ts";
import { seedMeetings } from "../../src/meetings/seed.ts";
import { bangkokInstant } from "../../src/thai/format.ts";
import { createTestDatabase, FLOW_DATABASES, STORE_DATABASES, type TestDatabase } from "../support/database.ts";
import { Harness, actionsOf, type ChatUser } from "../support/harness.ts";

const HOUR = 3_600_000;
const NOT_FOUND = /ไม่พบการประชุมนี้ หรือการประชุมนี้ไม่ได้เปิดให้สภาฯ ของท่านลงทะเบียน/;

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

/** The bubbles of the carousel in the last batch. */
function bubbles(u: ChatUser): Record<string, unknown>[] {
  const flex = u.last().find((m) => m.type === "flex") as messagingApi.FlexMessage | undefined;
  const contents = flex?.contents as unknown as { type: string; contents?: Record<string, unknown>[] };
  return contents?.type === "carousel" ? (contents.contents ?? []) : contents ? [contents] : [];
}

const bubbleText = (b: unknown) => JSON.stringify(b);

describe.each(FLOW_DATABASES)("meetings on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let area: { councilId: number; districtId: number; provinceId: number };
  const newUser = (label: string) => h.user(`U-meet-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const registrationsOf = (meetingId: number) =>
    h.db.prisma.meetingRegistration.findMany({ where: { meetingId }, orderBy: { registeredAt: "asc" } });
  const registerData = (id: number | string) => encodePostback({ kind: "menu", entry: "meeting-register", arg: String(id) });
  const detailData = (id: number | string) => encodePostback({ kind: "menu", entry: "meeting-detail", arg: String(id) });
  const cancelData = (id: number | string) => encodePostback({ kind: "menu", entry: "meeting-cancel", arg: String(id) });

  async function signUp(u: ChatUser) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say("สมศรี ใจดี");
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    return h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
  }

  let titleSeq = 0;
  async function meeting(
    fields: {
      title?: string;
      day?: string;
      from?: string;
      to?: string;
      capacity?: number | null;
      deadline?: Date | null;
      status?: "SCHEDULED" | "CANCELLED";
      latitude?: number | null;
      longitude?: number | null;
      agenda?: string | null;
      audience?: { level: "PROVINCE" | "DISTRICT" | "COUNCIL"; areaId: number }[];
    } = {},
  ) {
    const day = fields.day ?? "2026-12-05";
    return h.db.prisma.meeting.create({
      data: {
        title: fields.title ?? `ประชุมทดสอบ ${++titleSeq}`,
        agenda: fields.agenda === undefined ? "1. แจ้งเพื่อทราบ\n2. วาระติดตามงานกองทุน" : fields.agenda,
        startsAt: bangkokInstant(day, fields.from ?? "09:30"),
        endsAt: bangkokInstant(day, fields.to ?? "12:00"),
        placeName: "ศาลาประชาคมบ้านโนนสูง",
        latitude: fields.latitude === undefined ? null : fields.latitude,
        longitude: fields.longitude === undefined ? null : fields.longitude,
        capacity: fields.capacity === undefined ? null : fields.capacity,
        registrationDeadline: fields.deadline ?? null,
        status: fields.status ?? "SCHEDULED",
        audience: { create: fields.audience ?? [{ level: "COUNCIL", areaId: area.councilId }] },
      },
    });
  }

  /** From the register button to the confirm step with `people`. */
  async function toConfirm(u: ChatUser, meetingId: number, people: string) {
    await u.postback(registerData(meetingId));
    expect(u.lastText()).toMatch(/มาร่วมประชุมกี่คน/);
    await u.say(people);
    expect(u.lastText()).toMatch(/ตรวจสอบก่อนลงทะเบียน/);
  }

  async function registerVia(u: ChatUser, meetingId: number, people: string) {
    await toConfirm(u, meetingId, people);
    await u.tap("ยืนยันลงทะเบียน");
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    // Every member signs up in the first council of Kantharalak (the first district button).
    const probe = newUser("probe");
    const member = await signUp(probe);
    const council = (await getCouncilWithPlace(h.db.prisma, member.councilId!))!;
    area = { councilId: council.id, districtId: council.districtId, provinceId: council.provinceId };
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("lists the upcoming meetings of the member's council as cards, with seats, deadline and a map button", async () => {
    const u = newUser("browse");
    await signUp(u);
    expect(quickLabels(u)).toContain("ประชุม");
    const province = await meeting({
      title: "สมัชชาสภาองค์กรชุมชนจังหวัดศรีสะเกษ",
      day: "2026-12-05",
      capacity: 50,
      latitude: 15.1186,
      longitude: 104.322,
      deadline: bangkokInstant("2026-12-03", "17:00"),
      audience: [{ level: "PROVINCE", areaId: area.provinceId }],
    });
    const district = await meeting({
      title: "ประชุมเครือข่ายอำเภอกันทรลักษ์",
      day: "2026-12-01",
      from: "13:00",
      to: "16:00",
      capacity: 2,
      audience: [{ level: "DISTRICT", areaId: area.districtId }],
    });
    // Two seats taken by someone else: full.
    await h.db.transaction((tx) =>
      register(tx, { meetingId: district.id, lineUserId: "U-someone", memberId: null, people: 2, now: h.clock.now }),
    );
    // Not for this member: another district, another province, cancelled, over.
    await meeting({ title: "ประชุมอำเภออื่น", audience: [{ level: "DISTRICT", areaId: area.districtId + 1 }] });
    await meeting({ title: "ประชุมจังหวัดอื่น", audience: [{ level: "PROVINCE", areaId: 34 }] });
    await meeting({ title: "ประชุมที่ยกเลิกแล้ว", status: "CANCELLED" });
    await meeting({ title: "ประชุมที่ผ่านไปแล้ว", day: "2026-11-27" });

    await u.say("ขอดูการประชุมหน่อยค่ะ");
    const cards = bubbles(u);
    const all = cards.map(bubbleText).join("\n");
    expect(all).not.toMatch(/ประชุมอำเภออื่น|ประชุมจังหวัดอื่น|ประชุมที่ยกเลิกแล้ว|ประชุมที่ผ่านไปแล้ว/);
    const forProvince = cards.find((b) => bubbleText(b).includes("สมัชชาสภาองค์กรชุมชนจังหวัดศรีสะเกษ"))!;
    const forDistrict = cards.find((b) => bubbleText(b).includes("ประชุมเครือข่ายอำเภอกันทรลักษ์"))!;
    // Soonest first.
    expect(cards.indexOf(forDistrict)).toBeLessThan(cards.indexOf(forProvince));
    expect(bubbleText(forProvince)).toContain("วันเสาร์ที่ 5 ธ.ค. 2569 เวลา 09:30–12:00 น.");
    expect(bubbleText(forProvince)).toContain("ว่าง 50 ที่");
    expect(bubbleText(forProvince)).toContain("ปิดรับ 03/12/2569 17:00 น.");
    // The row's heading fits its narrow column ("ลงทะเบียน" was cut to "ลงทะเบี…").
    expect(bubbleText(forProvince)).toContain('"text":"รับสมัคร"');
    expect(bubbleText(forDistrict)).toContain("วันอังคารที่ 1 ธ.ค. 2569 เวลา 13:00–16:00 น.");
    expect(bubbleText(forDistrict)).toContain("เต็ม (ลงชื่อรอได้)");

    const provinceActions = actionsOf([{ type: "flex", altText: "x", contents: forProvince } as unknown as messagingApi.Message]);
    expect(provinceActions.map((a) => a.label)).toEqual(["ลงทะเบียน", "ดูแผนที่", "รายละเอียด"]);
    const mapAction = JSON.stringify(forProvince).match(/"uri":"([^"]+)"/)?.[1];
    expect(mapAction).toBe("https://www.google.com/maps/search/?api=1&query=15.1186,104.322");
    expect(provinceActions[0]!.data).toBe(registerData(province.id));
    // No coordinates, no map button.
    const districtActions = actionsOf([{ type: "flex", altText: "x", contents: forDistrict } as unknown as messagingApi.Message]);
    expect(districtActions.map((a) => a.label)).toEqual(["ลงทะเบียน", "รายละเอียด"]);
    expect(quickLabels(u)[0]).toBe("การลงทะเบียนของฉัน");

    // The detail card has the agenda.
    await u.postback(detailData(province.id));
    expect(u.lastText()).toContain("วาระการประชุม");
    expect(u.lastText()).toContain("2. วาระติดตามงานกองทุน");
    expect(u.buttons()).toContain("ดูแผนที่");
    expect(u.buttons()).toContain("ลงทะเบียน");
  });

  it("registers a party: wrong counts, a sticker, back, an edit from the summary, then confirm", async () => {
    const u = newUser("happy");
    const member = await signUp(u);
    const m = await meeting({ title: "ประชุมประจำเดือนสภาฯ", capacity: 30 });

    await u.postback(registerData(m.id));
    expect(u.lastText()).toContain("ลงทะเบียน “ประชุมประจำเดือนสภาฯ”");
    expect(u.buttons()).toEqual(["1 คน", "2 คน", "3 คน", "4 คน", "5 คน", "ยกเลิก"]);
    expect(await conversation(u)).toMatchObject({ flowId: "meeting-register", stepId: "people" });

    await u.say("หลายคน");
    expect(u.lastText()).toContain("ยังไม่เข้าใจจำนวนคนค่ะ");
    expect(u.lastText()).toContain("กรุณาเลือกจำนวนคน หรือพิมพ์ตัวเลข 1–20");
    await u.say("25");
    expect(u.lastText()).toMatch(/ไม่เกิน 20 คน/);
    await u.say("0");
    expect(u.lastText()).toMatch(/อย่างน้อย 1 คน/);
    await u.sticker();
    expect(u.lastText()).toMatch(/สติกเกอร์/);
    expect(u.lastText()).toMatch(/เลือกจำนวนคน/);
    await u.say("ย้อนกลับ");
    expect(u.lastText()).toMatch(/คำถามแรกแล้ว/);

    await u.say("๓");
    expect(u.lastText()).toContain("จำนวน: 3 คน");
    expect(u.lastText()).toContain("ว่าง 30 ที่");
    expect(u.buttons()).toEqual(["ยืนยันลงทะเบียน", "แก้จำนวนคน", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("ย้อนกลับ");
    expect(u.lastText()).toMatch(/มาร่วมประชุมกี่คน/);
    await u.tap("2 คน");
    expect(u.lastText()).toContain("จำนวน: 2 คน");
    await u.tap("แก้จำนวนคน");
    expect(u.lastText()).toMatch(/มาร่วมประชุมกี่คน/);
    await u.say("สี่คน"); // a number word, as typed by voice or by habit
    expect(u.lastText()).toContain("จำนวน: 4 คน");
    await u.tap("ยืนยันลงทะเบียน");
    expect(u.lastText()).toMatch(/ลงทะเบียนเรียบร้อยแล้ว/);
    expect(u.lastText()).toContain("จำนวน 4 คน");
    expect(u.lastText()).toContain("วันเสาร์ที่ 5 ธ.ค. 2569 เวลา 09:30–12:00 น.");

    expect(await registrationsOf(m.id)).toMatchObject([
      { lineUserId: u.id, memberId: member.id, people: 4, status: "REGISTERED", registeredAt: h.clock.now },
    ]);
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });

    // The card now shows it, with a cancel button instead of register; a second registration is refused.
    await u.say("ประชุม");
    const card = bubbles(u).find((b) => bubbleText(b).includes("ประชุมประจำเดือนสภาฯ"))!;
    expect(bubbleText(card)).toContain("ลงทะเบียนแล้ว 4 คน");
    expect(bubbleText(card)).toContain("ว่าง 26 ที่");
    expect(bubbleText(card)).toContain("ยกเลิกการลงทะเบียน");
    await u.postback(registerData(m.id));
    expect(u.lastText()).toMatch(/ลงทะเบียนการประชุมนี้ไว้แล้วค่ะ \(4 คน\)/);
    expect(await registrationsOf(m.id)).toHaveLength(1);
  });

  it("cancel word (ยกเลิก) stops the registration and stores nothing", async () => {
    const u = newUser("cancelword");
    await signUp(u);
    const m = await meeting({ capacity: 10 });
    await toConfirm(u, m.id, "2");
    await u.say("ยกเลิก");
    expect(u.lastText()).toMatch(/ยกเลิกการลงทะเบียนเข้าประชุมแล้วค่ะ/);
    expect(await registrationsOf(m.id)).toEqual([]);
    expect(await conversation(u)).toMatchObject({ flowId: null });
  });

  it("a non-member is told politely and offered sign-up; nothing is stored", async () => {
    const u = newUser("guest");
    const m = await meeting({ audience: [{ level: "PROVINCE", areaId: 33 }] });
    await u.follow();
    await u.say("ยกเลิก");
    await u.say("ประชุม");
    expect(u.lastText()).toMatch(/สำหรับสมาชิกสภาองค์กรชุมชน/);
    expect(u.buttons()[0]).toBe("สมัครสมาชิก");
    expect(u.buttons()).not.toContain("ประชุม");
    // A button from elsewhere (or forged) does not register either.
    await u.postback(registerData(m.id));
    expect(u.lastText()).toMatch(/สำหรับสมาชิกสภาองค์กรชุมชน/);
    expect(await registrationsOf(m.id)).toEqual([]);
    // The rich menu's ประชุม tile (the members' entry) answers the same.
    await u.postback("m=meetings");
    expect(u.lastText()).toMatch(/สำหรับสมาชิกสภาองค์กรชุมชน/);
    await u.tap("สมัครสมาชิก");
    expect(await conversation(u)).toMatchObject({ flowId: "signup" });
  });

  it("refuses after the registration deadline, also when it passes during the flow", async () => {
    const u = newUser("deadline");
    await signUp(u);
    const closed = await meeting({ title: "ประชุมปิดรับแล้ว", deadline: new Date(h.clock.now.getTime() - HOUR) });
    await u.say("ประชุม");
    const card = bubbles(u).find((b) => bubbleText(b).includes("ประชุมปิดรับแล้ว"))!;
    expect(bubbleText(card)).toContain("ปิดรับลงทะเบียนแล้ว");
    expect(bubbleText(card)).not.toContain('"label":"ลงทะเบียน"');
    await u.postback(registerData(closed.id));
    expect(u.lastText()).toMatch(/ปิดรับลงทะเบียนแล้ว \(ปิดรับ 28\/11\/2569 09:00 น\.\)/);
    expect(await conversation(u)).toMatchObject({ flowId: null });

    const soon = await meeting({ deadline: new Date(h.clock.now.getTime() + 5 * 60_000) });
    await toConfirm(u, soon.id, "1");
    h.clock.advance(10 * 60_000);
    await u.tap("ยืนยันลงทะเบียน");
    expect(u.lastText()).toMatch(/ปิดรับลงทะเบียนแล้ว/);
    expect(await registrationsOf(soon.id)).toEqual([]);
    expect(await registrationsOf(closed.id)).toEqual([]);
  });

  it("refuses forged postbacks: another council's meeting, a non-number, an unknown id, a cancelled meeting", async () => {
    const u = newUser("forged");
    await signUp(u);
    const elsewhere = await meeting({ title: "ประชุมของอำเภออื่น", audience: [{ level: "DISTRICT", areaId: area.districtId + 1 }] });
    const cancelled = await meeting({ status: "CANCELLED" });
    for (const arg of [String(elsewhere.id), "abc", "-1", "1e3", "99999999", "99999999999"]) {
      await u.postback(registerData(arg));
      expect(u.lastText(), arg).toMatch(NOT_FOUND);
      await u.postback(detailData(arg));
      expect(u.lastText(), arg).toMatch(NOT_FOUND);
    }
    await u.postback(encodePostback({ kind: "menu", entry: "meeting-register" }));
    expect(u.lastText()).toMatch(NOT_FOUND);
    await u.postback(registerData(cancelled.id));
    expect(u.lastText()).toMatch(/ถูกยกเลิกแล้ว/);
    // Cancelling something never registered.
    await u.postback(cancelData(elsewhere.id));
    expect(u.lastText()).toMatch(/ไม่ได้ลงทะเบียนการประชุมนี้/);
    await u.postback(cancelData("abc"));
    expect(u.lastText()).toMatch(/ไม่ได้ลงทะเบียนการประชุมนี้/);
    expect(await h.db.prisma.meetingRegistration.count({ where: { lineUserId: u.id } })).toBe(0);
    expect(await conversation(u)).toMatchObject({ flowId: null });
  });

  it("waitlists a party that does not fit; a cancel promotes those waiting, in order, with one push each", async () => {
    const [a, b, c, d] = [newUser("wa"), newUser("wb"), newUser("wc"), newUser("wd")];
    for (const u of [a, b, c, d]) await signUp(u);
    const m = await meeting({ title: "ประชุมกรรมการสภาฯ ห้องเล็ก", capacity: 3 });

    await registerVia(a, m.id, "2");
    expect(a.lastText()).toMatch(/ลงทะเบียนเรียบร้อยแล้ว/);
    h.clock.advance(1_000);
    await toConfirm(b, m.id, "2");
    expect(b.lastText()).toContain("ว่าง 1 ที่");
    expect(b.lastText()).toMatch(/ท่านจะอยู่ในรายชื่อรอ/);
    await b.tap("ยืนยันลงทะเบียน");
    expect(b.lastText()).toMatch(/ที่นั่งเต็มแล้ว/);
    expect(b.lastText()).toContain("ลำดับที่ 1");
    h.clock.advance(1_000);
    // One seat is left: a party of one still fits.
    await registerVia(c, m.id, "1");
    expect(c.lastText()).toMatch(/ลงทะเบียนเรียบร้อยแล้ว/);
    h.clock.advance(1_000);
    await registerVia(d, m.id, "1");
    expect(d.lastText()).toContain("ลำดับที่ 2");

    await d.say("การลงทะเบียนของฉัน");
    expect(d.lastText()).toContain("รอที่นั่ง ลำดับที่ 2");
    expect(await registrationsOf(m.id)).toMatchObject([
      { lineUserId: a.id, status: "REGISTERED", people: 2 },
      { lineUserId: b.id, status: "WAITLISTED", people: 2 },
      { lineUserId: c.id, status: "REGISTERED", people: 1 },
      { lineUserId: d.id, status: "WAITLISTED", people: 1 },
    ]);

    // A opens their registrations and cancels; first "ไม่ยกเลิก" keeps it, a wrong answer re-asks.
    await a.say("การลงทะเบียนของฉัน");
    expect(a.lastText()).toContain("ประชุมกรรมการสภาฯ ห้องเล็ก");
    expect(a.lastText()).toContain("ลงทะเบียนแล้ว 2 คน");
    await a.tap("ยกเลิกการลงทะเบียน");
    expect(a.lastText()).toMatch(/ต้องการยกเลิกใช่หรือไม่/);
    // One pair, no third cancel word beside it.
    expect(a.buttons()).toEqual(["ยืนยันยกเลิก", "ไม่ยกเลิก"]);
    await a.say("อืม");
    expect(a.lastText()).toMatch(/แตะเลือกจากปุ่ม/);
    await a.say("ย้อนกลับ");
    expect(a.lastText()).toMatch(/คำถามแรกแล้ว/);
    await a.tap("ไม่ยกเลิก");
    expect(a.lastText()).toMatch(/ยังอยู่เหมือนเดิม/);
    await a.postback(cancelData(m.id));
    await a.say("ยกเลิก"); // the global word leaves the question; the registration stays
    expect(a.lastText()).toContain("การลงทะเบียนของท่านยังอยู่เหมือนเดิมค่ะ");
    expect(a.lastText()).not.toMatch(/ยกเลิกคำขอยกเลิก/);
    expect((await registrationsOf(m.id))[0]).toMatchObject({ lineUserId: a.id, status: "REGISTERED" });
    expect(await h.db.prisma.outboxMessage.count({ where: { purpose: "meeting.promoted" } })).toBe(0);

    h.clock.advance(1_000);
    await a.postback(cancelData(m.id));
    await a.tap("ยืนยันยกเลิก");
    expect(a.lastText()).toMatch(/ยกเลิกการลงทะเบียน “ประชุมกรรมการสภาฯ ห้องเล็ก” แล้ว/);

    // Two seats freed: B (2, first in line) gets them; D (1) still waits, now first.
    const rows = await registrationsOf(m.id);
    expect(rows.map((r) => [r.lineUserId, r.status])).toEqual([
      [a.id, "CANCELLED"],
      [b.id, "REGISTERED"],
      [c.id, "REGISTERED"],
      [d.id, "WAITLISTED"],
    ]);
    expect(rows.find((r) => r.lineUserId === b.id)!.promotedAt).toEqual(h.clock.now);
    expect(rows.find((r) => r.lineUserId === a.id)!.cancelledAt).toEqual(h.clock.now);
    const pushes = await h.db.prisma.outboxMessage.findMany({ where: { purpose: "meeting.promoted" } });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.recipients).toEqual([b.id]);
    expect(JSON.stringify(pushes[0]!.messages)).toContain("ท่านได้ที่นั่งใน “ประชุมกรรมการสภาฯ ห้องเล็ก” จำนวน 2 คน");

    await d.say("การลงทะเบียนของฉัน");
    expect(d.lastText()).toContain("รอที่นั่ง ลำดับที่ 1");

    // C cancels one seat: D (1) is promoted, one more push.
    h.clock.advance(1_000);
    await c.postback(cancelData(m.id));
    await c.tap("ยืนยันยกเลิก");
    const after = await h.db.prisma.outboxMessage.findMany({ where: { purpose: "meeting.promoted" }, orderBy: { id: "asc" } });
    expect(after.map((p) => p.recipients)).toEqual([[b.id], [d.id]]);
    expect(
      (await registrationsOf(m.id))
        .filter((r) => r.status === "REGISTERED")
        .map((r) => r.lineUserId)
        .sort(),
    ).toEqual([b.id, d.id].sort());

    // A registers again: the row is reused, at the end of the queue.
    h.clock.advance(1_000);
    await registerVia(a, m.id, "1");
    expect(a.lastText()).toContain("ลำดับที่ 1");
    const again = await h.db.prisma.meetingRegistration.findMany({ where: { meetingId: m.id, lineUserId: a.id } });
    expect(again).toMatchObject([{ status: "WAITLISTED", people: 1, cancelledAt: null, registeredAt: h.clock.now }]);
  });

  it("never overbooks when two members take the last seat at once", async () => {
    const [x, y] = [newUser("race-x"), newUser("race-y")];
    for (const u of [x, y]) await signUp(u);
    const m = await meeting({ capacity: 1 });
    await toConfirm(x, m.id, "1");
    await toConfirm(y, m.id, "1");
    await Promise.all([x.tap("ยืนยันลงทะเบียน"), y.tap("ยืนยันลงทะเบียน")]);
    const rows = await registrationsOf(m.id);
    expect(rows.map((r) => r.status).sort()).toEqual(["REGISTERED", "WAITLISTED"]);
    const answers = [x.lastText(), y.lastText()].join("\n");
    expect(answers).toMatch(/ลงทะเบียนเรียบร้อยแล้ว/);
    expect(answers).toMatch(/ที่นั่งเต็มแล้ว/);
  });

  it("seeds believable meetings once: seeding twice changes nothing", async () => {
    const before = await h.db.prisma.meeting.count();
    const first = await h.db.transaction((tx) => seedMeetings(tx, { provinceCode: 33, now: h.clock.now }));
    expect(first.created).toHaveLength(4);
    const second = await h.db.transaction((tx) => seedMeetings(tx, { provinceCode: 33, now: h.clock.now }));
    expect(second).toEqual({ created: [], skipped: first.created });
    expect(await h.db.prisma.meeting.count()).toBe(before + 4);
    const seeded = await h.db.prisma.meeting.findMany({ where: { title: { in: first.created } }, include: { audience: true } });
    expect(seeded.map((s) => s.audience[0]!.level).sort()).toEqual(["COUNCIL", "DISTRICT", "DISTRICT", "PROVINCE"]);
    for (const s of seeded) {
      expect(s.startsAt.getTime()).toBeGreaterThan(h.clock.now.getTime());
      if (s.registrationDeadline) expect(s.registrationDeadline.getTime()).toBeLessThan(s.startsAt.getTime());
    }
    expect(Math.min(...seeded.map((s) => s.capacity ?? Infinity))).toBeLessThanOrEqual(15);
  });
});

describe.each(STORE_DATABASES)("meeting seats on %s", (kind) => {
  let db: TestDatabase;
  const now = new Date("2026-11-28T03:00:00.000Z");
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const meeting = (capacity: number) =>
    db.prisma.meeting.create({
      data: {
        title: `ประชุมทดสอบที่นั่ง ${capacity}`,
        startsAt: bangkokInstant("2026-12-05", "09:30"),
        endsAt: bangkokInstant("2026-12-05", "12:00"),
        placeName: "ศาลาประชาคมบ้านโนนสูง",
        capacity,
        status: "SCHEDULED",
        audience: { create: [{ level: "PROVINCE", areaId: 33 }] },
      },
    });

  it("gives the last seat to one of two registrations at once; the other waits", async () => {
    const m = await meeting(1);
    const outcomes = await Promise.all(
      ["U-seat-1", "U-seat-2"].map((lineUserId) =>
        db.transaction((tx) => register(tx, { meetingId: m.id, lineUserId, memberId: null, people: 1, now })),
      ),
    );
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["registered", "waitlisted"]);
  });

  it.runIf(kind === "postgres")("holds the meeting row while counting seats (a slow transaction makes the other wait)", async () => {
    const m = await meeting(2);
    let releaseFirst!: () => void;
    const firstDone = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstRegistered!: () => void;
    const firstIn = new Promise<void>((resolve) => (firstRegistered = resolve));
    const first = db.transaction(async (tx) => {
      const outcome = await register(tx, { meetingId: m.id, lineUserId: "U-lock-1", memberId: null, people: 2, now });
      firstRegistered();
      await firstDone; // still uncommitted: without the lock the other would count 0 seats taken
      return outcome;
    });
    await firstIn;
    const second = db.transaction((tx) => register(tx, { meetingId: m.id, lineUserId: "U-lock-2", memberId: null, people: 1, now }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    releaseFirst();
    expect(await first).toEqual({ kind: "registered", people: 2 });
    expect(await second).toEqual({ kind: "waitlisted", position: 1 });
  });
});
