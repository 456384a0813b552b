// The pieces under the download links, without a database: CSV escaping
// (quotes, line breaks, formulas), link signing and checking, periods.
import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "../../src/reports/csv.ts";
import { ExportLinks, exportSigningSecret, isExportReport } from "../../src/reports/export-links.ts";
import { parsePeriod, parseTypedDate, periodRange, presetPeriod } from "../../src/reports/period.ts";

const now = new Date("2026-11-28T03:00:00Z");
const links = new ExportLinks({ secret: Buffer.from("k".repeat(32)), baseUrl: "https://bot.example.org/" });
const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe("CSV", () => {
  it("starts with a BOM, ends lines with CRLF, quotes what needs it", () => {
    const csv = toCsv(
      ["ชื่อ", "จำนวน"],
      [
        ['สภาฯ, ตำบล "หนึ่ง"', 3],
        ["บรรทัด\nสอง", 0],
      ],
    );
    expect(csv).toBe('\uFEFFชื่อ,จำนวน\r\n"สภาฯ, ตำบล ""หนึ่ง""",3\r\n"บรรทัด\nสอง",0\r\n');
  });

  it.each([
    ["=1+1", "'=1+1"],
    ["+66812345678", "'+66812345678"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=cmd", "'\t=cmd"],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ["ปกติ", "ปกติ"],
  ])("guards the formula %j", (cell, out) => {
    expect(csvCell(cell)).toBe(out);
  });

  it("leaves our numbers alone", () => {
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(12)).toBe("12");
  });
});

describe("export links", () => {
  it("signs report, user, period and expiry; 24 hours", () => {
    const url = links.sign({ report: "requests", userId: "Uabc", period: { from: "2026-11-01", to: "2026-11-28" } }, now);
    expect(url).toMatch(
      /^https:\/\/bot\.example\.org\/exports\/requests\.csv\?u=Uabc&from=2026-11-01&to=2026-11-28&exp=\d+&sig=[\w-]{43}$/,
    );
    expect(Number(query(url).exp)).toBe(now.getTime() / 1000 + 24 * 3600);
    expect(links.verify("requests", query(url), now)).toEqual({
      ok: true,
      params: { report: "requests", userId: "Uabc", period: { from: "2026-11-01", to: "2026-11-28" } },
    });
    expect(links.verify("requests", query(url), new Date(now.getTime() + 24 * 3_600_000))).toEqual({ ok: false, reason: "expired" });
    expect(links.verify("critical", query(url), now)).toEqual({ ok: false, reason: "signature" });
    expect(links.verify("requests", { ...query(url), exp: String(Number(query(url).exp) + 3600) }, now)).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(links.verify("requests", { ...query(url), to: "2026-12-31" }, now)).toEqual({ ok: false, reason: "signature" });
    expect(links.verify("requests", { ...query(url), u: ["Uabc", "Uother"] }, now)).toEqual({ ok: false, reason: "malformed" });
    expect(links.verify("requests", { ...query(url), from: "2026-13-01" }, now)).toEqual({ ok: false, reason: "malformed" });
  });

  it("a link signed with another key is refused", () => {
    const other = new ExportLinks({ secret: Buffer.from("x".repeat(32)), baseUrl: "https://bot.example.org" });
    const url = other.sign({ report: "funds", userId: "Uabc" }, now);
    expect(links.verify("funds", query(url), now)).toEqual({ ok: false, reason: "signature" });
  });

  it("the key: configured, else derived from the channel secret (not equal to it), else random", () => {
    expect(exportSigningSecret({ exportSigningSecret: "a-configured-secret", channelSecret: "c" }).toString()).toBe("a-configured-secret");
    const derived = exportSigningSecret({ channelSecret: "channel-secret" });
    expect(derived.equals(exportSigningSecret({ channelSecret: "channel-secret" }))).toBe(true);
    expect(derived.toString("utf8")).not.toBe("channel-secret");
    expect(exportSigningSecret({}).equals(exportSigningSecret({}))).toBe(false);
  });

  it("knows only its reports", () => {
    expect(isExportReport("requests")).toBe(true);
    expect(isExportReport("../package")).toBe(false);
    expect(isExportReport("constructor")).toBe(false);
  });
});

describe("periods", () => {
  it("counts Bangkok calendar days, today included", () => {
    const late = new Date("2026-11-28T17:30:00Z"); // 00:30 on the 29th in Bangkok
    expect(presetPeriod("today", late)).toEqual({ from: "2026-11-29", to: "2026-11-29" });
    expect(presetPeriod("7d", now)).toEqual({ from: "2026-11-22", to: "2026-11-28" });
    expect(periodRange({ from: "2026-11-28", to: "2026-11-28" })).toEqual({
      gte: new Date("2026-11-27T17:00:00Z"),
      lt: new Date("2026-11-28T17:00:00Z"),
    });
  });

  it("reads typed dates in พ.ศ., ค.ศ. and Thai digits", () => {
    expect(parseTypedDate("1/11/2569")).toBe("2026-11-01");
    expect(parseTypedDate("๑/๑๑/๒๕๖๙")).toBe("2026-11-01");
    expect(parseTypedDate("2026-11-01")).toBe("2026-11-01");
    expect(parseTypedDate("31/02/2569")).toBeNull();
    expect(parseTypedDate("พรุ่งนี้")).toBeNull();
  });

  it("takes only real, ordered dates from a URL", () => {
    expect(parsePeriod("2026-11-01", "2026-11-28")).toEqual({ from: "2026-11-01", to: "2026-11-28" });
    expect(parsePeriod("2026-11-28", "2026-11-01")).toBeNull();
    expect(parsePeriod("2026-02-30", "2026-03-01")).toBeNull();
    expect(parsePeriod("2026-1-1", "2026-03-01")).toBeNull();
    expect(parsePeriod("2000-01-01", "2026-03-01")).toBeNull();
    expect(parsePeriod(["2026-11-01"], "2026-11-28")).toBeNull();
  });
});
