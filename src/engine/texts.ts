// What the engine itself says, in Thai. Flows keep their own words in their
// module's texts.ts.
export const ENGINE_TEXT = {
  buttons: {
    back: "ย้อนกลับ",
    cancel: "ยกเลิก",
    menu: "เมนูหลัก",
    help: "ช่วยเหลือ",
    previousPage: "◀ ก่อนหน้า",
    nextPage: "ถัดไป ▶",
    resume: "↩ ทำต่อ",
  },
  menuPrompt: "ต้องการทำรายการใดคะ เลือกจากปุ่มด้านล่างได้เลยค่ะ",
  notUnderstood: "ขออภัยค่ะ ยังไม่เข้าใจข้อความนี้",
  cancelled: (title: string) => `ยกเลิก${title}แล้วค่ะ`,
  nothingToCancel: "ตอนนี้ไม่มีรายการที่ทำค้างอยู่ค่ะ",
  leftFlow: (title: string) => `ออกจาก${title}แล้วค่ะ`,
  resumed: (title: string) => `ต่อจาก${title}ที่ทำค้างไว้ค่ะ`,
  stillWaiting: (title: string) => `${title}ยังทำค้างไว้ แตะ “↩ ทำต่อ” เมื่อพร้อมค่ะ`,
  resumeDisplay: (title: string) => `ทำ${title}ต่อ`,
  atFirstStep: "นี่เป็นคำถามแรกแล้วค่ะ",
  expired: (title: string, minutes: number) =>
    `${title}ที่ทำค้างไว้หมดเวลาแล้ว (ไม่ได้ตอบเกิน ${minutes % 60 === 0 ? `${minutes / 60} ชั่วโมง` : `${minutes} นาที`}) ข้อมูลที่กรอกไว้ถูกลบแล้ว เริ่มใหม่ได้เลยค่ะ`,
  // A request kept for the user who was away (FlowDef.keep).
  keptAsk: (title: string) => `${title}ที่ทำค้างไว้ยังอยู่ค่ะ จะทำต่อจากเดิม หรือเริ่มใหม่คะ`,
  keptContinue: "ทำต่อ",
  keptRestart: "เริ่มใหม่",
  flowChanged: (title: string) => `${title}มีการปรับปรุง ขอให้เริ่มใหม่อีกครั้งนะคะ`,
  stale: "ปุ่มนี้มาจากข้อความเก่าซึ่งหมดอายุแล้วค่ะ",
  reprompt: (expects: string) => `กรุณา${expects}ค่ะ`,
  chooseFromButtons: "กรุณาแตะเลือกจากปุ่มด้านล่าง หรือพิมพ์ให้ตรงกับปุ่มค่ะ",
  stuck: "ดูเหมือนจะติดขัดอยู่ แตะ “เมนูหลัก” เพื่อเริ่มใหม่ หรือ “ช่วยเหลือ” เพื่อดูวิธีใช้ได้ค่ะ",
  unexpectedKind: {
    sticker: "ขอบคุณสำหรับสติกเกอร์ค่ะ 😊",
    image: "ได้รับรูปภาพแล้วค่ะ แต่ขั้นตอนนี้ยังไม่ต้องใช้รูป",
    location: "ได้รับตำแหน่งแล้วค่ะ แต่ขั้นตอนนี้ยังไม่ต้องใช้ตำแหน่ง",
    media: "ได้รับไฟล์แล้วค่ะ แต่ขั้นตอนนี้ยังไม่ต้องใช้ไฟล์",
  },
  multiSelected: (labels: string[], done: string) =>
    labels.length > 0
      ? `เลือกแล้ว: ${labels.join(", ")}\nแตะเพิ่มหรือแตะซ้ำเพื่อเอาออก แล้วแตะ “${done}” ค่ะ`
      : `ยังไม่ได้เลือกข้อใด แตะเลือกได้หลายข้อ แล้วแตะ “${done}” ค่ะ`,
  multiRequired: "กรุณาเลือกอย่างน้อยหนึ่งข้อค่ะ",
  sendLocation: (label: string) => `กรุณาแตะปุ่ม “${label}” ด้านล่างเพื่อส่งตำแหน่งค่ะ`,
  sendPhoto: (skip: string) => `กรุณาส่งรูปภาพ หรือแตะ “${skip}” ค่ะ`,
  // An image step taking several photos (doneLabel): how many are in so far.
  photosIn: (count: number, room: number | undefined, done: string) =>
    `ได้รับรูปแล้ว ${count} รูป${room !== undefined ? ` ส่งเพิ่มได้อีก ${room} รูป` : " ส่งเพิ่มได้"} หรือแตะ “${done}” ค่ะ`,
  idleSticker: "ขอบคุณค่ะ 😊",
  help: [
    "วิธีใช้งาน",
    "• แตะปุ่มด้านล่างข้อความเพื่อตอบ ไม่ต้องพิมพ์",
    "• พิมพ์ “ย้อนกลับ” เพื่อแก้คำตอบก่อนหน้า",
    "• พิมพ์ “ยกเลิก” เพื่อหยุดรายการที่ทำอยู่",
    "• พิมพ์ “เมนู” เพื่อกลับหน้าหลัก",
  ].join("\n"),
  helpContinue: "ทำรายการต่อจากคำถามเดิมได้เลยค่ะ",
} as const;
