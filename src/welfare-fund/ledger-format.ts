// The documented layout of a welfare-fund ledger (README, "Welfare-fund
// ledgers"): three sheets or CSV files — members, contributions, payments —
// each with a header row. Column names are English (snake_case) or Thai;
// both are accepted, in any order, case and spacing ignored.
//
// Value formats, shared by CSV and XLSX:
// - Thai digits ๐–๙ are read as 0–9 everywhere (the bot's rule for all input).
// - Dates: ISO yyyy-mm-dd or Thai dd/mm/yyyy (d/m/yyyy too); a 4-digit year
//   above 2400 is a Buddhist-era year (พ.ศ. = ค.ศ. + 543). Date cells of a
//   workbook are read as the date they show.
// - Amounts: baht, more than 0, at most 2 decimals, optional thousands
//   commas and "฿" or "บาท".
import { BenefitType } from "../generated/prisma/enums.ts";
import { thaiDigitsToArabic } from "../thai/national-id.ts";

export type LedgerKind = "members" | "contributions" | "payments";
export const LEDGER_KINDS: readonly LedgerKind[] = ["members", "contributions", "payments"];

export interface ColumnDef {
  key: string;
  required: boolean;
  /** Accepted header names besides `key`: Thai names and common variants. */
  aliases: string[];
  description: string;
}

const col = (key: string, required: boolean, aliases: string[], description: string): ColumnDef => ({
  key,
  required,
  aliases,
  description,
});

export const LEDGER_COLUMNS: Record<LedgerKind, ColumnDef[]> = {
  members: [
    col("member_no", true, ["เลขสมาชิก", "เลขที่สมาชิก", "รหัสสมาชิก"], "the fund's member number, unique in the fund"),
    col("national_id", true, ["เลขประจำตัวประชาชน", "เลขบัตรประชาชน"], "13 digits with a valid check digit; dashes allowed"),
    col("title", false, ["คำนำหน้า", "คำนำหน้าชื่อ"], "นาย, นาง, นางสาว, …"),
    col("first_name", true, ["ชื่อ"], "given name"),
    col("last_name", true, ["นามสกุล"], "family name"),
    col("birth_date", true, ["วันเกิด", "วันเดือนปีเกิด"], "date"),
    col("joined_on", true, ["วันที่สมัคร", "วันที่เป็นสมาชิก"], "date the person joined the fund"),
    col("left_on", false, ["วันที่พ้นสมาชิกภาพ", "วันที่ออก"], "date of resignation or death, empty while a member"),
    col("phone", false, ["โทรศัพท์", "เบอร์โทร", "เบอร์โทรศัพท์"], "Thai phone number"),
    col("beneficiary1_name", false, ["ผู้รับผลประโยชน์1", "ผู้รับผลประโยชน์คนที่1"], "first beneficiary's full name"),
    col("beneficiary1_relation", false, ["ความสัมพันธ์1"], "e.g. บุตร, คู่สมรส"),
    col("beneficiary2_name", false, ["ผู้รับผลประโยชน์2", "ผู้รับผลประโยชน์คนที่2"], "second beneficiary's full name"),
    col("beneficiary2_relation", false, ["ความสัมพันธ์2"], "e.g. บุตร, คู่สมรส"),
  ],
  contributions: [
    col("member_no", true, ["เลขสมาชิก", "เลขที่สมาชิก", "รหัสสมาชิก"], "a member of this file or already imported"),
    col("paid_on", true, ["วันที่ชำระ", "วันที่จ่าย", "วันที่"], "date paid in"),
    col("amount", true, ["จำนวนเงิน", "ยอดเงิน"], "baht"),
    col("period_from", true, ["งวดตั้งแต่", "ตั้งแต่วันที่"], "first day the payment covers"),
    col("period_to", true, ["งวดถึง", "ถึงวันที่"], "last day the payment covers"),
    col("receipt_no", false, ["เลขที่ใบเสร็จ", "ใบเสร็จเลขที่"], "receipt number, unique in the file"),
  ],
  payments: [
    col("member_no", true, ["เลขสมาชิก", "เลขที่สมาชิก", "รหัสสมาชิก"], "a member of this file or already imported"),
    col("type", true, ["ประเภท", "ประเภทสวัสดิการ"], "benefit type (code or Thai name, see below)"),
    col("paid_on", true, ["วันที่จ่าย", "วันที่"], "date paid out"),
    col("amount", true, ["จำนวนเงิน", "ยอดเงิน"], "baht"),
    col("note", false, ["หมายเหตุ"], "free text, e.g. number of hospital nights"),
  ],
};

/** Sheet names of a workbook, per kind (English or Thai). */
export const SHEET_NAMES: Record<LedgerKind, string[]> = {
  members: ["members", "สมาชิก"],
  contributions: ["contributions", "เงินสะสม", "เงินออม"],
  payments: ["payments", "การจ่ายสวัสดิการ", "จ่ายสวัสดิการ"],
};

export function headerKey(name: string): string {
  return thaiDigitsToArabic(name.normalize("NFC"))
    .trim()
    .toLowerCase()
    .replace(/[\s\-_.]+/g, "");
}

/** Header name (as written) → column key, for one kind. */
export function resolveColumn(kind: LedgerKind, header: string): string | undefined {
  const k = headerKey(header);
  return LEDGER_COLUMNS[kind].find((c) => headerKey(c.key) === k || c.aliases.some((a) => headerKey(a) === k))?.key;
}

export function resolveSheet(name: string): LedgerKind | undefined {
  const k = headerKey(name);
  return LEDGER_KINDS.find((kind) => SHEET_NAMES[kind].some((s) => headerKey(s) === k));
}

// ---------------------------------------------------------------------------
// Benefit types: the enum's code (any case) or a Thai name.

const BENEFIT_NAMES: Record<BenefitType, string[]> = {
  BIRTH: ["คลอดบุตร", "เกิด", "รับขวัญเด็กแรกเกิด", "แรกเกิด"],
  HOSPITAL: ["นอนโรงพยาบาล", "รักษาพยาบาล", "เจ็บป่วย", "ค่ารักษาพยาบาล"],
  FUNERAL: ["เสียชีวิต", "ฌาปนกิจ", "ค่าทำศพ", "ศพ"],
  ELDERLY: ["ผู้สูงอายุ", "บำนาญ"],
  DISABLED: ["ผู้พิการ", "คนพิการ", "พิการ"],
  SCHOLARSHIP: ["ทุนการศึกษา", "การศึกษา"],
  DISASTER: ["ภัยพิบัติ", "สาธารณภัย"],
  OTHER: ["อื่นๆ", "อื่น ๆ", "อื่น"],
};

export const BENEFIT_TYPE_NAMES: Readonly<Record<BenefitType, readonly string[]>> = BENEFIT_NAMES;

export function parseBenefitType(typed: string): BenefitType | null {
  const k = headerKey(typed);
  if (k === "") return null;
  for (const type of Object.values(BenefitType)) {
    if (k === type.toLowerCase() || BENEFIT_NAMES[type].some((n) => headerKey(n) === k)) return type;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Dates: a calendar date, as "yyyy-mm-dd" (CE).

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The CE calendar date `y-m-d`, or null when no such day exists. */
function calendarDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCFullYear(y); // years below 100 would otherwise shift to 19xx
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

export function parseLedgerDate(typed: string): Parsed<string> {
  const text = thaiDigitsToArabic(typed).trim();
  if (text === "") return { ok: false, reason: "date is empty" };
  let y: number, m: number, d: number;
  const ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const dmy = ymd ? null : /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(text);
  if (ymd) {
    [y, m, d] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  } else if (dmy) {
    [d, m, y] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  } else {
    return { ok: false, reason: `"${typed.trim()}" is not a date: write yyyy-mm-dd or dd/mm/yyyy (พ.ศ.)` };
  }
  if (y > 2400) y -= 543; // Buddhist era
  if (y < 1900) return { ok: false, reason: `"${typed.trim()}": year ${y} is too early` };
  const iso = calendarDate(y, m, d);
  if (iso === null) return { ok: false, reason: `"${typed.trim()}" is not a real date` };
  return { ok: true, value: iso };
}

/** A "yyyy-mm-dd" date as the Date Prisma stores in a DATE column (UTC midnight). */
export function dateValue(iso: string): Date {
  return new Date(`${iso}T00:00:00.000Z`);
}

/** A DATE column's value back to "yyyy-mm-dd". */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Today in Asia/Bangkok as "yyyy-mm-dd": src/thai/format.ts's bangkokIsoDate, under the name its tests use. */
export { bangkokIsoDate as bangkokToday } from "../thai/format.ts";

// ---------------------------------------------------------------------------
// Amounts: baht as a decimal string with two places ("1234.50"), exact.

/** Largest amount a Decimal(12, 2) column holds. */
const MAX_CENTS = 10n ** 12n - 1n;

export function parseAmount(typed: string): Parsed<string> {
  const shown = typed.trim();
  let text = thaiDigitsToArabic(shown).replace(/\s+/g, "");
  text = text.replace(/^฿/, "").replace(/บาท$/, "");
  if (text === "") return { ok: false, reason: "amount is empty" };
  if (/^[-−]/.test(text)) return { ok: false, reason: `"${shown}": amount cannot be negative` };
  const grouped = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text);
  if (!grouped && !/^\d+(\.\d+)?$/.test(text)) return { ok: false, reason: `"${shown}" is not an amount in baht` };
  const [whole, fraction = ""] = text.replace(/,/g, "").split(".") as [string, string?];
  if (fraction.length > 2) return { ok: false, reason: `"${shown}": an amount has at most 2 decimals (satang)` };
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  if (cents === 0n) return { ok: false, reason: `"${shown}": amount must be more than 0` };
  if (cents > MAX_CENTS) return { ok: false, reason: `"${shown}": amount is too large` };
  return { ok: true, value: centsToAmount(cents) };
}

export function centsToAmount(cents: bigint): string {
  return `${cents / 100n}.${pad(Number(cents % 100n))}`;
}

/** Canonical "1234.50" form of a Decimal (or anything printing as a number). */
export function canonicalAmount(value: { toFixed(digits: number): string }): string {
  return value.toFixed(2);
}
