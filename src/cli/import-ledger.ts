// Imports a welfare fund's ledger from the treasurer's CSV files or XLSX
// workbook (columns and formats: README, "Welfare-fund ledgers"):
//
//   npm run ledger:import -- --council 12 --fund KT01 [--create-fund "กองทุนสวัสดิการชุมชนตำบลเมืองเหนือ"] \
//     --members members.csv --contributions contributions.csv --payments payments.csv
//   npm run ledger:import -- --council 12 --fund KT01 --xlsx ledger.xlsx
//
// All or nothing: any problem in any row rejects the whole ledger, and every
// problem is printed with its sheet, row and column. Importing the same
// ledger again changes nothing. National IDs are printed masked only.
// Exit codes: 0 imported, 1 problems in the ledger or failure, 2 bad usage.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { runCli, UsageError } from "./run-cli.ts";
import { openDatabase, type Database } from "../db/database.ts";
import {
  formatProblem,
  formatReport,
  importLedger,
  LedgerImportError,
  LedgerReadError,
  sheetFromCsv,
  sheetsFromXlsx,
  type LedgerInput,
} from "../welfare-fund/ledger-import.ts";
import { redactNationalIds } from "../thai/national-id.ts";

const USAGE = `Usage: npm run ledger:import -- --council <council id> --fund <fund code> [--create-fund "<fund name>"]
         (--members members.csv [--contributions contributions.csv] [--payments payments.csv] | --xlsx ledger.xlsx)`;

interface Args {
  councilId: number;
  fundCode: string;
  createFund?: string;
  csv: { members?: string; contributions?: string; payments?: string };
  xlsx?: string;
}

function parseCommandLine(argv: string[]): Args {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        council: { type: "string" },
        fund: { type: "string" },
        "create-fund": { type: "string" },
        members: { type: "string" },
        contributions: { type: "string" },
        payments: { type: "string" },
        xlsx: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const council = values.council?.trim() ?? "";
  if (!/^\d+$/.test(council)) throw new UsageError(`--council must be a council id (a number), got "${values.council ?? ""}"`);
  const fundCode = values.fund?.trim() ?? "";
  if (fundCode === "") throw new UsageError("--fund <fund code> is required");
  const csv = { members: values.members, contributions: values.contributions, payments: values.payments };
  const anyCsv = Object.values(csv).some((v) => v !== undefined);
  if (values.xlsx !== undefined && anyCsv) throw new UsageError("give either --xlsx or CSV files, not both");
  if (values.xlsx === undefined && !anyCsv) throw new UsageError("give --xlsx or at least one of --members, --contributions, --payments");
  if (values["create-fund"] !== undefined && values["create-fund"].trim() === "")
    throw new UsageError("--create-fund needs the fund's name");
  return { councilId: Number(council), fundCode, createFund: values["create-fund"], csv, xlsx: values.xlsx };
}

async function readInput(args: Args): Promise<LedgerInput> {
  if (args.xlsx !== undefined) return sheetsFromXlsx(await readFile(args.xlsx), path.basename(args.xlsx));
  const input: LedgerInput = {};
  for (const kind of ["members", "contributions", "payments"] as const) {
    const file = args.csv[kind];
    if (file !== undefined) input[kind] = sheetFromCsv(path.basename(file), await readFile(file, "utf8"));
  }
  return input;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }

  let input: LedgerInput;
  try {
    input = await readInput(args);
  } catch (error) {
    if (error instanceof LedgerReadError) {
      console.error(
        `Nothing was imported: the ledger could not be read.\n${error.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
      );
      return 1;
    }
    throw error;
  }

  const config = loadConfig();
  let db: Database | undefined;
  try {
    db = await openDatabase(config.database);
    await db.migrate();
    const started = performance.now();
    const report = await importLedger(db, input, {
      councilId: args.councilId,
      fundCode: args.fundCode,
      createFundName: args.createFund,
    });
    const ms = Math.round(performance.now() - started);
    if (report.problems.length > 0) {
      console.error(formatReport(report));
      return 1;
    }
    console.log(`${formatReport(report)}\n(${ms} ms)`);
    return 0;
  } catch (error) {
    if (error instanceof LedgerImportError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db?.close();
  }
}

// Database errors can quote row values: never let a national ID through.
runCli("import-ledger", main, redactNationalIds);
