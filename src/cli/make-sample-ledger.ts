// Writes the sample welfare-fund ledger in prisma/seed-data/welfare-fund-sample/:
// members.csv, contributions.csv, payments.csv (English headers, Thai BE
// dates in dd/mm/yyyy for members, ISO dates elsewhere) and ledger.xlsx with
// the same data (Thai sheet names and headers, real date cells):
//
//   npx tsx src/cli/make-sample-ledger.ts
//
// People are invented; national IDs are synthetic (a visible pattern, a valid
// check digit) so the importer accepts them.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { dateValue } from "../welfare-fund/ledger-format.ts";
import { nationalIdCheckDigit } from "../welfare-fund/national-id.ts";

export const SAMPLE_DIR = fileURLToPath(new URL("../../prisma/seed-data/welfare-fund-sample/", import.meta.url));

const PEOPLE: [title: string, first: string, last: string, birth: string, joined: string][] = [
  ["นาย", "สมชาย", "ศรีสุข", "1958-03-14", "2015-01-10"],
  ["นาง", "บัวผัน", "ทองมา", "1962-07-02", "2015-01-10"],
  ["นาย", "คำปุ่น", "แก้วกัณหา", "1949-11-23", "2015-02-01"],
  ["นางสาว", "สุดใจ", "บุญประเสริฐ", "1990-05-30", "2016-06-15"],
  ["นาง", "ประนอม", "สีหาวงษ์", "1970-01-08", "2017-03-01"],
  ["นาย", "ทองใบ", "จันทร์หอม", "1955-09-19", "2018-08-20"],
  ["นาง", "หนูเพียร", "คำภา", "1968-12-25", "2019-01-05"],
  ["นาย", "สมหมาย", "อินทร์แก้ว", "1984-04-11", "2020-10-01"],
  ["นาง", "คำพันธ์", "พรมมา", "1951-06-06", "2021-02-14"],
  ["นาย", "บุญมี", "ศรีวงศ์", "1979-08-17", "2024-09-01"],
];

/** "1-1111-00000-NN-c": a pattern no one will take for a real person's ID. */
export function sampleNationalId(n: number): string {
  const twelve = `1111100000${String(n).padStart(2, "0")}`;

  return `${twelve}${nationalIdCheckDigit(twelve)}`;
}

const thaiDate = (iso: string) => {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${Number(y) + 543}`;
};
const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const csv = (rows: string[][]) => `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;

export function sampleLedger() {
  const members = PEOPLE.map(([title, first, last, birth, joined], i) => ({
    memberNo: `${String(i + 1).padStart(4, "0")}`,
    nationalId: sampleNationalId(i + 1),
    title,
    first,
    last,
    birth,
    joined,
    left: i === 2 ? "2025-04-18" : "", // คำปุ่น died in April 2025
    phone:
      i % 3 === 0 ? `08${String(10000000 + i * 1234567).slice(0, 8)}` : i % 3 === 1 ? `045-6${String(10000 + i * 111).slice(0, 5)}` : "",
    b1:
      i === 9
        ? ["", ""]
        : [
            i % 2 ? `นาย${["ทองดี", "สุวิทย์", "บุญเรือง"][i % 3]} ${last}` : `นาง${["สมศรี", "มะลิ", "จันทร์เพ็ญ"][i % 3]} ${last}`,
            i % 2 ? "คู่สมรส" : "บุตร",
          ],
    b2: i % 4 === 0 ? [`ด.ญ.${["ฝ้าย", "น้ำฝน", "ใบเตย"][i % 3]} ${last}`, "หลาน"] : ["", ""],
  }));

  // Monthly 30 baht (one baht a day) for Jan–Jun 2025; two members pay
  // yearly (365 baht on 5 Jan 2025); คำปุ่น paid until he died.
  const contributions: string[][] = [];
  let receipt = 1;
  members.forEach((m, i) => {
    if (i === 4 || i === 7) {
      contributions.push([m.memberNo, "2025-01-05", "365", "2025-01-01", "2025-12-31", `R68-${String(receipt++).padStart(4, "0")}`]);
      return;
    }
    for (let month = 1; month <= (i === 2 ? 3 : 6); month += 1) {
      const mm = String(month).padStart(2, "0");
      const last = new Date(Date.UTC(2025, month, 0)).getUTCDate();
      contributions.push([
        m.memberNo,
        `2025-${mm}-05`,
        "30",
        `2025-${mm}-01`,
        `2025-${mm}-${last}`,
        `R68-${String(receipt++).padStart(4, "0")}`,
      ]);
    }
  });

  const payments: string[][] = [
    ["0004", "BIRTH", "2025-02-20", "1000", "รับขวัญบุตรคนแรก"],
    ["0002", "HOSPITAL", "2025-03-12", "600", "นอนโรงพยาบาลศรีสะเกษ 3 คืน"],
    ["0003", "FUNERAL", "2025-04-20", "10000", "สมาชิก 10 ปี"],
    ["0001", "ELDERLY", "2025-06-01", "300", ""],
    ["0009", "ELDERLY", "2025-06-01", "300", ""],
    ["0007", "SCHOLARSHIP", "2025-05-15", "1,500.00", "ทุนการศึกษาบุตร ม.3"],
    ["0006", "DISASTER", "2025-09-30", "2000", "น้ำท่วมบ้าน ลำน้ำมูล"],
  ];
  return { members, contributions, payments };
}

export async function writeSampleLedger(dir = SAMPLE_DIR): Promise<void> {
  const { members, contributions, payments } = sampleLedger();
  mkdirSync(dir, { recursive: true });
  const memberHeader = [
    "member_no",
    "national_id",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "joined_on",
    "left_on",
    "phone",
    "beneficiary1_name",
    "beneficiary1_relation",
    "beneficiary2_name",
    "beneficiary2_relation",
  ];
  writeFileSync(
    path.join(dir, "members.csv"),
    csv([
      memberHeader,
      ...members.map((m) => [
        m.memberNo,
        m.nationalId,
        m.title,
        m.first,
        m.last,
        thaiDate(m.birth),
        thaiDate(m.joined),
        m.left === "" ? "" : thaiDate(m.left),
        m.phone,
        ...m.b1,
        ...m.b2,
      ]),
    ]),
  );
  writeFileSync(
    path.join(dir, "contributions.csv"),
    csv([["member_no", "paid_on", "amount", "period_from", "period_to", "receipt_no"], ...contributions]),
  );
  writeFileSync(path.join(dir, "payments.csv"), csv([["member_no", "type", "paid_on", "amount", "note"], ...payments]));

  const THAI_TYPES: Record<string, string> = {
    BIRTH: "คลอดบุตร",
    HOSPITAL: "นอนโรงพยาบาล",
    FUNERAL: "ฌาปนกิจ",
    ELDERLY: "ผู้สูงอายุ",
    SCHOLARSHIP: "ทุนการศึกษา",
    DISASTER: "ภัยพิบัติ",
  };
  const fixed = new Date(Date.UTC(2025, 9, 1));
  const wb = new ExcelJS.Workbook();
  wb.creator = "council-line-bot sample";
  wb.created = fixed;
  wb.modified = fixed;
  const asDate = (iso: string) => (iso === "" ? null : dateValue(iso));
  const sheet = (name: string, header: string[], rows: unknown[][], dateColumns: number[]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(header).font = { bold: true };
    for (const r of rows) ws.addRow(r);
    for (const c of dateColumns) ws.getColumn(c).numFmt = "dd/mm/yyyy";
    for (const column of ws.columns) column.width = 16;
  };
  sheet(
    "สมาชิก",
    [
      "เลขสมาชิก",
      "เลขประจำตัวประชาชน",
      "คำนำหน้า",
      "ชื่อ",
      "นามสกุล",
      "วันเกิด",
      "วันที่สมัคร",
      "วันที่พ้นสมาชิกภาพ",
      "โทรศัพท์",
      "ผู้รับผลประโยชน์1",
      "ความสัมพันธ์1",
      "ผู้รับผลประโยชน์2",
      "ความสัมพันธ์2",
    ],
    // Birth dates typed as Thai text, the other dates as date cells.
    members.map((m) => [
      m.memberNo,
      m.nationalId,
      m.title,
      m.first,
      m.last,
      thaiDate(m.birth),
      asDate(m.joined),
      asDate(m.left),
      m.phone,
      ...m.b1,
      ...m.b2,
    ]),
    [7, 8],
  );
  sheet(
    "เงินสะสม",
    ["เลขสมาชิก", "วันที่ชำระ", "จำนวนเงิน", "งวดตั้งแต่", "งวดถึง", "เลขที่ใบเสร็จ"],
    contributions.map(([no, paid, amount, from, to, receipt]) => [no, asDate(paid!), Number(amount), asDate(from!), asDate(to!), receipt]),
    [2, 4, 5],
  );
  sheet(
    "การจ่ายสวัสดิการ",
    ["เลขสมาชิก", "ประเภท", "วันที่จ่าย", "จำนวนเงิน", "หมายเหตุ"],
    payments.map(([no, type, paid, amount, note]) => [no, THAI_TYPES[type!], asDate(paid!), Number(amount!.replace(/,/g, "")), note]),
    [3],
  );
  writeFileSync(path.join(dir, "ledger.xlsx"), Buffer.from(await wb.xlsx.writeBuffer()));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeSampleLedger().then(
    () => console.log(`Wrote the sample ledger to ${path.relative(process.cwd(), SAMPLE_DIR)}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
