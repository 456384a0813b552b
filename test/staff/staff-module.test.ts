// The staff module as transcripts, on PGlite: "งานเจ้าหน้าที่" names
// the user's roles and offers what they may do; villagers typing staff words
// or forging staff postbacks get the normal menu; coordinators make invite
// codes only for their own area (checked again when the code is made); a
// code grants its role once, to the first person typing it, until it
// expires; secretaries choose between one push per case and an evening
// digest.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { createInvite } from "../../src/staff/invites.ts";
import { grantRole, revokeRole, rolesOf, type RoleGrant } from "../../src/staff/roles.ts";
import { STAFF_RICH_MENU_AREAS, staffModule } from "../../src/staff/staff-module.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const HOUR = 3_600_000;
const NOT_UNDERSTOOD = /ยังไม่เข้าใจ/;
const REFUSED = /รหัสไม่ถูกต้องหรือหมดอายุ/;
const STAFF_BUTTONS = ["งานเจ้าหน้าที่", "สร้างรหัสเชิญ", "ตั้งค่าการแจ้งเตือน"];
const KANTHARALAK = 3304;

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

/** The invite code shown on the last card ("KX7P M2QR"), without its space. */
function shownCode(u: ChatUser): string {
  const m = /รหัสเชิญ ([A-Z2-9]{4}) ([A-Z2-9]{4})/.exec(u.lastText());
  if (!m) throw new Error(`No code in: ${u.lastText()}`);
  return `${m[1]}${m[2]}`;
}

describe("staff rich menu areas", () => {
  it("name only entries the staff module defines, or global words", () => {
    const ids = staffModule({ provinceCode: 33 }).entries.map((e) => e.id);
    for (const area of STAFF_RICH_MENU_AREAS) {
      if ("entry" in area.opens) expect(ids).toContain(area.opens.entry);
      expect([...area.label].length).toBeLessThanOrEqual(20);
    }
    expect(STAFF_RICH_MENU_AREAS.map((a) => a.label)).toEqual(expect.arrayContaining(STAFF_BUTTONS));
  });
});

describe.each(FLOW_DATABASES)("staff module on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: CouncilWithPlace; // Kantharalak
  let councilB: CouncilWithPlace; // Kantharalak, another tambon
  let councilC: CouncilWithPlace; // another district
  const newUser = (label: string) => h.user(`U-staff-${label}-${++n}`);
  const grant = (u: ChatUser, g: RoleGrant) => grantRole(h.db.prisma, u.id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const invitesBy = (u: ChatUser) => h.db.prisma.inviteCode.findMany({ where: { createdBy: u.id }, orderBy: { id: "asc" } });

  async function secretaryOf(council: CouncilWithPlace, label = "sec") {
    const u = newUser(label);
    await grant(u, { role: "SECRETARY", level: "COUNCIL", areaId: council.id });
    return u;
  }
  async function districtCoordinator(label = "dist") {
    const u = newUser(label);
    await grant(u, { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK });
    return u;
  }
  async function provinceCoordinator(label = "prov") {
    const u = newUser(label);
    await grant(u, { role: "COORDINATOR", level: "PROVINCE", areaId: 33 });
    return u;
  }

  /** A district coordinator's walk to the confirm step for councilA. */
  async function inviteSecretaryOfA(coordinator: ChatUser) {
    await coordinator.say("สร้างรหัสเชิญ");
    // One role and one district possible: straight to the council.
    expect(coordinator.lastText()).toMatch(/เลือกสภาองค์กรชุมชนในอำเภอกันทรลักษ์/);
    await coordinator.tap(councilA.tambonNameTh);
    expect(coordinator.lastText()).toContain(`สร้างรหัสเชิญสำหรับ “เลขานุการ${councilA.name} อำเภอกันทรลักษ์”`);
    expect(coordinator.lastText()).toMatch(/ภายใน 72 ชั่วโมง/);
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      select: { id: true, tambon: { select: { districtId: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    const inK = rows.filter((r) => r.tambon.districtId === KANTHARALAK);
    councilA = (await getCouncilWithPlace(h.db.prisma, inK[0]!.id))!;
    councilB = (await getCouncilWithPlace(h.db.prisma, inK[1]!.id))!;
    councilC = (await getCouncilWithPlace(h.db.prisma, rows.find((r) => r.tambon.districtId !== KANTHARALAK)!.id))!;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("งานเจ้าหน้าที่ names each role in Thai and offers only what the role may do", async () => {
    // A secretary who is also a member: the member's menu and the staff entry fit one row of quick replies.
    const sec = await secretaryOf(councilA);
    await sec.follow();
    await sec.tap("ยินยอม");
    await sec.say("สมศรี ใจดี");
    await sec.say("0812345678");
    await sec.say("กันทรลักษ์");
    await sec.tap(councilA.tambonNameTh);
    await sec.tap("ยืนยัน");
    expect(sec.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    await sec.say("เมนู");
    expect(quickLabels(sec)).toEqual(expect.arrayContaining(["ข้อมูลของฉัน", "งานเจ้าหน้าที่"]));
    await sec.tap("งานเจ้าหน้าที่");
    expect(sec.lastText()).toContain(`เลขานุการ${councilA.name} อำเภอกันทรลักษ์`);
    expect(sec.buttons()).toContain("ตั้งค่าการแจ้งเตือน");
    expect(sec.buttons()).not.toContain("สร้างรหัสเชิญ");

    const dist = await districtCoordinator();
    await dist.say("เจ้าหน้าที่");
    expect(dist.lastText()).toContain("ผู้ประสานงานอำเภอกันทรลักษ์");
    expect(dist.buttons()).toContain("สร้างรหัสเชิญ");
    expect(dist.buttons()).not.toContain("ตั้งค่าการแจ้งเตือน");

    const prov = await provinceCoordinator();
    await grant(prov, { role: "SECRETARY", level: "COUNCIL", areaId: councilC.id });
    await prov.say("staff");
    expect(prov.lastText()).toContain("ผู้ประสานงานจังหวัดศรีสะเกษ");
    expect(prov.lastText()).toContain(`เลขานุการ${councilC.name}`);
    expect(prov.buttons()).toEqual(expect.arrayContaining(["สร้างรหัสเชิญ", "ตั้งค่าการแจ้งเตือน"]));
    // The card's button opens the invite flow.
    await prov.tap("สร้างรหัสเชิญ");
    expect(prov.lastText()).toMatch(/จะสร้างรหัสเชิญให้ใคร/);
    expect(quickLabels(prov)).toEqual(["เลขานุการสภาฯ", "ผู้ประสานงานอำเภอ", "ยกเลิก"]);
    await prov.say("ยกเลิก");
  });

  it("a villager typing staff words or forging a staff postback gets the normal menu", async () => {
    const villager = newUser("villager");
    await villager.say("เมนู");
    const normalMenu = quickLabels(villager);
    expect(normalMenu.length).toBeGreaterThan(1);
    for (const word of STAFF_BUTTONS) expect(normalMenu).not.toContain(word);

    for (const word of ["เจ้าหน้าที่", "งานเจ้าหน้าที่", "สร้างรหัสเชิญ", "ตั้งค่าการแจ้งเตือน", "staff"]) {
      await villager.say(word);
      expect(villager.lastText()).toMatch(NOT_UNDERSTOOD);
      expect(quickLabels(villager)).toEqual(normalMenu);
    }
    for (const entry of ["staff", "staff-invite", "staff-notify"]) {
      await villager.postback(encodePostback({ kind: "menu", entry }));
      // The engine's answer to an entry the user cannot see: the menu.
      expect(villager.lastText()).toMatch(/ต้องการทำรายการใด/);
      expect(villager.lastText()).not.toMatch(/บทบาทของท่าน|จะสร้างรหัสเชิญ|ตอนนี้:/);
      expect(quickLabels(villager)).toEqual(normalMenu);
    }
    expect(await conversation(villager)).toMatchObject({ flowId: null });
    expect(await invitesBy(villager)).toEqual([]);
    expect(await h.db.prisma.staffPreference.count({ where: { lineUserId: villager.id } })).toBe(0);
  });

  it("a district coordinator invites a secretary; the first person to type the code becomes one", async () => {
    const coordinator = await districtCoordinator();
    await inviteSecretaryOfA(coordinator);
    await coordinator.tap("สร้างรหัส");

    const [invite, ...more] = await invitesBy(coordinator);
    expect(more).toEqual([]);
    expect(invite).toMatchObject({ role: "SECRETARY", level: "COUNCIL", areaId: councilA.id, usedAt: null });
    expect(invite!.expiresAt.getTime() - h.clock.now.getTime()).toBe(72 * HOUR);
    // The card: the code big, its expiry in BE Bangkok time, a line to forward.
    const card = coordinator.last()[0]!;
    expect(card.type).toBe("flex");
    expect(JSON.stringify(card)).toContain(`"size":"3xl"`);
    expect(shownCode(coordinator)).toBe(invite!.code);
    expect(coordinator.lastText()).toContain("ใช้ได้ถึง 01/12/2569 10:00 น.");
    expect(coordinator.lastText()).toContain(`ส่งรหัสนี้ให้ผู้ที่จะเป็นเลขานุการ${councilA.name}`);
    const share = JSON.stringify(card).match(/"uri":"([^"]+)"/)![1]!;
    expect(share).toMatch(/^https:\/\/line\.me\/R\/share\?text=/);
    expect(share.length).toBeLessThanOrEqual(1000);
    expect(decodeURIComponent(share)).toContain(`${invite!.code.slice(0, 4)} ${invite!.code.slice(4)}`);
    expect(quickLabels(coordinator)).toEqual(["สร้างรหัสอีก", "งานเจ้าหน้าที่", "เมนูหลัก"]);

    // Typed with spaces and in lower case, by someone who is not even a member.
    const newcomer = newUser("newcomer");
    await newcomer.say(`  ${invite!.code.slice(0, 4).toLowerCase()} ${invite!.code.slice(4).toLowerCase()} `);
    expect(newcomer.lastText()).toMatch(/ยินดีต้อนรับ/);
    expect(newcomer.lastText()).toContain(`เลขานุการ${councilA.name}`);
    expect(quickLabels(newcomer)[0]).toBe("งานเจ้าหน้าที่");
    expect(await rolesOf(h.db.prisma, newcomer.id)).toEqual([{ role: "SECRETARY", level: "COUNCIL", areaId: councilA.id }]);
    const audit = await h.db.prisma.staffRoleAudit.findFirstOrThrow({ where: { lineUserId: newcomer.id } });
    expect(audit).toMatchObject({ granted: true, by: coordinator.id, via: `invite:${invite!.id}` });
    expect(await h.db.prisma.inviteCode.findUniqueOrThrow({ where: { id: invite!.id } })).toMatchObject({ usedBy: newcomer.id });
    await newcomer.tap("งานเจ้าหน้าที่");
    expect(newcomer.lastText()).toContain(`เลขานุการ${councilA.name}`);

    // A second person with the same code: refused, like an unknown code.
    const late = newUser("late");
    await late.say(invite!.code);
    expect(late.lastText()).toMatch(REFUSED);
    expect(await rolesOf(h.db.prisma, late.id)).toEqual([]);
    await late.say("ABCDEFGH");
    expect(late.lastText()).toMatch(REFUSED);
    expect(quickLabels(late)).not.toContain("งานเจ้าหน้าที่");
  });

  it("a council outside the coordinator's district cannot be picked, and the area is checked again at the end", async () => {
    const coordinator = await districtCoordinator("forger");
    await coordinator.say("สร้างรหัสเชิญ");
    const { turn } = await conversation(coordinator);
    await coordinator.postback(encodePostback({ kind: "answer", flow: "staff-invite", step: "council", turn, value: String(councilC.id) }));
    expect(coordinator.lastText()).toMatch(/หมดอายุ/);
    expect(await conversation(coordinator)).toMatchObject({ flowId: "staff-invite", stepId: "council" });
    // Not by typing its name either.
    await coordinator.say(councilC.tambonNameTh);
    expect(await conversation(coordinator)).toMatchObject({ stepId: "council" });
    await coordinator.say("ยกเลิก");

    // The role is revoked while the confirm step waits: no code.
    await inviteSecretaryOfA(coordinator);
    await revokeRole(
      h.db.prisma,
      coordinator.id,
      { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK },
      {
        by: "Uadmin",
        at: h.clock.now,
        via: "test",
      },
    );
    await coordinator.tap("สร้างรหัส");
    expect(coordinator.lastText()).toMatch(/อยู่นอกความรับผิดชอบ/);
    expect(await invitesBy(coordinator)).toEqual([]);
  });

  it("a province coordinator invites a district coordinator; back, a sticker and cancel inside the flow", async () => {
    const prov = await provinceCoordinator("prov-invite");
    await prov.say("สร้างรหัสเชิญ");
    await prov.tap("เลขานุการสภาฯ");
    expect(prov.lastText()).toMatch(/เลือกอำเภอ/);
    await prov.say("ย้อนกลับ");
    expect(prov.lastText()).toMatch(/จะสร้างรหัสเชิญให้ใคร/);
    await prov.tap("เลขานุการสภาฯ");
    await prov.say("กันทรลักษ์");
    expect(prov.lastText()).toMatch(/เลือกสภาองค์กรชุมชนในอำเภอกันทรลักษ์/);
    await prov.sticker();
    expect(prov.lastText()).toMatch(/สติกเกอร์/);
    expect(prov.lastText()).toMatch(/กรุณาเลือกสภาองค์กรชุมชน/);
    expect(await conversation(prov)).toMatchObject({ flowId: "staff-invite", stepId: "council" });
    await prov.say("ยกเลิก");
    expect(prov.lastText()).toMatch(/ยกเลิกการสร้างรหัสเชิญแล้ว/);
    expect(await conversation(prov)).toMatchObject({ flowId: null });
    expect(await invitesBy(prov)).toEqual([]);

    // A district's coordinator: no council step.
    await prov.say("สร้างรหัสเชิญ");
    await prov.tap("ผู้ประสานงานอำเภอ");
    await prov.say("กันทรลักษ์");
    expect(prov.lastText()).toContain("สร้างรหัสเชิญสำหรับ “ผู้ประสานงานอำเภอกันทรลักษ์”");
    await prov.tap("สร้างรหัส");
    const [invite] = await invitesBy(prov);
    expect(invite).toMatchObject({ role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK });

    const newcomer = newUser("new-coordinator");
    await newcomer.say(shownCode(prov).toLowerCase());
    expect(newcomer.lastText()).toContain("ท่านเป็นผู้ประสานงานอำเภอกันทรลักษ์แล้ว");
    // The new coordinator may invite a secretary of their district at once.
    await newcomer.say("สร้างรหัสเชิญ");
    expect(newcomer.lastText()).toMatch(/เลือกสภาองค์กรชุมชนในอำเภอกันทรลักษ์/);
    expect(quickLabels(newcomer)).toContain(councilB.tambonNameTh);
    await newcomer.say("ยกเลิก");
  });

  it("a code expires after 72 hours", async () => {
    const coordinator = await districtCoordinator("expiry");
    await inviteSecretaryOfA(coordinator);
    await coordinator.tap("สร้างรหัส");
    const code = shownCode(coordinator);

    // An older code that ran out already, made straight in the database.
    const old = await createInvite(
      h.db.prisma,
      { role: "SECRETARY", level: "COUNCIL", areaId: councilB.id },
      {
        userId: coordinator.id,
        now: new Date(h.clock.now.getTime() - 73 * HOUR),
      },
    );
    const tooLate = newUser("too-late");
    await tooLate.say(old.code);
    expect(tooLate.lastText()).toMatch(REFUSED);

    h.clock.advance(72 * HOUR);
    await tooLate.say(code);
    expect(tooLate.lastText()).toMatch(REFUSED);
    expect(await rolesOf(h.db.prisma, tooLate.id)).toEqual([]);
    expect(await h.db.prisma.inviteCode.findFirstOrThrow({ where: { code } })).toMatchObject({ usedAt: null });
  });

  it("five wrong codes in an hour lock the guesser out for the rest of it, even for a real code", async () => {
    const coordinator = await districtCoordinator("lockout");
    await inviteSecretaryOfA(coordinator);
    await coordinator.tap("สร้างรหัส");
    const code = shownCode(coordinator);
    const guesser = newUser("guesser");
    for (const guess of ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"]) {
      await guesser.say(guess);
      expect(guesser.lastText()).toMatch(REFUSED);
    }
    await guesser.say(code);
    expect(guesser.lastText()).toContain("ใส่รหัสผิดหลายครั้ง");
    expect(await rolesOf(h.db.prisma, guesser.id)).toEqual([]);
    expect(await h.db.prisma.inviteCode.findFirstOrThrow({ where: { code } })).toMatchObject({ usedAt: null });
    // An hour after the first wrong guess the window has room again.
    h.clock.advance(HOUR);
    await guesser.say(code);
    expect(guesser.lastText()).not.toContain("ใส่รหัสผิดหลายครั้ง");
    expect(await rolesOf(h.db.prisma, guesser.id)).toEqual([{ role: "SECRETARY", level: "COUNCIL", areaId: expect.any(Number) }]);
  });

  it("a secretary chooses an evening digest or one push per case; coordinators do not see the setting", async () => {
    const sec = await secretaryOf(councilB, "digest");
    await sec.say("ตั้งค่าการแจ้งเตือน");
    expect(sec.lastText()).toMatch(/ตอนนี้: แจ้งทันทีทุกเรื่อง/);
    expect(sec.lastText()).toMatch(/น้ำท่วมแจ้งทันทีเสมอ/);
    // "ตอนเย็น" says its hour: DIGEST_TIME.
    expect(sec.lastText()).toContain(`ส่งรวมวันละครั้ง เวลา ${h.config.digestTime} น.`);
    await sec.tap("สรุปรวมตอนเย็น");
    expect(sec.lastText()).toMatch(/บันทึกแล้ว/);
    expect(sec.lastText()).toContain(`(ส่งทุกวัน เวลา ${h.config.digestTime} น.)`);
    expect(await h.db.prisma.staffPreference.findUnique({ where: { lineUserId: sec.id } })).toMatchObject({ digest: true });

    await sec.say("เจ้าหน้าที่");
    await sec.tap("ตั้งค่าการแจ้งเตือน");
    expect(sec.lastText()).toMatch(/ตอนนี้: สรุปรวมตอนเย็น/);
    await sec.tap("แจ้งทันทีทุกเรื่อง");
    expect(await h.db.prisma.staffPreference.findUnique({ where: { lineUserId: sec.id } })).toMatchObject({ digest: false });

    const dist = await districtCoordinator("no-digest");
    await dist.say("ตั้งค่าการแจ้งเตือน");
    expect(dist.lastText()).toMatch(NOT_UNDERSTOOD);
    expect(await h.db.prisma.staffPreference.count({ where: { lineUserId: dist.id } })).toBe(0);
  });
});
