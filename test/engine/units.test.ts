// Pure functions under the conversation engine: text normalisation, global
// words, postback data, choice matching, Thai phone numbers.
import { describe, expect, it } from "vitest";
import { matchChoice } from "../../src/engine/engine.ts";
import { GLOBAL_WORDS, globalWordOf, type GlobalWord } from "../../src/engine/global-words.ts";
import { matchKey, normalizeText } from "../../src/engine/normalize.ts";
import { decodePostback, encodePostback, type Postback } from "../../src/engine/postback.ts";
import type { Choice } from "../../src/engine/types.ts";
import { maskPhone, parseThaiPhone } from "../../src/members/phone.ts";

describe("normalizeText", () => {
  it("turns Thai digits ๐–๙ into 0–9", () => {
    expect(normalizeText("๐๑๒๓๔๕๖๗๘๙")).toBe("0123456789");
    expect(normalizeText("๐๘๑-๒๓๔-๕๖๗๘")).toBe("081-234-5678");
    expect(normalizeText("หมู่ ๕")).toBe("หมู่ 5");
  });

  it("joins nikhahit + sara aa (ํ + า) into sara am (ำ)", () => {
    const typed = "\u0e19\u0e49\u0e4d\u0e32"; // น ้ ํ า as an old keyboard sends it
    expect(normalizeText(typed)).toBe("น้ำ");
    expect(normalizeText("กํา")).toBe("กำ");
    expect(normalizeText("ทํางาน")).toBe("ทำงาน");
  });

  it("drops zero-width characters and collapses extra spaces", () => {
    expect(normalizeText("ยก\u200bเลิก")).toBe("ยกเลิก");
    expect(normalizeText("\ufeffสม\u200cศรี\u200d \u2060ใจดี")).toBe("สมศรี ใจดี");
    expect(normalizeText("  สมศรี    ใจดี \n")).toBe("สมศรี ใจดี");
    expect(normalizeText("สมศรี\t\u00a0ใจดี")).toBe("สมศรี ใจดี");
  });

  it("composes to NFC", () => {
    expect(normalizeText("cafe\u0301")).toBe("caf\u00e9");
  });
});

describe("matchKey", () => {
  it("ignores case, spaces and punctuation", () => {
    expect(matchKey(" Cancel! ")).toBe("cancel");
    expect(matchKey("ยก เลิก")).toBe("ยกเลิก");
    expect(matchKey("สมศรี ใจดี.")).toBe("สมศรีใจดี");
  });

  it("strips trailing polite particles", () => {
    for (const typed of ["ยกเลิกค่ะ", "ยกเลิกคะ", "ยกเลิกครับ", "ยกเลิก ครับ", "ยกเลิกนะคะ", "ยกเลิกจ้า", "ยกเลิกหน่อยค่ะ", "ยกเลิกค่ะ!!"]) {
      expect(matchKey(typed), typed).toBe("ยกเลิก");
    }
  });

  it("keeps a word that is only a particle", () => {
    expect(matchKey("ครับ")).toBe("ครับ");
    expect(matchKey("ค่ะ")).toBe("ค่ะ");
  });

  it("applies the text normalisation first", () => {
    expect(matchKey("ย\u200bก\u200bเ\u200bลิก")).toBe("ยกเลิก");
    expect(matchKey("ทํางาน")).toBe("ทำงาน");
    expect(matchKey("๑๒๓")).toBe("123");
  });
});

describe("globalWordOf", () => {
  const every = Object.entries(GLOBAL_WORDS) as [GlobalWord, string[]][];

  it.each(every.flatMap(([word, spellings]) => spellings.map((s) => [s, word] as const)))("%s → %s", (spelling, word) => {
    expect(globalWordOf(spelling)).toBe(word);
    expect(globalWordOf(` ${spelling.toUpperCase()} `)).toBe(word);
  });

  it("has Thai and English spellings of every word", () => {
    for (const [word, spellings] of every) {
      expect(
        spellings.some((s) => /[\u0e00-\u0e7f]/.test(s)),
        word,
      ).toBe(true);
      expect(spellings).toContain(word);
    }
  });

  it("hears the words with polite particles, odd spaces and old-keyboard input", () => {
    expect(globalWordOf("ยกเลิกค่ะ")).toBe("cancel");
    expect(globalWordOf("ยกเลิก ครับ")).toBe("cancel");
    expect(globalWordOf("ย้อนกลับค่ะ")).toBe("back");
    expect(globalWordOf("เมนูหลักครับ")).toBe("menu");
    expect(globalWordOf("ช่วยเหลือด้วยค่ะ")).toBe("help");
    expect(globalWordOf("Cancel")).toBe("cancel");
    expect(globalWordOf("MENU")).toBe("menu");
    expect(globalWordOf("ยก\u200bเลิก")).toBe("cancel");
  });

  it("does not take ordinary answers for global words", () => {
    for (const typed of ["สมศรี ใจดี", "0812345678", "ยินยอม", "กันทรลักษ์", "ยกเลิกการประชุมพรุ่งนี้", "cancelled", "เมนูอาหาร"]) {
      expect(globalWordOf(typed), typed).toBeNull();
    }
  });
});

describe("postback data", () => {
  const samples: Exclude<Postback, { kind: "unknown" }>[] = [
    { kind: "answer", flow: "signup", step: "district", turn: 7, value: "3304" },
    { kind: "answer", flow: "signup", step: "name", turn: 2, value: "สมศรี ใจดี & co=1?" },
    { kind: "answer", flow: "signup", step: "confirm", turn: 12, value: "edit:phone" },
    { kind: "answer", flow: "signup", step: "name", turn: 1, value: "" },
    { kind: "page", flow: "signup", step: "district", turn: 4, page: 2 },
    { kind: "page", flow: "signup", step: "district", turn: 4, page: 0 },
    { kind: "global", word: "cancel" },
    { kind: "global", word: "back" },
    { kind: "global", word: "menu" },
    { kind: "global", word: "help" },
    { kind: "menu", entry: "profile-name" },
  ];

  it.each(samples.map((p) => [p.kind, p] as const))("round-trips %s", (_kind, p) => {
    const data = encodePostback(p);
    expect(data.length).toBeLessThanOrEqual(300);
    expect(decodePostback(data)).toEqual(p);
  });

  it("reads garbage and forged data as unknown", () => {
    for (const data of [
      "",
      "garbage",
      "%%%",
      '{"action":"x"}',
      "g=explode",
      "g=",
      "f=signup",
      "s=name&t=1&v=x",
      "f=signup&s=name&v=x",
      "f=signup&s=name&t=&v=x",
      "f=signup&s=name&t=abc&v=x",
      "f=signup&s=name&t=1.5&v=x",
      "f=signup&s=name&t=1",
      "f=signup&s=name&t=1&p=-1",
      "f=signup&s=name&t=1&p=abc",
      "f=signup&s=name&t=1&p=1000",
      "f=&s=name&t=1&v=x",
      "f=signup&s=name&t=0x10&v=x",
      "f=signup&s=name&t=1e2&p=1",
      "f=signup&s=name&t=1&p=",
    ]) {
      expect(decodePostback(data), data).toEqual({ kind: "unknown" });
    }
  });
});

describe("matchChoice", () => {
  const districts: Choice[] = [
    { label: "เมืองศรีสะเกษ", value: "3301" },
    { label: "กันทรารมย์", value: "3303" },
    { label: "กันทรลักษ์", value: "3304" },
    { label: "ขุขันธ์", value: "3305" },
    { label: "ศรีรัตนะ", value: "3314" },
  ];

  it("matches a label exactly, after normalisation", () => {
    expect(matchChoice(districts, "กันทรลักษ์")?.value).toBe("3304");
    expect(matchChoice(districts, " กันทร ลักษ์ ")?.value).toBe("3304");
    expect(matchChoice(districts, "ขุขันธ์ค่ะ")?.value).toBe("3305");
    expect(matchChoice(districts, "ศรีรัตนะ")?.value).toBe("3314");
  });

  it("matches a value exactly", () => {
    expect(matchChoice(districts, "3303")?.label).toBe("กันทรารมย์");
  });

  it("matches a part of exactly one label", () => {
    expect(matchChoice(districts, "ลักษ์")?.value).toBe("3304");
    expect(matchChoice(districts, "สะเกษ")?.value).toBe("3301");
    expect(matchChoice(districts, "รารมย์")?.value).toBe("3303");
  });

  it("refuses a part shared by several labels", () => {
    expect(matchChoice(districts, "กันทร")).toBeUndefined();
    expect(matchChoice(districts, "ศรี")).toBeUndefined();
  });

  it("refuses one character, nothing, or no match", () => {
    expect(matchChoice(districts, "ข")).toBeUndefined();
    expect(matchChoice(districts, "")).toBeUndefined();
    expect(matchChoice(districts, "   ")).toBeUndefined();
    expect(matchChoice(districts, "อุบล")).toBeUndefined();
    expect(matchChoice([], "กันทรลักษ์")).toBeUndefined();
  });

  it("prefers an exact match over a partial one", () => {
    const choices: Choice[] = [
      { label: "ยินยอม", value: "yes" },
      { label: "ไม่ยินยอม", value: "no" },
    ];
    expect(matchChoice(choices, "ยินยอม")?.value).toBe("yes");
    expect(matchChoice(choices, "ไม่ยินยอม")?.value).toBe("no");
    expect(matchChoice(choices, "ยอม")).toBeUndefined();
  });
});

describe("parseThaiPhone", () => {
  it("accepts mobiles in the usual spellings", () => {
    expect(parseThaiPhone("0812345678")).toBe("0812345678");
    expect(parseThaiPhone("081-234-5678")).toBe("0812345678");
    expect(parseThaiPhone("081 234 5678")).toBe("0812345678");
    expect(parseThaiPhone("(081) 234.5678")).toBe("0812345678");
    expect(parseThaiPhone("0612345678")).toBe("0612345678");
    expect(parseThaiPhone("0912345678")).toBe("0912345678");
  });

  it("accepts +66 and 66 in place of the leading 0", () => {
    expect(parseThaiPhone("+66812345678")).toBe("0812345678");
    expect(parseThaiPhone("+66 81 234 5678")).toBe("0812345678");
    expect(parseThaiPhone("66812345678")).toBe("0812345678");
    expect(parseThaiPhone("+6645123456")).toBe("045123456");
  });

  it("accepts landlines of 9 digits", () => {
    expect(parseThaiPhone("045123456")).toBe("045123456");
    expect(parseThaiPhone("045-123-456")).toBe("045123456");
    expect(parseThaiPhone("021234567")).toBe("021234567");
  });

  it("accepts Thai digits once the text is normalised", () => {
    expect(parseThaiPhone(normalizeText("๐๘๑-๒๓๔-๕๖๗๘"))).toBe("0812345678");
    expect(parseThaiPhone(normalizeText("๐๔๕ ๑๒๓ ๔๕๖"))).toBe("045123456");
  });

  it("refuses what is not a Thai number", () => {
    for (const typed of [
      "",
      "abc",
      "สมศรี",
      "12345",
      "081234567", // a mobile prefix with 9 digits
      "08123456789", // 11 digits
      "0112345678", // no 01 numbers
      "0712345678", // 07 is a landline prefix: 9 digits
      "0451234567", // a landline with 10 digits
      "001234567",
      "081-234-567a",
      "+1 555 123 4567",
      "+66 812 345 67", // 10 digits after +66
      "081/234/5678",
    ]) {
      expect(parseThaiPhone(typed), typed).toBeNull();
    }
  });
});

describe("maskPhone", () => {
  it("shows only the last four digits", () => {
    expect(maskPhone("0812345678")).toBe("xxx-xxx-5678");
    expect(maskPhone("045123456")).toBe("xx-xxx-3456");
    expect(maskPhone("0812345678")).not.toContain("081234");
  });
});
