// The member's side of the safety check-in as transcripts (issue 14 §2, §3):
// ปลอดภัย then ต้องการความช่วยเหลือ (one answer, replaced) landing in the
// flood request with council and phone known, filed and linked; forged
// postbacks (another situation, an ended one, a non-member) answered and
// changing nothing; ตอบแทนคนอื่น; the "safety" entry; the household's
// vulnerable people with consent, erased on consent withdrawal.
// Situations and check-ins are seeded in the database (the declare flow and
// the send job are another part's).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkInArg, type CheckInAnswer } from "../../src/disaster/checkin-answers.ts";
import { encodePostback } from "../../src/engine/postback.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const KANTHARALAK = 3304;

describe.each(FLOW_DATABASES)("safety answers on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: { id: number; tambon: string };
  let councilB: { id: number; tambon: string };
  const checkIn = (situationId: number, answer: CheckInAnswer) =>
    encodePostback({ kind: "menu", entry: "checkin", arg: checkInArg(situationId, answer) });
  const answers = () => h.db.prisma.safetyAnswer.findMany({ orderBy: { lineUserId: "asc" } });

  async function member(councilId: number, label: string, phone = "0812345678") {
    const u = h.user(`U-ans-${label}-${++n}`);
    await h.db.prisma.lineUser.create({ data: { id: u.id, following: true } });
    const row = await h.db.prisma.member.create({ data: { lineUserId: u.id, fullName: `สมาชิก ${label}`, phone, councilId } });
    return { u, row };
  }

  async function situation(councilIds: number[], status: "ACTIVE" | "ENDED" = "ACTIVE") {
    const now = h.clock.now;
    return h.db.prisma.situation.create({
      data: {
        level: "INCIDENT",
        message: "น้ำล้นตลิ่ง",
        status,
        declaredBy: "U-coordinator",
        declaredAt: now,
        updatedAt: now,
        ...(status === "ENDED" ? { endedBy: "U-coordinator", endedAt: now } : {}),
        areas: { create: councilIds.map((areaId) => ({ level: "COUNCIL" as const, areaId })) },
      },
    });
  }

  /** From the flood request's location question to its case number. */
  async function fileFromLocation(u: ChatUser) {
    expect(u.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
    await u.say("บ้านโนนสูง หมู่ 5");
    expect(u.lastText()).toMatch(/กี่คน/);
    await u.say("4");
    await u.tap("ไม่มี");
    await u.tap("เสร็จแล้ว");
    await u.tap("หัวเข่า");
    await u.tap("อาหาร");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้าม");
    await u.tap("ข้าม");
    expect(u.lastText()).toMatch(/ตรวจสอบคำขอก่อนส่ง/);
    return u.lastText();
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      where: { tambon: { districtId: KANTHARALAK } },
      select: { id: true, tambon: { select: { nameTh: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    councilA = { id: rows[0]!.id, tambon: rows[0]!.tambon.nameTh };
    councilB = { id: rows[1]!.id, tambon: rows[1]!.tambon.nameTh };
  });
  beforeEach(async () => {
    await h.db.sql.exec(
      `TRUNCATE neighbour_report, safety_answer, safety_check_in, situation_area, situation_change, situation, help_request, outbox_message, member, staff_role, consent_record, line_user, conversation CASCADE`,
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("ปลอดภัย, then ต้องการความช่วยเหลือ: one answer, replaced; the flood request knows council and phone, and is linked", async () => {
    const s = await situation([councilA.id]);
    const { u, row } = await member(councilA.id, "safe-help");
    await u.postback(checkIn(s.id, "safe"));
    expect(u.lastText()).toContain("บันทึกว่าท่านและครอบครัวปลอดภัยแล้ว");
    expect(u.buttons()).toContain("ต้องการความช่วยเหลือ");
    expect(await answers()).toMatchObject([
      { situationId: s.id, lineUserId: u.id, status: "SAFE", answeredBy: u.id, councilId: councilA.id },
    ]);

    h.clock.advance(30 * 60_000);
    await u.tap("ต้องการความช่วยเหลือ");
    expect(u.lastText()).toContain("บันทึกว่าท่านต้องการความช่วยเหลือแล้ว");
    const [answer] = await answers();
    expect(answer).toMatchObject({ status: "NEEDS_HELP", helpRequestId: null });
    expect(answer!.answeredAt.getTime()).toBe(h.clock.now.getTime());
    expect(await h.db.prisma.safetyAnswer.count()).toBe(1);
    // Straight to where the house is: no "whose house", no district, no phone question.
    const summary = await fileFromLocation(u);
    expect(summary).toContain("บ้าน: ของท่านเอง");
    expect(summary).toContain(`ตำบล: `);
    expect(summary).toContain("โทร: xxx-xxx-5678");
    await u.tap("ยืนยันส่งคำขอ");
    expect(u.lastText()).toMatch(/เลขที่คำขอ: SSK-F-/);

    const request = await h.db.prisma.helpRequest.findFirstOrThrow({ where: { lineUserId: u.id } });
    expect(request).toMatchObject({ councilId: councilA.id, memberId: row.id, phone: "0812345678", forSomeoneElse: false });
    expect(await answers()).toMatchObject([{ status: "NEEDS_HELP", helpRequestId: request.id }]);

    // Tapped again: the request stands, no second one.
    await u.postback(checkIn(s.id, "help"));
    expect(u.lastText()).toContain(`ท่านแจ้งคำขอความช่วยเหลือไว้แล้วค่ะ เลขที่ ${request.caseNumber}`);
    expect(await h.db.prisma.helpRequest.count()).toBe(1);

    // The "safety" entry shows it, with the buttons to change it.
    await u.say("สถานะความปลอดภัย");
    expect(u.lastText()).toContain("คำตอบของท่านตอนนี้: ต้องการความช่วยเหลือ");
    expect(u.lastText()).toContain(`คำขอที่แจ้งไว้: ${request.caseNumber}`);
    expect(u.buttons().slice(0, 3)).toEqual(["ปลอดภัย", "ต้องการความช่วยเหลือ", "ตอบแทนคนอื่น"]);
    await u.tap("ปลอดภัย");
    expect(await answers()).toMatchObject([{ status: "SAFE", helpRequestId: null }]);
  });

  it("forged or stale taps: another council's situation, an ended one, a non-member; nothing recorded", async () => {
    const elsewhere = await situation([councilB.id]);
    const ended = await situation([councilA.id], "ENDED");
    const { u } = await member(councilA.id, "forged");
    await u.postback(checkIn(elsewhere.id, "safe"));
    expect(u.lastText()).toContain("เหตุการณ์นี้สิ้นสุดแล้ว หรือไม่ครอบคลุมตำบลของท่าน");
    await u.postback(checkIn(ended.id, "help"));
    expect(u.lastText()).toContain("เหตุการณ์นี้สิ้นสุดแล้ว");
    expect((await h.db.prisma.conversation.findUnique({ where: { lineUserId: u.id } }))?.flowId ?? null).toBeNull();
    await u.postback(checkIn(999_999, "other"));
    expect(u.lastText()).toContain("เหตุการณ์นี้สิ้นสุดแล้ว");

    const active = await situation([councilA.id]);
    const guest = h.user(`U-ans-guest-${++n}`);
    await guest.postback(checkIn(active.id, "safe"));
    expect(guest.lastText()).toContain("สำหรับสมาชิกสภาฯ");
    await guest.postback(encodePostback({ kind: "menu", entry: "checkin", arg: "1:drop table" }));
    expect(await answers()).toEqual([]);
    expect(await h.db.prisma.neighbourReport.count()).toBe(0);

    // No situation for the member's council: the safety entry says so.
    const { u: quiet } = await member(councilB.id, "quiet");
    await h.db.prisma.situation.update({ where: { id: elsewhere.id }, data: { status: "ENDED" } });
    await quiet.say("สถานะความปลอดภัย");
    expect(quiet.lastText()).toContain("ตอนนี้ไม่มีเหตุการณ์น้ำท่วมที่ประกาศในตำบลของท่าน");
  });

  it("ตอบแทนคนอื่น: a neighbour safe, and one needing help filed for and linked", async () => {
    const s = await situation([councilA.id, councilB.id]);
    const { u } = await member(councilA.id, "neighbour");
    await u.postback(checkIn(s.id, "other"));
    expect(u.lastText()).toMatch(/ชื่ออะไร/);
    await u.tap("ไม่ระบุชื่อ");
    await u.tap("ปลอดภัย");
    expect(u.lastText()).toMatch(/ตำบลเดียวกับท่านไหม/);
    await u.tap(`ใช่ ${councilA.tambon}`);
    expect(u.lastText()).toContain("บันทึกแล้วว่าเขาปลอดภัย");

    await u.postback(checkIn(s.id, "other"));
    await u.say("ยายสมร ใจงาม");
    await u.tap("ต้องการความช่วยเหลือ");
    await u.tap("ตำบลอื่น");
    await u.say("กันทรลักษ์");
    await u.tap(councilB.tambon);
    const summary = await fileFromLocation(u);
    expect(summary).toContain("บ้าน: ของยายสมร ใจงาม");
    await u.tap("ยืนยันส่งคำขอ");
    const request = await h.db.prisma.helpRequest.findFirstOrThrow({ where: { lineUserId: u.id } });
    expect(request).toMatchObject({ councilId: councilB.id, forSomeoneElse: true, householdName: "ยายสมร ใจงาม" });

    const reports = await h.db.prisma.neighbourReport.findMany({ orderBy: { id: "asc" } });
    expect(reports).toMatchObject([
      { situationId: s.id, reportedBy: u.id, councilId: councilA.id, name: null, status: "SAFE", helpRequestId: null },
      {
        situationId: s.id,
        reportedBy: u.id,
        councilId: councilB.id,
        name: "ยายสมร ใจงาม",
        status: "NEEDS_HELP",
        helpRequestId: request.id,
      },
    ]);
    // The reporter's own answer is untouched.
    expect(await answers()).toEqual([]);
  });

  it("the household's vulnerable people, with consent; erased with the rest on consent withdrawal", async () => {
    const s = await situation([councilA.id]);
    const { u, row } = await member(councilA.id, "household");
    await u.say("ผู้ต้องดูแล");
    expect(u.lastText()).toContain("เจ้าหน้าที่สภาฯ จะติดต่อบ้านเหล่านี้ก่อน");
    expect(u.buttons().slice(0, 2)).toEqual(["ยินยอม", "ไม่ยินยอม"]);
    await u.tap("ยินยอม");
    await u.tap("ผู้ป่วยติดเตียง");
    await u.tap("ผู้สูงอายุ");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toContain("บันทึกแล้วค่ะ: ผู้ป่วยติดเตียง, ผู้สูงอายุ");
    const saved = await h.db.prisma.member.findUniqueOrThrow({ where: { id: row.id } });
    expect(saved.householdVulnerable).toEqual(["bedridden", "elderly"]);
    expect(saved.householdVulnerableAt?.getTime()).toBe(h.clock.now.getTime());
    expect(
      await h.db.prisma.consentRecord.findMany({ where: { lineUserId: u.id }, select: { granted: true, noticeVersion: true } }),
    ).toEqual([{ granted: true, noticeVersion: "household-2026-12" }]);

    // An answer and a neighbour's name, then withdrawal of consent.
    await u.postback(checkIn(s.id, "safe"));
    await u.postback(checkIn(s.id, "other"));
    await u.say("ตาสี ใจดี");
    await u.tap("ปลอดภัย");
    await u.tap(`ใช่ ${councilA.tambon}`);
    await h.db.prisma.safetyCheckIn.create({ data: { situationId: s.id, lineUserId: u.id, councilId: councilA.id, sentAt: h.clock.now } });

    await u.say("ถอนความยินยอม");
    await u.tap("ยืนยันถอน");
    const after = await h.db.prisma.member.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ householdVulnerable: [], householdVulnerableAt: null, lineUserId: null });
    expect(await h.db.prisma.neighbourReport.findMany()).toMatchObject([{ name: null, reportedBy: "erased", status: "SAFE" }]);
    const [answer] = await answers();
    expect(answer).toMatchObject({ status: "SAFE", councilId: councilA.id });
    expect(answer!.lineUserId).toMatch(/^erased:/);
    expect(answer!.answeredBy).toBe(answer!.lineUserId);
    const [checkin] = await h.db.prisma.safetyCheckIn.findMany();
    expect(checkin!.lineUserId).toBe(answer!.lineUserId);
  });

  it("the household entry: declining stores nothing; ลบข้อมูลนี้ erases; a guest is sent to sign up", async () => {
    const { u, row } = await member(councilA.id, "decline");
    await u.say("ผู้ต้องดูแล");
    await u.tap("ไม่ยินยอม");
    expect(u.lastText()).toContain("ไม่บันทึกข้อมูลนี้");
    expect((await h.db.prisma.member.findUniqueOrThrow({ where: { id: row.id } })).householdVulnerableAt).toBeNull();
    await u.say("ผู้ต้องดูแล");
    await u.tap("ยินยอม");
    await u.tap("ไม่มี");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toContain("ในบ้านไม่มีผู้ต้องดูแลเป็นพิเศษ");
    await u.say("ผู้ต้องดูแล");
    expect(u.lastText()).toContain("ที่บันทึกไว้ตอนนี้: ไม่มี");
    await u.tap("ลบข้อมูลนี้");
    expect(u.lastText()).toContain("ลบข้อมูลผู้ต้องดูแลในบ้านของท่านแล้ว");
    expect(await h.db.prisma.member.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      householdVulnerable: [],
      householdVulnerableAt: null,
    });

    const guest = h.user(`U-ans-guest-${++n}`);
    await guest.postback(encodePostback({ kind: "menu", entry: "household" }));
    expect(guest.lastText()).toContain("สมัครสมาชิกก่อน");
  });
});
