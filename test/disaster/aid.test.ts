// Recording aid handed out (issue 14 §4) as transcripts, on PGlite: a
// secretary records a food pack from a flood request's card; a second one
// for the same household is flagged with the date (cancel: nothing saved;
// บันทึกซ้ำ: saved); cash asks the amount and refuses what is not one; a
// request filed for someone else keys the household by its name; a
// colleague who saved first while another was confirming; refusals (another
// council's secretary, a villager's forged postback, a housing request);
// without an active situation the window is 30 days; and the villager sees
// what was recorded for them in คำขอของฉัน, and nobody else's.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import type { HelpRequestKind } from "../../src/generated/prisma/client.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { thaiDateTime } from "../../src/thai/format.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const DAY = 86_400_000;
const NOT_FOUND = "ขออภัยค่ะ ไม่พบคำขอหรือสมาชิกนี้ในพื้นที่ที่ท่านดูแล";
const cases = (arg: string) => encodePostback({ kind: "menu", entry: "staff-cases", arg });
const aid = (arg: string) => encodePostback({ kind: "menu", entry: "aid", arg });
const mine = (arg?: string) => encodePostback({ kind: "menu", entry: "my-requests", ...(arg === undefined ? {} : { arg }) });

describe.each(FLOW_DATABASES)("recording aid on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let numbers = 0;
  let councilA: number; // in the declared situation
  let councilB: number; // another council, also in it
  let councilC: number; // no situation
  let situationId: number;

  const newUser = (label: string) => h.user(`U-aid-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUnique({ where: { lineUserId: u.id } });
  async function secretaryOf(councilId: number, label: string) {
    const u = newUser(label);
    await grantRole(
      h.db.prisma,
      u.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: councilId },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    return u;
  }
  async function memberOf(councilId: number, label: string, fullName: string) {
    const u = newUser(label);
    await h.db.prisma.lineUser.create({ data: { id: u.id } });
    const member = await h.db.prisma.member.create({ data: { lineUserId: u.id, fullName, councilId, status: "ACTIVE" } });
    return { u, member };
  }
  /** A request row as the flood flow leaves it (the row and its CREATED event). */
  async function fileRequest(
    u: ChatUser,
    options: { councilId: number; memberId?: number | null; kind?: HelpRequestKind; forSomeoneElse?: boolean; householdName?: string },
  ) {
    const requestKind = options.kind ?? "FLOOD";
    const request = await h.db.prisma.helpRequest.create({
      data: {
        kind: requestKind,
        caseNumber: `SSK-${requestKind === "FLOOD" ? "F" : "H"}-6911-${String(++numbers).padStart(4, "0")}`,
        councilId: options.councilId,
        lineUserId: u.id,
        memberId: options.memberId ?? null,
        forSomeoneElse: options.forSomeoneElse ?? false,
        householdName: options.householdName ?? null,
        priority: requestKind === "FLOOD" ? "HIGH" : null,
        createdAt: h.clock.now,
        updatedAt: h.clock.now,
      },
    });
    await h.db.prisma.helpRequestEvent.create({
      data: { requestId: request.id, kind: "CREATED", at: h.clock.now, actorUserId: u.id, toStatus: "PENDING" },
    });
    return request;
  }
  const aidRows = (where: { householdKey?: string; helpRequestId?: number } = {}) =>
    h.db.prisma.aidDistribution.findMany({ where, orderBy: { id: "asc" } });

  /** From the request's staff card to the kind question. */
  async function openFromCard(sec: ChatUser, requestId: number) {
    await sec.postback(cases(String(requestId)));
    await sec.tap("บันทึกการช่วยเหลือ");
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const councils = await h.db.prisma.council.findMany({ orderBy: { id: "asc" }, take: 3 });
    [councilA, councilB, councilC] = councils.map((c) => c.id) as [number, number, number];
    // The declare flow is another part's: the situation is seeded as it leaves it.
    const situation = await h.db.prisma.situation.create({
      data: {
        level: "INCIDENT",
        message: "น้ำท่วม",
        declaredBy: "U-aid-coordinator",
        declaredAt: h.clock.now,
        updatedAt: h.clock.now,
        areas: { create: [councilA, councilB].map((areaId) => ({ level: "COUNCIL" as const, areaId })) },
      },
    });
    situationId = situation.id;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("records a food pack from the card; a second for the same household is flagged with the date: cancel, then record anyway", async () => {
    const sec = await secretaryOf(councilA, "sec");
    const { u: villager, member } = await memberOf(councilA, "villager", "สมศรี ใจดี");
    const first = await fileRequest(villager, { councilId: councilA, memberId: member.id });
    const recordedAt = h.clock.now;

    await openFromCard(sec, first.id);
    expect(sec.lastText()).toContain(`บันทึกการช่วยเหลือที่มอบให้คำขอ ${first.caseNumber} เลือกประเภทค่ะ`);
    expect(sec.buttons()).toEqual(expect.arrayContaining(["ถุงยังชีพ", "น้ำดื่ม", "ยา", "เงินช่วยเหลือ"]));
    await sec.tap("ถุงยังชีพ");
    expect(sec.lastText()).toContain(`ยืนยันบันทึกการช่วยเหลือไหมคะ\nผู้รับ: คำขอ ${first.caseNumber}\nรายการ: ถุงยังชีพ`);
    await sec.tap("บันทึก");
    expect(sec.lastText()).toContain(`บันทึกแล้วค่ะ: ถุงยังชีพ ให้คำขอ ${first.caseNumber}`);
    expect(await aidRows({ householdKey: `m:${member.id}` })).toEqual([
      expect.objectContaining({
        situationId,
        councilId: councilA,
        helpRequestId: first.id,
        householdKey: `m:${member.id}`,
        kind: "FOOD_PACK",
        amount: null,
        recordedBy: sec.id,
        recordedAt,
      }),
    ]);
    const history = await h.db.prisma.helpRequestEvent.findMany({ where: { requestId: first.id }, orderBy: { id: "asc" } });
    expect(history.map((e) => [e.kind, e.actorUserId, e.byStaff, e.note])).toEqual([
      ["CREATED", villager.id, false, null],
      ["NOTE", sec.id, true, "บันทึกการช่วยเหลือ: ถุงยังชีพ"],
    ]);
    // Back to the card: what was handed out so far.
    await sec.tap("ดูคำขอ");
    expect(sec.lastText()).toContain("ได้รับแล้ว ถุงยังชีพ 1");

    // A second request of the same household, a day later: flagged before anything is saved.
    h.clock.advance(DAY);
    const second = await fileRequest(villager, { councilId: councilA, memberId: member.id });
    await openFromCard(sec, second.id);
    await sec.tap("ถุงยังชีพ");
    expect(sec.lastText()).toContain("ครัวเรือนนี้ได้รับถุงยังชีพแล้วเมื่อ 28/11/2569 10:00 น. ค่ะ\nต้องการบันทึกซ้ำไหมคะ");
    expect(sec.buttons()).toEqual(["บันทึกซ้ำ", "ยกเลิก", "ย้อนกลับ"]);
    await sec.tap("ยกเลิก");
    expect(sec.lastText()).toContain("ไม่ได้บันทึกการช่วยเหลือค่ะ");
    expect(await aidRows({ householdKey: `m:${member.id}` })).toHaveLength(1);

    await openFromCard(sec, second.id);
    await sec.tap("ถุงยังชีพ");
    await sec.tap("บันทึกซ้ำ");
    expect(sec.lastText()).toContain(`บันทึกแล้วค่ะ: ถุงยังชีพ ให้คำขอ ${second.caseNumber}`);
    const rows = await aidRows({ householdKey: `m:${member.id}` });
    expect(rows.map((r) => [r.helpRequestId, r.kind])).toEqual([
      [first.id, "FOOD_PACK"],
      [second.id, "FOOD_PACK"],
    ]);
    // Another kind is not a duplicate.
    await openFromCard(sec, second.id);
    await sec.tap("น้ำดื่ม");
    expect(sec.lastText()).toContain("ยืนยันบันทึกการช่วยเหลือไหมคะ");
    await sec.tap("บันทึก");
    await sec.tap("ดูคำขอ");
    expect(sec.lastText()).toContain("ได้รับแล้ว ถุงยังชีพ 1, น้ำดื่ม 1");
  });

  it("asks the amount for cash, refuses what is not a sane number, takes Thai digits", async () => {
    const sec = await secretaryOf(councilA, "sec-cash");
    const { u: villager, member } = await memberOf(councilA, "villager-cash", "บุญมา ศรีสุข");
    const request = await fileRequest(villager, { councilId: councilA, memberId: member.id });
    await openFromCard(sec, request.id);
    await sec.tap("เงินช่วยเหลือ");
    expect(sec.lastText()).toContain("จำนวนเงินช่วยเหลือกี่บาทคะ");
    await sec.say("เยอะมาก");
    expect(sec.lastText()).toContain("กรุณาพิมพ์จำนวนเงินเป็นตัวเลข 1–100,000 บาทค่ะ");
    await sec.say("3000.50");
    expect(sec.lastText()).toContain("กรุณาพิมพ์จำนวนเงินเป็นตัวเลข");
    await sec.say("5000000");
    expect(sec.lastText()).toContain("กรุณาพิมพ์จำนวนเงินเป็นตัวเลข");
    await sec.say("๓,๐๐๐ บาท");
    expect(sec.lastText()).toContain("รายการ: เงินช่วยเหลือ ฿3,000.00");
    await sec.tap("บันทึก");
    expect(await aidRows({ helpRequestId: request.id })).toEqual([expect.objectContaining({ kind: "CASH", amount: 3000 })]);
  });

  it("refuses another council's secretary, a villager's forged postback and a housing request", async () => {
    const other = await secretaryOf(councilB, "sec-other");
    const sec = await secretaryOf(councilA, "sec-own");
    const { u: villager, member } = await memberOf(councilA, "villager-refused", "มานี มีนา");
    const request = await fileRequest(villager, { councilId: councilA, memberId: member.id });
    const housing = await fileRequest(villager, { councilId: councilA, memberId: member.id, kind: "HOUSING" });
    const before = (await aidRows()).length;

    await other.postback(aid(`r:${request.id}`));
    expect(other.lastText()).toContain(NOT_FOUND);
    await other.postback(aid(`m:${member.id}`));
    expect(other.lastText()).toContain(NOT_FOUND);
    await other.postback(aid("r:999999"));
    expect(other.lastText()).toContain(NOT_FOUND);
    expect((await conversation(other))?.flowId ?? null).toBeNull();

    // The villager cannot see the entry: the menu, no flow.
    await villager.postback(aid(`r:${request.id}`));
    expect(villager.lastText()).toContain("ต้องการทำรายการใดคะ");
    expect((await conversation(villager))?.flowId ?? null).toBeNull();

    // Housing: no button on its card, and a forged one is refused.
    await sec.postback(cases(String(housing.id)));
    expect(sec.buttons()).not.toContain("บันทึกการช่วยเหลือ");
    await sec.postback(aid(`r:${housing.id}`));
    expect(sec.lastText()).toContain(`คำขอ ${housing.caseNumber} ไม่ใช่คำขอน้ำท่วม`);

    // A secretary who lost the role between the question and the confirmation: nothing saved.
    await sec.postback(aid(`r:${request.id}`));
    await sec.tap("ยา");
    await h.db.prisma.staffRole.deleteMany({ where: { lineUserId: sec.id } });
    await sec.tap("บันทึก");
    expect(sec.lastText()).toContain("ท่านไม่ได้ดูแลพื้นที่ของผู้รับรายนี้แล้ว");
    expect(await aidRows()).toHaveLength(before);
  });

  it("keys a request filed for someone else by the household's name, across filers", async () => {
    const sec = await secretaryOf(councilB, "sec-name");
    const { u: neighbour1, member: m1 } = await memberOf(councilB, "neighbour1", "ประสิทธิ์ ดีมาก");
    const neighbour2 = newUser("neighbour2"); // not a member
    const one = await fileRequest(neighbour1, { councilId: councilB, memberId: m1.id, forSomeoneElse: true, householdName: "ยายบุญ  มา" });
    const two = await fileRequest(neighbour2, { councilId: councilB, forSomeoneElse: true, householdName: "ยายบุญ มา" });

    await openFromCard(sec, one.id);
    await sec.tap("ยา");
    await sec.tap("บันทึก");
    const key = `n:${councilB}:ยายบุญ มา`;
    expect(await aidRows({ helpRequestId: one.id })).toEqual([expect.objectContaining({ householdKey: key, kind: "MEDICINE" })]);
    // Not the filer's own household.
    expect(await aidRows({ householdKey: `m:${m1.id}` })).toEqual([]);

    await openFromCard(sec, two.id);
    await sec.tap("ยา");
    expect(sec.lastText()).toContain("ครัวเรือนนี้ได้รับยาแล้วเมื่อ");
    await sec.tap("ยกเลิก");
    expect(await aidRows({ householdKey: key })).toHaveLength(1);
  });

  it("flags a colleague's distribution saved while this secretary was confirming", async () => {
    const sec1 = await secretaryOf(councilA, "sec-first");
    const sec2 = await secretaryOf(councilA, "sec-second");
    const { u: villager, member } = await memberOf(councilA, "villager-race", "วันดี มีสุข");
    const request = await fileRequest(villager, { councilId: councilA, memberId: member.id });
    // Both at the confirmation, nothing recorded yet.
    await openFromCard(sec1, request.id);
    await sec1.tap("ถุงยังชีพ");
    await sec2.postback(aid(`m:${member.id}`));
    expect(sec2.lastText()).toContain("บันทึกการช่วยเหลือที่มอบให้สมาชิก วันดี มีสุข");
    await sec2.tap("ถุงยังชีพ");
    expect(sec2.lastText()).toContain("ยืนยันบันทึกการช่วยเหลือไหมคะ");

    h.clock.advance(60_000);
    const savedAt = h.clock.now;
    await sec1.tap("บันทึก");
    h.clock.advance(60_000);
    await sec2.tap("บันทึก");
    expect(sec2.lastText()).toContain("ครัวเรือนนี้ได้รับถุงยังชีพแล้วเมื่อ");
    expect(sec2.lastText()).not.toContain("บันทึกแล้วค่ะ");
    expect(await aidRows({ householdKey: `m:${member.id}` })).toEqual([
      expect.objectContaining({ recordedBy: sec1.id, recordedAt: savedAt }),
    ]);
    await sec2.tap("ยกเลิก");
    expect(await aidRows({ householdKey: `m:${member.id}` })).toHaveLength(1);
  });

  it("without an active situation, flags within 30 days only", async () => {
    const sec = await secretaryOf(councilC, "sec-quiet");
    const { member } = await memberOf(councilC, "villager-quiet", "สุดา ใจงาม");
    await sec.postback(aid(`m:${member.id}`));
    await sec.tap("น้ำดื่ม");
    await sec.tap("บันทึก");
    expect(await aidRows({ householdKey: `m:${member.id}` })).toEqual([
      expect.objectContaining({ situationId: null, helpRequestId: null }),
    ]);

    h.clock.advance(29 * DAY);
    await sec.postback(aid(`m:${member.id}`));
    await sec.tap("น้ำดื่ม");
    expect(sec.lastText()).toContain("ครัวเรือนนี้ได้รับน้ำดื่มแล้วเมื่อ");
    await sec.tap("ยกเลิก");

    h.clock.advance(2 * DAY);
    await sec.postback(aid(`m:${member.id}`));
    await sec.tap("น้ำดื่ม");
    expect(sec.lastText()).toContain("ยืนยันบันทึกการช่วยเหลือไหมคะ");
    await sec.tap("บันทึก");
    expect(await aidRows({ householdKey: `m:${member.id}` })).toHaveLength(2);
  });

  it("shows the villager what was recorded for them in คำขอของฉัน, and only theirs", async () => {
    const sec = await secretaryOf(councilA, "sec-view");
    const { u: villager, member } = await memberOf(councilA, "villager-view", "ทองดี มีทรัพย์");
    const { u: stranger } = await memberOf(councilA, "stranger", "คนอื่น ในตำบล");
    const request = await fileRequest(villager, { councilId: councilA, memberId: member.id });
    const recorded = h.clock.now;
    await openFromCard(sec, request.id);
    await sec.tap("เงินช่วยเหลือ");
    await sec.say("2500");
    await sec.tap("บันทึก");
    // From the unanswered list: against the household, no request.
    await sec.postback(aid(`m:${member.id}`));
    await sec.tap("น้ำดื่ม");
    await sec.tap("บันทึก");

    await villager.say("คำขอของฉัน");
    const when = thaiDateTime(recorded);
    expect(villager.lastText()).toContain(`ความช่วยเหลือที่ได้รับ\n• น้ำดื่ม (${when})`);
    expect(villager.lastText()).not.toContain("เงินช่วยเหลือ ฿2,500.00 (");
    await villager.postback(mine(String(request.id)));
    expect(villager.lastText()).toContain(`ความช่วยเหลือที่ได้รับตามคำขอ ${request.caseNumber}\n• เงินช่วยเหลือ ฿2,500.00 (${when})`);
    expect(villager.lastText()).not.toContain("• น้ำดื่ม");

    await stranger.say("คำขอของฉัน");
    expect(stranger.lastText()).not.toContain("ความช่วยเหลือที่ได้รับ");
    await stranger.postback(mine(String(request.id)));
    expect(stranger.lastText()).toContain("ขออภัยค่ะ ไม่พบคำขอนี้ในรายการของท่าน");
    expect(stranger.lastText()).not.toContain("ความช่วยเหลือที่ได้รับ");
  });
});
