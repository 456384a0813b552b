// Thai national ID numbers (เลขประจำตัวประชาชน): 13 digits, the last a check
// digit = (11 − (Σ dᵢ × (14 − i), i = 1..12) mod 11) mod 10.
//
// They are personal data (PDPA): stored for matching a fund member to a LINE
// member (ID + birth date), never printed in full. `maskNationalId` is what
// reports and logs show: "x-xxxx-xxxxx-12-3" (the last three digits).

const THAI_DIGITS = /[๐-๙]/g;

/** Thai digits ๐–๙ become 0–9; nothing else changes. */
export function thaiDigitsToArabic(text: string): string {
  return text.replace(THAI_DIGITS, (d) => String(d.charCodeAt(0) - 0x0e50));
}

export function nationalIdCheckDigit(first12: string): number {
  if (!/^\d{12}$/.test(first12)) throw new Error("nationalIdCheckDigit needs exactly 12 digits");
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

export type NationalIdResult = { ok: true; id: string } | { ok: false; reason: "length" | "not-digits" | "check-digit" | "leading-zero" };

/**
 * Accepts the 13 digits as typed: Thai or Arabic digits, with spaces or
 * dashes ("1-2345-67890-12-3"). Returns the 13 Arabic digits.
 */
export function parseNationalId(typed: string): NationalIdResult {
  const compact = thaiDigitsToArabic(typed).replace(/[\s-]/g, "");
  if (!/^\d+$/.test(compact)) return { ok: false, reason: "not-digits" };
  if (compact.length !== 13) return { ok: false, reason: "length" };
  // The first digit is the person's category, 1–8; no ID starts with 0.
  if (compact[0] === "0") return { ok: false, reason: "leading-zero" };
  if (nationalIdCheckDigit(compact.slice(0, 12)) !== Number(compact[12])) return { ok: false, reason: "check-digit" };
  return { ok: true, id: compact };
}

export function isValidNationalId(typed: string): boolean {
  return parseNationalId(typed).ok;
}

export const NATIONAL_ID_REASONS: Record<Exclude<NationalIdResult, { ok: true }>["reason"], string> = {
  "not-digits": "national ID must contain only digits (dashes and spaces allowed)",
  length: "national ID must have 13 digits",
  "leading-zero": "national ID cannot start with 0",
  "check-digit": "national ID fails its check digit",
};

/**
 * Shows only the last three digits: "x-xxxx-xxxxx-12-3" for a 13-digit ID;
 * anything else (a wrongly typed value) becomes x's but for its last three
 * digits, so a report about a bad ID still leaks nothing useful.
 */
export function maskNationalId(typed: string): string {
  const digits = thaiDigitsToArabic(typed).replace(/\D/g, "");
  if (digits.length === 13) return `x-xxxx-xxxxx-${digits.slice(10, 12)}-${digits[12]}`;
  if (digits.length <= 3) return "x".repeat(Math.max(digits.length, 1));
  return `${"x".repeat(digits.length - 3)}${digits.slice(-3)}`;
}

/**
 * Masks anything in free text that looks like a national ID (13 digits in a
 * row, possibly grouped with dashes or spaces, Thai or Arabic): a last guard
 * before text goes into a report or a log.
 */
export function redactNationalIds(text: string): string {
  return text.replace(/[0-9๐-๙](?:[\s-]?[0-9๐-๙]){12,}/g, (m) => {
    const digits = thaiDigitsToArabic(m).replace(/\D/g, "");
    return digits.length >= 13 ? maskNationalId(m) : m;
  });
}
