// What the evening digest says, in Thai: one push a day instead of one per
// notice, the lines as each notice wrote them.
export const DIGEST_TEXT = {
  heading: (date: string, count: number) => `สรุปงานประจำวันที่ ${date} มี ${count} รายการค่ะ`,
  line: (text: string) => `• ${text}`,
  more: (n: number) => `และอีก ${n} รายการ`,
  footer: "แตะปุ่มด้านล่างเพื่อดูและจัดการค่ะ",
  cases: "คำขอที่รอดำเนินการ", // the case list's entry (src/help-requests/case-module.ts)
  open: "งานเจ้าหน้าที่",
  registrationCancelled: "ยกเลิกแล้ว", // a registration's status when the digest goes out
} as const;
