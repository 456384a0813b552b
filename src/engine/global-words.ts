// Words that work in every step, in Thai and English, resolved before the
// running flow sees the input.
import { matchKey } from "./normalize.ts";

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

export function globalWordOf(text: string): GlobalWord | null {
  return LOOKUP.get(matchKey(text)) ?? null;
}

export const GLOBAL_WORDS = WORDS;
