// Counts and amounts as villagers type them: digits (Thai digits are
// normalised before parsing), thousands separators, number words, units.
import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/engine/normalize.ts";
import { parseThaiAmount, thaiNumberWords } from "../../src/thai/format.ts";

describe("Thai number words", () => {
  it.each([
    ["ห้า", 5],
    ["สิบ", 10],
    ["สิบเอ็ด", 11],
    ["ยี่สิบเอ็ด", 21],
    ["สามพันห้าร้อย", 3500],
    ["หนึ่งหมื่น", 10_000],
    ["4 พัน", 4000],
    ["ล้าน", 1_000_000],
  ])("%s → %d", (words, n) => expect(thaiNumberWords(words)).toBe(n));

  it.each(["หลายคน", "ไม่แน่ใจ", "ห้าห้า", "abc", ""])("%s is no number", (words) => expect(thaiNumberWords(words)).toBeNull());
});

describe("typed amounts", () => {
  it.each([
    ["๔๐๐๐", [], 4000],
    ["๔,๐๐๐ บาท", ["บาท"], 4000],
    ["ประมาณ 4 พันบาท", ["บาท"], 4000],
    ["ห้าคน", ["คน"], 5],
    ["๑๒ คน", ["คน"], 12],
    ["3,000", [], 3000],
  ] as const)("%s → %d", (typed, units, n) => expect(parseThaiAmount(normalizeText(typed), [...units])).toBe(n));

  it("refuses what is not an amount", () => {
    expect(parseThaiAmount("12,34")).toBeNull();
    expect(parseThaiAmount("บ้านโนนสูง")).toBeNull();
  });
});
