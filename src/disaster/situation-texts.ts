// What the situation entry (declare, change, end) and the safety check-in
// say, in Thai: short and polite. Shared words (levels, answers) are in texts.ts.
export const MAX_SITUATION_MESSAGE = 500;

const n = (v: number) => v.toLocaleString("en-US");

export const SITUATION_TEXT = {
  menu: "สถานการณ์น้ำท่วม", // ≤ 20 characters
  flowTitles: {
    declare: "การประกาศสถานการณ์",
    change: "การเปลี่ยนแปลงสถานการณ์",
    end: "การยุติสถานการณ์",
  },
  noArea: "เมนูนี้สำหรับผู้ประสานงานอำเภอหรือจังหวัดค่ะ",
  // The entry, when the coordinator has active situations
  activeIntro: "สถานการณ์ที่ประกาศอยู่ในพื้นที่ของท่านค่ะ",
  activeRow: (i: number, areas: string, level: string, since: string) => `${i}. ${areas}\nระดับ: ${level} · ตั้งแต่ ${since}`,
  activeAsk: "เลือก “เปลี่ยน” หรือ “ยุติ” สถานการณ์ หรือประกาศสถานการณ์ใหม่ค่ะ",
  changeButton: (i: number) => `เปลี่ยน ${i}`,
  endButton: (i: number) => `ยุติ ${i}`,
  declareNew: "ประกาศสถานการณ์ใหม่",
  notFound: "ไม่พบสถานการณ์นี้ หรือสถานการณ์นี้ยุติแล้ว หรืออยู่นอกพื้นที่ที่ท่านดูแลค่ะ",
  // Steps
  askAreas: "ประกาศสถานการณ์น้ำท่วมค่ะ 🌊\nพื้นที่ใดได้รับผลกระทบคะ แตะเลือกได้หลายพื้นที่ แล้วแตะ “เลือกเสร็จแล้ว”",
  askAreasChange: "พื้นที่ที่ได้รับผลกระทบตอนนี้คือที่ใดคะ แตะเพื่อเลือกหรือเอาออก แล้วแตะ “เลือกเสร็จแล้ว”",
  areasExpects: "เลือกพื้นที่ แล้วแตะ “เลือกเสร็จแล้ว”",
  areasDone: "เลือกเสร็จแล้ว",
  areasRequired: "กรุณาเลือกอย่างน้อยหนึ่งพื้นที่ค่ะ",
  askLevel: "ระดับสถานการณ์คะ",
  levelExpects: "เลือกระดับสถานการณ์",
  askMessage: `พิมพ์ข้อความสั้น ๆ ถึงสมาชิกในพื้นที่ค่ะ (ไม่เกิน ${MAX_SITUATION_MESSAGE} ตัวอักษร)\nเช่น “น้ำจากลำห้วยกำลังขึ้น ขอให้ขนของขึ้นที่สูง”`,
  messageExpects: "พิมพ์ข้อความถึงสมาชิก",
  messageEmpty: "กรุณาพิมพ์ข้อความค่ะ",
  messageTooLong: (len: number) => `ข้อความยาว ${n(len)} ตัวอักษร เกิน ${MAX_SITUATION_MESSAGE} ตัวอักษรค่ะ กรุณาย่อให้สั้นลง`,
  // Preview
  previewIntro: "สมาชิกในพื้นที่จะได้รับข้อความนี้ค่ะ 👇",
  preview: (f: { title: string; areas: string; level: string; recipients: number; remaining: number | null; monthly: number }) =>
    [
      f.title,
      `พื้นที่: ${f.areas}`,
      `ระดับ: ${f.level}`,
      `ส่งข้อความถามความปลอดภัยถึงสมาชิก: ${n(f.recipients)} คน`,
      `ใช้โควตาข้อความ: ${n(f.recipients)} ข้อความ`,
      f.remaining === null ? "โควตาเดือนนี้: ไม่ได้ตั้งไว้" : `โควตาคงเหลือเดือนนี้: ${n(f.remaining)} จาก ${n(f.monthly)} ข้อความ`,
    ].join("\n"),
  previewDeclare: "สรุปก่อนประกาศค่ะ",
  previewChange: "สรุปการเปลี่ยนแปลงค่ะ (ผู้ที่ได้รับข้อความแล้วจะไม่ได้รับซ้ำ ส่งเฉพาะสมาชิกในพื้นที่ที่เพิ่ม)",
  overQuota: "⚠️ จำนวนผู้รับเกินโควตาที่เหลือ LINE จะส่งไม่ครบจนกว่าจะถึงเดือนใหม่ค่ะ",
  noRecipients: "⚠️ ยังไม่มีสมาชิกในพื้นที่ที่เลือก (ที่ยังไม่ได้รับข้อความ)",
  overlap: (areas: string) => `⚠️ ${areas} อยู่ในสถานการณ์ที่ประกาศไว้แล้ว แตะ “แก้พื้นที่” หรือเปลี่ยนสถานการณ์เดิมแทนค่ะ`,
  previewExpects: "แตะ “ยืนยัน” หรือเลือกข้อที่จะแก้",
  confirmDeclare: "ยืนยันประกาศ",
  confirmChange: "ยืนยันการเปลี่ยนแปลง",
  edit: { areas: "แก้พื้นที่", level: "แก้ระดับ", message: "แก้ข้อความ" },
  // End
  endPreview: (areas: string, level: string, pending: number) =>
    [`ยุติสถานการณ์น้ำท่วม ${areas} (ระดับ ${level}) ใช่ไหมคะ`, pending > 0 ? `ข้อความถามความปลอดภัยที่ยังรอส่งอีก ${n(pending)} คน จะไม่ถูกส่งค่ะ` : ""]
      .filter(Boolean)
      .join("\n"),
  endExpects: "แตะ “ยืนยันยุติ” หรือ “ไม่ยุติ”",
  endYes: "ยืนยันยุติ",
  endNo: "ไม่ยุติ",
  endKept: "ยังไม่ยุติสถานการณ์ค่ะ",
  // After confirming
  declared: (areas: string, recipients: number) =>
    `ประกาศสถานการณ์น้ำท่วม ${areas} แล้วค่ะ\nกำลังส่งข้อความถามความปลอดภัยถึงสมาชิก ${n(recipients)} คน`,
  changed: (areas: string, recipients: number) =>
    recipients > 0
      ? `บันทึกการเปลี่ยนแปลงแล้วค่ะ พื้นที่: ${areas}\nกำลังส่งข้อความถามความปลอดภัยถึงสมาชิกที่ยังไม่ได้รับ ${n(recipients)} คน`
      : `บันทึกการเปลี่ยนแปลงแล้วค่ะ พื้นที่: ${areas}`,
  ended: (areas: string, cancelled: number) =>
    cancelled > 0
      ? `ยุติสถานการณ์น้ำท่วม ${areas} แล้วค่ะ ยกเลิกข้อความถามความปลอดภัยที่ยังไม่ได้ส่ง ${n(cancelled)} คน`
      : `ยุติสถานการณ์น้ำท่วม ${areas} แล้วค่ะ`,
  outsideArea: "พื้นที่ที่เลือกอยู่นอกพื้นที่ที่ท่านดูแลค่ะ ยังไม่ได้บันทึก",
  notCoordinator: "ท่านไม่ได้เป็นผู้ประสานงานของพื้นที่นี้แล้วค่ะ ยังไม่ได้บันทึก",
  overlapRefused: (areas: string) => `${areas} อยู่ในสถานการณ์ที่ประกาศไว้แล้วค่ะ ยังไม่ได้บันทึก เปลี่ยนสถานการณ์เดิมแทนได้ค่ะ`,
  changeExisting: "เปลี่ยนสถานการณ์เดิม",
  gone: "สถานการณ์นี้ยุติไปแล้วค่ะ",
  // The check-in message
  checkIn: {
    header: "🌊 สถานการณ์น้ำท่วม",
    level: (level: string) => `ระดับ: ${level}`,
    question: "ท่านและครอบครัวปลอดภัยไหมคะ",
    safe: "ปลอดภัย",
    help: "ต้องการความช่วยเหลือ",
    other: "ตอบแทนคนอื่น",
    alt: (level: string) => `สถานการณ์น้ำท่วม (${level}): ท่านและครอบครัวปลอดภัยไหมคะ`,
  },
} as const;
