// What the processor itself may have to say, in Thai.
export const INBOX_TEXT = {
  failed: "ขออภัยค่ะ ระบบขัดข้องชั่วคราว รายการที่ทำค้างไว้ถูกยกเลิก กรุณาเริ่มใหม่อีกครั้ง หรือแตะ “เมนูหลัก” ค่ะ",
  menu: "เมนูหลัก",
  /** Once per flood of messages from one user (more than the rate limit allows). */
  slowDown: "ได้รับข้อความจากคุณจำนวนมากในเวลาสั้น ๆ ระบบจึงตอบเฉพาะข้อความล่าสุดค่ะ ข้อความก่อนหน้านี้จะไม่ได้รับคำตอบ กรุณารอสักครู่แล้วส่งข้อความที่ต้องการอีกครั้งนะคะ",
} as const;
