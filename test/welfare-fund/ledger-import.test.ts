import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_DIR } from "../../src/cli/make-sample-ledger.ts";
import {
  formatReport,
  importLedger,
  LedgerImportError,
  LedgerReadError,
  sheetFromCsv,
  sheetsFromXlsx,
  type ImportReport,
  type LedgerInput,
} from "../../src/welfare-fund/ledger-import.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const TODAY = "2026-01-01";
const FUND_NAME = "กองทุนสวัสดิการชุมชนตำบลเมืองเหนือ";

interface SampleText {
  members: string;
  contributions: string;
  payments: string;
}
let sample: SampleText;
let xlsx: Buffer;
let sampleIds: string[];

beforeAll(async () => {
  const read = (f: string) => readFile(path.join(SAMPLE_DIR, f), "utf8");
  sample = { members: await read("members.csv"), contributions: await read("contributions.csv"), payments: await read("payments.csv") };
  xlsx = await readFile(path.join(SAMPLE_DIR, "ledger.xlsx"));
  sampleIds = sample.members
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(",")[1]!);
});

const csvInput = (t: SampleText): LedgerInput => ({
  members: sheetFromCsv("members.csv", t.members),
  contributions: sheetFromCsv("contributions.csv", t.contributions),
  payments: sheetFromCsv("payments.csv", t.payments),
});

/** Replaces one line (0 = header) of a CSV text. */
function withLine(text: string, index: number, edit: (line: string) => string): string {
  const lines = text.split("\r\n");
  lines[index] = edit(lines[index]!);
  return lines.join("\r\n");
}
const append = (text: string, line: string) => `${text}${line}\r\n`;
const lineCount = (text: string) => text.split("\r\n").filter(Boolean).length - 1;

function expectNoFullId(text: string) {
  expect(text).not.toMatch(/\d{13}/);
  expect(text).not.toMatch(/\d-\d{4}-\d{5}-\d{2}-\d/);
  for (const id of sampleIds) expect(text).not.toContain(id);
}

describe.each(STORE_DATABASES)("welfare-fund ledger import on %s", (kind) => {
  let db: TestDatabase;
  let councilId: number;
  let otherCouncilId: number;

  const counts = async () => ({
    funds: await db.prisma.welfareFund.count(),
    members: await db.prisma.fundMember.count(),
    beneficiaries: await db.prisma.beneficiary.count(),
    contributions: await db.prisma.contribution.count(),
    payments: await db.prisma.benefitPayment.count(),
  });

  /** Everything a fund holds, without database ids, for comparisons. */
  async function dump(fundId: number) {
    const members = await db.prisma.fundMember.findMany({
      where: { fundId },
      orderBy: { memberNo: "asc" },
      include: {
        beneficiaries: { orderBy: { position: "asc" }, select: { position: true, name: true, relation: true } },
        contributions: {
          orderBy: [{ paidOn: "asc" }, { periodFrom: "asc" }],
          select: { paidOn: true, amount: true, periodFrom: true, periodTo: true, receiptNo: true },
        },
        payments: { orderBy: [{ paidOn: "asc" }, { type: "asc" }], select: { type: true, paidOn: true, amount: true, note: true } },
      },
    });
    return members.map(({ id, fundId: _f, createdAt, updatedAt, contributions, payments, ...m }) => ({
      ...m,
      contributions: contributions.map((c) => ({ ...c, amount: c.amount.toFixed(2) })),
      payments: payments.map((p) => ({ ...p, amount: p.amount.toFixed(2) })),
    }));
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await db.prisma.province.create({ data: { id: 33, nameTh: "ศรีสะเกษ", nameEn: "Si Sa Ket" } });
    await db.prisma.district.create({ data: { id: 3301, provinceId: 33, nameTh: "เมืองศรีสะเกษ", nameEn: "Mueang Si Sa Ket" } });
    await db.prisma.tambon.createMany({
      data: [
        { id: 330101, districtId: 3301, nameTh: "เมืองเหนือ", nameEn: "Mueang Nuea" },
        { id: 330102, districtId: 3301, nameTh: "เมืองใต้", nameEn: "Mueang Tai" },
      ],
    });
    councilId = (await db.prisma.council.create({ data: { tambonId: 330101, name: "สภาองค์กรชุมชนตำบลเมืองเหนือ" } })).id;
    otherCouncilId = (await db.prisma.council.create({ data: { tambonId: 330102, name: "สภาองค์กรชุมชนตำบลเมืองใต้" } })).id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it("refuses an unknown council, or an unknown fund without --create-fund", async () => {
    await expect(importLedger(db, csvInput(sample), { councilId: 999_999, fundCode: "KT01", today: TODAY })).rejects.toThrow(
      LedgerImportError,
    );
    await expect(importLedger(db, csvInput(sample), { councilId, fundCode: "KT01", today: TODAY })).rejects.toThrow(/create-fund/);
    expect(await counts()).toMatchObject({ funds: 0, members: 0 });
  });

  it("rejects a ledger full of bad rows as a whole, reporting every problem by row, writing nothing", async () => {
    const bad: SampleText = {
      // row 2: bad check digit; row 3: impossible BE date; row 4: phone; row 5 repeats 0001's member number
      members: append(
        withLine(
          withLine(
            withLine(sample.members, 1, (l) => l.replace("1111100000019", "1111100000018")),
            2,
            (l) => l.replace("02/07/2505", "31/02/2505"),
          ),
          3,
          (l) => l.replace(",01/02/2558,", ",1/2/58,"),
        ),
        "0001,1111100000116,นาย,สมศักดิ์,ซ้ำเลข,01/01/2520,01/01/2565,,,,,,",
      ),
      // a member nobody knows; a bad amount in Thai digits; a negative one; 3 decimals; a duplicate row; a bad period
      contributions: append(
        append(
          append(
            withLine(
              withLine(
                withLine(sample.contributions, 2, (l) => l.replace(",30,", ',"๑,๒๓x",')),
                3,
                (l) => l.replace(",30,", ",-30,"),
              ),
              4,
              (l) => l.replace(",30,", ",30.123,"),
            ),
            "9999,2025-01-05,30,2025-01-01,2025-01-31,R68-9999",
          ),
          sample.contributions.split("\r\n")[1]!.replace("R68-0001", ""),
        ),
        "0002,2025-07-05,30,2025-07-31,2025-07-01,R68-7777",
      ),
      payments: append(sample.payments, "0004,LOTTERY,2025-02-30,1000,"),
    };
    const before = await counts();
    const report = await importLedger(db, csvInput(bad), { councilId, fundCode: "KT01", createFundName: FUND_NAME, today: TODAY });
    expect(await counts()).toEqual(before);
    expect(report.fund).toMatchObject({ id: null, created: false });
    expect(report.created).toEqual({ members: 0, contributions: 0, payments: 0 });

    const found = report.problems.map((p) => `${p.sheet}:${p.row}:${p.column}`);
    const contributionRows = lineCount(sample.contributions);
    expect(found).toEqual([
      "members.csv:2:national_id",
      "members.csv:3:birth_date",
      "members.csv:4:joined_on",
      "members.csv:12:member_no",
      "contributions.csv:3:amount",
      "contributions.csv:4:amount",
      "contributions.csv:5:amount",
      `contributions.csv:${contributionRows + 2}:member_no`,
      `contributions.csv:${contributionRows + 3}:null`,
      `contributions.csv:${contributionRows + 4}:period_to`,
      "payments.csv:9:type",
      "payments.csv:9:paid_on",
    ]);
    const reasons = report.problems.map((p) => p.reason).join("\n");
    expect(reasons).toMatch(/check digit/);
    expect(reasons).toMatch(/not a real date/);
    expect(reasons).toMatch(/member number 0001 is also on row 2/);
    expect(reasons).toMatch(/unknown member 9999/);
    expect(reasons).toMatch(/duplicate of row 2/);
    expect(reasons).toMatch(/negative/);
    expect(reasons).toMatch(/2 decimals/);

    const text = formatReport(report);
    expect(text).toMatch(/^Nothing was imported/);
    expect(text).toContain("members.csv, row 2, national_id: x-xxxx-xxxxx-01-8: national ID fails its check digit");
    expectNoFullId(text);
    expectNoFullId(JSON.stringify(report));
  });

  it("imports the sample ledger from CSV, creating the fund", async () => {
    const report = await importLedger(db, csvInput(sample), {
      councilId,
      fundCode: "KT01",
      createFundName: FUND_NAME,
      today: TODAY,
    });
    expect(report.problems).toEqual([]);
    const contributions = lineCount(sample.contributions);
    expect(report).toMatchObject({
      fund: { code: "KT01", name: FUND_NAME, created: true },
      created: { members: 10, contributions, payments: 7 },
      updated: { members: 0 },
      unchanged: { members: 0, contributions: 0, payments: 0 },
    });
    expect(await counts()).toEqual({ funds: 1, members: 10, beneficiaries: 12, contributions, payments: 7 });

    const died = await db.prisma.fundMember.findFirstOrThrow({
      where: { memberNo: "0003" },
      include: { payments: true, beneficiaries: true },
    });
    expect(died).toMatchObject({ firstName: "คำปุ่น", nationalId: "1111100000035", title: "นาย", phone: null });
    expect(died.birthDate.toISOString()).toBe("1949-11-23T00:00:00.000Z"); // 23/11/2492 BE
    expect(died.leftOn?.toISOString().slice(0, 10)).toBe("2025-04-18");
    expect(died.payments.map((p) => [p.type, p.amount.toFixed(2)])).toEqual([["FUNERAL", "10000.00"]]);
    const scholarship = await db.prisma.benefitPayment.findFirstOrThrow({ where: { type: "SCHOLARSHIP" } });
    expect(scholarship.amount.toFixed(2)).toBe("1500.00");
    const phone = await db.prisma.fundMember.findFirstOrThrow({ where: { memberNo: "0002" } });
    expect(phone.phone).toBe("045610111");

    const text = formatReport(report);
    expect(text).toContain("10 new");
    expectNoFullId(text);
  });

  it("changes nothing when the same ledger is imported again", async () => {
    const before = await counts();
    const fund = await db.prisma.welfareFund.findFirstOrThrow({ where: { code: "KT01" } });
    const dumped = await dump(fund.id);
    const report = await importLedger(db, csvInput(sample), {
      councilId,
      fundCode: "KT01",
      createFundName: FUND_NAME,
      today: TODAY,
    });
    expect(report).toMatchObject({
      fund: { id: fund.id, created: false },
      created: { members: 0, contributions: 0, payments: 0 },
      updated: { members: 0 },
      unchanged: { members: 10, contributions: lineCount(sample.contributions), payments: 7 },
      problems: [],
    });
    expect(await counts()).toEqual(before);
    expect(await dump(fund.id)).toEqual(dumped);
  });

  it("imports the sample workbook exactly like the CSV files", async () => {
    const input = await sheetsFromXlsx(xlsx, "ledger.xlsx");
    expect(input.members?.name).toBe("สมาชิก");
    const report = await importLedger(db, input, {
      councilId: otherCouncilId,
      fundCode: "KT01",
      createFundName: FUND_NAME,
      today: TODAY,
    });
    expect(report.problems).toEqual([]);
    expect(report.created).toEqual({ members: 10, contributions: lineCount(sample.contributions), payments: 7 });
    const [csvFund, xlsxFund] = await Promise.all([
      db.prisma.welfareFund.findUniqueOrThrow({ where: { councilId_code: { councilId, code: "KT01" } } }),
      db.prisma.welfareFund.findUniqueOrThrow({ where: { councilId_code: { councilId: otherCouncilId, code: "KT01" } } }),
    ]);
    expect(await dump(xlsxFund.id)).toEqual(await dump(csvFund.id));
    // …and the workbook into the CSV's fund finds everything already there.
    const again = await importLedger(db, input, { councilId, fundCode: "KT01", today: TODAY });
    expect(again).toMatchObject({ created: { members: 0, contributions: 0, payments: 0 }, updated: { members: 0 }, problems: [] });
  });

  it("adds new rows and updates changed members on a later import, accepting Thai digits", async () => {
    const members = withLine(sample.members, 2, (l) => l.replace("045-610111", "๐๘๙๙๙๙๙๙๙๙"));
    const contributions = append(sample.contributions, "๐๐๐๑,๒๕๖๘-๐๗-๐๕,๓๐,๐๑/๐๗/๒๕๖๘,๓๑/๐๗/๒๕๖๘,R68-0100");
    const report = await importLedger(db, csvInput({ ...sample, members, contributions }), {
      councilId,
      fundCode: "KT01",
      today: TODAY,
    });
    expect(report).toMatchObject({
      created: { members: 0, contributions: 1, payments: 0 },
      updated: { members: 1 },
      unchanged: { members: 9, contributions: lineCount(sample.contributions), payments: 7 },
      problems: [],
    });
    const fund = await db.prisma.welfareFund.findUniqueOrThrow({ where: { councilId_code: { councilId, code: "KT01" } } });
    expect(
      await db.prisma.fundMember.findUniqueOrThrow({ where: { fundId_memberNo: { fundId: fund.id, memberNo: "0002" } } }),
    ).toMatchObject({ phone: "0899999999" });
    const july = await db.prisma.contribution.findFirstOrThrow({ where: { receiptNo: "R68-0100" } });
    expect([july.paidOn.toISOString().slice(0, 10), july.amount.toFixed(2), july.periodTo.toISOString().slice(0, 10)]).toEqual([
      "2025-07-05",
      "30.00",
      "2025-07-31",
    ]);
  });

  it.each([
    [
      "an unknown member in contributions",
      { contributions: (t: string) => append(t, "0404,2025-01-05,30,2025-01-01,2025-01-31,") },
      /unknown member 0404/,
    ],
    ["a bad date", { payments: (t: string) => withLine(t, 1, (l) => l.replace("2025-02-20", "2025-02-29")) }, /not a real date/],
    ["a date in the future", { payments: (t: string) => withLine(t, 1, (l) => l.replace("2025-02-20", "2026-02-20")) }, /in the future/],
    ["a bad amount", { payments: (t: string) => withLine(t, 1, (l) => l.replace(",1000,", ',"๑,๐๐x",')) }, /not an amount/],
    [
      "a national ID failing its check digit",
      { members: (t: string) => withLine(t, 10, (l) => l.replace("1111100000108", "1111100000107")) },
      /check digit/,
    ],
    [
      "a duplicate member number",
      { members: (t: string) => append(t, "0010,1111100000116,นาย,ทดสอบ,ซ้ำ,01/01/2520,01/01/2565,,,,,,") },
      /also on row 11/,
    ],
    [
      "a duplicate national ID",
      { members: (t: string) => append(t, "0011,1111100000108,นาย,ทดสอบ,ซ้ำ,01/01/2520,01/01/2565,,,,,,") },
      /x-xxxx-xxxxx-10-8 is also on row 11/,
    ],
    ["a duplicate row", { payments: (t: string) => append(t, "0004,BIRTH,2025-02-20,1000,ซ้ำ") }, /duplicate of row 2/],
    [
      "a duplicate receipt",
      { contributions: (t: string) => append(t, "0001,2025-08-05,30,2025-08-01,2025-08-31,R68-0001") },
      /receipt R68-0001 is also on row 2/,
    ],
    ["an unknown column", { payments: (t: string) => t.replace("note", "remark") }, /unknown column/],
    ["a missing column", { members: (t: string) => t.replace("national_id", "national") }, /required column is missing/],
    [
      "a changed national ID for a known member",
      { members: (t: string) => withLine(t, 1, (l) => l.replace("1111100000019", "1111100000116")) },
      /already recorded with national ID x-xxxx-xxxxx-01-9/,
    ],
  ] as const)("rejects the whole ledger for %s, with the row, writing nothing", async (_name, edits, reason) => {
    const edited = { ...sample };
    for (const [k, edit] of Object.entries(edits) as [keyof SampleText, (t: string) => string][]) edited[k] = edit(edited[k]);
    // A valid new contribution too, which must not be written either.
    edited.contributions = append(edited.contributions, "0005,2026-01-01,365,2026-01-01,2026-12-31,R69-0001");
    const before = await counts();
    const report: ImportReport = await importLedger(db, csvInput(edited), { councilId, fundCode: "KT01", today: TODAY });
    expect(await counts()).toEqual(before);
    expect(report.created).toEqual({ members: 0, contributions: 0, payments: 0 });
    expect(report.problems.length).toBeGreaterThan(0);
    expect(report.problems.every((p) => p.row !== null && p.row >= 1)).toBe(true);
    expect(report.problems.map((p) => p.reason).join("\n")).toMatch(reason);
    const text = formatReport(report);
    expect(text).toMatch(/^Nothing was imported/);
    expectNoFullId(text);
    expectNoFullId(JSON.stringify(report));
  });

  it("reports unreadable input as a whole-file problem", async () => {
    expect(() => sheetFromCsv("members.csv", 'member_no\n"open')).toThrow(LedgerReadError);
    await expect(sheetsFromXlsx(Buffer.from("not a zip"), "x.xlsx")).rejects.toThrow(LedgerReadError);
  });
});
