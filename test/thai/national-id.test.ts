import { describe, expect, it } from "vitest";
import {
  isValidNationalId,
  maskNationalId,
  nationalIdCheckDigit,
  parseNationalId,
  redactNationalIds,
  thaiDigitsToArabic,
} from "../../src/thai/national-id.ts";

// Check digits worked by hand from domain.md's formula:
// 1-1111-00000-01-?: Σ = 1·13 + 1·12 + 1·11 + 1·10 + 1·9 + 1·2 = 57; 57 mod 11 = 2; (11 − 2) mod 10 = 9.
const VALID = "1111100000019";

describe("national ID", () => {
  it("computes the check digit by the formula", () => {
    expect(nationalIdCheckDigit("111110000001")).toBe(9);
    // Σ = 3·13 + 1·12 + … ; here a sum ≡ 1 (mod 11) gives (11 − 1) mod 10 = 0.
    const first12 = "110000000007"; // 13 + 12 + 7·2 = 39 → 39 mod 11 = 6 → 5
    expect(nationalIdCheckDigit(first12)).toBe(5);
    expect(() => nationalIdCheckDigit("123")).toThrow();
  });

  it("accepts valid IDs with dashes, spaces or Thai digits", () => {
    expect(parseNationalId(VALID)).toEqual({ ok: true, id: VALID });
    expect(parseNationalId("1-1111-00000-01-9")).toEqual({ ok: true, id: VALID });
    expect(parseNationalId(" 1 1111 00000 01 9 ")).toEqual({ ok: true, id: VALID });
    expect(parseNationalId("๑๑๑๑๑๐๐๐๐๐๐๑๙")).toEqual({ ok: true, id: VALID });
    expect(parseNationalId("1100000000075")).toEqual({ ok: true, id: "1100000000075" });
    expect(isValidNationalId("1-1111-00000-02-7")).toBe(true);
  });

  it("rejects a wrong check digit, a wrong length, non-digits and a leading 0", () => {
    for (let d = 0; d <= 9; d += 1) {
      if (d !== 9) expect(parseNationalId(`111110000001${d}`)).toEqual({ ok: false, reason: "check-digit" });
    }
    expect(parseNationalId("111110000001")).toEqual({ ok: false, reason: "length" });
    expect(parseNationalId("11111000000190")).toEqual({ ok: false, reason: "length" });
    expect(parseNationalId("")).toEqual({ ok: false, reason: "not-digits" });
    expect(parseNationalId("11111O0000019")).toEqual({ ok: false, reason: "not-digits" });
    expect(parseNationalId("๑๑๑๑๑๐๐๐๐๐๐๑๘")).toEqual({ ok: false, reason: "check-digit" });
    // 0-1111-00000-01-? with a valid check digit is still refused.
    const zero = `011110000001${nationalIdCheckDigit("011110000001")}`;
    expect(parseNationalId(zero)).toEqual({ ok: false, reason: "leading-zero" });
  });

  it("masks all but the last three digits", () => {
    expect(maskNationalId(VALID)).toBe("x-xxxx-xxxxx-01-9");
    expect(maskNationalId("๑-๑๑๑๑-๐๐๐๐๐-๐๑-๙")).toBe("x-xxxx-xxxxx-01-9");
    expect(maskNationalId("12345")).toBe("xx345");
    expect(maskNationalId("12")).toBe("xx");
    expect(maskNationalId("")).toBe("x");
  });

  it("redacts anything that looks like an ID in free text", () => {
    expect(redactNationalIds(`id ${VALID} and 1-1111-00000-02-7, phone 0812345678`)).toBe(
      "id x-xxxx-xxxxx-01-9 and x-xxxx-xxxxx-02-7, phone 0812345678",
    );
    expect(redactNationalIds("๑๑๑๑๑๐๐๐๐๐๐๑๙")).toBe("x-xxxx-xxxxx-01-9");
    expect(thaiDigitsToArabic("๐๑๒๓๔๕๖๗๘๙")).toBe("0123456789");
  });
});
