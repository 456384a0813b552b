// A meeting registration tells the registrant's council secretaries, on both
// databases: one small card (meeting, date, name, party size, registered or
// waitlisted) pushed, or one line held for the evening digest of a
// secretary who chose it; another council's secretary hears nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { bangkokInstant } from "../../src/thai/format.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

describe.each(FLOW_DATABASES)("registration notices on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilId: number;
  let otherCouncilId: number;
  const newUser = (label: string) => h.user(`U-regnote-${label}-${++n}`);
  const pushesTo = (u: ChatUser, since: number) =>
    h.line.calls.slice(since).flatMap((c) => (c.kind === "push" && c.to === u.id ? [textOf(c.messages)] : []));

  async function signUp(u: ChatUser, fullName: string) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say(fullName);
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
  }

  async function secretary(areaId: number, digest = false) {
    const u = newUser(digest ? "digest" : "sec");
    await grantRole(h.db.prisma, u.id, { role: "SECRETARY", level: "COUNCIL", areaId }, { by: "Uadmin", at: h.clock.now, via: "test" });
    if (digest) await h.db.prisma.staffPreference.create({ data: { lineUserId: u.id, digest: true } });
    return u;
  }

  async function register(u: ChatUser, meetingId: number, people: string) {
    await u.postback(encodePostback({ kind: "menu", entry: "meeting-register", arg: String(meetingId) }));
    await u.say(people);
    await u.tap("ยืนยันลงทะเบียน");
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const probe = newUser("probe");
    await signUp(probe, "ผู้ทดสอบ ระบบ");
    councilId = (await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: probe.id } })).councilId!;
    otherCouncilId = (await h.db.prisma.council.findFirstOrThrow({ where: { id: { not: councilId } } })).id;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("pushes a card to the council's secretaries, and holds a line for one who chose the digest", async () => {
    const meeting = await h.db.prisma.meeting.create({
      data: {
        title: "ประชุมสภาองค์กรชุมชนประจำเดือนธันวาคม",
        startsAt: bangkokInstant("2026-12-05", "09:30"),
        endsAt: bangkokInstant("2026-12-05", "12:00"),
        placeName: "ศาลาประชาคมบ้านโนนสูง",
        capacity: 3,
        audience: { create: [{ level: "COUNCIL", areaId: councilId }] },
      },
    });
    const sec = await secretary(councilId);
    const evening = await secretary(councilId, true);
    const stranger = await secretary(otherCouncilId);

    const somsri = newUser("somsri");
    await signUp(somsri, "สมศรี ใจดี");
    let since = h.line.calls.length;
    await register(somsri, meeting.id, "3");
    expect(somsri.lastText()).toMatch(/ลงทะเบียนเรียบร้อยแล้ว/);
    await h.runJobs();
    const [card, ...more] = pushesTo(sec, since);
    expect(more).toEqual([]);
    expect(card).toContain("มีผู้ลงทะเบียนประชุม");
    expect(card).toContain("ประชุมสภาองค์กรชุมชนประจำเดือนธันวาคม");
    expect(card).toContain("วันเสาร์ที่ 5 ธ.ค. 2569 เวลา 09:30–12:00 น.");
    expect(card).toContain("สมศรี ใจดี");
    expect(card).toContain("3 คน");
    expect(card).toContain("ลงทะเบียนแล้ว");
    expect(pushesTo(evening, since)).toEqual([]);
    expect(pushesTo(stranger, since)).toEqual([]);

    // Full: the next party waits, and the notice says so.
    const manee = newUser("manee");
    await signUp(manee, "มานี มีนา");
    since = h.line.calls.length;
    await register(manee, meeting.id, "2");
    expect(manee.lastText()).toMatch(/รายชื่อรอ/);
    await h.runJobs();
    expect(pushesTo(sec, since)).toHaveLength(1);
    expect(pushesTo(sec, since)[0]).toContain("อยู่ในรายชื่อรอ ลำดับที่ 1");
    expect(pushesTo(evening, since)).toEqual([]);

    const held = await h.db.prisma.staffDigestItem.findMany({ where: { lineUserId: evening.id }, orderBy: { id: "asc" } });
    expect(held.map((i) => i.text)).toEqual([
      "ลงทะเบียนประชุม “ประชุมสภาองค์กรชุมชนประจำเดือนธันวาคม”: สมศรี ใจดี 3 คน (ลงทะเบียนแล้ว)",
      "ลงทะเบียนประชุม “ประชุมสภาองค์กรชุมชนประจำเดือนธันวาคม”: มานี มีนา 2 คน (อยู่ในรายชื่อรอ ลำดับที่ 1)",
    ]);
    expect(held.every((i) => i.sentAt === null)).toBe(true);
    expect(await h.db.prisma.staffDigestItem.count({ where: { lineUserId: { in: [sec.id, stranger.id] } } })).toBe(0);
  });
});
