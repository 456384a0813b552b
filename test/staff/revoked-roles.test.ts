// Revoked roles keep no power, in the shipped process (issue 10 §5): the
// bot runs as `npm start` runs it (env only, PostgreSQL, the LINE stand-in
// on loopback), the role is revoked with the real admin command, and the
// scheduled announcement is met by the process's own send job.
//
// Coordinator A (district Kantharalak) schedules announcements, makes an
// invite code and has created two meetings; then A is moved: given another
// district and revoked from Kantharalak through `npm run roles`. A stays a
// coordinator, so the chat entries stay open to A: only the area decides.
// B coordinates Kantharalak too; C another district.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { createMeeting } from "../../src/meetings/organize-store.ts";
import { createInvite } from "../../src/staff/invites.ts";
import { grantRole, rolesOf, type RoleGrant } from "../../src/staff/roles.ts";
import { textOf } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";

const KANTHARALAK = 3304;
const A = lineUserId(0xa1);
const B = lineUserId(0xb1);
const C = lineUserId(0xc1);
const MEMBER = lineUserId(0xd1);
const CANCEL_ME = "ขอเชิญประชุมคณะกรรมการกองทุน วันเสาร์นี้";
const REVOKE_ME = "แจ้งปิดรับสมัครโครงการบ้านพอเพียง สิ้นเดือนนี้";
const MAKER_GONE = /รหัสเชิญนี้ใช้ไม่ได้แล้วค่ะ เพราะผู้ที่สร้างรหัสไม่ได้ดูแลพื้นที่นี้แล้ว/;
const NOT_FOUND_MEETING = /ไม่พบการประชุมนี้/;

/** Tomorrow at this hour, Bangkok time, typed as Thai users type it (BE year). */
function tomorrowAt(hhmm: string): string {
  const t = new Date(Date.now() + 86_400_000 + 7 * 3_600_000);
  return `${t.getUTCDate()}/${t.getUTCMonth() + 1}/${t.getUTCFullYear() + 543} ${hhmm}`;
}

/** The number a list gives a row: "2. “excerpt”" or "2. title". */
const rowOf = (list: string, start: string) => {
  const at = list.indexOf(start.slice(0, 20));
  const m = at < 0 ? null : /(\d+)\. \S*$/.exec(list.slice(0, at + 1));
  if (!m) throw new Error(`"${start}" not listed in:\n${list}`);
  return m[1]!;
};

describe("revoked roles keep no power (shipped process, PostgreSQL)", () => {
  let bot: ShippedBot;
  let councilA: CouncilWithPlace;
  let otherDistrict: number;
  let meetings: { edit: number; cancel: number };
  const by = () => ({ by: "Uadmin", at: new Date(), via: "test" });
  const grant = (id: string, g: RoleGrant) => bot.withDb((db) => grantRole(db.prisma, id, g, by()));
  const announcement = (text: string) => bot.withDb((db) => db.prisma.announcement.findFirstOrThrow({ where: { text } }));
  /** Pushes LINE accepted for a user, as text. */
  const pushesTo = (id: string) =>
    bot.line.requests.filter((r) => r.accepted && r.kind === "push" && r.to.includes(id)).map((r) => textOf(r.messages));
  const multicastsTo = (id: string) => bot.line.requests.filter((r) => r.kind === "multicast" && r.to.includes(id));
  const roles = (...args: string[]) =>
    promisify(execFile)("npm", ["run", "--silent", "roles", "--", ...args], {
      env: { ...process.env, DATABASE_URL: bot.database.url!, DATA_DIR: "" },
      cwd: process.cwd(),
    });

  async function schedule(text: string, at: string) {
    const a = bot.user(A);
    await a.say("ส่งประกาศ");
    expect(a.lastText()).toMatch(/พิมพ์ข้อความที่จะส่ง/);
    await a.say(text);
    await a.tap("ไม่แนบรูป");
    await a.tap("ไม่แนบการประชุม");
    await a.tap(`ต.${councilA.tambonNameTh}`);
    await a.tap("เลือกเสร็จแล้ว");
    await a.tap("เฉพาะสมาชิก");
    expect(a.lastText()).toMatch(/ผู้รับ: เฉพาะสมาชิก 1 คน/);
    await a.tap("ตั้งเวลาส่ง");
    await a.say(at);
    expect(a.lastText()).toMatch(/ตั้งเวลาส่งประกาศไว้ .* แล้วค่ะ/);
  }

  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
    await bot.withDb(async (db) => {
      const rows = await db.prisma.council.findMany({
        select: { id: true, tambon: { select: { districtId: true } } },
        orderBy: [{ tambonId: "asc" }, { id: "asc" }],
      });
      councilA = (await getCouncilWithPlace(db.prisma, rows.find((r) => r.tambon.districtId === KANTHARALAK)!.id))!;
      otherDistrict = rows.find((r) => r.tambon.districtId !== KANTHARALAK)!.tambon.districtId;
      for (const id of [A, B]) await grantRole(db.prisma, id, { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK }, by());
      await grantRole(db.prisma, C, { role: "COORDINATOR", level: "DISTRICT", areaId: otherDistrict }, by());
      // One member of council A: an announcement sent by mistake would reach them.
      await db.prisma.lineUser.create({ data: { id: MEMBER } });
      await db.prisma.member.create({
        data: { lineUserId: MEMBER, fullName: "สมศรี ใจดี", phone: "0812345678", councilId: councilA.id, status: "ACTIVE" },
      });
      // A's meetings, made while A coordinated Kantharalak.
      const meeting = async (title: string, day: number) =>
        (await createMeeting(
          db.prisma,
          A,
          {
            title,
            agenda: null,
            startsAt: new Date(Date.now() + day * 86_400_000),
            endsAt: new Date(Date.now() + day * 86_400_000 + 7_200_000),
            placeName: "ศาลาประชาคม",
            latitude: null,
            longitude: null,
            address: null,
            capacity: 50,
            registrationDeadline: null,
            audience: [{ level: "COUNCIL", areaId: councilA.id }],
          },
          new Date(),
        ))!.id;
      meetings = { edit: await meeting("ประชุมติดตามกองทุนสวัสดิการ", 5), cancel: await meeting("ประชุมวางแผนบ้านพอเพียง", 6) };
    });
  });
  afterAll(async () => bot?.stop());

  it("coordinator B cancels A's scheduled announcement from the chat; C of another district cannot; A is told", async () => {
    await schedule(CANCEL_ME, tomorrowAt("08:00"));
    await schedule(REVOKE_ME, tomorrowAt("09:00"));
    const target = await announcement(CANCEL_ME);

    const c = bot.user(C);
    await c.say("รายงานการส่ง");
    expect(c.lastText()).not.toContain(CANCEL_ME.slice(0, 20));
    await c.postback(encodePostback({ kind: "menu", entry: "announce-cancel", arg: String(target.id) }));
    expect(c.lastText()).toMatch(/ไม่พบประกาศนี้ หรือประกาศนี้อยู่นอกพื้นที่ที่ท่านดูแล/);

    const b = bot.user(B);
    await b.say("รายงานการส่ง");
    expect(b.lastText()).toMatch(/รอส่งในพื้นที่ของท่าน/);
    expect(b.lastText()).toContain(REVOKE_ME.slice(0, 20));
    await b.tap(`ยกเลิกประกาศ ${rowOf(b.lastText(), `“${CANCEL_ME}`)}`);
    expect(b.lastText()).toContain(`ยกเลิกประกาศ “${CANCEL_ME.slice(0, 20)}`);
    await b.tap("ยืนยันยกเลิกประกาศ");
    expect(b.lastText()).toMatch(/ยกเลิกประกาศแล้วค่ะ จะไม่มีการส่ง/);
    expect((await announcement(CANCEL_ME)).status).toBe("CANCELLED");
    expect((await announcement(REVOKE_ME)).status).toBe("SCHEDULED");
    await waitUntil(() => pushesTo(A).some((t) => t.includes("ถูกยกเลิกโดยผู้ประสานงานในพื้นที่")), { what: "A told" });
  });

  let codeOfA = "";
  it("A makes an invite code in the chat", async () => {
    const a = bot.user(A);
    await a.say("สร้างรหัสเชิญ");
    await a.tap(councilA.tambonNameTh);
    await a.tap("สร้างรหัส");
    codeOfA = /\b([A-Z2-9]{4}) ([A-Z2-9]{4})\b/.exec(a.lastText())!.slice(1).join("");
    expect(codeOfA).toHaveLength(8);
  });

  it("the admin moves A to another district with `npm run roles`: the Kantharalak role goes, and A's unused code with it", async () => {
    await grant(A, { role: "COORDINATOR", level: "DISTRICT", areaId: otherDistrict });
    const out = await roles("revoke", "--user", A, "--role", "coordinator", "--district", String(KANTHARALAK));
    expect(out.stdout).toMatch(/Revoked: .* is no longer coordinator of district 3304/);
    expect(out.stdout).toMatch(/Voided 1 unused invite code/);
    const invite = await bot.withDb((db) => db.prisma.inviteCode.findUniqueOrThrow({ where: { code: codeOfA } }));
    expect(invite.voidedAt).not.toBeNull();
    expect(invite.usedAt).toBeNull();
  });

  it("at send time A's scheduled announcement is cancelled, not multicast, and B (not C) is told", async () => {
    const pending = await announcement(REVOKE_ME);
    // Its time comes: the shipped send job, running every second, takes it.
    await bot.withDb((db) =>
      db.prisma.announcement.update({ where: { id: pending.id }, data: { scheduledAt: new Date(Date.now() - 1_000) } }),
    );
    await waitUntil(async () => (await announcement(REVOKE_ME)).status !== "SCHEDULED", { what: "the send job" });
    const after = await announcement(REVOKE_ME);
    expect(after).toMatchObject({ status: "CANCELLED", startedAt: null, recipientCount: 0 });
    await waitUntil(() => pushesTo(B).some((t) => t.includes("ถูกยกเลิก ไม่ได้ส่ง")), { what: "B told" });
    const notice = pushesTo(B).find((t) => t.includes("ถูกยกเลิก ไม่ได้ส่ง"))!;
    expect(notice).toContain(REVOKE_ME.slice(0, 20));
    expect(notice).toMatch(/ผู้เขียนไม่ได้เป็นผู้ประสานงานของพื้นที่นี้แล้ว/);
    expect(notice).toContain(`ต.${councilA.tambonNameTh}`);
    expect(pushesTo(C).filter((t) => t.includes(REVOKE_ME.slice(0, 20)))).toEqual([]);
    expect(pushesTo(A).filter((t) => t.includes(REVOKE_ME.slice(0, 20)))).toEqual([]);
    expect(multicastsTo(MEMBER)).toEqual([]);
    expect(
      await bot.withDb((db) => db.prisma.outboxMessage.count({ where: { dedupeKey: { startsWith: `announcement:${pending.id}#` } } })),
    ).toBe(0);
  });

  it("A's code fails with a clear answer; so does a code whose maker lost the role by other means; B's still works", async () => {
    const first = bot.user(lineUserId(0xe1));
    await first.say(codeOfA);
    expect(first.lastText()).toMatch(MAKER_GONE);

    // A role removed without the command (by hand, or before codes were voided): the code is still refused.
    const gone = lineUserId(0xa2);
    await grant(gone, { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK });
    const { code: unvoided } = await bot.withDb(async (db) => {
      const made = await createInvite(
        db.prisma,
        { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id },
        { userId: gone, now: new Date() },
      );
      await db.prisma.staffRole.deleteMany({ where: { lineUserId: gone } });
      return made;
    });
    const second = bot.user(lineUserId(0xe2));
    await second.say(unvoided);
    expect(second.lastText()).toMatch(MAKER_GONE);

    const { code: fromB } = await bot.withDb((db) =>
      createInvite(db.prisma, { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id }, { userId: B, now: new Date() }),
    );
    const third = bot.user(lineUserId(0xe3));
    await third.say(fromB);
    expect(third.lastText()).toMatch(/ยินดีต้อนรับ/);

    await bot.withDb(async (db) => {
      expect(await rolesOf(db.prisma, first.id)).toEqual([]);
      expect(await rolesOf(db.prisma, second.id)).toEqual([]);
      expect(await db.prisma.inviteCode.count({ where: { code: { in: [codeOfA, unvoided] }, usedAt: { not: null } } })).toBe(0);
    });
  });

  it("meetings follow the area: A, who created them but no longer covers it, can neither see, edit nor cancel them", async () => {
    const a = bot.user(A);
    await a.say("ประชุมที่ฉันจัด");
    expect(a.lastText()).not.toContain("ประชุมติดตามกองทุนสวัสดิการ");
    for (const entry of ["organize-edit", "organize-cancel"]) {
      await a.postback(encodePostback({ kind: "menu", entry, arg: String(meetings.edit) }));
      expect(a.lastText()).toMatch(NOT_FOUND_MEETING);
    }
    await bot.withDb(async (db) => {
      expect(await db.prisma.meeting.findUniqueOrThrow({ where: { id: meetings.edit } })).toMatchObject({
        capacity: 50,
        status: "SCHEDULED",
      });
    });
  });

  it("meetings follow the area: B, who covers it, edits one of A's meetings and cancels the other from ประชุมที่ฉันจัด", async () => {
    const b = bot.user(B);
    await b.say("ประชุมที่ฉันจัด");
    expect(b.lastText()).toMatch(/การประชุมในพื้นที่ของท่าน/);
    await b.tap(`แก้ไข ${rowOf(b.lastText(), "ประชุมติดตามกองทุนสวัสดิการ")}`);
    expect(b.lastText()).toMatch(/ต้องการแก้ข้อใด/);
    await b.tap("จำนวนที่นั่ง");
    await b.say("80");
    await b.tap("ยืนยันการแก้ไข");
    expect(b.lastText()).toMatch(/แก้ไข “ประชุมติดตามกองทุนสวัสดิการ” เรียบร้อยแล้วค่ะ/);

    await b.say("ประชุมที่ฉันจัด");
    await b.tap(`ยกเลิก ${rowOf(b.lastText(), "ประชุมวางแผนบ้านพอเพียง")}`);
    await b.tap("ยืนยันยกเลิกประชุม");
    expect(b.lastText()).toMatch(/ยกเลิกการประชุม .* แล้วค่ะ/);

    await bot.withDb(async (db) => {
      expect(await db.prisma.meeting.findUniqueOrThrow({ where: { id: meetings.edit } })).toMatchObject({
        capacity: 80,
        status: "SCHEDULED",
      });
      expect(await db.prisma.meeting.findUniqueOrThrow({ where: { id: meetings.cancel } })).toMatchObject({ status: "CANCELLED" });
    });
  });
});
