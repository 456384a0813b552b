// Thai input is normalised once, before any matching: elderly users type on
// old keyboards (Thai digits, ำ typed as ํ + า), phones insert odd spaces.
const THAI_DIGITS = /[๐-๙]/g;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

export function normalizeText(raw: string): string {
  return raw
    .normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(THAI_DIGITS, (d) => String(d.charCodeAt(0) - 0x0e50))
    .replace(/\u0e4d\u0e32/g, "\u0e33") // nikhahit + sara aa → sara am
    .replace(/\s+/g, " ")
    .trim();
}

// Polite particles that may trail a command word ("ยกเลิกค่ะ").
const PARTICLES = /(ค่ะ|คะ|ครับ|คับ|จ้า|จ้ะ|นะ|น่ะ|ด้วย|หน่อย)+$/u;

/** The form used to compare typed words with labels and keywords. */
export function matchKey(text: string): string {
  const base = normalizeText(text).toLowerCase().replace(/[\s.!?,]+/g, "");
  const stripped = base.replace(PARTICLES, "");
  return stripped.length > 0 ? stripped : base;
}
