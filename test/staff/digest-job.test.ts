// The evening digest, on both databases: nothing before DIGEST_TIME (18:00
// Bangkok by default), then one push per staff user listing their unsent
// items (at most 15 lines, the rest counted), the items marked sent; once a
// day however often the job runs, so items arriving after the day's digest
// wait for tomorrow's; two instances at once send one. A registration
// cancelled and made again is one line, as it stands at sending.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { CASES_ENTRY } from "../../src/help-requests/case-card.ts";
import { registrationDigestLine } from "../../src/meetings/registration-notice.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { digestKey, staffDigestJob } from "../../src/staff/digest-job.ts";
import { bangkokInstant } from "../../src/thai/format.ts";
import { STORE_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";

describe.each(STORE_DATABASES)("staff digest on %s", (kind) => {
  let h: Harness;
  let n = 0;

  const pushesTo = (userId: string, since: number) =>
    h.line.calls.slice(since).flatMap((c) => (c.kind === "push" && c.to === userId ? [c] : []));
  const items = (lineUserId: string) => h.db.prisma.staffDigestItem.findMany({ where: { lineUserId }, orderBy: { id: "asc" } });
  const add = (lineUserId: string, text: string) =>
    h.db.prisma.staffDigestItem.create({ data: { lineUserId, text, createdAt: h.clock.now } });
  async function at(day: string, time: string) {
    h.clock.now = bangkokInstant(day, time);
    const since = h.line.calls.length;
    await h.runJobs();
    return since;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("sends one push at 18:00 listing the day's items, then marks them sent", async () => {
    const sec = `U-digest-sec-${++n}`;
    const busy = `U-digest-busy-${++n}`;
    h.clock.now = bangkokInstant("2026-11-28", "10:00");
    await add(sec, "คำขอเชื่อมบัญชีกองทุน: สมศรี ใจดี (ไม่พบเลขบัตรและวันเกิดนี้ในทะเบียนกองทุน)");
    await add(sec, "ลงทะเบียนประชุม “ประชุมสภาฯ ประจำเดือน”: มานี มีนา 2 คน (ลงทะเบียนแล้ว)");
    await add(sec, "เรื่องขอซ่อมบ้าน SSK-H-6911-0003 ไม่มีความเคลื่อนไหว 14 วัน (รับเรื่องแล้ว)");
    for (let i = 1; i <= 20; i++) await add(busy, `รายการที่ ${i}`);

    let since = await at("2026-11-28", "17:59");
    expect(pushesTo(sec, since)).toEqual([]);
    expect((await items(sec)).every((i) => i.sentAt === null)).toBe(true);

    since = await at("2026-11-28", "18:00");
    const [push, ...more] = pushesTo(sec, since);
    expect(more).toEqual([]);
    const text = textOf(push!.messages);
    expect(text).toMatch(/^สรุปงานประจำวันที่ 28 พ.ย. 2569 มี 3 รายการค่ะ/);
    expect(text).toContain("• คำขอเชื่อมบัญชีกองทุน: สมศรี ใจดี");
    expect(text).toContain("• ลงทะเบียนประชุม");
    expect(text).toContain("• เรื่องขอซ่อมบ้าน SSK-H-6911-0003");
    expect(push!.messages.at(-1)?.quickReply?.items?.map((i) => (i.action as { label: string }).label)).toEqual([
      "คำขอที่รอดำเนินการ",
      "งานเจ้าหน้าที่",
    ]);
    expect((await items(sec)).map((i) => i.sentAt)).toEqual([h.clock.now, h.clock.now, h.clock.now]);
    const row = await h.db.prisma.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: digestKey(sec, "2026-11-28") } });
    expect(row.purpose).toBe("staff.digest");

    // Twenty items: fourteen lines, the rest counted.
    const busyText = textOf(pushesTo(busy, since)[0]!.messages);
    expect(busyText).toContain("มี 20 รายการ");
    expect(busyText).toContain("• รายการที่ 14");
    expect(busyText).not.toContain("• รายการที่ 15");
    expect(busyText).toContain("และอีก 6 รายการ");
  });

  it("runs once a day: a later item waits for tomorrow's digest", async () => {
    const sec = `U-digest-late-${++n}`;
    h.clock.now = bangkokInstant("2026-11-29", "09:00");
    await add(sec, "รายการเช้า");
    let since = await at("2026-11-29", "18:05");
    expect(pushesTo(sec, since)).toHaveLength(1);

    h.clock.now = bangkokInstant("2026-11-29", "18:30");
    await add(sec, "รายการค่ำ");
    since = await at("2026-11-29", "21:00");
    since = Math.min(since, await at("2026-11-29", "23:59"));
    since = Math.min(since, await at("2026-11-30", "17:59"));
    expect(pushesTo(sec, since)).toEqual([]);
    expect((await items(sec)).map((i) => i.sentAt === null)).toEqual([false, true]);

    since = await at("2026-11-30", "18:00");
    const pushes = pushesTo(sec, since);
    expect(pushes).toHaveLength(1);
    expect(textOf(pushes[0]!.messages)).toContain("• รายการค่ำ");
    expect(textOf(pushes[0]!.messages)).not.toContain("รายการเช้า");
    expect((await items(sec)).every((i) => i.sentAt !== null)).toBe(true);
  });

  it("follows DIGEST_TIME and sends once with two instances at once", async () => {
    const sec = `U-digest-pair-${++n}`;
    h.clock.now = bangkokInstant("2026-12-01", "12:00");
    await add(sec, "รายการเดียว");
    const job = () => staffDigestJob({ db: h.db, digestTime: "19:30", casesEntry: CASES_ENTRY, currentLine: registrationDigestLine });
    expect(await job().runOnce(bangkokInstant("2026-12-01", "19:29"))).toBe(0);
    const now = bangkokInstant("2026-12-01", "19:30");
    const [a, b] = await Promise.all([job().runOnce(now), job().runOnce(now)]);
    expect(a + b).toBe(1);
    expect(await h.db.prisma.outboxMessage.count({ where: { dedupeKey: digestKey(sec, "2026-12-01") } })).toBe(1);
    expect(await job().runOnce(bangkokInstant("2026-12-01", "22:00"))).toBe(0);
  });
});

describe.each(STORE_DATABASES)("the digest's registrations on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const newUser = (label: string) => h.user(`U-digest-reg-${label}-${++n}`);
  const pushesTo = (u: ChatUser, since: number) =>
    h.line.calls.slice(since).flatMap((c) => (c.kind === "push" && c.to === u.id ? [textOf(c.messages)] : []));

  async function signUp(u: ChatUser, fullName: string) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say(fullName);
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    const first = (u.last().at(-1)?.quickReply?.items ?? [])[0]?.action as { label: string };
    await u.tap(first.label);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    return (await h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } })).councilId!;
  }
  async function register(u: ChatUser, meetingId: number, people: string) {
    await u.postback(encodePostback({ kind: "menu", entry: "meeting-register", arg: String(meetingId) }));
    await u.say(people);
    await u.tap("ยืนยันลงทะเบียน");
    expect(u.lastText()).toMatch(/ลงทะเบียนเรียบร้อยแล้ว|รายชื่อรอ/);
  }
  async function cancel(u: ChatUser, meetingId: number) {
    await u.postback(encodePostback({ kind: "menu", entry: "meeting-cancel", arg: String(meetingId) }));
    await u.tap(u.buttons().find((b) => b.startsWith("ยืนยัน"))!);
    expect(u.lastText()).toMatch(/ยกเลิกการลงทะเบียน “/);
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

  it("lists a registration cancelled and made again once, as it stands; a cancelled one says so", async () => {
    h.clock.now = bangkokInstant("2026-12-02", "09:00");
    const somsri = newUser("somsri");
    const councilId = await signUp(somsri, "สมศรี ใจดี");
    const manee = newUser("manee");
    await signUp(manee, "มานี มีนา");
    const sec = newUser("sec");
    await grantRole(
      h.db.prisma,
      sec.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: councilId },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    await h.db.prisma.staffPreference.create({ data: { lineUserId: sec.id, digest: true } });
    const meeting = await h.db.prisma.meeting.create({
      data: {
        title: "ประชุมสภาฯ ประจำเดือน",
        startsAt: bangkokInstant("2026-12-10", "09:30"),
        endsAt: bangkokInstant("2026-12-10", "12:00"),
        placeName: "ศาลาประชาคม",
        capacity: 20,
        audience: { create: [{ level: "COUNCIL", areaId: councilId }] },
      },
    });

    await register(somsri, meeting.id, "2");
    h.clock.advance(60_000);
    await cancel(somsri, meeting.id);
    h.clock.advance(60_000);
    await register(somsri, meeting.id, "4");
    h.clock.advance(60_000);
    await register(manee, meeting.id, "1");
    h.clock.advance(60_000);
    await cancel(manee, meeting.id);
    expect(await h.db.prisma.staffDigestItem.count({ where: { lineUserId: sec.id } })).toBe(3);

    h.clock.now = bangkokInstant("2026-12-02", "18:00");
    const since = h.line.calls.length;
    await h.runJobs();
    const [digest, ...more] = pushesTo(sec, since);
    expect(more).toEqual([]);
    expect(digest).toMatch(/^สรุปงานประจำวันที่ 2 ธ.ค. 2569 มี 2 รายการค่ะ/);
    const lines = digest!.split("\n").filter((l) => l.startsWith("• "));
    expect(lines).toEqual([
      "• ลงทะเบียนประชุม “ประชุมสภาฯ ประจำเดือน”: สมศรี ใจดี 4 คน (ลงทะเบียนแล้ว)",
      "• ลงทะเบียนประชุม “ประชุมสภาฯ ประจำเดือน”: มานี มีนา 1 คน (ยกเลิกแล้ว)",
    ]);
    expect((await h.db.prisma.staffDigestItem.findMany({ where: { lineUserId: sec.id } })).every((i) => i.sentAt !== null)).toBe(true);
  });
});
