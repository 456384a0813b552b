// Flood situations as transcripts: a district coordinator declares one over
// the district with buttons (preview: the check-in as members see it, the
// members it reaches, the quota), confirms, and the check-in job sends the
// check-in to every member of the area exactly once (not to members outside
// it, not to staff, not to who does not follow); a secretary cannot use the
// entry; a change of area sends only to the newly covered, a change of level
// to nobody; an area already in a situation is refused with an offer to
// change that one; ending mid-send cancels the chunks not yet sent (one
// in flight still goes) and nobody else gets it; a crash before a batch
// commits leaves nothing; every declare/change/end is in situation_change.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkInJob } from "../../src/disaster/checkin-job.ts";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { silentLogger } from "../../src/log.ts";
import { grantRole, type RoleGrant } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { actionsOf, Harness, textOf, type ChatUser } from "../support/harness.ts";

const KANTHARALAK = 3304;
const MESSAGE = "น้ำจากลำห้วยกำลังขึ้น ขอให้ขนของขึ้นที่สูง";

describe.each(FLOW_DATABASES)("flood situations on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let councilA: CouncilWithPlace; // Kantharalak
  let councilB: CouncilWithPlace; // Kantharalak, another tambon
  let councilC: CouncilWithPlace; // another district
  const grant = (id: string, g: RoleGrant) => grantRole(h.db.prisma, id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  let mark = 0;
  /** Multicasts LINE accepted since the test began. */
  const multicasts = () => h.line.calls.slice(mark).flatMap((c) => (c.kind === "multicast" ? [{ to: c.to, messages: c.messages }] : []));
  const deliveries = (userId: string) =>
    h.line.calls
      .slice(mark)
      .flatMap((c) => ((c.kind === "push" && c.to === userId) || (c.kind === "multicast" && c.to.includes(userId)) ? [c.messages] : []));

  /** Members of a council (LINE users following the bot), inserted directly. */
  async function members(
    council: CouncilWithPlace,
    count: number,
    label: string,
    fields: { following?: boolean; withdrawn?: boolean } = {},
  ) {
    const ids = Array.from({ length: count }, (_, i) => `U-sit-${label}-${++n}-${String(i).padStart(5, "0")}`);
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
    const u = h.user(`U-sit-coord-${label}-${++n}`);
    await grant(u.id, { role: "COORDINATOR", level, areaId });
    return u;
  }

  /** From the entry to the preview of a new situation. */
  async function declare(u: ChatUser, areas: string[], level = "วิกฤต", message = MESSAGE) {
    await u.say("ประกาศสถานการณ์");
    expect(u.lastText()).toMatch(/พื้นที่ใดได้รับผลกระทบ/);
    for (const a of areas) await u.tap(a);
    await u.tap("เลือกเสร็จแล้ว");
    expect(u.lastText()).toMatch(/ระดับสถานการณ์/);
    expect(u.buttons()).toEqual(expect.arrayContaining(["เฝ้าระวัง", "เกิดเหตุ", "วิกฤต"]));
    await u.tap(level);
    await u.say(message);
    expect(u.lastText()).toMatch(/สมาชิกในพื้นที่จะได้รับข้อความนี้/);
  }

  const reach = (u: ChatUser) => Number(/ส่งข้อความถามความปลอดภัยถึงสมาชิก: ([\d,]+) คน/.exec(u.lastText())?.[1]?.replace(/,/g, ""));
  const situation = (by: ChatUser) => h.db.prisma.situation.findFirstOrThrow({ where: { declaredBy: by.id }, include: { areas: true } });

  /** Every member got exactly one check-in, none of `others` any; no id in two multicasts; each ≤ 500. */
  function expectCheckedInOnce(ids: string[], others: string[]) {
    const all = multicasts().filter((m) => m.messages.some((x) => x.type === "flex" && textOf([x]).includes("ท่านและครอบครัวปลอดภัยไหมคะ")));
    for (const m of all) expect(m.to.length).toBeLessThanOrEqual(500);
    const seen = new Map<string, number>();
    for (const m of all) for (const to of m.to) seen.set(to, (seen.get(to) ?? 0) + 1);
    expect([...seen.values()].filter((v) => v !== 1)).toEqual([]);
    expect(ids.filter((id) => !seen.has(id))).toEqual([]);
    expect(others.filter((id) => seen.has(id))).toEqual([]);
    expect(seen.size).toBe(ids.length);
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
  beforeEach(async () => {
    await h.db.sql.exec(
      `TRUNCATE safety_check_in, situation_change, situation_area, situation, outbox_message, push_quota_usage, member, staff_role, line_user, conversation CASCADE`,
    );
    mark = h.line.calls.length;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("a coordinator declares a situation over the district: preview with reach and quota; every member of the area gets the check-in once", async () => {
    const coord = await coordinator("declare");
    const inA = await members(councilA, 3, "a");
    const inB = await members(councilB, 2, "b");
    const inC = await members(councilC, 2, "c");
    const [unfollowed] = await members(councilA, 1, "gone", { following: false });
    const [withdrawn] = await members(councilA, 1, "wd", { withdrawn: true });
    // A secretary who is also a member of A: staff get the summary, not a check-in.
    const [secretary] = await members(councilA, 1, "sec");
    await grant(secretary!, { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id });

    await declare(coord, ["ทั้งอำเภอกันทรลักษ์"]);
    const preview = coord.last();
    expect(textOf(preview)).toContain("ท่านและครอบครัวปลอดภัยไหมคะ");
    expect(textOf(preview)).toContain(MESSAGE);
    expect(textOf(preview)).toContain("พื้นที่: อ.กันทรลักษ์");
    expect(textOf(preview)).toContain("ระดับ: วิกฤต");
    expect(reach(coord)).toBe(5);
    expect(coord.lastText()).toContain("ใช้โควตาข้อความ: 5 ข้อความ");
    expect(coord.lastText()).toContain("โควตาคงเหลือเดือนนี้: 300 จาก 300 ข้อความ");
    expect(coord.buttons()).toEqual(expect.arrayContaining(["ยืนยันประกาศ", "แก้พื้นที่", "แก้ระดับ", "แก้ข้อความ"]));
    expect(await h.db.prisma.situation.count()).toBe(0);

    await coord.tap("ยืนยันประกาศ");
    expect(coord.lastText()).toMatch(/ประกาศสถานการณ์น้ำท่วม อ\.กันทรลักษ์ แล้วค่ะ\nกำลังส่งข้อความถามความปลอดภัยถึงสมาชิก 5 คน/);
    const s = await situation(coord);
    expect(s).toMatchObject({ status: "ACTIVE", level: "CRISIS", message: MESSAGE, declaredAt: h.clock.now });
    expect(s.areas.map((a) => [a.level, a.areaId])).toEqual([["DISTRICT", KANTHARALAK]]);

    await h.runJobs();
    await h.runJobs();
    expectCheckedInOnce([...inA, ...inB], [...inC, unfollowed!, withdrawn!, secretary!, coord.id]);
    // The message: level, the coordinator's words, the question, three buttons to the "checkin" entry.
    const [batch] = deliveries(inA[0]!);
    expect(batch).toHaveLength(1);
    for (const words of ["🌊 สถานการณ์น้ำท่วม", "ระดับ: วิกฤต", MESSAGE, "ท่านและครอบครัวปลอดภัยไหมคะ"]) expect(textOf(batch!)).toContain(words);
    expect(actionsOf(batch!).map((a) => [a.label, a.data])).toEqual([
      ["ปลอดภัย", encodePostback({ kind: "menu", entry: "checkin", arg: `${s.id}:safe` })],
      ["ต้องการความช่วยเหลือ", encodePostback({ kind: "menu", entry: "checkin", arg: `${s.id}:help` })],
      ["ตอบแทนคนอื่น", encodePostback({ kind: "menu", entry: "checkin", arg: `${s.id}:other` })],
    ]);
    const rows = await h.db.prisma.safetyCheckIn.findMany({ where: { situationId: s.id } });
    expect(rows.map((r) => r.lineUserId).sort()).toEqual([...inA, ...inB].sort());
    expect(rows.every((r) => r.outboxMessageId !== null)).toBe(true);
    expect(rows.find((r) => r.lineUserId === inB[0])?.councilId).toBe(councilB.id);
    const chunks = await h.db.prisma.outboxMessage.findMany({ where: { purpose: "situation.checkin" } });
    expect(chunks.map((c) => [c.status, c.dedupeKey])).toEqual([["SENT", `checkin:${s.id}:${[...inA, ...inB].sort()[0]}#0`]]);
    expect(await h.db.prisma.pushQuotaUsage.findMany()).toMatchObject([{ messages: 5 }]);

    // More runs send nothing more.
    h.clock.advance(10 * 60_000);
    await h.runJobs();
    expectCheckedInOnce([...inA, ...inB], []);
    expect(await h.db.prisma.situationChange.findMany({ where: { situationId: s.id } })).toMatchObject([
      { action: "DECLARED", level: "CRISIS", message: MESSAGE, by: coord.id, areas: [{ level: "DISTRICT", areaId: KANTHARALAK }] },
    ]);
  });

  it("a secretary or a villager cannot use the entry, even with a forged button", async () => {
    const secretary = h.user(`U-sit-secretary-${++n}`);
    await grant(secretary.id, { role: "SECRETARY", level: "COUNCIL", areaId: councilA.id });
    const [villager] = await members(councilA, 1, "v");
    for (const u of [secretary, h.user(villager!)]) {
      await u.say("ประกาศสถานการณ์");
      expect(u.lastText()).not.toMatch(/พื้นที่ใดได้รับผลกระทบ/);
      await u.postback(encodePostback({ kind: "menu", entry: "situation", arg: "new" }));
      expect(u.lastText()).not.toMatch(/พื้นที่ใดได้รับผลกระทบ/);
      const c = await h.db.prisma.conversation.findUnique({ where: { lineUserId: u.id } });
      expect(c?.flowId ?? null).toBeNull();
    }
    expect(await h.db.prisma.situation.count()).toBe(0);
  });

  it("a change of area sends only to the newly covered; a change of level sends nothing; an area already in one is refused", async () => {
    const coord = await coordinator("change");
    const inA = await members(councilA, 3, "a");
    const inB = await members(councilB, 2, "b");
    const areaA = `ต.${councilA.tambonNameTh}`;
    const areaB = `ต.${councilB.tambonNameTh}`;
    await declare(coord, [areaA], "เฝ้าระวัง");
    expect(reach(coord)).toBe(3);
    await coord.tap("ยืนยันประกาศ");
    await h.runJobs();
    expectCheckedInOnce(inA, inB);
    const s = await situation(coord);

    // Declaring over the district now: B is free but A is in the situation.
    await coord.say("ประกาศสถานการณ์");
    expect(coord.lastText()).toContain("สถานการณ์ที่ประกาศอยู่ในพื้นที่ของท่าน");
    expect(coord.lastText()).toContain(`1. ${areaA}\nระดับ: เฝ้าระวัง`);
    expect(coord.buttons()).toEqual(expect.arrayContaining(["เปลี่ยน 1", "ยุติ 1", "ประกาศสถานการณ์ใหม่"]));
    await coord.tap("ประกาศสถานการณ์ใหม่");
    await coord.tap("ทั้งอำเภอกันทรลักษ์");
    await coord.tap("เลือกเสร็จแล้ว");
    await coord.tap("เกิดเหตุ");
    await coord.say(MESSAGE);
    expect(coord.lastText()).toContain(`⚠️ ${areaA} อยู่ในสถานการณ์ที่ประกาศไว้แล้ว`);
    await coord.tap("ยืนยันประกาศ");
    expect(coord.lastText()).toMatch(/อยู่ในสถานการณ์ที่ประกาศไว้แล้วค่ะ ยังไม่ได้บันทึก/);
    expect(await h.db.prisma.situation.count()).toBe(1);

    // The offered change: add B.
    await coord.tap("เปลี่ยนสถานการณ์เดิม");
    expect(coord.lastText()).toContain("สรุปการเปลี่ยนแปลง");
    expect(reach(coord)).toBe(0);
    await coord.tap("แก้พื้นที่");
    await coord.tap(areaB);
    await coord.tap("เลือกเสร็จแล้ว");
    expect(coord.lastText()).toContain(`พื้นที่: ${areaA}, ${areaB}`);
    expect(reach(coord)).toBe(2);
    await coord.tap("ยืนยันการเปลี่ยนแปลง");
    expect(coord.lastText()).toMatch(/บันทึกการเปลี่ยนแปลงแล้วค่ะ[\s\S]*ที่ยังไม่ได้รับ 2 คน/);
    await h.runJobs();
    expectCheckedInOnce([...inA, ...inB], []);

    // The level up: nobody gets it again.
    await coord.say("ประกาศสถานการณ์");
    await coord.tap("เปลี่ยน 1");
    await coord.tap("แก้ระดับ");
    await coord.tap("วิกฤต");
    expect(reach(coord)).toBe(0);
    await coord.tap("ยืนยันการเปลี่ยนแปลง");
    await h.runJobs();
    expectCheckedInOnce([...inA, ...inB], []);
    expect(await h.db.prisma.situation.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ level: "CRISIS", status: "ACTIVE" });
    const changes = await h.db.prisma.situationChange.findMany({ where: { situationId: s.id }, orderBy: { id: "asc" } });
    expect(changes.map((c) => [c.action, c.level, (c.areas as { areaId: number }[]).map((a) => a.areaId)])).toEqual([
      ["DECLARED", "WATCH", [councilA.id]],
      ["CHANGED", "WATCH", [councilA.id, councilB.id]],
      ["CHANGED", "CRISIS", [councilA.id, councilB.id]],
    ]);
    expect(changes.every((c) => c.by === coord.id)).toBe(true);

    // Another district's coordinator cannot touch it with a forged button.
    const other = await coordinator("other", "DISTRICT", councilC.districtId);
    await other.postback(encodePostback({ kind: "menu", entry: "situation", arg: `end:${s.id}` }));
    expect(other.lastText()).toMatch(/ไม่พบสถานการณ์นี้/);
  });

  it("ending mid-send cancels the chunks not yet sent, claimed or not (one in flight still goes); nobody else gets it", async () => {
    const coord = await coordinator("end");
    const many = await members(councilA, 1_200, "big");
    await declare(coord, [`ต.${councilA.tambonNameTh}`]);
    expect(reach(coord)).toBe(1_200);
    expect(coord.lastText()).toMatch(/จำนวนผู้รับเกินโควตาที่เหลือ/);
    await coord.tap("ยืนยันประกาศ");
    const s = await situation(coord);
    // Two batches of 500 queued (the worker not run yet); 200 members still to go.
    const job = checkInJob({ db: h.db, logger: silentLogger, batch: 500, batchesPerRun: 2 });
    expect(await job.runOnce(h.clock.now)).toBe(2);
    const chunks = await h.db.prisma.outboxMessage.findMany({ where: { purpose: "situation.checkin" }, orderBy: { id: "asc" } });
    expect(chunks.map((c) => (c.recipients as string[]).length)).toEqual([500, 500]);
    // A worker has claimed both: the first is in flight (its multicast on the
    // way to LINE: sendingAt), the second still waits in the worker's batch.
    const lease = new Date(h.clock.now.getTime() + 60_000);
    await h.db.prisma.outboxMessage.update({ where: { id: chunks[0]!.id }, data: { leaseUntil: lease, sendingAt: h.clock.now } });
    await h.db.prisma.outboxMessage.update({ where: { id: chunks[1]!.id }, data: { leaseUntil: lease } });

    await coord.say("ยุติสถานการณ์");
    await coord.tap("ยุติ 1");
    expect(coord.lastText()).toMatch(/ยังรอส่งอีก 500 คน จะไม่ถูกส่ง/);
    await coord.tap("ยืนยันยุติ");
    expect(coord.lastText()).toMatch(/ยุติสถานการณ์น้ำท่วม .* แล้วค่ะ ยกเลิกข้อความถามความปลอดภัยที่ยังไม่ได้ส่ง 500 คน/);
    const after = await h.db.prisma.outboxMessage.findMany({ where: { purpose: "situation.checkin" }, orderBy: { id: "asc" } });
    expect(after.map((c) => c.status)).toEqual(["PENDING", "CANCELLED"]);
    expect(after[1]!.lastError).toMatch(/situation ended/);

    // The held chunk goes (its lease over: the worker's takeover); nothing more is queued.
    h.clock.advance(61_000);
    await h.runJobs();
    await h.runJobs();
    const sent = (chunks[0]!.recipients as string[]).slice();
    expectCheckedInOnce(
      sent,
      many.filter((id) => !sent.includes(id)),
    );
    expect(await h.db.prisma.outboxMessage.count({ where: { purpose: "situation.checkin" } })).toBe(2);
    expect(await h.db.prisma.safetyCheckIn.count({ where: { situationId: s.id } })).toBe(500);
    expect(await h.db.prisma.situation.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({
      status: "ENDED",
      endedBy: coord.id,
    });
    const changes = await h.db.prisma.situationChange.findMany({ where: { situationId: s.id }, orderBy: { id: "asc" } });
    expect(changes.map((c) => c.action)).toEqual(["DECLARED", "ENDED"]);
    // Nothing left to end.
    await coord.say("ยุติสถานการณ์");
    expect(coord.lastText()).toMatch(/พื้นที่ใดได้รับผลกระทบ/);
  });

  it("narrowing the area before the chunks go: those no longer covered get nothing, the rest get it once", async () => {
    const coord = await coordinator("narrow");
    const inA = await members(councilA, 300, "a");
    const inB = await members(councilB, 300, "b");
    await declare(coord, ["ทั้งอำเภอกันทรลักษ์"]);
    expect(reach(coord)).toBe(600);
    await coord.tap("ยืนยันประกาศ");
    // Queued (two chunks: one batch on PostgreSQL, a batch each on PGlite), not sent yet.
    expect(await checkInJob({ db: h.db, logger: silentLogger }).runOnce(h.clock.now)).toBe(h.db.kind === "pglite" ? 2 : 1);
    expect(await h.db.prisma.outboxMessage.count({ where: { purpose: "situation.checkin", status: "PENDING" } })).toBe(2);

    await coord.say("ประกาศสถานการณ์");
    await coord.tap("เปลี่ยน 1");
    await coord.tap("แก้พื้นที่");
    // The district is selected ("✓ ทั้งอำเภอ…"): a tap takes it out.
    await coord.tap(coord.buttons().find((b) => b.startsWith("✓ ทั้งอำเภอ"))!);
    await coord.tap(`ต.${councilA.tambonNameTh}`);
    await coord.tap("เลือกเสร็จแล้ว");
    expect(coord.lastText()).toContain(`พื้นที่: ต.${councilA.tambonNameTh}`);
    await coord.tap("ยืนยันการเปลี่ยนแปลง");
    // The queued chunks stopped; those still covered are queued again, with the words as they are now.
    expect(coord.lastText()).toMatch(/ที่ยังไม่ได้รับ 300 คน/);
    const chunks = await h.db.prisma.outboxMessage.findMany({ where: { purpose: "situation.checkin" }, orderBy: { id: "asc" } });
    expect(chunks.map((c) => c.status)).toEqual(["CANCELLED", "CANCELLED"]);
    expect(chunks[0]!.lastError).toMatch(/situation changed/);
    await h.runJobs();
    await h.runJobs();
    expectCheckedInOnce(inA, inB);
    const s = await situation(coord);
    expect(await h.db.prisma.safetyCheckIn.count({ where: { situationId: s.id } })).toBe(300);
  });

  it("a crash before a batch commits queues nothing; the next run sends each member the check-in once", async () => {
    const coord = await coordinator("crash");
    const inA = await members(councilA, 3, "a");
    await declare(coord, [`ต.${councilA.tambonNameTh}`]);
    await coord.tap("ยืนยันประกาศ");
    const crashing = checkInJob({
      db: h.db,
      logger: silentLogger,
      beforeCommit: async () => {
        throw new Error("killed before commit");
      },
    });
    await expect(crashing.runOnce(h.clock.now)).rejects.toThrow(/killed before commit/);
    expect(await h.db.prisma.outboxMessage.count()).toBe(0);
    expect(await h.db.prisma.safetyCheckIn.count()).toBe(0);
    await h.runJobs();
    await h.runJobs();
    expectCheckedInOnce(inA, []);
    const check = (messages: messagingApi.Message[]) => textOf(messages).includes(MESSAGE);
    expect(deliveries(inA[0]!).filter(check)).toHaveLength(1);
  });
});
