import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_DATABASES } from "./support/database.ts";
import { Harness } from "./support/harness.ts";

describe.each(FLOW_DATABASES)("sign-up on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("walks a new villager from follow to membership", async () => {
    h.line.displayNames.set("U-somsri", "สมศรี ใจดี");
    const somsri = h.user("U-somsri");
    await somsri.follow();
    expect(somsri.lastText()).toMatch(/ยินดีต้อนรับ/);
    expect(somsri.lastText()).toMatch(/ข้อมูลส่วนตัว/);
    expect(somsri.buttons()).toEqual(["ยินยอม", "ไม่ยินยอม", "ยกเลิก"]);

    await somsri.tap("ยินยอม");
    expect(somsri.lastText()).toMatch(/ชื่อ-นามสกุล/);
    expect(somsri.buttons()).toContain("สมศรี ใจดี");
    await somsri.tap("สมศรี ใจดี");
    expect(somsri.lastText()).toMatch(/เบอร์โทรศัพท์/);
    await somsri.say("๐๘๑-๒๓๔-๕๖๗๘");
    expect(somsri.lastText()).toMatch(/อำเภอใด/);
    expect(somsri.buttons()).toContain("ถัดไป ▶");
    await somsri.say("กันทรลักษ์");
    expect(somsri.lastText()).toMatch(/ตำบลใดในอำเภอกันทรลักษ์/);
    await somsri.tap(somsri.buttons()[0]!);
    expect(somsri.lastText()).toMatch(/ตรวจสอบข้อมูล/);
    expect(somsri.lastText()).toMatch(/xxx-xxx-5678/);
    expect(somsri.lastText()).not.toMatch(/0812345678/);
    await somsri.tap("ยืนยัน");
    expect(somsri.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);

    const member = await h.db.prisma.member.findUnique({
      where: { lineUserId: "U-somsri" },
      include: { council: { include: { tambon: true } } },
    });
    expect(member).toMatchObject({ fullName: "สมศรี ใจดี", phone: "0812345678", status: "ACTIVE" });
    expect(member?.council?.tambon.districtId).toBe(3304);
    const consent = await h.db.prisma.consentRecord.findMany({ where: { lineUserId: "U-somsri" } });
    expect(consent).toHaveLength(1);
    expect(consent[0]).toMatchObject({ granted: true, noticeVersion: "2026-11" });
    const conversation = await h.db.prisma.conversation.findUnique({ where: { lineUserId: "U-somsri" } });
    expect(conversation).toMatchObject({ flowId: null, data: {} });
  });
});
