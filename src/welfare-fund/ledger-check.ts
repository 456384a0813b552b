// Checking a welfare fund's ledger (src/welfare-fund/ledger-import.ts):
// every row of every raw sheet (src/welfare-fund/ledger-read.ts) is read
// against its columns and formats (src/welfare-fund/ledger-format.ts), and
// the whole against itself and what the fund already holds: unique member
// numbers, IDs and receipts, no duplicate rows, payments and contributions
// only for known members. Every problem is collected (sheet, row, column,
// reason); nothing is written here.
//
// National IDs never appear in full in a problem: they are shown masked,
// and every reason goes through `redactNationalIds` as a last guard.
import { normalizeText } from "../engine/normalize.ts";
import type { Beneficiary, FundMember } from "../generated/prisma/client.ts";
import type { BenefitType } from "../generated/prisma/enums.ts";
import { parseThaiPhone } from "../members/phone.ts";
import {
  LEDGER_COLUMNS,
  LEDGER_KINDS,
  type LedgerKind,
  type Parsed,
  parseAmount,
  parseBenefitType,
  parseLedgerDate,
  resolveColumn,
} from "./ledger-format.ts";
import type { LedgerInput, Problem, RawSheet } from "./ledger-read.ts";
import { maskNationalId, NATIONAL_ID_REASONS, parseNationalId, redactNationalIds } from "../thai/national-id.ts";

export interface MemberRow {
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
export interface ContributionRow {
  row: number;
  memberNo: string;
  paidOn: string;
  amount: string;
  periodFrom: string;
  periodTo: string;
  receiptNo: string | null;
}
export interface PaymentRow {
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

/** The natural key of a contribution: a second import of the same row adds nothing. */
export const contributionKey = (c: { memberNo: string; paidOn: string; amount: string; periodFrom: string; periodTo: string }) =>
  [c.memberNo, c.paidOn, c.amount, c.periodFrom, c.periodTo].join("|");
/** The natural key of a benefit payment. */
export const paymentKey = (p: { memberNo: string; type: string; paidOn: string; amount: string }) =>
  [p.memberNo, p.type, p.paidOn, p.amount].join("|");

/** A member the fund already holds, with their beneficiaries (by position). */
export type ExistingMember = FundMember & { beneficiaries: Beneficiary[] };

/** The rows of a ledger without a problem, ready to be written. */
export interface CheckedLedger {
  members: MemberRow[];
  contributions: ContributionRow[];
  payments: PaymentRow[];
}

/**
 * Checks every row of the ledger, and the ledger against the members the
 * fund already holds. `today` ("yyyy-mm-dd", Bangkok): later dates are
 * refused. Problems come sorted by sheet and row, IDs masked; the ledger
 * may be written only when there are none.
 */
export function checkLedger(input: LedgerInput, existing: ExistingMember[], today: string): { ledger: CheckedLedger; problems: Problem[] } {
  const problems: Problem[] = [];
  const memberKeys: MemberKey[] = [];
  const members = input.members ? readMembers(input.members, problems, today, memberKeys) : [];
  const contributions = input.contributions ? readContributions(input.contributions, problems, today) : [];
  const payments = input.payments ? readPayments(input.payments, problems, today) : [];

  const inFile = checkMembers(input.members?.name ?? "members", memberKeys, members, existing, problems);
  const known = new Set([...existing.map((m) => m.memberNo), ...inFile]);
  const contributionsSheet = input.contributions?.name ?? "contributions";
  checkRows(contributions, contributionsSheet, known, contributionKey, "member, paid_on, amount and period", problems);
  checkReceipts(contributions, contributionsSheet, problems);
  checkRows(payments, input.payments?.name ?? "payments", known, paymentKey, "member, type, paid_on and amount", problems);

  const order = new Map(LEDGER_KINDS.map((k, i) => [input[k]?.name ?? k, i]));
  problems.sort((a, b) => (order.get(a.sheet) ?? 9) - (order.get(b.sheet) ?? 9) || (a.row ?? 0) - (b.row ?? 0));
  for (const p of problems) p.reason = redactNationalIds(p.reason);
  return { ledger: { members, contributions, payments }, problems };
}

/**
 * Members: unique number and ID within the file, and agreeing with the
 * database. Returns the member numbers the file holds.
 */
function checkMembers(
  sheet: string,
  keys: MemberKey[],
  members: MemberRow[],
  existing: ExistingMember[],
  problems: Problem[],
): Iterable<string> {
  const seenNo = new Map<string, number>();
  const seenId = new Map<string, number>();
  for (const m of keys) {
    if (m.memberNo !== null) {
      const rowOfNo = seenNo.get(m.memberNo);
      if (rowOfNo !== undefined)
        problems.push({ sheet, row: m.row, column: "member_no", reason: `member number ${m.memberNo} is also on row ${rowOfNo}` });
      else seenNo.set(m.memberNo, m.row);
    }
    if (m.nationalId !== null) {
      const rowOfId = seenId.get(m.nationalId);
      if (rowOfId !== undefined)
        problems.push({
          sheet,
          row: m.row,
          column: "national_id",
          reason: `national ID ${maskNationalId(m.nationalId)} is also on row ${rowOfId}`,
        });
      else seenId.set(m.nationalId, m.row);
    }
  }
  const existingByNo = new Map(existing.map((m) => [m.memberNo, m]));
  const existingById = new Map(existing.map((m) => [m.nationalId, m]));
  for (const m of members) {
    const byNo = existingByNo.get(m.memberNo);
    if (byNo && byNo.nationalId !== m.nationalId) {
      problems.push({
        sheet,
        row: m.row,
        column: "national_id",
        reason: `member ${m.memberNo} is already recorded with national ID ${maskNationalId(byNo.nationalId)}; an import does not change a member's ID`,
      });
    }
    const byId = existingById.get(m.nationalId);
    if (byId && byId.memberNo !== m.memberNo) {
      problems.push({
        sheet,
        row: m.row,
        column: "member_no",
        reason: `national ID ${maskNationalId(m.nationalId)} already belongs to member ${byId.memberNo} of this fund`,
      });
    }
  }
  return seenNo.keys();
}

/** Contributions or payments: each for a known member, none twice. */
function checkRows<T extends { row: number; memberNo: string }>(
  rows: T[],
  sheet: string,
  known: Set<string>,
  key: (r: T) => string,
  what: string,
  problems: Problem[],
): void {
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
}

/** A receipt number appears once. */
function checkReceipts(contributions: ContributionRow[], sheet: string, problems: Problem[]): void {
  const receipts = new Map<string, number>();
  for (const c of contributions) {
    if (c.receiptNo === null) continue;
    const first = receipts.get(c.receiptNo);
    if (first !== undefined)
      problems.push({ sheet, row: c.row, column: "receipt_no", reason: `receipt ${c.receiptNo} is also on row ${first}` });
    else receipts.set(c.receiptNo, c.row);
  }
}
