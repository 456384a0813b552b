// The coordinators' situation summary: the chat's words, the table's
// headings, the chart's labels and the CSV's columns. Shared words (levels,
// answers, aid kinds) come from ./texts.ts.
import type { HelpPriority } from "../generated/prisma/client.ts";
import { AID_NAMES, LEVEL_NAMES, NOT_ANSWERED } from "./texts.ts";

export const PRIORITIES: readonly HelpPriority[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
export const PRIORITY_NAMES: Record<HelpPriority, string> = { CRITICAL: "วิกฤต", HIGH: "สูง", MEDIUM: "ปานกลาง", LOW: "ต่ำ" };

const n = (x: number) => x.toLocaleString("en-US");

/** "2 ชม. 15 นาที", "40 นาที", "3 วัน 4 ชม." */
export function age(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  if (m < 60) return `${m} นาที`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} ชม.` : `${h} ชม. ${m % 60} นาที`;
  return h % 24 === 0 ? `${Math.floor(h / 24)} วัน` : `${Math.floor(h / 24)} วัน ${h % 24} ชม.`;
}

export const SUMMARY_TEXT = {
  /** Staff menu button (≤ 20 characters). */
  menu: "สรุปสถานการณ์",
  keywords: ["สรุปสถานการณ์", "สรุปน้ำท่วม"],
  none: "ตอนนี้ไม่มีสถานการณ์น้ำท่วมที่ประกาศในพื้นที่ของท่านค่ะ",
  choose: "มีสถานการณ์ที่ประกาศอยู่หลายพื้นที่ค่ะ เลือกดูสรุปได้เลยค่ะ",
  /** A button per situation (≤ 20 characters: cut by the engine). */
  situationButton: (areas: string) => areas,
  notFound: "สถานการณ์นี้สิ้นสุดแล้ว หรือไม่อยู่ในพื้นที่ของท่านค่ะ",
  again: "ดูสรุปอีกครั้ง",
  heading: (areas: string, level: keyof typeof LEVEL_NAMES, since: string) =>
    `สรุปสถานการณ์น้ำท่วม ${areas}\nระดับ${LEVEL_NAMES[level]} ประกาศเมื่อ ${since}`,
  periodicHeading: (at: string) => `สรุปสถานการณ์ประจำรอบ ${at}`,
  counts: (c: { sent: number; safe: number; help: number; notAnswered: number }) =>
    `ส่งถามความปลอดภัย ${n(c.sent)} คน\nปลอดภัย ${n(c.safe)} คน · ขอความช่วยเหลือ ${n(c.help)} คน · ${NOT_ANSWERED} ${n(c.notAnswered)} คน`,
  requests: (open: Record<HelpPriority, number>) =>
    `คำขอน้ำท่วมที่ยังเปิดอยู่ ${n(PRIORITIES.reduce((s, p) => s + open[p], 0))} เรื่อง (${PRIORITIES.map((p) => `${PRIORITY_NAMES[p]} ${n(open[p])}`).join(", ")})`,
  oldestCritical: (caseNumber: string, minutes: number) => `คำขอวิกฤตที่ยังไม่มีคนรับนานที่สุด: ${caseNumber} รอมา ${age(minutes)}`,
  noCritical: "ไม่มีคำขอวิกฤตที่รอคนรับค่ะ",
  aid: (counts: Record<keyof typeof AID_NAMES, number>, cash: number) => {
    const parts = (Object.keys(AID_NAMES) as (keyof typeof AID_NAMES)[])
      .filter((k) => counts[k] > 0)
      .map((k) => (k === "CASH" ? `${AID_NAMES[k]} ${n(counts[k])} ครั้ง รวม ${n(cash)} บาท` : `${AID_NAMES[k]} ${n(counts[k])}`));
    return parts.length === 0 ? "ยังไม่มีการบันทึกการแจกของช่วยเหลือค่ะ" : `แจกของช่วยเหลือแล้ว: ${parts.join(", ")}`;
  },
  alt: (areas: string) => `สรุปสถานการณ์น้ำท่วม ${areas}`,
  chartAlt: (areas: string) => `กราฟสรุปสถานการณ์ ${areas}`,
  table: {
    title: (areas: string) => `สรุปรายพื้นที่ ${areas}`,
    subtitle: (at: string) => `ข้อมูล ณ ${at}`,
    columns: (byDistrict: boolean) => [byDistrict ? "อำเภอ" : "ตำบล", "ส่ง", "ปลอดภัย", "ขอช่วย", "ไม่ตอบ", "คำขอเปิด", "วิกฤต", "แจกของ"],
    total: "รวม",
    note: (shown: number, all: number, byDistrict: boolean) =>
      `${shown < all ? `แสดง ${shown} จาก ${all} ${byDistrict ? "อำเภอ" : "ตำบล"} ที่มีคนต้องการช่วยหรือยังไม่ตอบมากที่สุด ทั้งหมดอยู่ในไฟล์ CSV\n` : ""}ส่ง = ส่งถามแล้ว · ขอช่วย = ต้องการความช่วยเหลือ · ไม่ตอบ = ยังไม่ตอบ · คำขอเปิด = คำขอน้ำท่วมที่ยังไม่ปิด · แจกของ = จำนวนครั้งที่แจก`,
    download: "ดาวน์โหลด CSV",
    downloadNote: "ลิงก์ใช้ได้ 24 ชั่วโมง เฉพาะท่าน",
  },
  chart: {
    title: (areas: string) => `สรุปสถานการณ์ ${areas}`,
    subtitle: (at: string) => `ข้อมูล ณ ${at}`,
    safe: "ปลอดภัย",
    help: "ขอความช่วยเหลือ",
    notAnswered: NOT_ANSWERED,
    people: "คน",
    more: (k: number) => `และอีก ${k} พื้นที่ (ในไฟล์ CSV)`,
  },
  csv: {
    district: "อำเภอ",
    tambon: "ตำบล",
    council: "สภาองค์กรชุมชน",
    sent: "ส่งถามแล้ว",
    safe: "ปลอดภัย",
    help: "ต้องการความช่วยเหลือ",
    notAnswered: NOT_ANSWERED,
    open: (p: HelpPriority) => `คำขอเปิด ${PRIORITY_NAMES[p]}`,
    aid: (k: keyof typeof AID_NAMES) => `${AID_NAMES[k]} (ครั้ง)`,
    cash: "เงินช่วยเหลือรวม (บาท)",
  },
} as const;
