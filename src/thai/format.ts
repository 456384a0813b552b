// Thai conventions for everything users see: Buddhist-era years (พ.ศ. =
// ค.ศ. + 543), Asia/Bangkok time (UTC+7, no daylight saving), baht as
// ฿1,234.50. Every module formats through here so a date reads the same in
// every card and message.

export const THAI_MONTHS = [
  "มกราคม",
  "กุมภาพันธ์",
  "มีนาคม",
  "เมษายน",
  "พฤษภาคม",
  "มิถุนายน",
  "กรกฎาคม",
  "สิงหาคม",
  "กันยายน",
  "ตุลาคม",
  "พฤศจิกายน",
  "ธันวาคม",
] as const;

export const THAI_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."] as const;

export const THAI_WEEKDAYS = ["อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์"] as const;

export const BANGKOK_OFFSET_MS = 7 * 3_600_000;

/** An instant's calendar fields in Bangkok time. */
export function bangkokParts(at: Date): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  const local = new Date(at.getTime() + BANGKOK_OFFSET_MS);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    weekday: local.getUTCDay(),
  };
}

/** The Bangkok calendar date of an instant, "yyyy-mm-dd". */
export function bangkokIsoDate(at: Date): string {
  return new Date(at.getTime() + BANGKOK_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of a Bangkok wall-clock time ("yyyy-mm-dd", "HH:mm"). */
export function bangkokInstant(isoDate: string, time = "00:00"): Date {
  return new Date(new Date(`${isoDate}T${time}:00.000Z`).getTime() - BANGKOK_OFFSET_MS);
}

const split = (iso: string) => iso.split("-").map(Number) as [number, number, number];

/** "yyyy-mm-dd" → "28/11/2569". */
export function thaiNumericDate(iso: string): string {
  const [y, m, d] = split(iso);
  return `${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y + 543}`;
}

/** "yyyy-mm-dd" → "14 มีนาคม 2501". */
export function thaiLongDate(iso: string): string {
  const [y, m, d] = split(iso);
  return `${d} ${THAI_MONTHS[m - 1]} ${y + 543}`;
}

/** "yyyy-mm-dd" → "14 มี.ค. 2501". */
export function thaiShortDate(iso: string): string {
  const [y, m, d] = split(iso);
  return `${d} ${THAI_MONTHS_SHORT[m - 1]} ${y + 543}`;
}

/** "yyyy-mm" (or a date) → "พฤศจิกายน 2569". */
export function thaiMonthYear(iso: string): string {
  const [y, m] = split(iso);
  return `${THAI_MONTHS[m - 1]} ${y + 543}`;
}

const hhmm = (p: { hour: number; minute: number }) => `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;

/** An instant in Bangkok time: "29/11/2569 10:00 น.". */
export function thaiDateTime(at: Date): string {
  return `${thaiNumericDate(bangkokIsoDate(at))} ${hhmm(bangkokParts(at))} น.`;
}

/** An instant in Bangkok time, for meetings: "วันเสาร์ที่ 5 ธ.ค. 2569 เวลา 09:30 น.". */
export function thaiDayDateTime(at: Date): string {
  const p = bangkokParts(at);
  return `วัน${THAI_WEEKDAYS[p.weekday]}ที่ ${thaiShortDate(bangkokIsoDate(at))} เวลา ${hhmm(p)} น.`;
}

/** Bangkok time of day of an instant: "13:30 น.". */
export function thaiTime(at: Date): string {
  return `${hhmm(bangkokParts(at))} น.`;
}

/** 1234.5 → "฿1,234.50" (Prisma Decimals too). */
export function formatBaht(amount: { toFixed(digits: number): string } | number): string {
  const fixed = amount.toFixed(2);
  const negative = fixed.startsWith("-");
  const [whole, cents] = fixed.replace("-", "").split(".") as [string, string];
  return `${negative ? "-" : ""}฿${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

// Thai number words as villagers type them ("ห้าคน", "สองหมื่น"): digits
// come from normalizeText (๔ → 4) before parsing ever sees them.
const THAI_DIGIT_WORDS: Record<string, number> = {
  ศูนย์: 0,
  หนึ่ง: 1,
  เอ็ด: 1,
  สอง: 2,
  ยี่: 2,
  สาม: 3,
  สี่: 4,
  ห้า: 5,
  หก: 6,
  เจ็ด: 7,
  แปด: 8,
  เก้า: 9,
};
const THAI_UNIT_WORDS: [string, number][] = [
  ["ล้าน", 1_000_000],
  ["แสน", 100_000],
  ["หมื่น", 10_000],
  ["พัน", 1_000],
  ["ร้อย", 100],
  ["สิบ", 10],
];

/** "ห้า" → 5, "ยี่สิบเอ็ด" → 21, "สามพันห้าร้อย" → 3500, "4 พัน" → 4000; null when not a number word. */
export function thaiNumberWords(words: string): number | null {
  let rest = words.replace(/\s+/g, "");
  if (!rest) return null;
  let total = 0;
  let pending: number | null = null; // a digit word (or typed digits) waiting for its unit
  while (rest.length > 0) {
    const digits = /^\d+/.exec(rest);
    if (digits) {
      if (pending !== null) return null;
      pending = Number(digits[0]);
      rest = rest.slice(digits[0].length);
      continue;
    }
    const unit = THAI_UNIT_WORDS.find(([w]) => rest.startsWith(w));
    if (unit) {
      total += (pending ?? 1) * unit[1];
      pending = null;
      rest = rest.slice(unit[0].length);
      continue;
    }
    // Longest first: "เอ็ด" and "เจ็ด" share no prefix, but "ยี่" must not eat "ยี่สิบ"'s unit.
    const digit = Object.keys(THAI_DIGIT_WORDS).find((w) => rest.startsWith(w));
    if (!digit || pending !== null) return null;
    pending = THAI_DIGIT_WORDS[digit]!;
    rest = rest.slice(digit.length);
  }
  return total + (pending ?? 0);
}

/**
 * A typed count or amount: "4", "4,000", "๔๐๐๐" (normalised), "ห้าคน",
 * "4000 บาท", "ประมาณ 4 พัน". `units` are words that may follow ("คน", "บาท").
 */
export function parseThaiAmount(typed: string, units: string[] = []): number | null {
  let t = typed
    .trim()
    .replace(/^(ประมาณ|ราว ?ๆ?|ราว)\s*/u, "")
    .replace(/(ค่ะ|คะ|ครับ|จ้า)$/u, "")
    .trim();
  for (const u of units) if (t.endsWith(u)) t = t.slice(0, -u.length).trim();
  t = t.replace(/\.-$/, "");
  if (/^\d{1,3}(,\d{3})+$/.test(t)) return Number(t.replace(/,/g, ""));
  if (/^\d+$/.test(t)) return Number(t);
  return thaiNumberWords(t);
}
