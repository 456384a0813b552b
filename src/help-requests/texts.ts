// What the help-request module says, in Thai.
import type { IncomeBand, LandStatus, UnsafePart } from "./housing-flow.ts";
import type { Need, Priority, Vulnerable, WaterLevel } from "./priority.ts";

export const HOTLINES = "โทรทันที 1784 (สายด่วนนิรภัย ปภ. 24 ชม.) หรือ 1669 (เจ็บป่วยฉุกเฉิน)";

/** The hotlines as tap-to-call buttons (flex-templates/hotlines.json). */
export const HOTLINE_CARD = {
  alt: HOTLINES,
  title: "โทรขอความช่วยเหลือทันที",
  disaster: { label: "โทร 1784 ปภ.", number: "1784", note: "สายด่วนนิรภัย ปภ. 24 ชม." },
  medical: { label: "โทร 1669 ฉุกเฉิน", number: "1669", note: "เจ็บป่วยฉุกเฉิน" },
} as const;

// Both flows keep at most MAX_REQUEST_PHOTOS (request-store.ts) per answer.
const HELP_TEXT_PHOTOS_TOO_MANY = "ได้รับรูปเกิน 5 รูป ขอเก็บไว้ 5 รูปแรกนะคะ";

export const HELP_TEXT = {
  tooManyPhotos: HELP_TEXT_PHOTOS_TOO_MANY,
  /** Ends a photo step once some photos are in (they come one at a time, or several at once). */
  photosDone: "เสร็จแล้ว",
  menu: { flood: "ขอช่วยเหลือน้ำท่วม", housing: "ขอซ่อมบ้าน" }, // ≤ 20 characters
  flowTitles: { flood: "การขอความช่วยเหลือน้ำท่วม", housing: "การขอซ่อมบ้าน" },
  /** A flood request's name: on staff cards, notices and "my requests"; a report's title; the report's CSV. */
  kindNames: { card: "น้ำท่วม", report: "คำขอช่วยเหลือน้ำท่วม", csv: "น้ำท่วม" },
  intro: "แจ้งขอความช่วยเหลือน้ำท่วม ตอบสั้น ๆ ไม่กี่ข้อค่ะ",
  askWhose: "บ้านที่ต้องการความช่วยเหลือเป็นบ้านของใครคะ",
  whoseExpects: "แตะ “บ้านของฉันเอง” หรือ “บ้านคนอื่น”",
  mine: "บ้านของฉันเอง",
  someoneElse: "บ้านคนอื่น",
  askHousehold: "ขอชื่อเจ้าของบ้านหรือคนในบ้านหลังนั้นค่ะ (เช่น ยายสมศรี บ้านหลังวัด)",
  householdExpects: "พิมพ์ชื่อเจ้าของบ้าน",
  householdInvalid: "ชื่อควรมี 2–100 ตัวอักษรค่ะ",
  askLocation: "บ้านอยู่ที่ไหนคะ แตะ “ส่งตำแหน่ง” ด้านล่าง (ถ้าอยู่ที่บ้าน) หรือพิมพ์ชื่อหมู่บ้าน/หมู่ที่ เช่น “บ้านโนนสูง หมู่ 5”",
  locationButton: "ส่งตำแหน่ง",
  locationExpects: "แตะ “ส่งตำแหน่ง” หรือพิมพ์ชื่อหมู่บ้าน",
  villageInvalid: "ชื่อหมู่บ้านควรมี 2–100 ตัวอักษรค่ะ",
  askDistrict: "บ้านหลังนี้อยู่อำเภอใดคะ",
  /** A shared location near a tambon centre: its council is offered before the district list. */
  nearTambon: (tambon: string, district: string) => `ตำแหน่งที่ส่งมาอยู่ใกล้ ต.${tambon} อ.${district} ใช่ไหมคะ`,
  nearTambonNoCouncil: "ขอให้เลือกอำเภอและตำบลเองนะคะ แตะ “เลือกเอง”",
  nearTambonExpects: "แตะ “ใช่” หรือ “เลือกเอง”",
  nearYes: "ใช่", // ≤ 20 characters
  nearChoose: "เลือกเอง",
  askPhone: "ขอเบอร์โทรศัพท์ที่เจ้าหน้าที่ติดต่อกลับได้ค่ะ เช่น 0812345678\nถ้าไม่มีเบอร์ แตะ “ไม่มีเบอร์” หรือ “ใช้เบอร์ญาติ”",
  phoneExpects: "พิมพ์เบอร์โทรศัพท์ หรือแตะปุ่มด้านล่าง",
  noPhone: "ไม่มีเบอร์", // ≤ 20 characters
  relativePhone: "ใช้เบอร์ญาติ",
  askRelativePhone: "พิมพ์เบอร์ของญาติหรือเพื่อนบ้านที่ติดต่อแทนได้เลยค่ะ เช่น 0812345678",
  phoneInvalid: "เบอร์โทรศัพท์ไม่ถูกต้องค่ะ (มือถือ 10 หลัก เบอร์บ้าน 9 หลัก เช่น 0812345678)",
  askPeople: "ในบ้านมีกี่คนคะ แตะจำนวนคนด้านล่าง",
  // The engine repeats `expects` after a miss: the miss message says what was wrong, not the same words.
  peopleExpects: "แตะจำนวนคน หรือพิมพ์จำนวนเป็นตัวเลข",
  peopleInvalid: "ยังไม่เข้าใจจำนวนคนค่ะ",
  peopleMoreLabel: "10 คนขึ้นไป", // ≤ 20 characters
  peopleMore: "มีกี่คนคะ พิมพ์จำนวนได้เลย เช่น 12",
  pdpaVulnerable: "ข้อมูลสุขภาพนี้ใช้เพื่อช่วยชีวิตเท่านั้น เจ้าหน้าที่สภาฯ ของตำบลเท่านั้นที่เห็น",
  askVulnerable: "ในบ้านมีผู้สูงอายุ ผู้ป่วย เด็กเล็ก หรือผู้พิการไหมคะ เลือกได้หลายข้อ แล้วแตะ “เสร็จแล้ว” (ถ้าไม่มี แตะ “ไม่มี”)",
  vulnerableExpects: "เลือกคนที่มีในบ้าน แล้วแตะ “เสร็จแล้ว”",
  vulnerableHeading: "ผู้ที่ต้องดูแลเป็นพิเศษ",
  vulnerableRequired: "กรุณาเลือกอย่างน้อยหนึ่งข้อ หรือแตะ “ไม่มี” ค่ะ",
  none: "ไม่มี",
  done: "เสร็จแล้ว",
  askWater: "ตอนนี้น้ำสูงแค่ไหนคะ",
  waterExpects: "เลือกระดับน้ำ",
  askNeeds: "ต้องการความช่วยเหลืออะไรบ้างคะ เลือกได้หลายข้อ แล้วแตะ “เสร็จแล้ว”",
  needsExpects: "เลือกสิ่งที่ต้องการ แล้วแตะ “เสร็จแล้ว”",
  needsRequired: "กรุณาเลือกอย่างน้อยหนึ่งข้อค่ะ (ถ้าไม่ตรงกับข้อใด เลือก “อื่น ๆ”)",
  askPhoto: "ถ้าถ่ายรูปได้ ส่งรูปน้ำหรือบ้านมาได้เลยค่ะ ไม่เกิน 5 รูป (ไม่บังคับ) หรือแตะ “ข้าม”",
  photoExpects: "ส่งรูป หรือแตะ “ข้าม”",
  skip: "ข้าม",
  askNote: "มีอะไรบอกเพิ่มไหมคะ เช่น จุดสังเกตของบ้าน (ไม่บังคับ) พิมพ์หรือส่งข้อความเสียงได้เลย หรือแตะ “ข้าม”",
  voiceReceived: "ได้รับข้อความเสียงแล้วค่ะ",
  /** The note in the summary when it was a voice message. */
  voiceNote: "ข้อความเสียง",
  noteExpects: "พิมพ์ข้อความเพิ่มเติม หรือแตะ “ข้าม”",
  noteInvalid: "ข้อความยาวเกินไป กรุณาพิมพ์ไม่เกิน 500 ตัวอักษรค่ะ",
  confirmExpects: "แตะ “ยืนยันส่งคำขอ” หรือเลือกข้อที่จะแก้",
  confirm: "ยืนยันส่งคำขอ",
  edit: {
    whose: "แก้บ้านของใคร",
    location: "แก้ตำแหน่ง",
    council: "แก้ตำบล",
    phone: "แก้เบอร์โทร",
    people: "แก้จำนวนคน",
    vulnerable: "แก้ผู้ต้องดูแลพิเศษ",
    water: "แก้ระดับน้ำ",
    needs: "แก้ความต้องการ",
    note: "แก้ข้อความเพิ่มเติม",
  },
  vulnerable: {
    elderly: "ผู้สูงอายุ",
    bedridden: "ผู้ป่วยติดเตียง",
    children: "เด็กเล็ก",
    pregnant: "หญิงตั้งครรภ์",
    disabled: "ผู้พิการ",
  } satisfies Record<Vulnerable, string>,
  water: {
    ankle: "ข้อเท้า",
    knee: "หัวเข่า",
    waist: "เอว",
    chest: "หน้าอก",
    roof: "ถึงหลังคา",
  } satisfies Record<WaterLevel, string>,
  needs: {
    evacuation: "อพยพ/เรือ",
    water: "น้ำดื่ม",
    food: "อาหาร",
    medicine: "ยา",
    shelter: "ที่พักพิง",
    other: "อื่น ๆ",
  } satisfies Record<Need, string>,
  priority: { CRITICAL: "วิกฤต", HIGH: "สูง", MEDIUM: "ปานกลาง", LOW: "ต่ำ" } satisfies Record<Priority, string>,
  summary: (lines: string[]) => ["ตรวจสอบคำขอก่อนส่งค่ะ", ...lines].join("\n"),
  sent: (caseNumber: string, priority: string, council: string) =>
    ["ส่งคำขอความช่วยเหลือแล้วค่ะ", `เลขที่คำขอ: ${caseNumber}`, `ความเร่งด่วน: ${priority}`, `เจ้าหน้าที่${council}จะติดต่อกลับโดยเร็วที่สุด`].join("\n"),
  critical: "⚠️ กรณีนี้เร่งด่วนมาก หากมีอันตรายถึงชีวิต โทร 1784 หรือ 1669 ได้ทันที แตะปุ่มโทรด้านล่างได้เลยค่ะ",
  councilGone: `ขออภัยค่ะ ตำบลที่เลือกไม่ได้ใช้งานแล้ว กรุณาเริ่มใหม่อีกครั้ง หรือ${HOTLINES}`,
} as const;

/** The housing (บ้านพอเพียง) request. */
export const HOUSING_TEXT = {
  /** A housing request's name: on staff cards, notices and "my requests"; a report's title; the report's CSV. */
  kindNames: { card: "ขอซ่อมบ้าน", report: "คำขอซ่อมบ้าน", csv: "ซ่อมบ้าน" },
  intro: [
    "ขอซ่อมบ้าน (โครงการบ้านพอเพียง) สำหรับครัวเรือนที่บ้านไม่มั่นคงปลอดภัย สภาฯ ตำบลเป็นผู้คัดเลือก ได้ค่าวัสดุประมาณหลังละ 18,000–19,000 บาท",
    "ข้อมูลครัวเรือนที่ให้ ใช้พิจารณาคำขอนี้เท่านั้น เจ้าหน้าที่สภาฯ ของตำบลเท่านั้นที่เห็นค่ะ",
  ].join("\n"),
  askHead: "หัวหน้าครัวเรือนชื่ออะไรคะ พิมพ์ชื่อ-นามสกุล",
  headExpects: "พิมพ์ชื่อหัวหน้าครัวเรือน",
  headInvalid: "ชื่อ-นามสกุลควรเป็นตัวอักษร 2–100 ตัวค่ะ",
  askPeople: "ในบ้านอยู่กันกี่คนคะ แตะจำนวนคนด้านล่าง",
  askIncome: "รายได้รวมของทุกคนในบ้าน ต่อเดือน ประมาณเท่าไรคะ แตะช่วงรายได้ หรือพิมพ์ตัวเลข เช่น 4000",
  incomeExpects: "แตะช่วงรายได้ หรือพิมพ์รายได้ต่อเดือนเป็นตัวเลข เช่น 4000",
  incomeInvalid: "ยังไม่เข้าใจจำนวนเงินค่ะ",
  income: {
    under3000: "ต่ำกว่า 3,000 บาท",
    "3000-5000": "3,000–5,000 บาท",
    "5001-10000": "5,001–10,000 บาท",
    over10000: "มากกว่า 10,000 บาท",
  } satisfies Record<IncomeBand, string>,
  askUnsafe: "ส่วนไหนของบ้านที่ชำรุดหรือไม่ปลอดภัยคะ เลือกได้หลายข้อ แล้วแตะ “เสร็จแล้ว”",
  unsafeExpects: "เลือกส่วนที่ชำรุด แล้วแตะ “เสร็จแล้ว”",
  unsafeRequired: "กรุณาเลือกอย่างน้อยหนึ่งข้อค่ะ (ถ้าทรุดโทรมทั้งหลัง เลือก “ทั้งหลัง”)",
  unsafe: {
    roof: "หลังคา",
    walls: "ฝาบ้าน/ผนัง",
    floor: "พื้น",
    posts: "เสา",
    toilet: "ห้องน้ำ/ส้วม",
    whole: "ทั้งหลัง",
  } satisfies Record<UnsafePart, string>,
  askLand: "บ้านปลูกอยู่บนที่ดินของใครคะ",
  landExpects: "เลือกสถานะที่ดิน",
  land: {
    own: "ที่ดินของตัวเอง",
    rented: "ที่ดินเช่า",
    relative: "ที่ดินญาติ",
    public: "ที่สาธารณะ",
  } satisfies Record<LandStatus, string>,
  askPhotos: "ส่งรูปบ้านส่วนที่ชำรุดได้ไม่เกิน 5 รูปค่ะ ส่งทีละรูปหรือหลายรูปพร้อมกันก็ได้ (ไม่บังคับ) หรือแตะ “ข้าม”",
  photosExpects: "ส่งรูปบ้าน (ไม่เกิน 5 รูป) หรือแตะ “ข้าม”",
  tooManyPhotos: HELP_TEXT_PHOTOS_TOO_MANY,
  askLocation: "บ้านอยู่ที่ไหนคะ ถ้าอยู่ที่บ้าน แตะ “ส่งตำแหน่ง” ด้านล่าง หรือพิมพ์หมู่ที่/ชื่อหมู่บ้าน เช่น “บ้านโนนสูง หมู่ 5”",
  askDistrict: "บ้านหลังนี้อยู่อำเภอใดคะ",
  askPhone: "ขอเบอร์โทรศัพท์ที่เจ้าหน้าที่ติดต่อได้ค่ะ แตะเบอร์ของท่านด้านล่าง หรือพิมพ์เบอร์อื่น เช่น 0812345678",
  askPhoneTyped: "ขอเบอร์โทรศัพท์ที่เจ้าหน้าที่ติดต่อได้ค่ะ เช่น 0812345678\nถ้าไม่มีเบอร์ แตะ “ไม่มีเบอร์” หรือ “ใช้เบอร์ญาติ”",
  confirmExpects: "แตะ “ยืนยันส่งคำขอ” หรือเลือกข้อที่จะแก้",
  edit: {
    head: "แก้หัวหน้าครัวเรือน",
    people: "แก้จำนวนคน",
    income: "แก้รายได้",
    unsafe: "แก้ส่วนที่ชำรุด",
    land: "แก้ที่ดิน",
    photos: "แก้รูป",
    location: "แก้ที่ตั้งบ้าน",
    council: "แก้ตำบล",
    phone: "แก้เบอร์โทร",
  },
  summary: (lines: string[]) => ["ตรวจสอบคำขอซ่อมบ้านก่อนส่งค่ะ", ...lines].join("\n"),
  sent: (caseNumber: string, council: string) =>
    [
      "ส่งคำขอซ่อมบ้านแล้วค่ะ",
      `เลขที่คำขอ: ${caseNumber}`,
      `ขั้นต่อไป: เลขานุการ${council}จะตรวจสอบคำขอ และอาจนัดเยี่ยมบ้านเพื่อดูสภาพจริง`,
      "เมื่อคำขอมีความคืบหน้า จะแจ้งในแชตนี้ค่ะ ดูสถานะได้ทุกเมื่อที่เมนู “คำขอของฉัน”",
    ].join("\n"),
} as const;
