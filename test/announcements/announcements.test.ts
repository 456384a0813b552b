// Announcements as transcripts on PGlite: compose → preview (its
// count is the sender's list, per audience kind and areas, with the quota),
// send now (one delivery per recipient, quota counted), schedule (nothing
// before the time), cancel until it starts, the delivery report (sent,
// failed, blocked), 1,200 recipients in 3 chunks, a crash before the start
// commits and a worker dying mid-chunk (each recipient still gets it once;
// the outbox lease itself on both databases: test/outbox/worker.test.ts),
// a photo served at a signed URL, the register button of a linked meeting,
// and the refusals (non-coordinators, another district's areas, forged ids,
// tampered media URLs).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveRecipients } from "../../src/announcements/recipients.ts";
import { announcementSendJob } from "../../src/announcements/send-job.ts";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { MediaLinks } from "../../src/line/media-links.ts";
import { silentLogger } from "../../src/log.ts";
import { outboxWorker, type OutboxGateway } from "../../src/outbox/worker.ts";
import { exportSigningSecret } from "../../src/reports/export-links.ts";
import { grantRole, revokeRole, type RoleGrant } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { CHANNEL_SECRET, Harness, actionsOf, textOf, type ChatUser } from "../support/harness.ts";

const KANTHARALAK = 3304;
const TEXT = "ขอเชิญสมาชิกร่วมประชุมใหญ่ประจำปี วันเสาร์ที่ 5 ธันวาคม 2569";
const never = <T>() => new Promise<T>(() => undefined);

describe.each(FLOW_DATABASES)("announcements on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: CouncilWithPlace; // Kantharalak
  let councilB: CouncilWithPlace; // Kantharalak, another tambon
  let councilC: CouncilWithPlace; // another district
  const newUser = (label: string) => h.user(`U-ann-${label}-${++n}`);
  const grant = (id: string, g: RoleGrant) => grantRole(h.db.prisma, id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUnique({ where: { lineUserId: u.id } });
  /** Pushes and multicasts (not replies) that reached a user. */
  const deliveries = (userId: string) =>
    h.line.calls.flatMap((c) =>
      (c.kind === "push" && c.to === userId) || (c.kind === "multicast" && c.to.includes(userId)) ? [c.messages] : [],
    );
  // One fake LINE for the file: each test reads the calls made since it began.
  let mark = { calls: 0, requests: 0 };
  const calls = () => h.line.calls.slice(mark.calls);
  const multicastRequests = () => h.line.requests.slice(mark.requests).filter((r) => r.kind === "multicast");
  const media = () => new MediaLinks({ secret: exportSigningSecret({ channelSecret: CHANNEL_SECRET }), baseUrl: h.config.publicBaseUrl });

  /** Members of a council (LINE users following the bot), created directly. */
  async function members(
    council: CouncilWithPlace,
    count: number,
    label: string,
    fields: { following?: boolean; withdrawn?: boolean } = {},
  ) {
    const ids = Array.from({ length: count }, (_, i) => `U-ann-m-${label}-${++n}-${i}`);
    await h.db.prisma.lineUser.createMany({ data: ids.map((id) => ({ id, following: fields.following ?? true })) });
    await h.db.prisma.member.createMany({
      data: ids.map((lineUserId, i) => ({
        lineUserId,
        fullName: `สมาชิก ${label} ${i}`,
        phone: "0812345678",
        councilId: council.id,
        status: fields.withdrawn ? ("WITHDRAWN" as const) : ("ACTIVE" as const),
      })),
    });
    return ids;
  }

  async function coordinator(label: string, level: "DISTRICT" | "PROVINCE" = "DISTRICT", areaId = KANTHARALAK) {
    const u = newUser(label);
    await grant(u.id, { role: "COORDINATOR", level, areaId });
    return u;
  }

  /** The picker's button of the meeting with this title: its number in the message ("2. 5 ธ.ค. 2569 09:30 น. <title>"), "2 · 5 ธ.ค. 09:30". */
  function meetingButton(u: ChatUser, title: string): string {
    const n = new RegExp(`^(\\d+)\\. \\d+ \\S+ \\d{4} \\d\\d:\\d\\d น\\. ${title}$`, "m").exec(u.lastText())?.[1];
    const button = u.buttons().find((b) => n !== undefined && b.startsWith(`${n} · `));
    if (!button) throw new Error(`No button for ${title} in: ${u.lastText()} / ${u.buttons().join(" | ")}`);
    // Number, day and time: no title cut to "ประชุมใ…" that two meetings share.
    expect(button).toMatch(/^\d+ · \d{1,2} \S+ \d\d:\d\d$/u);
    expect(u.buttons().filter((b) => b.endsWith("…"))).toEqual([]);
    return button;
  }

  /** From "ส่งประกาศ" to the preview. */
  async function compose(u: ChatUser, options: { areas: string[]; audience: string; photo?: boolean; meeting?: string }) {
    await u.say("ส่งประกาศ");
    expect(u.lastText()).toMatch(/พิมพ์ข้อความที่จะส่ง/);
    await u.say(TEXT);
    if (options.photo) await u.image({ id: `photo-${++n}` });
    else await u.tap("ไม่แนบรูป");
    await u.tap(options.meeting ? meetingButton(u, options.meeting) : "ไม่แนบการประชุม");
    for (const area of options.areas) await u.tap(area);
    await u.tap("เลือกเสร็จแล้ว");
    await u.tap(options.audience);
    expect(u.lastText()).toMatch(/ตัวอย่างประกาศ/);
  }

  const recipientsLine = (u: ChatUser) => /ผู้รับ: (\S+) ([\d,]+) คน/.exec(u.lastText());

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
  beforeEach(async () => {
    // Each test counts recipients from scratch.
    await h.db.sql.exec(
      `TRUNCATE announcement_recipient, announcement_area, announcement, media_file, outbox_message, push_quota_usage, member, staff_role, line_user, conversation, meeting CASCADE`,
    );
    mark = { calls: h.line.calls.length, requests: h.line.requests.length };
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("previews the sender's own count for each audience kind and areas, then sends once to each, counting the quota", async () => {
    const coord = await coordinator("send");
    const inA = await members(councilA, 3, "a");
    const inB = await members(councilB, 2, "b");
    const inC = await members(councilC, 2, "c");
    const [unfollowed] = await members(councilA, 1, "gone", { following: false });
    const [withdrawn] = await members(councilA, 1, "wd", { withdrawn: true });
    const secA = `U-ann-secA-${++n}`;
    const secB = `U-ann-secB-${++n}`;
    const secC = `U-ann-secC-${++n}`;
    await grant(secA, { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id });
    await grant(secB, { role: "SECRETARY", level: "COUNCIL", areaId: councilB.id });
    await grant(secC, { role: "SECRETARY", level: "COUNCIL", areaId: councilC.id });
    const areaA = `ต.${councilA.tambonNameTh}`;
    const areaB = `ต.${councilB.tambonNameTh}`;
    const count = async (areas: { level: "COUNCIL" | "DISTRICT"; areaId: number }[], audience: "EVERYONE" | "MEMBERS" | "SECRETARIES") =>
      (await resolveRecipients(h.db.prisma, { areas, audience })).length;

    await compose(coord, { areas: [areaA], audience: "เฉพาะสมาชิก" });
    expect(coord.lastText()).toContain(TEXT);
    expect(recipientsLine(coord)?.slice(1)).toEqual(["เฉพาะสมาชิก", "3"]);
    expect(await count([{ level: "COUNCIL", areaId: councilA.id }], "MEMBERS")).toBe(3);
    expect(coord.lastText()).toContain("ใช้โควตาข้อความ: 3 ข้อความ");
    expect(coord.lastText()).toContain("โควตาคงเหลือเดือนนี้: 300 จาก 300 ข้อความ");

    await coord.tap("แก้กลุ่มผู้รับ");
    await coord.tap("ทุกคน");
    // 3 members, the council's secretary, and the district's coordinator.
    expect(recipientsLine(coord)?.slice(1)).toEqual(["ทุกคน", "5"]);
    expect(await count([{ level: "COUNCIL", areaId: councilA.id }], "EVERYONE")).toBe(5);
    await coord.tap("แก้กลุ่มผู้รับ");
    await coord.tap("เฉพาะเลขานุการ");
    expect(recipientsLine(coord)?.slice(1)).toEqual(["เฉพาะเลขานุการ", "1"]);
    await coord.tap("แก้พื้นที่");
    await coord.tap(areaB);
    await coord.tap("เลือกเสร็จแล้ว");
    expect(recipientsLine(coord)?.slice(1)).toEqual(["เฉพาะเลขานุการ", "2"]);
    await coord.tap("แก้กลุ่มผู้รับ");
    await coord.tap("ทุกคน");
    expect(recipientsLine(coord)?.slice(1)).toEqual(["ทุกคน", "8"]);
    const whole = [{ level: "DISTRICT" as const, areaId: KANTHARALAK }];
    expect(await count(whole, "EVERYONE")).toBe(8);

    await coord.tap("ส่งทันที");
    expect(coord.lastText()).toMatch(/กำลังส่งประกาศถึง 8 คน/);
    expect(deliveries(inA[0]!)).toEqual([]);
    await h.runJobs();
    await h.runJobs();
    for (const id of [...inA, ...inB, secA, secB, coord.id]) {
      expect(deliveries(id)).toHaveLength(1);
      expect(textOf(deliveries(id)[0]!)).toContain(TEXT);
    }
    for (const id of [...inC, secC, unfollowed!, withdrawn!]) expect(deliveries(id)).toEqual([]);
    const a = await h.db.prisma.announcement.findFirstOrThrow({ where: { createdBy: coord.id } });
    expect(a).toMatchObject({ status: "SENT", recipientCount: 8, audience: "EVERYONE" });
    expect(await h.db.prisma.announcementRecipient.count({ where: { announcementId: a.id, outboxMessageId: { not: null } } })).toBe(8);
    expect(await h.db.prisma.pushQuotaUsage.findMany()).toMatchObject([{ month: "2026-11", messages: 8, exhaustedAt: null }]);

    // The report: all sent.
    await coord.say("รายงานการส่ง");
    expect(coord.lastText()).toContain("ส่งถึง 8 · ไม่สำเร็จ 0 · รอส่ง 0 · บล็อกบัญชี 0");
    // The next preview shows what is left of the quota.
    await compose(coord, { areas: [areaA], audience: "เฉพาะสมาชิก" });
    expect(coord.lastText()).toContain("โควตาคงเหลือเดือนนี้: 292 จาก 300 ข้อความ");
  });

  it("a province-wide announcement to everyone also reaches followers who never signed up", async () => {
    const coord = await coordinator("prov", "PROVINCE", 33);
    const inA = await members(councilA, 2, "a");
    const inC = await members(councilC, 1, "c");
    await h.db.prisma.lineUser.createMany({ data: [{ id: `U-ann-guest-${++n}` }, { id: `U-ann-guest-${++n}`, following: false }] });
    await compose(coord, { areas: ["ทั้งจังหวัดศรีสะเกษ"], audience: "ทุกคน" });
    // 3 members, the guest who follows, the province coordinator.
    expect(recipientsLine(coord)?.slice(1)).toEqual(["ทุกคน", "5"]);
    await coord.tap("แก้กลุ่มผู้รับ");
    await coord.tap("เฉพาะสมาชิก");
    expect(recipientsLine(coord)?.slice(1)).toEqual(["เฉพาะสมาชิก", "3"]);
    expect([...inA, ...inC]).toHaveLength(3);
  });

  it("a scheduled announcement waits for its time; it can be cancelled until it starts, not after", async () => {
    const coord = await coordinator("sched");
    const [member] = await members(councilA, 1, "a");
    const area = `ต.${councilA.tambonNameTh}`;

    await compose(coord, { areas: [area], audience: "เฉพาะสมาชิก" });
    await coord.tap("ตั้งเวลาส่ง");
    await coord.pick("เลือกเวลาส่ง", "2026-11-28T09:00");
    expect(coord.lastText()).toMatch(/เวลาส่งต้องเป็นเวลาในอนาคต/);
    await coord.pick("เลือกเวลาส่ง", "2026-11-28T12:00");
    expect(coord.lastText()).toMatch(/ตั้งเวลาส่งประกาศไว้ 28\/11\/2569 12:00 น\. แล้ว/);
    await h.runJobs();
    expect(deliveries(member!)).toEqual([]);
    h.clock.advance(2 * 3_600_000 - 60_000);
    await h.runJobs();
    expect(deliveries(member!)).toEqual([]);
    h.clock.advance(60_000);
    await h.runJobs();
    expect(deliveries(member!)).toHaveLength(1);

    // Cancelled before its time: never sent.
    await compose(coord, { areas: [area], audience: "เฉพาะสมาชิก" });
    await coord.tap("ตั้งเวลาส่ง");
    await coord.say("28/11/2569 13:00");
    await coord.say("รายงานการส่ง");
    expect(coord.lastText()).toMatch(/รอส่ง 28\/11\/2569 13:00 น\./);
    await coord.tap("ยกเลิกประกาศ 1");
    await coord.tap("ยืนยันยกเลิกประกาศ");
    expect(coord.lastText()).toMatch(/ยกเลิกประกาศแล้ว/);
    h.clock.advance(3_600_000);
    await h.runJobs();
    expect(deliveries(member!)).toHaveLength(1);
    expect((await h.db.prisma.announcement.findMany({ where: { status: "CANCELLED" } })).length).toBe(1);

    // Started while the coordinator was confirming: refused, and sent.
    await compose(coord, { areas: [area], audience: "เฉพาะสมาชิก" });
    await coord.tap("ตั้งเวลาส่ง");
    await coord.say("28/11/2569 13:05");
    await coord.say("รายงานการส่ง");
    await coord.tap("ยกเลิกประกาศ 1");
    h.clock.advance(6 * 60_000);
    await h.runJobs();
    await coord.tap("ยืนยันยกเลิกประกาศ");
    expect(coord.lastText()).toMatch(/เริ่มส่งไปแล้ว ยกเลิกไม่ได้/);
    expect(deliveries(member!)).toHaveLength(2);
    // A forged cancel by a coordinator of another district: not theirs to touch.
    const other = await coordinator("other", "DISTRICT", councilC.districtId);
    const a = await h.db.prisma.announcement.findFirstOrThrow({ where: { createdBy: coord.id } });
    await other.postback(encodePostback({ kind: "menu", entry: "announce-cancel", arg: String(a.id) }));
    expect(other.lastText()).toMatch(/ไม่พบประกาศนี้ หรือประกาศนี้อยู่นอกพื้นที่ที่ท่านดูแล/);
  });

  it("1,200 recipients go in 3 chunks; the report shows sent, failed (a 400 for one chunk) and blocked", async () => {
    const coord = await coordinator("big");
    const many = await members(councilA, 1_200, "big");
    await compose(coord, { areas: [`ต.${councilA.tambonNameTh}`], audience: "เฉพาะสมาชิก" });
    expect(recipientsLine(coord)?.slice(1)).toEqual(["เฉพาะสมาชิก", "1,200"]);
    expect(coord.lastText()).toMatch(/จำนวนผู้รับเกินโควตาที่เหลือ/);
    await coord.tap("ส่งทันที");
    h.line.failNext("multicast", 400, 1, { message: "The request body has invalid properties" });
    await h.runJobs();
    const chunks = await h.db.prisma.outboxMessage.findMany({
      where: { dedupeKey: { startsWith: "announcement:" } },
      orderBy: { id: "asc" },
    });
    expect(chunks.map((c) => (c.recipients as string[]).length)).toEqual([500, 500, 200]);
    expect(chunks.map((c) => c.status).sort()).toEqual(["FAILED", "SENT", "SENT"]);
    const multicasts = calls().filter((c) => c.kind === "multicast");
    expect(multicasts.map((c) => (c.kind === "multicast" ? c.to.length : 0)).sort()).toEqual([200, 500]);
    const sentTo = new Set(multicasts.flatMap((c) => (c.kind === "multicast" ? c.to : [])));
    const blocked = many.find((id) => sentTo.has(id))!;
    await h.user(blocked).unfollow();
    await coord.say("รายงานการส่ง");
    // Finished, but LINE refused one chunk: not "ส่งครบแล้ว" (all sent).
    expect(coord.lastText()).toContain("ส่งแล้ว แต่ไม่สำเร็จบางส่วน");
    expect(coord.lastText()).toContain("ส่งถึง 699 · ไม่สำเร็จ 500 · รอส่ง 0 · บล็อกบัญชี 1");
    // 700 delivered, and the push telling the author LINE refused a chunk.
    expect(await h.db.prisma.pushQuotaUsage.findMany()).toMatchObject([{ month: "2026-11", messages: 701, exhaustedAt: null }]);
  });

  it("a crash before the start commits queues nothing; the next run sends to each recipient once", async () => {
    const coord = await coordinator("crash");
    const ids = await members(councilA, 3, "a");
    await compose(coord, { areas: [`ต.${councilA.tambonNameTh}`], audience: "เฉพาะสมาชิก" });
    await coord.tap("ส่งทันที");
    const crashing = announcementSendJob({
      db: h.db,
      logger: silentLogger,
      media: media(),
      beforeCommit: async () => {
        throw new Error("killed before commit");
      },
    });
    await expect(crashing.runOnce(h.clock.now)).rejects.toThrow(/killed before commit/);
    expect(await h.db.prisma.outboxMessage.count()).toBe(0);
    expect(await h.db.prisma.announcementRecipient.count()).toBe(0);
    expect((await h.db.prisma.announcement.findFirstOrThrow()).status).toBe("SCHEDULED");
    await h.runJobs();
    await h.runJobs();
    for (const id of ids) expect(deliveries(id)).toHaveLength(1);
    expect((await h.db.prisma.announcement.findFirstOrThrow()).status).toBe("SENT");
  });

  it("a worker killed after LINE took a chunk: another takes it over when the lease ends; each recipient gets it once", async () => {
    const coord = await coordinator("kill");
    const ids = await members(councilA, 4, "a");
    await compose(coord, { areas: [`ต.${councilA.tambonNameTh}`], audience: "เฉพาะสมาชิก" });
    await coord.tap("ส่งทันที");
    // Start only: the chunk is queued.
    expect(await announcementSendJob({ db: h.db, logger: silentLogger, media: media() }).runOnce(h.clock.now)).toBeGreaterThan(0);
    const gateway = h.app.gateway!;
    let dead = false;
    const dying: OutboxGateway = {
      push: () => never(),
      async multicast(to, messages, key) {
        if (dead) return never();
        dead = true;
        await gateway.multicast(to, messages, key); // LINE accepts it, then the process dies
        return never();
      },
    };
    void outboxWorker({ db: h.db, gateway: dying, logger: silentLogger, now: () => h.clock.now }).runOnce(h.clock.now);
    const multicasts = () => calls().filter((c) => c.kind === "multicast").length;
    for (let i = 0; i < 18_000 && multicasts() === 0; i++) await new Promise((r) => setTimeout(r, 10)); // up to 3 minutes
    expect(multicasts()).toBe(1);
    await h.runJobs(); // the lease still holds: nothing to take
    expect(multicastRequests()).toHaveLength(1);
    h.clock.advance(61_000);
    await h.runJobs();
    await h.runJobs();
    for (const id of ids) expect(deliveries(id)).toHaveLength(1);
    expect(multicastRequests()).toHaveLength(2); // the takeover got LINE's 409
    expect((await h.db.prisma.announcement.findFirstOrThrow()).status).toBe("SENT");
  });

  it("a photo is fetched from LINE and served at a signed URL; a linked meeting's button opens registration", async () => {
    const coord = await coordinator("photo");
    const [memberId] = await members(councilA, 1, "a");
    const meeting = await h.db.prisma.meeting.create({
      data: {
        title: "ประชุมใหญ่สามัญประจำปี",
        startsAt: new Date("2026-12-05T02:30:00Z"),
        endsAt: new Date("2026-12-05T05:00:00Z"),
        placeName: "ศาลาประชาคม",
        createdBy: coord.id,
        audience: { create: [{ level: "COUNCIL", areaId: councilA.id }] },
      },
    });
    await compose(coord, { areas: [`ต.${councilA.tambonNameTh}`], audience: "เฉพาะสมาชิก", photo: true, meeting: "ประชุมใหญ่สามัญประจำปี" });
    expect(coord.lastText()).toContain("[รูปที่ท่านส่ง จะแสดงตรงนี้]");
    expect(coord.lastText()).toContain("ประชุมใหญ่สามัญประจำปี");
    await coord.tap("ส่งทันที");
    await h.runJobs();
    await h.runJobs();
    expect(calls().filter((c) => c.kind === "content")).toHaveLength(1);
    const [batch] = deliveries(memberId!);
    expect(batch!.map((m) => m.type)).toEqual(["text", "image", "flex"]);
    const image = batch![1] as { originalContentUrl: string; previewImageUrl: string };
    const path = new URL(image.originalContentUrl).pathname;
    expect(path).toMatch(/^\/media\/\d+-[A-Za-z0-9_-]{43}\.jpg$/);
    const res = await fetch(`${h.baseUrl}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    // Tampered: another id, a changed signature, another extension, anything else.
    const [, id, sig] = /^\/media\/(\d+)-([^.]+)\.jpg$/.exec(path)!;
    const flipped = `${sig!.slice(0, -1)}${sig!.endsWith("A") ? "B" : "A"}`;
    for (const bad of [
      `/media/${Number(id) + 1}-${sig}.jpg`,
      `/media/${id}-${flipped}.jpg`,
      `/media/${id}-${sig}.png`,
      `/media/${id}.jpg`,
      `/media/..%2F${id}-${sig}.jpg`,
    ]) {
      expect((await fetch(`${h.baseUrl}${bad}`)).status).toBe(404);
    }

    // The villager taps "ลงทะเบียน" on the announcement.
    const register = actionsOf(batch!).find((a) => a.label === "ลงทะเบียน")!;
    expect(register.data).toBe(encodePostback({ kind: "menu", entry: "meeting-register", arg: String(meeting.id) }));
    const villager = h.user(memberId!);
    await villager.postback(register.data!);
    expect(villager.lastText()).toMatch(/มาร่วมประชุมกี่คน/);
  });

  it("an author revoked before the time: cancelled at send time; with no other coordinator of the area, the admins hear", async () => {
    const coord = await coordinator("gone");
    const [member] = await members(councilA, 1, "a");
    const admin = `U-ann-admin-${++n}`;
    await grant(admin, { role: "ADMIN", level: "PROVINCE", areaId: 33 });
    await compose(coord, { areas: [`ต.${councilA.tambonNameTh}`], audience: "เฉพาะสมาชิก" });
    await coord.tap("ตั้งเวลาส่ง");
    // Tomorrow 08:00 in Bangkok, whatever earlier tests did to the clock.
    const tomorrow = new Date(h.clock.now.getTime() + 86_400_000 + 7 * 3_600_000);
    await coord.say(`${tomorrow.getUTCDate()}/${tomorrow.getUTCMonth() + 1}/${tomorrow.getUTCFullYear() + 543} 08:00`);
    expect(coord.lastText()).toMatch(/ตั้งเวลาส่งประกาศไว้/);
    await revokeRole(
      h.db.prisma,
      coord.id,
      { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    h.clock.advance(2 * 86_400_000);
    await h.runJobs();
    await h.runJobs();
    expect(deliveries(member!)).toEqual([]);
    expect(await h.db.prisma.announcement.findFirstOrThrow()).toMatchObject({ status: "CANCELLED", recipientCount: 0 });
    expect(deliveries(admin).map(textOf)).toEqual([expect.stringMatching(/ถูกยกเลิก ไม่ได้ส่งค่ะ\nเพราะผู้เขียนไม่ได้เป็นผู้ประสานงานของพื้นที่นี้แล้ว/)]);
    expect(deliveries(coord.id)).toEqual([]);
  });

  it("only coordinators compose; a district coordinator cannot target another district", async () => {
    const secretary = newUser("sec");
    await grant(secretary.id, { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id });
    const villager = newUser("villager");
    for (const u of [secretary, villager]) {
      await u.say("ส่งประกาศ");
      expect(u.lastText()).not.toMatch(/พิมพ์ข้อความที่จะส่ง/);
      await u.postback(encodePostback({ kind: "menu", entry: "announce" }));
      expect((await conversation(u))?.flowId ?? null).toBeNull();
    }
    const coord = await coordinator("forge");
    await coord.say("ส่งประกาศ");
    await coord.say(TEXT);
    await coord.tap("ไม่แนบรูป");
    await coord.tap("ไม่แนบการประชุม");
    expect(coord.buttons()).not.toContain(`ต.${councilC.tambonNameTh}`);
    const c = (await conversation(coord))!;
    await coord.postback(
      encodePostback({ kind: "answer", flow: "announce-compose", step: "areas", turn: c.turn, value: `D:${councilC.districtId}` }),
    );
    expect(coord.lastText()).toMatch(/ข้อความเก่า/);
    await coord.tap("เลือกเสร็จแล้ว");
    expect(coord.lastText()).toMatch(/กรุณาเลือกอย่างน้อยหนึ่งพื้นที่/);
    expect(await h.db.prisma.announcement.count()).toBe(0);
  });
  it("says who sent it, shows the photo in the preview, and the report counts the registrations that came from it", async () => {
    const coord = await coordinator("from");
    const [recipient, other] = await members(councilA, 2, "a");
    const [outsider] = await members(councilC, 1, "c");
    const meeting = await h.db.prisma.meeting.create({
      data: {
        title: "ประชุมสภาองค์กรชุมชน",
        startsAt: new Date("2026-12-05T02:30:00Z"),
        endsAt: new Date("2026-12-05T05:00:00Z"),
        placeName: "ศาลาประชาคม",
        createdBy: coord.id,
        audience: { create: [{ level: "COUNCIL", areaId: councilA.id }] },
      },
    });
    // Registered before the announcement: not one it brought.
    await h.db.prisma.meetingRegistration.create({
      data: { meetingId: meeting.id, lineUserId: other!, status: "REGISTERED", registeredAt: h.clock.now },
    });
    h.clock.advance(60_000);

    await coord.say("ส่งประกาศ");
    await coord.say(TEXT);
    await coord.image({ id: `photo-${++n}` });
    // The photo is fetched while the coordinator goes on choosing.
    await h.runJobs();
    await coord.tap(meetingButton(coord, "ประชุมสภาองค์กรชุมชน"));
    await coord.tap(`ต.${councilA.tambonNameTh}`);
    await coord.tap("เลือกเสร็จแล้ว");
    await coord.tap("เฉพาะสมาชิก");
    expect(coord.lastText()).toContain("📢 ประกาศจากสภาองค์กรชุมชน\nจาก ผู้ประสานงานอำเภอกันทรลักษ์");
    expect(coord.lastText()).not.toContain("[รูปที่ท่านส่ง จะแสดงตรงนี้]");
    const hero = JSON.stringify(coord.last()).match(/"url":"([^"]+\/media\/\d+-[A-Za-z0-9_-]{43}\.jpg)"/)?.[1];
    expect(hero, "the photo in the preview").toBeDefined();
    expect((await fetch(`${h.baseUrl}${new URL(hero!).pathname}`)).status).toBe(200);

    await coord.tap("ส่งทันที");
    await h.runJobs();
    await h.runJobs();
    // One fetch: the announcement took the file the preview showed.
    expect(calls().filter((c) => c.kind === "content")).toHaveLength(1);
    const [batch] = deliveries(recipient!);
    expect(textOf(batch!)).toContain("จาก ผู้ประสานงานอำเภอกันทรลักษ์");
    expect((batch![1] as { originalContentUrl: string }).originalContentUrl).toBe(hero);

    // After it went out: the recipient registers (counted); someone it did not reach is there too (not counted).
    h.clock.advance(60_000);
    await h.db.prisma.meetingRegistration.create({
      data: { meetingId: meeting.id, lineUserId: recipient!, status: "REGISTERED", registeredAt: h.clock.now },
    });
    await h.db.prisma.meetingRegistration.create({
      data: { meetingId: meeting.id, lineUserId: outsider!, status: "REGISTERED", registeredAt: h.clock.now },
    });
    await coord.say("รายงานการส่ง");
    expect(coord.lastText()).toContain("ลงทะเบียนประชุมหลังได้รับประกาศ 1 ราย");
  });
});
