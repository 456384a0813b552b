// The secretaries' unanswered list as transcripts (issue 14 §3): only their
// council's members, only after 3 hours (the harness clock moves), vulnerable
// households first, phones masked in text and whole only on the tel: button,
// ติดต่อแล้ว ปลอดภัย taking a member off the list, เปิดคำขอแทน filing the flood
// request for the member and linking it, the counts, the once-per-situation
// notice, and a villager refused. Situations and check-ins are seeded.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, textOf } from "../support/harness.ts";

const KANTHARALAK = 3304;
const HOUR = 3_600_000;

/** Every uri action in a batch (tap-to-call buttons). */
function uris(messages: messagingApi.Message[]): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if (o.type === "uri" && typeof o.uri === "string") found.push(o.uri);
    for (const v of Object.values(o)) visit(v);
  };
  visit(messages);
  return found;
}

describe.each(FLOW_DATABASES)("the unanswered list on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: number;
  let councilB: number;

  async function member(councilId: number, label: string, phone: string, fields: { householdVulnerable?: string[] } = {}) {
    const id = `U-una-${label}-${++n}`;
    await h.db.prisma.lineUser.create({ data: { id, following: true } });
    return h.db.prisma.member.create({ data: { lineUserId: id, fullName: `สมาชิก${label}`, phone, councilId, ...fields } });
  }

  async function secretary(councilId: number, label: string) {
    const u = h.user(`U-una-sec-${label}-${++n}`);
    await grantRole(
      h.db.prisma,
      u.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: councilId },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    return u;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      where: { tambon: { districtId: KANTHARALAK } },
      select: { id: true },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    councilA = rows[0]!.id;
    councilB = rows[1]!.id;
  });
  beforeEach(async () => {
    await h.db.sql.exec(
      `TRUNCATE neighbour_report, safety_answer, safety_check_in, situation_area, situation_change, situation, help_request, outbox_message, member, staff_role, line_user, conversation CASCADE`,
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("after 3 hours: the council's unanswered members, vulnerable first, tel: buttons, mark safe, file for them, the notice once", async () => {
    const start = h.clock.now;
    const s = await h.db.prisma.situation.create({
      data: {
        level: "CRISIS",
        message: "น้ำล้นตลิ่ง",
        declaredBy: "U-coordinator",
        declaredAt: start,
        updatedAt: start,
        areas: { create: [{ level: "DISTRICT", areaId: KANTHARALAK }] },
      },
    });
    const plain = await member(councilA, "ก", "0811111111");
    const vulnerable = await member(councilA, "ข", "0822222222", { householdVulnerable: ["bedridden"] });
    const answered = await member(councilA, "ค", "0833333333");
    const viaRequest = await member(councilA, "ง", "0844444444");
    const otherCouncil = await member(councilB, "จ", "0855555555");
    for (const m of [plain, vulnerable, answered, otherCouncil]) {
      await h.db.prisma.safetyCheckIn.create({
        data: { situationId: s.id, lineUserId: m.lineUserId!, councilId: m.councilId!, sentAt: start },
      });
    }
    // Sent later: the oldest come first among the non-vulnerable.
    await h.db.prisma.safetyCheckIn.create({
      data: { situationId: s.id, lineUserId: viaRequest.lineUserId!, councilId: councilA, sentAt: new Date(start.getTime() + 10 * 60_000) },
    });
    // Vulnerable by an earlier flood request's list.
    await h.db.prisma.helpRequest.create({
      data: {
        kind: "FLOOD",
        caseNumber: "SSK-F-6911-0999",
        councilId: councilA,
        lineUserId: viaRequest.lineUserId!,
        memberId: viaRequest.id,
        vulnerable: ["elderly"],
        status: "RESOLVED",
        createdAt: start,
        updatedAt: start,
      },
    });
    await h.db.prisma.safetyAnswer.create({
      data: {
        situationId: s.id,
        lineUserId: answered.lineUserId!,
        councilId: councilA,
        status: "SAFE",
        answeredBy: answered.lineUserId!,
        answeredAt: start,
      },
    });
    const sec = await secretary(councilA, "a");
    const secB = await secretary(councilB, "b");

    h.clock.advance(HOUR);
    await sec.say("สมาชิกที่ยังไม่ตอบ");
    expect(sec.lastText()).toContain("ส่งถามแล้ว 4 คน · ปลอดภัย 1 · ต้องการความช่วยเหลือ 0 · ยังไม่ตอบ 3");
    expect(sec.lastText()).toContain("ไม่มีสมาชิกที่ยังไม่ตอบเกิน 3 ชั่วโมง");
    await h.runJobs();
    expect(h.line.calls.filter((c) => c.kind === "push" && c.to === sec.id)).toEqual([]);

    h.clock.advance(2 * HOUR + 15 * 60_000);
    await sec.say("สมาชิกที่ยังไม่ตอบ");
    const listed = textOf(sec.last());
    expect(listed).toContain("สมาชิกที่ยังไม่ตอบเกิน 3 ชั่วโมง 3 คน");
    const names = [...listed.matchAll(/สมาชิก(ก|ข|ง|จ)(?= )/g)].map((m) => m[1]);
    expect(names).toEqual(["ข", "ง", "ก"]);
    expect(listed).toContain("ในบ้าน: ผู้ป่วยติดเตียง");
    expect(listed).toContain("ในบ้าน: ผู้สูงอายุ");
    expect(listed).toContain("โทร xxx-xxx-2222");
    for (const phone of ["0811111111", "0822222222", "0844444444", "0855555555"]) expect(listed).not.toContain(phone);
    expect(uris(sec.last())).toEqual(["tel:0822222222", "tel:0844444444", "tel:0811111111"]);
    const aid = sec.actions().filter((a) => a.label === "บันทึกความช่วยเหลือ");
    expect(aid[0]?.data).toBe(encodePostback({ kind: "menu", entry: "aid", arg: `m:${vulnerable.id}` }));

    // Council B's secretary sees only B's member; cannot act on A's.
    await secB.say("สมาชิกที่ยังไม่ตอบ");
    expect(secB.lastText()).toContain("สมาชิกจ");
    expect(secB.lastText()).not.toContain("สมาชิกก");
    await secB.postback(encodePostback({ kind: "menu", entry: "unanswered", arg: `safe:${plain.id}` }));
    expect(secB.lastText()).toContain("ไม่พบสมาชิกคนนี้ในรายชื่อที่ท่านดูแล");
    expect(await h.db.prisma.safetyAnswer.count({ where: { lineUserId: plain.lineUserId! } })).toBe(0);

    // ติดต่อแล้ว ปลอดภัย: recorded by the secretary, off the list.
    const safeButton = sec.actions().filter((a) => a.label === "ติดต่อแล้ว ปลอดภัย")[2]!;
    await sec.postback(safeButton.data!);
    expect(sec.lastText()).toContain("บันทึกแล้วค่ะ: สมาชิกก ติดต่อแล้ว ปลอดภัย");
    expect(sec.lastText()).toContain("สมาชิกที่ยังไม่ตอบเกิน 3 ชั่วโมง 2 คน");
    expect(textOf(sec.last().filter((m) => m.type === "flex"))).not.toContain("สมาชิกก");
    expect(
      await h.db.prisma.safetyAnswer.findUniqueOrThrow({
        where: { situationId_lineUserId: { situationId: s.id, lineUserId: plain.lineUserId! } },
      }),
    ).toMatchObject({
      status: "CONTACTED_SAFE",
      answeredBy: sec.id,
      councilId: councilA,
    });

    // เปิดคำขอแทน: the flood request for the member (their name, council and phone), linked to their answer.
    const fileButton = sec.actions().find((a) => a.label === "เปิดคำขอแทน")!;
    await sec.postback(fileButton.data!);
    expect(sec.lastText()).toContain("เปิดคำขอความช่วยเหลือน้ำท่วมแทน สมาชิกข");
    expect(sec.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
    await sec.say("บ้านโนนสูง หมู่ 5");
    await sec.say("3");
    await sec.tap("ผู้ป่วยติดเตียง");
    await sec.tap("เสร็จแล้ว");
    await sec.tap("หัวเข่า");
    await sec.tap("ยา");
    await sec.tap("เสร็จแล้ว");
    await sec.tap("ข้าม");
    await sec.tap("ข้าม");
    expect(sec.lastText()).toContain("บ้าน: ของสมาชิกข");
    expect(sec.lastText()).toContain("โทร: xxx-xxx-2222");
    await sec.tap("ยืนยันส่งคำขอ");
    const request = await h.db.prisma.helpRequest.findFirstOrThrow({ where: { lineUserId: sec.id } });
    expect(request).toMatchObject({ councilId: councilA, forSomeoneElse: true, householdName: "สมาชิกข", phone: "0822222222" });
    expect(
      await h.db.prisma.safetyAnswer.findUniqueOrThrow({
        where: { situationId_lineUserId: { situationId: s.id, lineUserId: vulnerable.lineUserId! } },
      }),
    ).toMatchObject({
      status: "NEEDS_HELP",
      answeredBy: sec.id,
      helpRequestId: request.id,
    });
    await sec.say("สมาชิกที่ยังไม่ตอบ");
    expect(sec.lastText()).toContain("ส่งถามแล้ว 4 คน · ปลอดภัย 2 · ต้องการความช่วยเหลือ 1 · ยังไม่ตอบ 1");

    // The notice: each council's secretaries once per situation.
    await h.runJobs();
    const noticesTo = (id: string) =>
      h.line.calls.flatMap((c) => (c.kind === "push" && c.to === id && textOf(c.messages).includes("ยังไม่ตอบว่าปลอดภัยหรือไม่") ? [c] : []));
    expect(noticesTo(sec.id)).toHaveLength(1);
    expect(textOf(noticesTo(sec.id)[0]!.messages)).toContain("สมาชิก 1 คนยังไม่ตอบ");
    expect(noticesTo(secB.id)).toHaveLength(1);
    h.clock.advance(HOUR);
    await h.runJobs();
    expect(noticesTo(sec.id)).toHaveLength(1);
  });

  it("pages of 10 within LINE's limits: ดูเพิ่ม, then back to the first page", async () => {
    const s = await h.db.prisma.situation.create({
      data: {
        level: "CRISIS",
        message: "น้ำล้นตลิ่ง",
        declaredBy: "U-coordinator",
        declaredAt: h.clock.now,
        updatedAt: h.clock.now,
        areas: { create: [{ level: "COUNCIL", areaId: councilA }] },
      },
    });
    for (let i = 0; i < 12; i++) {
      const m = await member(councilA, `p${String(i).padStart(2, "0")}`, `08100000${String(i).padStart(2, "0")}`);
      await h.db.prisma.safetyCheckIn.create({
        data: { situationId: s.id, lineUserId: m.lineUserId!, councilId: councilA, sentAt: new Date(h.clock.now.getTime() + i * 60_000) },
      });
    }
    h.clock.advance(4 * HOUR);
    const sec = await secretary(councilA, "pages");
    await sec.say("สมาชิกที่ยังไม่ตอบ");
    expect(sec.lastText()).toContain("12 คน (แสดง 1–10)");
    expect(uris(sec.last())).toHaveLength(10);
    await sec.tap("ดูเพิ่ม");
    expect(sec.lastText()).toContain("12 คน (แสดง 11–12)");
    expect(textOf(sec.last().filter((m) => m.type === "flex"))).toContain("สมาชิกp11");
    await sec.tap("กลับหน้าแรก");
    expect(sec.lastText()).toContain("(แสดง 1–10)");
    expect(h.line.limitProblems).toEqual([]);
  });

  it("a villager cannot open the list (keyword or forged postback), nor act on a member", async () => {
    const s = await h.db.prisma.situation.create({
      data: {
        level: "INCIDENT",
        message: "น้ำล้นตลิ่ง",
        declaredBy: "U-coordinator",
        declaredAt: h.clock.now,
        updatedAt: h.clock.now,
        areas: { create: [{ level: "COUNCIL", areaId: councilA }] },
      },
    });
    const m = await member(councilA, "ฉ", "0866666666");
    await h.db.prisma.safetyCheckIn.create({
      data: { situationId: s.id, lineUserId: m.lineUserId!, councilId: councilA, sentAt: new Date(h.clock.now.getTime() - 5 * HOUR) },
    });
    const villager = h.user(`U-una-villager-${++n}`);
    await villager.say("สมาชิกที่ยังไม่ตอบ");
    expect(villager.lastText()).not.toContain("สมาชิกฉ");
    await villager.postback(encodePostback({ kind: "menu", entry: "unanswered" }));
    expect(villager.lastText()).not.toContain("สมาชิกฉ");
    expect(uris(villager.last())).toEqual([]);
    await villager.postback(encodePostback({ kind: "menu", entry: "unanswered", arg: `safe:${m.id}` }));
    expect(await h.db.prisma.safetyAnswer.count()).toBe(0);
  });
});
