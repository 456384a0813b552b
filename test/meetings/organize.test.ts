// Coordinators organising meetings, as transcripts on PGlite:
// creating one with LINE's datetime picker and a location (wrong times
// refused, back, an edit from the summary, the cancel word, typed dates),
// "ประชุมที่ฉันจัด" with an edit of the time and a cancel, each pushed once to
// every live registrant; secretaries and villagers cannot open it, and a
// coordinator of another district is refused on forged postbacks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { register } from "../../src/meetings/meeting-store.ts";
import { grantRole, type RoleGrant } from "../../src/staff/roles.ts";
import { bangkokInstant } from "../../src/thai/format.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";

const KANTHARALAK = 3304;
const NOT_FOUND = /ไม่พบการประชุมนี้ หรือท่านไม่ได้เป็นผู้จัดการประชุมนี้/;
/** The number "ประชุมที่ฉันจัด" gives a meeting. */
const rowOf = (list: string, title: string) => new RegExp(`(\\d+)\\. ${title}\\n`).exec(list)?.[1] ?? "?";

describe.each(FLOW_DATABASES)("organising meetings on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: CouncilWithPlace;
  let councilC: CouncilWithPlace; // another district
  const newUser = (label: string) => h.user(`U-org-${label}-${++n}`);
  const grant = (u: ChatUser, g: RoleGrant) => grantRole(h.db.prisma, u.id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUnique({ where: { lineUserId: u.id } });
  /** Pushes and multicasts (not replies) that reached a user. */
  const pushesTo = (userId: string) =>
    h.line.calls.flatMap((c) =>
      (c.kind === "push" && c.to === userId) || (c.kind === "multicast" && c.to.includes(userId)) ? [textOf(c.messages)] : [],
    );

  async function coordinator(label: string, level: "DISTRICT" | "PROVINCE", areaId: number) {
    const u = newUser(label);
    await grant(u, { role: "COORDINATOR", level, areaId });
    return u;
  }

  let seq = 0;
  async function meetingBy(
    u: ChatUser,
    fields: { capacity?: number | null; audience?: { level: "DISTRICT" | "COUNCIL"; areaId: number }[] } = {},
  ) {
    return h.db.prisma.meeting.create({
      data: {
        title: `ประชุมติดตามงานกองทุน ${++seq}`,
        startsAt: bangkokInstant("2026-12-05", "09:30"),
        endsAt: bangkokInstant("2026-12-05", "12:00"),
        placeName: "ศาลาประชาคมบ้านโนนสูง",
        capacity: fields.capacity === undefined ? null : fields.capacity,
        createdBy: u.id,
        audience: { create: fields.audience ?? [{ level: "COUNCIL", areaId: councilA.id }] },
      },
    });
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      select: { id: true, tambon: { select: { districtId: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    councilA = (await getCouncilWithPlace(h.db.prisma, rows.find((r) => r.tambon.districtId === KANTHARALAK)!.id))!;
    councilC = (await getCouncilWithPlace(h.db.prisma, rows.find((r) => r.tambon.districtId !== KANTHARALAK)!.id))!;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("creates a meeting with the datetime picker and a location, refusing wrong times, with back and an edit from the summary", async () => {
    const coord = await coordinator("create", "DISTRICT", KANTHARALAK);
    await coord.say("สร้างการประชุม");
    expect(coord.lastText()).toMatch(/ชื่อการประชุมคืออะไร/);
    await coord.say("ประชุมสภาฯ ประจำเดือนธันวาคม");
    expect(coord.buttons()[0]).toBe("เลือกวันเวลาเริ่ม");
    await coord.pick("เลือกวันเวลาเริ่ม", "2026-11-27T09:30"); // yesterday
    expect(coord.lastText()).toMatch(/วันเวลาเริ่มต้องเป็นเวลาในอนาคต/);
    await coord.pick("เลือกวันเวลาเริ่ม", "2026-12-05T09:30");
    expect(coord.lastText()).toMatch(/ประชุมเลิกเวลาเท่าไร/);
    await coord.pick("เลือกเวลาเลิก", "2026-12-05T08:00");
    expect(coord.lastText()).toMatch(/เวลาเลิกต้องหลังเวลาเริ่มประชุม/);
    await coord.tap("3 ชั่วโมง");
    expect(coord.lastText()).toMatch(/ประชุมที่ไหน/);
    await coord.say("ย้อนกลับ");
    expect(coord.lastText()).toMatch(/ประชุมเลิกเวลาเท่าไร/);
    await coord.tap("3 ชั่วโมง");
    await coord.location(15.05, 104.63);
    expect(coord.lastText()).toMatch(/วาระการประชุม/);
    await coord.tap("ไม่ระบุวาระ");
    expect(coord.buttons()).toEqual(expect.arrayContaining(["ทั้งอำเภอกันทรลักษ์", `ต.${councilA.tambonNameTh}`]));
    await coord.tap(`ต.${councilA.tambonNameTh}`);
    await coord.tap("เลือกเสร็จแล้ว");
    expect(coord.lastText()).toMatch(/รับได้กี่ที่นั่ง/);
    await coord.say("ห้าสิบ");
    expect(coord.lastText()).toMatch(/ตัวเลข 1–10000/);
    await coord.say("50");
    await coord.pick("เลือกวันปิดรับ", "2026-12-06T09:00");
    expect(coord.lastText()).toMatch(/ต้องก่อนเวลาเริ่มประชุม/);
    await coord.tap("1 วันก่อนประชุม");
    expect(coord.lastText()).toContain("ชื่อ: ประชุมสภาฯ ประจำเดือนธันวาคม");
    expect(coord.lastText()).toContain("วันเวลา: วันเสาร์ที่ 5 ธ.ค. 2569 เวลา 09:30–12:30 น.");
    expect(coord.lastText()).toContain(`เชิญ: ต.${councilA.tambonNameTh}`);
    expect(coord.lastText()).toContain("ที่นั่ง: 50 ที่");
    expect(coord.lastText()).toContain("ปิดรับลงทะเบียน: 04/12/2569 09:30 น.");
    await coord.tap("แก้ชื่อ");
    await coord.say("ประชุมสภาฯ สมัยสามัญ ธันวาคม");
    expect(coord.lastText()).toContain("ชื่อ: ประชุมสภาฯ สมัยสามัญ ธันวาคม");
    // A new start asks the end and the deadline again, then comes back to the summary.
    await coord.tap("แก้เวลาเริ่ม");
    await coord.pick("เลือกวันเวลาเริ่ม", "2026-12-06T09:00");
    expect(coord.lastText()).toMatch(/ประชุมเลิกเวลาเท่าไร/);
    await coord.tap("4 ชั่วโมง");
    expect(coord.lastText()).toMatch(/ปิดรับลงทะเบียนเมื่อไร/);
    await coord.tap("1 วันก่อนประชุม");
    expect(coord.lastText()).toContain("วันเวลา: วันอาทิตย์ที่ 6 ธ.ค. 2569 เวลา 09:00–13:00 น.");
    expect(coord.lastText()).toContain("ปิดรับลงทะเบียน: 05/12/2569 09:00 น.");
    expect(coord.lastText()).toContain("ที่นั่ง: 50 ที่");
    await coord.tap("บันทึกการประชุม");
    expect(coord.lastText()).toMatch(/บันทึกการประชุมเรียบร้อยแล้ว/);

    const saved = await h.db.prisma.meeting.findFirstOrThrow({ where: { createdBy: coord.id }, include: { audience: true } });
    expect(saved).toMatchObject({
      title: "ประชุมสภาฯ สมัยสามัญ ธันวาคม",
      startsAt: new Date("2026-12-06T02:00:00.000Z"),
      endsAt: new Date("2026-12-06T06:00:00.000Z"),
      latitude: 15.05,
      longitude: 104.63,
      capacity: 50,
      registrationDeadline: new Date("2026-12-05T02:00:00.000Z"),
      agenda: null,
      status: "SCHEDULED",
    });
    expect(saved.audience.map((a) => [a.level, a.areaId])).toEqual([["COUNCIL", councilA.id]]);
  });

  it("takes typed Thai dates and a typed place, and the cancel word drops everything", async () => {
    const coord = await coordinator("typed", "DISTRICT", KANTHARALAK);
    await coord.say("สร้างการประชุม");
    await coord.say("ประชุมกองทุนสวัสดิการ");
    await coord.say("วันเสาร์หน้า");
    expect(coord.lastText()).toMatch(/พิมพ์ เช่น 5\/12\/2569 09:30/);
    await coord.say("๑๒/๑๒/๒๕๖๙ ๑๓.๓๐");
    await coord.say("12/12/2569 16:00");
    await coord.say("ศาลากลางบ้านหนองแก้ว");
    expect(coord.lastText()).toMatch(/วาระการประชุม/);
    expect((await conversation(coord))!.data).toMatchObject({
      startsAt: "2026-12-12T06:30:00.000Z",
      endsAt: "2026-12-12T09:00:00.000Z",
      place: { name: "ศาลากลางบ้านหนองแก้ว" },
    });
    await coord.say("ยกเลิก");
    expect(coord.lastText()).toMatch(/ยกเลิกการสร้างการประชุมแล้ว/);
    expect(await h.db.prisma.meeting.count({ where: { createdBy: coord.id } })).toBe(0);
  });

  it("an edit of the time is pushed once to every live registrant; cancelling the meeting tells them too", async () => {
    const coord = await coordinator("edit", "DISTRICT", KANTHARALAK);
    const m = await meetingBy(coord, { capacity: 2 });
    const [a, b, waiting, gone] = ["a", "b", "wait", "gone"].map((l) => `U-org-reg-${l}-${++n}`);
    for (const id of [a, b, waiting, gone])
      await register(h.db.prisma, { meetingId: m.id, lineUserId: id!, memberId: null, people: 1, now: h.clock.now });
    await h.db.prisma.meetingRegistration.update({
      where: { meetingId_lineUserId: { meetingId: m.id, lineUserId: gone! } },
      data: { status: "CANCELLED" },
    });

    await coord.say("ประชุมที่ฉันจัด");
    expect(coord.lastText()).toContain(m.title);
    expect(coord.lastText()).toContain("ลงทะเบียน 2 คน รอที่นั่ง 1 คน");
    await coord.tap(`แก้ไข ${rowOf(coord.lastText(), m.title)}`);
    expect(coord.lastText()).toMatch(/ต้องการแก้ข้อใด/);
    await coord.tap("วันเวลา");
    await coord.pick("เลือกวันเวลาเริ่ม", "2026-12-10T13:00");
    await coord.tap("2 ชั่วโมง");
    expect(coord.lastText()).toContain("วันเวลาใหม่: วันพฤหัสบดีที่ 10 ธ.ค. 2569 เวลา 13:00–15:00 น.");
    expect(coord.lastText()).toContain("ระบบจะแจ้งผู้ลงทะเบียน 3 ราย");
    await coord.tap("ยืนยันการแก้ไข");
    expect(coord.lastText()).toMatch(/ส่งข้อความแจ้งผู้ลงทะเบียน 3 รายแล้ว/);
    expect(await h.db.prisma.meeting.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({
      startsAt: new Date("2026-12-10T06:00:00.000Z"),
      endsAt: new Date("2026-12-10T08:00:00.000Z"),
    });
    expect(pushesTo(a!)).toEqual([]); // queued, not yet sent
    await h.runJobs();
    await h.runJobs();
    for (const id of [a, b, waiting]) {
      expect(pushesTo(id!)).toHaveLength(1);
      expect(pushesTo(id!)[0]).toMatch(/แจ้งเปลี่ยนแปลงการประชุม[\s\S]*13:00–15:00/);
    }
    expect(pushesTo(gone!)).toEqual([]);

    // The list holds every meeting of the district, earlier tests' too: find this one's number.
    await coord.say("ประชุมที่ฉันจัด");
    await coord.tap(`ยกเลิก ${rowOf(coord.lastText(), m.title)}`);
    expect(coord.lastText()).toMatch(/ระบบจะแจ้งผู้ลงทะเบียน 3 ราย/);
    // One pair, no third cancel word; ยกเลิก typed here keeps the meeting and says so.
    expect(coord.buttons()).toEqual(["ยืนยันยกเลิกประชุม", "ไม่ยกเลิก"]);
    await coord.say("ยกเลิก");
    expect(coord.lastText()).toMatch(/การประชุมยังอยู่เหมือนเดิมค่ะ/);
    expect(coord.lastText()).not.toMatch(/ยกเลิกการยกเลิก/);
    await coord.say("ประชุมที่ฉันจัด");
    await coord.tap(`ยกเลิก ${rowOf(coord.lastText(), m.title)}`);
    await coord.tap("ยืนยันยกเลิกประชุม");
    expect(coord.lastText()).toMatch(/ยกเลิกการประชุม .* แล้วค่ะ/);
    expect((await h.db.prisma.meeting.findUniqueOrThrow({ where: { id: m.id } })).status).toBe("CANCELLED");
    await h.runJobs();
    for (const id of [a, b, waiting]) {
      expect(pushesTo(id!)).toHaveLength(2);
      expect(pushesTo(id!)[1]).toMatch(/ถูกยกเลิกแล้ว/);
    }
    expect(pushesTo(gone!)).toEqual([]);
    // A cancelled meeting cannot be edited or cancelled again.
    await coord.postback(encodePostback({ kind: "menu", entry: "organize-cancel", arg: String(m.id) }));
    expect(coord.lastText()).toMatch(/ถูกยกเลิกไปแล้ว/);
  });

  it("secretaries and villagers cannot open it; a coordinator of another district is refused on forged postbacks", async () => {
    const owner = await coordinator("owner", "DISTRICT", KANTHARALAK);
    const m = await meetingBy(owner);
    const secretary = newUser("sec");
    await grant(secretary, { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id });
    const villager = newUser("villager");
    for (const u of [secretary, villager]) {
      await u.say("สร้างการประชุม");
      expect(u.lastText()).not.toMatch(/ชื่อการประชุมคืออะไร/);
      await u.postback(encodePostback({ kind: "menu", entry: "organize-edit", arg: String(m.id) }));
      expect((await conversation(u))?.flowId ?? null).toBeNull();
    }

    const other = await coordinator("other", "DISTRICT", councilC.districtId);
    await other.postback(encodePostback({ kind: "menu", entry: "organize-edit", arg: String(m.id) }));
    expect(other.lastText()).toMatch(NOT_FOUND);
    await other.postback(encodePostback({ kind: "menu", entry: "organize-cancel", arg: String(m.id) }));
    expect(other.lastText()).toMatch(NOT_FOUND);
    expect((await conversation(other))?.flowId ?? null).toBeNull();
    // Its own areas only: a council of Kantharalak is not among its choices, and a forged one is stale.
    await other.say("สร้างการประชุม");
    await other.say("ประชุมนอกพื้นที่");
    await other.pick("เลือกวันเวลาเริ่ม", "2026-12-05T09:30");
    await other.tap("2 ชั่วโมง");
    await other.say("ศาลาวัด");
    await other.tap("ไม่ระบุวาระ");
    expect(other.buttons()).not.toContain(`ต.${councilA.tambonNameTh}`);
    const c = (await conversation(other))!;
    await other.postback(
      encodePostback({ kind: "answer", flow: "organize-create", step: "audience", turn: c.turn, value: `C:${councilA.id}` }),
    );
    expect(other.lastText()).toMatch(/ข้อความเก่า/);
    expect((await conversation(other))!.data).not.toHaveProperty("_pending", [`C:${councilA.id}`]);

    // A province coordinator covers the meeting's audience: may edit it.
    const province = await coordinator("prov", "PROVINCE", 33);
    await province.postback(encodePostback({ kind: "menu", entry: "organize-edit", arg: String(m.id) }));
    expect(province.lastText()).toMatch(/ต้องการแก้ข้อใด/);
    await province.tap("จำนวนที่นั่ง");
    await province.say("80");
    await province.tap("ยืนยันการแก้ไข");
    expect((await h.db.prisma.meeting.findUniqueOrThrow({ where: { id: m.id } })).capacity).toBe(80);
  });
});
