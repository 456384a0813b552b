// What recording aid says, in Thai (the kinds' names are shared: texts.ts
// AID_NAMES). Quick-reply labels ≤ 20 characters.
import type { AidKind } from "../generated/prisma/client.ts";
import { formatBaht, thaiDateTime } from "../thai/format.ts";
import { AID_NAMES } from "./texts.ts";

/** One kind of aid as a line shows it: "ถุงยังชีพ", "เงินช่วยเหลือ ฿3,000.00". */
export const aidName = (kind: AidKind, amount: number | null) =>
  kind === "CASH" && amount !== null ? `${AID_NAMES.CASH} ${formatBaht(amount)}` : AID_NAMES[kind];

export const AID_TEXT = {
  title: "การบันทึกการช่วยเหลือ",
  button: "บันทึกการช่วยเหลือ", // ≤ 20 characters: the case card's button
  backToCase: "ดูคำขอ",

  // Who it is for
  forRequest: (caseNumber: string) => `คำขอ ${caseNumber}`,
  forMember: (name: string | null) => (name ? `สมาชิก ${name}` : "สมาชิกที่เลือก"),
  notFound: "ขออภัยค่ะ ไม่พบคำขอหรือสมาชิกนี้ในพื้นที่ที่ท่านดูแล",
  floodOnly: (caseNumber: string) => `คำขอ ${caseNumber} ไม่ใช่คำขอน้ำท่วม จึงบันทึกการช่วยเหลือจากคำขอนี้ไม่ได้ค่ะ`,
  howTo: "บันทึกการช่วยเหลือได้จากปุ่ม “บันทึกการช่วยเหลือ” บนการ์ดคำขอน้ำท่วม หรือจากรายชื่อสมาชิกที่ยังไม่ตอบค่ะ",

  // The steps
  askKind: (target: string) => `บันทึกการช่วยเหลือที่มอบให้${target} เลือกประเภทค่ะ`,
  kindExpects: "เลือกประเภทความช่วยเหลือ",
  askAmount: "จำนวนเงินช่วยเหลือกี่บาทคะ พิมพ์เป็นตัวเลข เช่น 3000",
  amountExpects: "พิมพ์จำนวนเงินเป็นตัวเลข",
  amountInvalid: (max: number) => `กรุณาพิมพ์จำนวนเงินเป็นตัวเลข 1–${max.toLocaleString("en-US")} บาทค่ะ`,
  duplicate: (kind: string, at: string) => `ครัวเรือนนี้ได้รับ${kind}แล้วเมื่อ ${at} ค่ะ\nต้องการบันทึกซ้ำไหมคะ`,
  duplicateExpects: "แตะ “บันทึกซ้ำ” หรือ “ยกเลิก”",
  recordAgain: "บันทึกซ้ำ",
  cancel: "ยกเลิก",
  confirm: (target: string, what: string) => `ยืนยันบันทึกการช่วยเหลือไหมคะ\nผู้รับ: ${target}\nรายการ: ${what}`,
  confirmExpects: "แตะ “บันทึก” หรือ “ยกเลิก”",
  save: "บันทึก",

  // The end
  saved: (target: string, what: string) => `บันทึกแล้วค่ะ: ${what} ให้${target}`,
  notSaved: "ไม่ได้บันทึกการช่วยเหลือค่ะ",
  gone: "ขออภัยค่ะ ท่านไม่ได้ดูแลพื้นที่ของผู้รับรายนี้แล้ว จึงไม่ได้บันทึกค่ะ",
  /** The history row on the request (a staff NOTE: there is no kind of event for aid). */
  historyNote: (what: string) => `บันทึกการช่วยเหลือ: ${what}`,

  // What was handed out, on cards
  receivedLabel: "ได้รับแล้ว",
  /** "ถุงยังชีพ 1, น้ำดื่ม 2, เงินช่วยเหลือ ฿3,000.00" */
  counts: (parts: { kind: AidKind; count: number; cash: number }[]) =>
    parts.map((p) => (p.kind === "CASH" ? `${AID_NAMES.CASH} ${formatBaht(p.cash)}` : `${AID_NAMES[p.kind]} ${p.count}`)).join(", "),
  /** The villager's view (คำขอของฉัน). */
  villagerTitle: "ความช่วยเหลือที่ได้รับ",
  forRequestOf: (caseNumber: string) => `ความช่วยเหลือที่ได้รับตามคำขอ ${caseNumber}`,
  villagerRow: (what: string, at: string) => `• ${what} (${at})`,
} as const;

/** The villager's lines of what was recorded for them: a title, then one line per distribution. */
export function aidReceivedText(title: string, rows: { kind: AidKind; amount: number | null; recordedAt: Date }[]): string {
  return [title, ...rows.map((r) => AID_TEXT.villagerRow(aidName(r.kind, r.amount), thaiDateTime(r.recordedAt)))].join("\n");
}
