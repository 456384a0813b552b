// What "my requests" (คำขอของฉัน) says, in Thai. Labels of buttons ≤ 20
// characters (quick replies); card labels that never change are in the
// flex-templates/request-*.json files themselves.
import type { HelpRequestStatus } from "../generated/prisma/client.ts";

export const MY_REQUESTS_TEXT = {
  menu: "คำขอของฉัน", // ≤ 20 characters
  flowTitles: {
    photo: "การเพิ่มรูปในคำขอ",
    note: "การเพิ่มข้อความในคำขอ",
    // The engine says "ยกเลิก<title>แล้วค่ะ": this reads as "stopped asking to
    // cancel", so a villager who types ยกเลิก here knows the request stays.
    cancel: "การแจ้งยกเลิกคำขอ",
  },
  statuses: {
    PENDING: "รอเจ้าหน้าที่รับเรื่อง",
    ACCEPTED: "รับเรื่องแล้ว",
    IN_PROGRESS: "กำลังดำเนินการ",
    RESOLVED: "เสร็จสิ้น",
    REJECTED: "ไม่ผ่านการพิจารณา",
    CANCELLED: "ยกเลิกแล้ว",
  } satisfies Record<HelpRequestStatus, string>,

  // The list
  none: "ท่านยังไม่มีคำขอความช่วยเหลือค่ะ หากต้องการแจ้งขอความช่วยเหลือ แตะเมนูด้านล่างได้เลยค่ะ",
  listLead: (total: number, from: number, to: number) =>
    total <= to - from + 1
      ? `คำขอของท่าน ${total} รายการ (อัปเดตล่าสุดอยู่ก่อน) แตะ “ดูรายละเอียด” เพื่อดูความคืบหน้าค่ะ`
      : `คำขอของท่าน ${total} รายการ แสดงรายการที่ ${from}–${to} (อัปเดตล่าสุดอยู่ก่อน)${to < total ? ` แตะ “ดูเพิ่ม” เพื่อดูอีก ${total - to} รายการค่ะ` : ""}`,
  listAlt: (total: number) => `คำขอของฉัน ${total} รายการ`,
  more: "ดูเพิ่ม",
  firstPage: "ดูล่าสุด",

  // One request
  notFound: "ขออภัยค่ะ ไม่พบคำขอนี้ในรายการของท่าน",
  detailAlt: (caseNumber: string, status: string) => `คำขอ ${caseNumber}: ${status}`,
  photos: (n: number) => (n > 0 ? `${n} รูป` : "ยังไม่มีรูป"),
  historyShown: (shown: number, total: number) =>
    shown < total ? `${shown} รายการล่าสุด จากทั้งหมด ${total} รายการ` : `ทั้งหมด ${total} รายการ`,
  buttons: {
    detail: "ดูรายละเอียด",
    photo: "เพิ่มรูป",
    note: "เพิ่มข้อความ",
    cancel: "ยกเลิกคำขอ",
    all: "คำขอทั้งหมด",
  },
  history: {
    CREATED: "แจ้งคำขอ",
    statusTo: (status: string) => `สถานะเปลี่ยนเป็น “${status}”`,
    cancelled: "ท่านยกเลิกคำขอ",
    note: "ท่านเพิ่มข้อความ",
    staffNote: "เจ้าหน้าที่แจ้งข้อความ",
    photo: "เพิ่มรูป",
    handover: (council: string) => `ส่งต่อให้${council}`,
    handoverUnknown: "ส่งต่อให้สภาฯ อื่น",
    assigned: "มีเจ้าหน้าที่รับผิดชอบคำขอแล้ว",
  },

  // Adding a photo
  askPhoto: (caseNumber: string, max: number) => `ส่งรูปที่ต้องการเพิ่มในคำขอ ${caseNumber} ได้เลยค่ะ (ครั้งละไม่เกิน ${max} รูป) หรือแตะ “ข้าม”`,
  photoExpects: "ส่งรูป หรือแตะ “ข้าม”",
  skip: "ข้าม",
  photoCountNote: (n: number) => `${n} รูป`,
  photosAdded: (caseNumber: string, n: number) => `เพิ่มรูป ${n} รูปในคำขอ ${caseNumber} แล้วค่ะ`,
  photosCapped: (max: number, sent: number) => `ท่านส่งมา ${sent} รูป รับไว้ ${max} รูปแรกค่ะ (ส่งเพิ่มได้อีกครั้ง)`,
  noPhotoAdded: (caseNumber: string) => `ไม่ได้เพิ่มรูปในคำขอ ${caseNumber} ค่ะ`,
  photosAlreadyIn: (caseNumber: string) => `รูปที่ส่งมามีอยู่ในคำขอ ${caseNumber} แล้วค่ะ`,

  // Adding a note
  askNote: (caseNumber: string) => `พิมพ์ข้อความที่ต้องการแจ้งเจ้าหน้าที่เพิ่มเติมในคำขอ ${caseNumber} ได้เลยค่ะ (ไม่เกิน 500 ตัวอักษร)`,
  noteExpects: "พิมพ์ข้อความที่ต้องการแจ้งเพิ่ม",
  noteInvalid: "กรุณาพิมพ์ข้อความ 1–500 ตัวอักษรค่ะ",
  noteAdded: (caseNumber: string) => `เพิ่มข้อความในคำขอ ${caseNumber} แล้ว เจ้าหน้าที่จะเห็นข้อความนี้ค่ะ`,

  // Cancelling
  askReason: (caseNumber: string) => `ต้องการยกเลิกคำขอ ${caseNumber} เพราะอะไรคะ แตะเลือกด้านล่าง หรือพิมพ์เหตุผลเองได้ค่ะ`,
  reasonExpects: "เลือกเหตุผล หรือพิมพ์เหตุผลสั้น ๆ",
  reasonInvalid: "กรุณาพิมพ์เหตุผลไม่เกิน 200 ตัวอักษร หรือแตะเลือกจากปุ่มค่ะ",
  reasons: {
    helped: "ได้รับความช่วยเหลือ", // ≤ 20 characters: quick-reply labels
    solved: "แก้ปัญหาได้เองแล้ว",
    duplicate: "แจ้งซ้ำหรือแจ้งผิด",
    other: "อื่น ๆ",
  },
  askReasonDetail: "พิมพ์เหตุผลสั้น ๆ ได้เลยค่ะ (ไม่บังคับ) หรือแตะ “ข้าม”",
  reasonDetailExpects: "พิมพ์เหตุผล หรือแตะ “ข้าม”",
  confirmCancel: (caseNumber: string, reason: string) =>
    `ยืนยันยกเลิกคำขอ ${caseNumber} ไหมคะ\nเหตุผล: ${reason}\nเมื่อยกเลิกแล้ว เจ้าหน้าที่จะหยุดดำเนินการคำขอนี้`,
  confirmExpects: "แตะ “ยืนยันยกเลิกคำขอ” หรือ “ไม่ยกเลิก”",
  confirm: "ยืนยันยกเลิกคำขอ", // ≤ 20 characters
  keep: "ไม่ยกเลิก",
  kept: (caseNumber: string) => `คำขอ ${caseNumber} ยังอยู่ตามเดิมค่ะ`,
  // ยกเลิก typed while cancelling (the engine's message has no case number).
  keptAny: "ไม่ได้ยกเลิกคำขอ คำขอยังอยู่ตามเดิมค่ะ",
  cancelledDone: (caseNumber: string) => `ยกเลิกคำขอ ${caseNumber} แล้วค่ะ หากต้องการความช่วยเหลืออีก แจ้งใหม่ได้ทุกเมื่อค่ะ`,

  // The request changed while the villager was answering (or a stale button)
  closed: (caseNumber: string, status: string) =>
    `คำขอ ${caseNumber} ตอนนี้มีสถานะ “${status}” จึงเพิ่มเติมหรือยกเลิกไม่ได้ค่ะ หากต้องการความช่วยเหลืออีก แจ้งใหม่ได้เลยค่ะ`,
} as const;
