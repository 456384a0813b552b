// What the processor itself may have to say, in Thai.
export const INBOX_TEXT = {
  failed: "ขออภัยค่ะ ระบบขัดข้องชั่วคราว รายการที่ทำค้างไว้ถูกยกเลิก กรุณาเริ่มใหม่อีกครั้ง หรือแตะ “เมนูหลัก” ค่ะ",
  menu: "เมนูหลัก",
} as const;
