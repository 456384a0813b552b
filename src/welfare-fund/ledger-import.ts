// Imports a welfare fund's ledger (members, contributions, benefit payments)
// from the treasurer's CSV files or XLSX workbook, in three steps:
//  - read (src/welfare-fund/ledger-read.ts): the files become raw sheets;
//  - check (src/welfare-fund/ledger-check.ts): every row of every sheet,
//    and the ledger against what the fund holds; every problem is collected
//    (sheet, row number, column, reason);
//  - write (src/welfare-fund/ledger-write.ts): only a ledger without a single
//    problem, in one transaction (db.transaction: on PGlite it waits its
//    turn in the queue of transactions). Natural keys make a second import
//    of the same ledger change nothing.
//
// National IDs never appear in full in a report: problems show them masked,
// and every reason goes through `redactNationalIds` as a last guard.
import type { Database } from "../db/database.ts";
import { normalizeText } from "../engine/normalize.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { checkLedger } from "./ledger-check.ts";
import { formatProblem, type LedgerInput, type Problem } from "./ledger-read.ts";
import { type LedgerCounts, writeLedger } from "./ledger-write.ts";
import { redactNationalIds } from "../thai/national-id.ts";

export {
  formatProblem,
  type LedgerInput,
  LedgerReadError,
  type Problem,
  type RawSheet,
  sheetFromCsv,
  sheetsFromXlsx,
} from "./ledger-read.ts";
export type { LedgerCounts } from "./ledger-write.ts";

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

/** A large ledger is written in one transaction: it may take longer than a turn's. */
const WRITE_TIMEOUT_MS = 120_000;

export async function importLedger(db: Database, input: LedgerInput, options: ImportOptions): Promise<ImportReport> {
  const prisma = db.prisma;
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

  // What the fund already holds.
  const existing = fund
    ? await prisma.fundMember.findMany({
        where: { fundId: fund.id },
        include: { beneficiaries: { orderBy: { position: "asc" } } },
      })
    : [];
  const { ledger, problems } = checkLedger(input, existing, options.today ?? bangkokIsoDate(new Date()));
  if (problems.length > 0) {
    report.problems = problems;
    return report;
  }

  const written = await db.transaction(
    (tx) => writeLedger(tx, { id: fund?.id ?? null, councilId: council.id, code: fundCode, name: createName }, ledger, existing),
    { timeoutMs: WRITE_TIMEOUT_MS },
  );
  report.fund.id = written.fundId;
  report.fund.created = written.fundCreated;
  report.created = written.created;
  report.updated.members = written.updatedMembers;
  report.unchanged = written.unchanged;
  return report;
}

// ---------------------------------------------------------------------------
// Report text (what the command prints). Never holds a full national ID.

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
