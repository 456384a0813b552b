// Words that work in every step, in Thai and English, resolved before the
// running flow sees the input.
import { matchKey, withoutEmoji } from "./normalize.ts";

export type GlobalWord = "cancel" | "back" | "menu" | "help";

const WORDS: Record<GlobalWord, string[]> = {
  cancel: ["ยกเลิก", "cancel", "stop", "หยุด"],
  back: ["ย้อนกลับ", "กลับ", "back", "ถอยกลับ"],
  menu: ["เมนู", "เมนูหลัก", "menu", "หน้าหลัก"],
  help: ["ช่วยเหลือ", "help", "วิธีใช้", "?"],
};

const LOOKUP = new Map<string, GlobalWord>(
  Object.entries(WORDS).flatMap(([word, spellings]) => spellings.map((s) => [matchKey(s), word as GlobalWord])),
);

/** A global word, also with emoji around it ("เมนู 🙏"; LINE emoji are taken out with the event, src/line/events.ts). */
export function globalWordOf(text: string): GlobalWord | null {
  const exact = LOOKUP.get(matchKey(text));
  if (exact) return exact;
  // Only emoji ("👍") is no word, though its key would be as empty as "?"'s.
  const bare = withoutEmoji(text);
  return bare !== text && bare.trim() !== "" ? (LOOKUP.get(matchKey(bare)) ?? null) : null;
}

export const GLOBAL_WORDS = WORDS;

// A cry for help ("ช่วยด้วย", "น้ำท่วมบ้าน") opens the emergency service from
// any step (EngineOptions.emergency): someone in a flood must not be held
// by a consent question. Matched inside the text, as typed in a hurry: tone
// marks dropped (elderly keyboards put them in either order around ำ).
const EMERGENCY_WORDS = ["ช่วยด้วย", "น้ำท่วม", "flood"];

function emergencyKey(text: string): string {
  return text
    .normalize("NFC")
    .toLowerCase()
    .replace(/[\u0e48-\u0e4b]/g, "")
    .replace(/\u0e4d\u0e32/g, "\u0e33")
    .replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, "");
}

const EMERGENCY_KEYS = EMERGENCY_WORDS.map(emergencyKey);

export function isEmergency(text: string): boolean {
  const key = emergencyKey(text);
  return EMERGENCY_KEYS.some((w) => key.includes(w));
}

export const EMERGENCY = EMERGENCY_WORDS;
