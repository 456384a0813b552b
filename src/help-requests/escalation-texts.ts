// What the escalation job says to staff, in Thai: short, the case number
// first, what to do last.
import type { HelpRequestStatus } from "../generated/prisma/client.ts";

export const ESCALATION_TEXT = {
  critical: (p: {
    caseNumber: string;
    waited: number;
    council: string;
    district: string;
    where: string;
    people: string;
    to: "district" | "province";
  }) =>
    [
      `🚨 เรื่องน้ำท่วมวิกฤต ${p.caseNumber}`,
      `ยังไม่มีผู้รับเรื่องมา ${p.waited} นาทีแล้วค่ะ`,
      `${p.council} ${p.district}`,
      `ที่อยู่: ${p.where}`,
      `จำนวนคน: ${p.people}`,
      p.to === "district"
        ? "ส่งถึงผู้ประสานงานอำเภอ กรุณารับเรื่องหรือประสานเลขาฯ ของสภาฯ ด่วนค่ะ"
        : "ส่งถึงผู้ประสานงานจังหวัด กรุณารับเรื่องหรือประสานผู้เกี่ยวข้องด่วนค่ะ",
    ].join("\n"),
  criticalDigest: (caseNumber: string, council: string) => `เรื่องน้ำท่วมวิกฤต ${caseNumber} (${council}) ยังไม่มีผู้รับเรื่อง`,
  unknownPlace: "ไม่ได้ระบุ",
  unknownPeople: "ไม่ได้ระบุ",
  people: (n: number) => `${n} คน`,
  housingIdle: (p: { caseNumber: string; days: number; status: string; household: string; council: string }) =>
    [
      `🏠 เรื่องขอซ่อมบ้าน ${p.caseNumber} ไม่มีความเคลื่อนไหวมา ${p.days} วันแล้วค่ะ`,
      `สถานะ: ${p.status}`,
      `ครัวเรือน: ${p.household}`,
      p.council,
      "กรุณาอัปเดตความคืบหน้า หรือบันทึกหมายเหตุให้ผู้ขอทราบค่ะ",
    ].join("\n"),
  housingIdleDigest: (caseNumber: string, days: number, status: string) =>
    `เรื่องขอซ่อมบ้าน ${caseNumber} ไม่มีความเคลื่อนไหว ${days} วัน (${status})`,
  statuses: {
    PENDING: "รอรับเรื่อง",
    ACCEPTED: "รับเรื่องแล้ว",
    IN_PROGRESS: "กำลังดำเนินการ",
    RESOLVED: "เสร็จสิ้น",
    REJECTED: "ไม่ผ่านการพิจารณา",
    CANCELLED: "ยกเลิกแล้ว",
  } satisfies Record<HelpRequestStatus, string>,
  open: "ดูเรื่องนี้",
} as const;
