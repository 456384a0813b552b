import { describe, expect, it } from "vitest";
import {
  bangkokToday,
  parseAmount,
  parseBenefitType,
  parseLedgerDate,
  resolveColumn,
  resolveSheet,
} from "../../src/welfare-fund/ledger-format.ts";

const ok = <T>(value: T) => ({ ok: true, value });

describe("ledger dates", () => {
  it("reads ISO and Thai dd/mm/yyyy with Buddhist-era years", () => {
    expect(parseLedgerDate("2025-01-05")).toEqual(ok("2025-01-05"));
    expect(parseLedgerDate("5/1/2568")).toEqual(ok("2025-01-05"));
    expect(parseLedgerDate("05/01/2568")).toEqual(ok("2025-01-05"));
    expect(parseLedgerDate("05.01.2568")).toEqual(ok("2025-01-05"));
    expect(parseLedgerDate("๐๕/๐๑/๒๕๖๘")).toEqual(ok("2025-01-05"));
    expect(parseLedgerDate("05/01/2025")).toEqual(ok("2025-01-05")); // CE year (not above 2400)
    expect(parseLedgerDate("2568-01-05")).toEqual(ok("2025-01-05"));
    expect(parseLedgerDate("29/02/2567")).toEqual(ok("2024-02-29")); // 2024 is a leap year
    expect(parseLedgerDate(" 14/03/2501 ")).toEqual(ok("1958-03-14"));
  });

  it("rejects impossible and malformed dates", () => {
    for (const bad of [
      "29/02/2568",
      "31/04/2568",
      "2025-13-01",
      "00/01/2568",
      "2025-02-30",
      "",
      "5 ม.ค. 2568",
      "2025/01/05",
      "05/01/68",
      "01/01/1800",
    ]) {
      expect(parseLedgerDate(bad), bad).toMatchObject({ ok: false });
    }
  });

  it("knows today in Bangkok", () => {
    expect(bangkokToday(new Date("2025-12-31T16:59:59Z"))).toBe("2025-12-31");
    expect(bangkokToday(new Date("2025-12-31T17:00:00Z"))).toBe("2026-01-01");
  });
});

describe("ledger amounts", () => {
  it("reads baht with Thai digits, commas, ฿ and บาท, to two places", () => {
    expect(parseAmount("30")).toEqual(ok("30.00"));
    expect(parseAmount("๓๐")).toEqual(ok("30.00"));
    expect(parseAmount("๑,๒๓๔.๕")).toEqual(ok("1234.50"));
    expect(parseAmount("1,500.00")).toEqual(ok("1500.00"));
    expect(parseAmount("฿1,234.56")).toEqual(ok("1234.56"));
    expect(parseAmount("365 บาท")).toEqual(ok("365.00"));
    expect(parseAmount("0.5")).toEqual(ok("0.50"));
    expect(parseAmount("9999999999.99")).toEqual(ok("9999999999.99"));
  });

  it("rejects what is not a positive amount with at most 2 decimals", () => {
    for (const bad of [
      "๑,๒๓x",
      "-30",
      "−30",
      "30.123",
      "0",
      "0.00",
      "",
      "1,23",
      "12,34.5",
      "1.2.3",
      "abc",
      "3e2",
      "10000000000.00",
      ".5",
    ]) {
      expect(parseAmount(bad), bad).toMatchObject({ ok: false });
    }
    expect(parseAmount("-30")).toMatchObject({ reason: expect.stringMatching(/negative/) });
    expect(parseAmount("30.123")).toMatchObject({ reason: expect.stringMatching(/2 decimals/) });
  });
});

describe("ledger names", () => {
  it("accepts English or Thai column and sheet names", () => {
    expect(resolveColumn("members", "member_no")).toBe("member_no");
    expect(resolveColumn("members", " Member No ")).toBe("member_no");
    expect(resolveColumn("members", "เลขสมาชิก")).toBe("member_no");
    expect(resolveColumn("members", "เลขประจำตัวประชาชน")).toBe("national_id");
    expect(resolveColumn("contributions", "จำนวนเงิน")).toBe("amount");
    expect(resolveColumn("payments", "ประเภท")).toBe("type");
    expect(resolveColumn("members", "amount")).toBeUndefined();
    expect(resolveSheet("Members")).toBe("members");
    expect(resolveSheet("สมาชิก")).toBe("members");
    expect(resolveSheet("เงินสะสม")).toBe("contributions");
    expect(resolveSheet("การจ่ายสวัสดิการ")).toBe("payments");
    expect(resolveSheet("สรุป")).toBeUndefined();
  });

  it("reads benefit types as codes or Thai names", () => {
    expect(parseBenefitType("BIRTH")).toBe("BIRTH");
    expect(parseBenefitType("hospital")).toBe("HOSPITAL");
    expect(parseBenefitType("ฌาปนกิจ")).toBe("FUNERAL");
    expect(parseBenefitType("ทุนการศึกษา")).toBe("SCHOLARSHIP");
    expect(parseBenefitType("อื่น ๆ")).toBe("OTHER");
    expect(parseBenefitType("lottery")).toBeNull();
    expect(parseBenefitType("")).toBeNull();
  });
});
