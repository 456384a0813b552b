// A non-member who shares a LINE location is offered the council of the
// nearest tambon centre (issue 11 §4): ใช่ files the request there,
// เลือกเอง goes to the district list, and a location far outside the
// province (or a typed village) keeps the district → council questions.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nearestTambon, tambonNear } from "../../src/geography/tambon-centres.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const SISAKET = 33;
const NEAR_MUEANG_NUEA = [15.103, 104.336] as const;
const BANGKOK = [13.75, 100.5] as const;

describe("tambon centres", () => {
  it("places a location at the nearest centre of the province, within 15 km", () => {
    expect(nearestTambon(...NEAR_MUEANG_NUEA)).toEqual({ tambonId: 330101, km: 0 });
    expect(tambonNear(SISAKET, 15.11, 104.34)).toBe(330101);
    // Bangkok is near a Nonthaburi tambon, not in the province; the sea is near nothing.
    expect(tambonNear(SISAKET, ...BANGKOK)).toBeNull();
    expect(tambonNear(SISAKET, 10, 110)).toBeNull();
  });
});

describe.each(FLOW_DATABASES)("nearby council on %s", (kind) => {
  let h: Harness;
  let n = 0;
  const newUser = (label: string) => h.user(`U-nearby-${label}-${++n}`);
  const requestsOf = (u: ChatUser) =>
    h.db.prisma.helpRequest.findMany({ where: { lineUserId: u.id }, include: { council: { include: { tambon: true } } } });

  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  async function floodToLocation(u: ChatUser) {
    await u.say("น้ำท่วม");
    await u.tap("บ้านของฉันเอง");
    expect(u.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
  }

  it("flood: a location near เมืองเหนือ is offered; ใช่ files the request with that council", async () => {
    const u = newUser("yes");
    await floodToLocation(u);
    await u.location(...NEAR_MUEANG_NUEA);
    expect(u.lastText()).toBe("ตำแหน่งที่ส่งมาอยู่ใกล้ ต.เมืองเหนือ อ.เมืองศรีสะเกษ ใช่ไหมคะ");
    expect(u.buttons()).toEqual(["ใช่", "เลือกเอง", "ย้อนกลับ", "ยกเลิก"]);
    await u.tap("ใช่");
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
    await u.say("0891234567");
    await u.say("3");
    await u.tap("ไม่มี");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้อเท้า");
    await u.tap("น้ำดื่ม");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้าม");
    await u.tap("ข้าม");
    expect(u.lastText()).toContain("ตำบล: สภาองค์กรชุมชนตำบลเมืองเหนือ");
    await u.tap("ยืนยันส่งคำขอ");
    const [row] = await requestsOf(u);
    expect(row?.council.tambon.id).toBe(330101);
  });

  it("flood: เลือกเอง goes to the district list, as before", async () => {
    const u = newUser("choose");
    await floodToLocation(u);
    await u.location(...NEAR_MUEANG_NUEA);
    await u.tap("เลือกเอง");
    expect(u.lastText()).toMatch(/อำเภอใด/);
    expect(u.buttons()).toContain("กันทรลักษ์");
    await u.say("กันทรลักษ์");
    expect(u.lastText()).toMatch(/ตำบล/);
  });

  it("flood: a location far outside the province, or a typed village, asks the district", async () => {
    const far = newUser("far");
    await floodToLocation(far);
    await far.location(...BANGKOK);
    expect(far.lastText()).toMatch(/อำเภอใด/);
    const typed = newUser("typed");
    await floodToLocation(typed);
    await typed.say("บ้านโนนสูง หมู่ 5");
    expect(typed.lastText()).toMatch(/อำเภอใด/);
  });

  it("housing: the same offer after the location; ใช่ files it with that council", async () => {
    const u = newUser("housing");
    await u.say("ขอซ่อมบ้าน");
    await u.say("นางบุญมี ยากจน");
    await u.say("3");
    await u.tap("ต่ำกว่า 3,000 บาท");
    await u.tap("หลังคา");
    await u.tap("เสร็จแล้ว");
    await u.tap("ที่ดินของตัวเอง");
    await u.tap("ข้าม");
    expect(u.lastText()).toMatch(/บ้านอยู่ที่ไหน/);
    await u.location(...NEAR_MUEANG_NUEA);
    expect(u.lastText()).toBe("ตำแหน่งที่ส่งมาอยู่ใกล้ ต.เมืองเหนือ อ.เมืองศรีสะเกษ ใช่ไหมคะ");
    await u.tap("ใช่");
    expect(u.lastText()).toMatch(/ขอเบอร์โทรศัพท์/);
    await u.say("0891234567");
    expect(u.lastText()).toContain("ตำบล: สภาองค์กรชุมชนตำบลเมืองเหนือ");
    await u.tap("ยืนยันส่งคำขอ");
    const [row] = await requestsOf(u);
    expect(row?.council.tambon.id).toBe(330101);
  });
});
