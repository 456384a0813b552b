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
  const base = normalizeText(text)
    .toLowerCase()
    .replace(/[\s.!?,]+/g, "");
  const stripped = base.replace(PARTICLES, "");
  return stripped.length > 0 ? stripped : base;
}

/**
 * A received text with its LINE emoji taken out. LINE writes each one into
 * the text as its alt text ("(love)", "(hello)") and lists where in `emojis`
 * (index and length in UTF-16 units of the text as sent): that text is
 * LINE's, not the user's, and would make "เมนู(love)" no command.
 */
export function withoutLineEmoji(text: string, emojis: readonly { index: number; length: number }[] | undefined): string {
  if (!emojis || emojis.length === 0) return text;
  const spans = [...emojis].filter((e) => e.index >= 0 && e.length > 0).sort((a, b) => b.index - a.index);
  let out = text;
  for (const { index, length } of spans) out = out.slice(0, index) + out.slice(index + length);
  return out;
}

// Pictographs with their skin tones, flags, keycap and presentation marks.
// Not \p{Emoji}: that includes the digits, # and *.
// The combining keycap and the variation selectors stand alone: each is
// removed by itself (in a character class they read as joined to a neighbour).
const UNICODE_EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}]|\u{20E3}|\u{FE0E}|\u{FE0F}/gu;

/** Text without Unicode emoji ("เมนู 🙏" → "เมนู "). */
export function withoutEmoji(text: string): string {
  return text.replace(UNICODE_EMOJI, "");
}
