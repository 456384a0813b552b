// What secretaries read in the unanswered list and its notice, in Thai.
// Button labels ≤ 20 characters.
export const UNANSWERED_TEXT = {
  menu: "สมาชิกที่ยังไม่ตอบ", // the staff home's button
  noSituation: "ตอนนี้ไม่มีเหตุการณ์น้ำท่วมที่ประกาศในตำบลของท่านค่ะ",
  counts: (council: string, c: { sent: number; safe: number; needsHelp: number; notAnswered: number }) =>
    `${council}: ส่งถามแล้ว ${c.sent} คน · ปลอดภัย ${c.safe} · ต้องการความช่วยเหลือ ${c.needsHelp} · ยังไม่ตอบ ${c.notAnswered}`,
  none: (hours: number) => `ไม่มีสมาชิกที่ยังไม่ตอบเกิน ${hours} ชั่วโมงค่ะ 🙏`,
  lead: (total: number, hours: number, from: number, to: number) =>
    `สมาชิกที่ยังไม่ตอบเกิน ${hours} ชั่วโมง ${total} คน (แสดง ${from}–${to}) บ้านที่มีผู้ต้องดูแลขึ้นก่อน โทรหาได้จากปุ่ม “โทร”`,
  alt: (total: number) => `สมาชิกที่ยังไม่ตอบ ${total} คน`,
  sent: (at: string) => `ส่งถามเมื่อ ${at}`,
  phone: (masked: string) => `โทร ${masked}`,
  noPhone: "ไม่มีเบอร์โทร",
  vulnerableHeader: "มีผู้ต้องดูแล",
  plainHeader: "ยังไม่ตอบ",
  noVulnerable: "ไม่ได้บันทึกผู้ต้องดูแลไว้",
  vulnerableLine: (names: string) => `ในบ้าน: ${names}`,
  buttons: {
    call: "โทร",
    contactedSafe: "ติดต่อแล้ว ปลอดภัย",
    fileFor: "เปิดคำขอแทน",
    aid: "บันทึกความช่วยเหลือ",
    more: "ดูเพิ่ม",
    firstPage: "กลับหน้าแรก",
    list: "สมาชิกที่ยังไม่ตอบ",
  },
  markedSafe: (name: string) => `บันทึกแล้วค่ะ: ${name} ติดต่อแล้ว ปลอดภัย`,
  alreadyAnswered: (name: string) => `${name} ตอบแล้วค่ะ จึงไม่ได้บันทึกซ้ำ`,
  notFound: "ไม่พบสมาชิกคนนี้ในรายชื่อที่ท่านดูแลค่ะ",
  fileIntro: (name: string) => `เปิดคำขอความช่วยเหลือน้ำท่วมแทน ${name} ตอบสั้น ๆ ไม่กี่ข้อค่ะ`,
  notice: (council: string, count: number, hours: number) =>
    `${council}: สมาชิก ${count} คนยังไม่ตอบว่าปลอดภัยหรือไม่ เกิน ${hours} ชั่วโมงแล้ว กรุณาโทรติดตาม บ้านที่มีผู้ต้องดูแลขึ้นก่อนค่ะ`,
  noticeDigest: (council: string, count: number) => `${council}: สมาชิกยังไม่ตอบ ${count} คน`,
} as const;
