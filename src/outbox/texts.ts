// What the outbox says, in Thai: short and polite.
import { thaiMonthYear } from "../thai/format.ts";

export const OUTBOX_TEXT = {
  // To the admins, the first time LINE says the month's quota is used up.
  quotaExhausted: (month: string) =>
    [
      `⚠️ โควตาข้อความ LINE ของเดือน${thaiMonthYear(month)} หมดแล้วค่ะ`,
      "LINE จะไม่รับข้อความแจ้งเตือน (push) และประกาศ จนถึงเดือนถัดไปหรือจนกว่าจะเพิ่มแพ็กเกจของบัญชี",
      "การตอบแชตยังใช้ได้ตามปกติ ข้อความแจ้งเจ้าหน้าที่จะส่งให้พร้อมคำตอบ เมื่อเจ้าหน้าที่พิมพ์มาหาบอทครั้งถัดไป",
    ].join("\n"),
  // Why LINE refused a message, in plain words (LINE's own words follow them).
  refusal: {
    https: "ลิงก์รูปภาพต้องขึ้นต้นด้วย https:// (ผู้ดูแลระบบต้องตั้งที่อยู่ PUBLIC_BASE_URL ของบอทให้ถูกต้อง)",
    tooBig: "ข้อความหรือรูปยาวหรือใหญ่เกินที่ LINE กำหนด",
    recipient: "มีผู้รับที่ LINE ไม่รู้จัก",
    forbidden: "บัญชี LINE ของสภาฯ ไม่มีสิทธิ์ส่งข้อความแบบนี้",
    other: "รูปแบบข้อความไม่ตรงตามที่ LINE กำหนด",
  },
} as const;
