// Imports a welfare fund's ledger (members, contributions, benefit payments)
// from the treasurer's CSV files or XLSX workbook.
//
// All or nothing: every row of every sheet is checked first, and every
// problem is collected (sheet, row number, column, reason). Only a ledger
// without a single problem is written, in one transaction. Natural keys make
// a second import of the same ledger change nothing.
//
// National IDs never appear in full in a report: problems show them masked,
// and every reason goes through `redactNationalIds` as a last guard.
import ExcelJS from "exceljs";
import { normalizeText } from "../engine/normalize.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { BenefitType } from "../generated/prisma/enums.ts";
import { parseThaiPhone } from "../members/phone.ts";
import { parseCsv } from "../geography/load-geography.ts";
import {
  bangkokToday,
  canonicalAmount,
  dateValue,
  isoDate,
  LEDGER_COLUMNS,
  LEDGER_KINDS,
  parseAmount,
  parseBenefitType,
  parseLedgerDate,
  resolveColumn,
  resolveSheet,
  SHEET_NAMES,
  type LedgerKind,
  type Parsed,
} from "./ledger-format.ts";
import { maskNationalId, NATIONAL_ID_REASONS, parseNationalId, redactNationalIds } from "../thai/national-id.ts";

// ---------------------------------------------------------------------------
// Raw sheets: header and rows of text, whatever the source.

export interface RawSheet {
  /** What the treasurer calls it: the file or sheet name, for the report. */
  name: string;
  header: string[];
  /** Row number of the header (1 unless a workbook starts lower). */
  headerRow?: number;
  /** Rows numbered as a spreadsheet shows them (the header is row 1). */
  rows: { row: number; cells: string[] }[];
}

export type LedgerInput = Partial<Record<LedgerKind, RawSheet>>;

export interface Problem {
  sheet: string;
  /** Spreadsheet row number (header = 1); null for the file as a whole. */
  row: number | null;
  column: string | null;
  reason: string;
}

export class LedgerReadError extends Error {
  override name = "LedgerReadError";
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === "");

/** One CSV file (one kind of sheet). Malformed CSV throws a LedgerReadError. */
export function sheetFromCsv(name: string, text: string): RawSheet {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    throw new LedgerReadError([{ sheet: name, row: null, column: null, reason: (error as Error).message }]);
  }
  const [header = [], ...rows] = records;
  return {
    name,
    header,
    rows: rows.map((cells, i) => ({ row: i + 2, cells })).filter((r) => !isBlank(r.cells)),
  };
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") {
    // Spreadsheet arithmetic leaves float noise (0.1 + 0.2); baht have 2 places.
    const cents = Math.round(value * 100);
    return Math.abs(value * 100 - cents) < 1e-6 ? String(cents / 100) : String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (value instanceof Date) return isoDate(value); // exceljs: the shown date at UTC midnight
  if ("richText" in value) return value.richText.map((t) => t.text).join("");
  if ("error" in value) return String(value.error);
  if ("formula" in value || "sharedFormula" in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ("text" in value) return cellText((value as ExcelJS.CellHyperlinkValue).text);
  return String(value);
}

/** The three sheets of a workbook, found by name (English or Thai); other sheets are ignored. */
export async function sheetsFromXlsx(buffer: Uint8Array, fileName = "workbook"): Promise<LedgerInput> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(buffer) as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new LedgerReadError([
      { sheet: fileName, row: null, column: null, reason: `not a readable XLSX workbook: ${(error as Error).message}` },
    ]);
  }
  const input: LedgerInput = {};
  const problems: Problem[] = [];
  workbook.eachSheet((ws) => {
    const kind = resolveSheet(ws.name);
    if (!kind) return;
    if (input[kind]) {
      problems.push({ sheet: ws.name, row: null, column: null, reason: `a second ${kind} sheet (the first is "${input[kind].name}")` });
      return;
    }
    const width = ws.columnCount;
    const read = (row: ExcelJS.Row) => Array.from({ length: width }, (_, i) => cellText(row.getCell(i + 1).value).trim());
    const sheet: RawSheet = { name: ws.name, header: [], rows: [] };
    ws.eachRow({ includeEmpty: false }, (row) => {
      const cells = read(row);
      if (isBlank(cells)) return;
      if (sheet.header.length === 0 && sheet.rows.length === 0) {
        // The first non-blank row is the header, wherever it is.
        sheet.header = cells;
        sheet.headerRow = row.number;
      } else {
        sheet.rows.push({ row: row.number, cells });
      }
    });
    input[kind] = sheet;
  });
  if (LEDGER_KINDS.every((k) => !input[k])) {
    problems.push({
      sheet: fileName,
      row: null,
      column: null,
      reason: `no sheet named ${LEDGER_KINDS.map((k) => SHEET_NAMES[k].map((n) => `"${n}"`).join("/")).join(", ")}`,
    });
  }
  if (problems.length > 0) throw new LedgerReadError(problems);
  return input;
}

// ---------------------------------------------------------------------------
// Typed rows

interface MemberRow {
  row: number;
  memberNo: string;
  nationalId: string;
  title: string | null;
  firstName: string;
  lastName: string;
  birthDate: string;
  joinedOn: string;
  leftOn: string | null;
  phone: string | null;
  beneficiaries: { position: number; name: string; relation: string | null }[];
}
/** The member's own details, as written on create and on update. */
function memberDetails(m: MemberRow) {
  return {
    title: m.title,
    firstName: m.firstName,
    lastName: m.lastName,
    birthDate: dateValue(m.birthDate),
    joinedOn: dateValue(m.joinedOn),
    leftOn: m.leftOn === null ? null : dateValue(m.leftOn),
    phone: m.phone,
  };
}

interface ContributionRow {
  row: number;
  memberNo: string;
  paidOn: string;
  amount: string;
  periodFrom: string;
  periodTo: string;
  receiptNo: string | null;
}
interface PaymentRow {
  row: number;
  memberNo: string;
  type: BenefitType;
  paidOn: string;
  amount: string;
  note: string | null;
}

const text = (raw: string) => normalizeText(raw);

/** Reads one sheet's rows against its columns; problems go to `problems`. */
function readSheet<T>(
  kind: LedgerKind,
  sheet: RawSheet,
  problems: Problem[],
  build: (get: (key: string) => string, bad: (key: string, reason: string) => void, row: number) => T | null,
): T[] {
  const columns = LEDGER_COLUMNS[kind];
  const index = new Map<string, number>();
  const headerProblem = (column: string | null, reason: string) =>
    problems.push({ sheet: sheet.name, row: sheet.headerRow ?? 1, column, reason });
  if (sheet.header.length === 0) {
    problems.push({ sheet: sheet.name, row: null, column: null, reason: "the file is empty: it needs a header row" });
    return [];
  }
  for (const [i, name] of sheet.header.entries()) {
    if (name.trim() === "") {
      if (sheet.rows.some((r) => (r.cells[i] ?? "").trim() !== "")) headerProblem(null, `column ${i + 1} has values but no name`);
      continue;
    }
    const key = resolveColumn(kind, name);
    if (!key) headerProblem(name, `unknown column for ${kind}; expected: ${columns.map((c) => c.key).join(", ")}`);
    else if (index.has(key)) headerProblem(name, `column ${key} appears twice`);
    else index.set(key, i);
  }
  const missing = columns.filter((c) => c.required && !index.has(c.key));
  for (const c of missing) headerProblem(c.key, "required column is missing");
  if (missing.length > 0) return [];

  const out: T[] = [];
  for (const { row, cells } of sheet.rows) {
    if (cells.length > sheet.header.length && cells.slice(sheet.header.length).some((c) => c.trim() !== "")) {
      problems.push({ sheet: sheet.name, row, column: null, reason: "more values than header columns" });
      continue;
    }
    let rowOk = true;
    const get = (key: string) => {
      const i = index.get(key);
      return i === undefined ? "" : (cells[i] ?? "").trim();
    };
    const bad = (key: string, reason: string) => {
      rowOk = false;
      const i = index.get(key);
      problems.push({ sheet: sheet.name, row, column: i === undefined ? key : sheet.header[i]!.trim(), reason });
    };
    const value = build(get, bad, row);
    if (rowOk && value !== null) out.push(value);
  }
  return out;
}

function required(get: (k: string) => string, bad: (k: string, r: string) => void, key: string): string | null {
  const value = text(get(key));
  if (value === "") {
    bad(key, "required value is empty");
    return null;
  }
  return value;
}

function take<T>(result: Parsed<T>, bad: (k: string, r: string) => void, key: string): T | null {
  if (result.ok) return result.value;
  bad(key, result.reason);
  return null;
}

function dateCol(
  get: (k: string) => string,
  bad: (k: string, r: string) => void,
  key: string,
  opts: { optional?: boolean; notAfter?: string } = {},
): string | null {
  const raw = get(key);
  if (raw === "" && opts.optional) return null;
  const date = take(parseLedgerDate(raw), bad, key);
  if (date !== null && opts.notAfter !== undefined && date > opts.notAfter) {
    bad(key, `${date} is in the future`);
    return null;
  }
  return date;
}

/** Member number and ID of every members row, even rows with other problems: for the duplicate checks. */
interface MemberKey {
  row: number;
  memberNo: string | null;
  nationalId: string | null;
}

function readMembers(sheet: RawSheet, problems: Problem[], today: string, keys: MemberKey[]): MemberRow[] {
  return readSheet("members", sheet, problems, (get, bad, row) => {
    const memberNo = required(get, bad, "member_no");
    let nationalId: string | null = null;
    const rawId = get("national_id");
    if (rawId === "") bad("national_id", "required value is empty");
    else {
      const parsed = parseNationalId(rawId);
      if (parsed.ok) nationalId = parsed.id;
      else bad("national_id", `${maskNationalId(rawId)}: ${NATIONAL_ID_REASONS[parsed.reason]}`);
    }
    keys.push({ row, memberNo, nationalId });
    const title = text(get("title")) || null;
    const firstName = required(get, bad, "first_name");
    const lastName = required(get, bad, "last_name");
    const birthDate = dateCol(get, bad, "birth_date", { notAfter: today });
    const joinedOn = dateCol(get, bad, "joined_on", { notAfter: today });
    const leftOn = dateCol(get, bad, "left_on", { optional: true, notAfter: today });
    if (birthDate && joinedOn && joinedOn < birthDate) bad("joined_on", `joined ${joinedOn}, before the birth date ${birthDate}`);
    if (joinedOn && leftOn && leftOn < joinedOn) bad("left_on", `left ${leftOn}, before joining ${joinedOn}`);
    let phone: string | null = null;
    const rawPhone = text(get("phone"));
    if (rawPhone !== "") {
      phone = parseThaiPhone(rawPhone);
      if (phone === null) bad("phone", `"${rawPhone}" is not a Thai phone number`);
    }
    const beneficiaries: MemberRow["beneficiaries"] = [];
    for (const position of [1, 2]) {
      const name = text(get(`beneficiary${position}_name`));
      const relation = text(get(`beneficiary${position}_relation`)) || null;
      if (name !== "") beneficiaries.push({ position, name, relation });
      else if (relation !== null) bad(`beneficiary${position}_relation`, "a relation without a beneficiary name");
    }
    if (!memberNo || !nationalId || !firstName || !lastName || !birthDate || !joinedOn) return null;
    return { row, memberNo, nationalId, title, firstName, lastName, birthDate, joinedOn, leftOn, phone, beneficiaries };
  });
}

function readContributions(sheet: RawSheet, problems: Problem[], today: string): ContributionRow[] {
  return readSheet("contributions", sheet, problems, (get, bad, row) => {
    const memberNo = required(get, bad, "member_no");
    const paidOn = dateCol(get, bad, "paid_on", { notAfter: today });
    const amount = take(parseAmount(get("amount")), bad, "amount");
    const periodFrom = dateCol(get, bad, "period_from");
    const periodTo = dateCol(get, bad, "period_to");
    if (periodFrom && periodTo && periodTo < periodFrom) bad("period_to", `period ends ${periodTo}, before it starts ${periodFrom}`);
    const receiptNo = text(get("receipt_no")) || null;
    if (!memberNo || !paidOn || !amount || !periodFrom || !periodTo) return null;
    return { row, memberNo, paidOn, amount, periodFrom, periodTo, receiptNo };
  });
}

function readPayments(sheet: RawSheet, problems: Problem[], today: string): PaymentRow[] {
  return readSheet("payments", sheet, problems, (get, bad, row) => {
    const memberNo = required(get, bad, "member_no");
    const rawType = text(get("type"));
    const type = parseBenefitType(rawType);
    if (type === null) bad("type", rawType === "" ? "required value is empty" : `"${rawType}" is not a benefit type`);
    const paidOn = dateCol(get, bad, "paid_on", { notAfter: today });
    const amount = take(parseAmount(get("amount")), bad, "amount");
    const note = text(get("note")) || null;
    if (!memberNo || !type || !paidOn || !amount) return null;
    return { row, memberNo, type, paidOn, amount, note };
  });
}

// ---------------------------------------------------------------------------
// The import

export interface LedgerCounts {
  members: number;
  contributions: number;
  payments: number;
}

export interface ImportReport {
  fund: { id: number | null; code: string; name: string | null; created: boolean };
  created: LedgerCounts;
  /** Members whose details changed (name, dates, phone, beneficiaries). */
  updated: { members: number };
  unchanged: LedgerCounts;
  problems: Problem[];
}

export interface ImportOptions {
  councilId: number;
  fundCode: string;
  /** Creates the fund with this name when the council has none with that code. */
  createFundName?: string;
  /** Today as "yyyy-mm-dd" (Asia/Bangkok); dates after it are rejected. */
  today?: string;
}

/** A problem with the command itself (unknown council or fund): nothing was read. */
export class LedgerImportError extends Error {
  override name = "LedgerImportError";
}

const zero = (): LedgerCounts => ({ members: 0, contributions: 0, payments: 0 });
const contributionKey = (c: { memberNo: string; paidOn: string; amount: string; periodFrom: string; periodTo: string }) =>
  [c.memberNo, c.paidOn, c.amount, c.periodFrom, c.periodTo].join("|");
const paymentKey = (p: { memberNo: string; type: string; paidOn: string; amount: string }) =>
  [p.memberNo, p.type, p.paidOn, p.amount].join("|");

const CHUNK = 1000;
async function inChunks<T>(rows: T[], work: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await work(rows.slice(i, i + CHUNK));
}

export async function importLedger(prisma: PrismaClient, input: LedgerInput, options: ImportOptions): Promise<ImportReport> {
  const fundCode = normalizeText(options.fundCode);
  if (fundCode === "") throw new LedgerImportError("The fund code is empty.");
  const council = await prisma.council.findUnique({ where: { id: options.councilId }, select: { id: true } });
  if (!council) throw new LedgerImportError(`Unknown council ${options.councilId}.`);
  const fund = await prisma.welfareFund.findUnique({ where: { councilId_code: { councilId: council.id, code: fundCode } } });
  const createName = options.createFundName === undefined ? "" : normalizeText(options.createFundName);
  if (!fund && createName === "") {
    throw new LedgerImportError(`Council ${council.id} has no fund with code "${fundCode}". Give --create-fund "<name>" to create it.`);
  }
  if (!fund && (await prisma.welfareFund.findUnique({ where: { councilId_name: { councilId: council.id, name: createName } } }))) {
    throw new LedgerImportError(`Council ${council.id} already has a fund named "${createName}" under another code.`);
  }

  const report: ImportReport = {
    fund: { id: fund?.id ?? null, code: fundCode, name: fund?.name ?? createName, created: false },
    created: zero(),
    updated: { members: 0 },
    unchanged: zero(),
    problems: [],
  };
  const problems = report.problems;
  const today = options.today ?? bangkokToday();
  const memberKeys: MemberKey[] = [];
  const members = input.members ? readMembers(input.members, problems, today, memberKeys) : [];
  const contributions = input.contributions ? readContributions(input.contributions, problems, today) : [];
  const payments = input.payments ? readPayments(input.payments, problems, today) : [];

  // What the fund already holds.
  const existing = fund
    ? await prisma.fundMember.findMany({
        where: { fundId: fund.id },
        include: { beneficiaries: { orderBy: { position: "asc" } } },
      })
    : [];
  const existingByNo = new Map(existing.map((m) => [m.memberNo, m]));
  const existingById = new Map(existing.map((m) => [m.nationalId, m]));

  // Members: unique number and ID within the file, and agreeing with the database.
  const membersSheet = input.members?.name ?? "members";
  const seenNo = new Map<string, number>();
  const seenId = new Map<string, number>();
  for (const m of memberKeys) {
    if (m.memberNo !== null) {
      const rowOfNo = seenNo.get(m.memberNo);
      if (rowOfNo !== undefined)
        problems.push({
          sheet: membersSheet,
          row: m.row,
          column: "member_no",
          reason: `member number ${m.memberNo} is also on row ${rowOfNo}`,
        });
      else seenNo.set(m.memberNo, m.row);
    }
    if (m.nationalId !== null) {
      const rowOfId = seenId.get(m.nationalId);
      if (rowOfId !== undefined)
        problems.push({
          sheet: membersSheet,
          row: m.row,
          column: "national_id",
          reason: `national ID ${maskNationalId(m.nationalId)} is also on row ${rowOfId}`,
        });
      else seenId.set(m.nationalId, m.row);
    }
  }
  for (const m of members) {
    const byNo = existingByNo.get(m.memberNo);
    if (byNo && byNo.nationalId !== m.nationalId) {
      problems.push({
        sheet: membersSheet,
        row: m.row,
        column: "national_id",
        reason: `member ${m.memberNo} is already recorded with national ID ${maskNationalId(byNo.nationalId)}; an import does not change a member's ID`,
      });
    }
    const byId = existingById.get(m.nationalId);
    if (byId && byId.memberNo !== m.memberNo) {
      problems.push({
        sheet: membersSheet,
        row: m.row,
        column: "member_no",
        reason: `national ID ${maskNationalId(m.nationalId)} already belongs to member ${byId.memberNo} of this fund`,
      });
    }
  }
  const known = new Set([...existingByNo.keys(), ...seenNo.keys()]);

  const checkRefs = <T extends { row: number; memberNo: string }>(rows: T[], sheet: string, key: (r: T) => string, what: string) => {
    const seen = new Map<string, number>();
    for (const r of rows) {
      if (!known.has(r.memberNo))
        problems.push({
          sheet,
          row: r.row,
          column: "member_no",
          reason: `unknown member ${r.memberNo}: not in the members sheet nor in the fund`,
        });
      const k = key(r);
      const first = seen.get(k);
      if (first !== undefined) problems.push({ sheet, row: r.row, column: null, reason: `duplicate of row ${first} (same ${what})` });
      else seen.set(k, r.row);
    }
  };
  const contributionsSheet = input.contributions?.name ?? "contributions";
  checkRefs(contributions, contributionsSheet, contributionKey, "member, paid_on, amount and period");
  const receipts = new Map<string, number>();
  for (const c of contributions) {
    if (c.receiptNo === null) continue;
    const first = receipts.get(c.receiptNo);
    if (first !== undefined)
      problems.push({
        sheet: contributionsSheet,
        row: c.row,
        column: "receipt_no",
        reason: `receipt ${c.receiptNo} is also on row ${first}`,
      });
    else receipts.set(c.receiptNo, c.row);
  }
  checkRefs(payments, input.payments?.name ?? "payments", paymentKey, "member, type, paid_on and amount");

  if (problems.length > 0) {
    const order = new Map(LEDGER_KINDS.map((k, i) => [input[k]?.name ?? k, i]));
    problems.sort((a, b) => (order.get(a.sheet) ?? 9) - (order.get(b.sheet) ?? 9) || (a.row ?? 0) - (b.row ?? 0));
    for (const p of problems) p.reason = redactNationalIds(p.reason);
    return report;
  }

  await prisma.$transaction(
    async (tx) => {
      let fundId = fund?.id;
      if (fundId === undefined) {
        fundId = (await tx.welfareFund.create({ data: { councilId: council.id, code: fundCode, name: createName } })).id;
        report.fund.id = fundId;
        report.fund.created = true;
      }

      // Members: new ones created, changed ones updated, the rest left alone.
      const fresh: MemberRow[] = [];
      for (const m of members) {
        const old = existingByNo.get(m.memberNo);
        if (!old) {
          fresh.push(m);
          continue;
        }
        const same =
          old.title === m.title &&
          old.firstName === m.firstName &&
          old.lastName === m.lastName &&
          isoDate(old.birthDate) === m.birthDate &&
          isoDate(old.joinedOn) === m.joinedOn &&
          (old.leftOn ? isoDate(old.leftOn) : null) === m.leftOn &&
          old.phone === m.phone &&
          JSON.stringify(old.beneficiaries.map((b) => [b.position, b.name, b.relation])) ===
            JSON.stringify(m.beneficiaries.map((b) => [b.position, b.name, b.relation]));
        if (same) {
          report.unchanged.members += 1;
          continue;
        }
        await tx.fundMember.update({
          where: { id: old.id },
          data: memberDetails(m),
        });
        await tx.beneficiary.deleteMany({ where: { fundMemberId: old.id } });
        if (m.beneficiaries.length > 0) {
          await tx.beneficiary.createMany({ data: m.beneficiaries.map((b) => ({ ...b, fundMemberId: old.id })) });
        }
        report.updated.members += 1;
      }
      await inChunks(fresh, (chunk) =>
        tx.fundMember.createMany({
          data: chunk.map((m) => ({ fundId: fundId!, memberNo: m.memberNo, nationalId: m.nationalId, ...memberDetails(m) })),
        }),
      );
      report.created.members = fresh.length;

      const ids = new Map(
        (await tx.fundMember.findMany({ where: { fundId }, select: { id: true, memberNo: true } })).map((m) => [m.memberNo, m.id]),
      );
      const idOf = (memberNo: string) => ids.get(memberNo)!;
      const beneficiaries = fresh.flatMap((m) => m.beneficiaries.map((b) => ({ ...b, fundMemberId: idOf(m.memberNo) })));
      await inChunks(beneficiaries, (data) => tx.beneficiary.createMany({ data }));

      // Contributions and payments: only rows not already there.
      const memberNoOf = new Map([...ids].map(([no, id]) => [id, no]));
      const haveContributions = new Set(
        (
          await tx.contribution.findMany({
            where: { fundMember: { fundId } },
            select: { fundMemberId: true, paidOn: true, amount: true, periodFrom: true, periodTo: true },
          })
        ).map((c) =>
          contributionKey({
            memberNo: memberNoOf.get(c.fundMemberId)!,
            paidOn: isoDate(c.paidOn),
            amount: canonicalAmount(c.amount),
            periodFrom: isoDate(c.periodFrom),
            periodTo: isoDate(c.periodTo),
          }),
        ),
      );
      const newContributions = contributions.filter((c) => !haveContributions.has(contributionKey(c)));
      await inChunks(newContributions, (chunk) =>
        tx.contribution.createMany({
          data: chunk.map((c) => ({
            fundMemberId: idOf(c.memberNo),
            paidOn: dateValue(c.paidOn),
            amount: c.amount,
            periodFrom: dateValue(c.periodFrom),
            periodTo: dateValue(c.periodTo),
            receiptNo: c.receiptNo,
          })),
        }),
      );
      report.created.contributions = newContributions.length;
      report.unchanged.contributions = contributions.length - newContributions.length;

      const havePayments = new Set(
        (
          await tx.benefitPayment.findMany({
            where: { fundMember: { fundId } },
            select: { fundMemberId: true, type: true, paidOn: true, amount: true },
          })
        ).map((p) =>
          paymentKey({
            memberNo: memberNoOf.get(p.fundMemberId)!,
            type: p.type,
            paidOn: isoDate(p.paidOn),
            amount: canonicalAmount(p.amount),
          }),
        ),
      );
      const newPayments = payments.filter((p) => !havePayments.has(paymentKey(p)));
      await inChunks(newPayments, (chunk) =>
        tx.benefitPayment.createMany({
          data: chunk.map((p) => ({
            fundMemberId: idOf(p.memberNo),
            type: p.type,
            paidOn: dateValue(p.paidOn),
            amount: p.amount,
            note: p.note,
          })),
        }),
      );
      report.created.payments = newPayments.length;
      report.unchanged.payments = payments.length - newPayments.length;
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  return report;
}

// ---------------------------------------------------------------------------
// Report text (what the command prints). Never holds a full national ID.

export function formatProblem(p: Problem): string {
  const where = [p.sheet, p.row === null ? null : `row ${p.row}`, p.column].filter((x) => x !== null).join(", ");
  return redactNationalIds(`${where}: ${p.reason}`);
}

export function formatReport(report: ImportReport): string {
  const fund = `fund "${report.fund.code}"${report.fund.name ? ` (${report.fund.name})` : ""}`;
  if (report.problems.length > 0) {
    return redactNationalIds(
      [
        `Nothing was imported into ${fund}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}. Fix them and import the whole ledger again.`,
        ...report.problems.map((p) => `  ${formatProblem(p)}`),
      ].join("\n"),
    );
  }
  const c = report.created;
  const u = report.unchanged;
  return redactNationalIds(
    [
      `Imported into ${fund}${report.fund.created ? " (fund created)" : ""}:`,
      `  members:       ${c.members} new, ${report.updated.members} updated, ${u.members} unchanged`,
      `  contributions: ${c.contributions} new, ${u.contributions} already there`,
      `  payments:      ${c.payments} new, ${u.payments} already there`,
    ].join("\n"),
  );
}
