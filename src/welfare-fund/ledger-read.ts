// Reading a welfare fund's ledger (src/welfare-fund/ledger-import.ts): the
// treasurer's CSV files or XLSX workbook become raw sheets, a header and
// rows of text each, whatever the source. Nothing is checked here beyond
// the file being readable: src/welfare-fund/ledger-check.ts checks the rows.
import ExcelJS from "exceljs";
import { parseCsv } from "../geography/load-geography.ts";
import { isoDate, LEDGER_KINDS, type LedgerKind, resolveSheet, SHEET_NAMES } from "./ledger-format.ts";
import { redactNationalIds } from "../thai/national-id.ts";

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

/** One problem as the report prints it. Never holds a full national ID. */
export function formatProblem(p: Problem): string {
  const where = [p.sheet, p.row === null ? null : `row ${p.row}`, p.column].filter((x) => x !== null).join(", ");
  return redactNationalIds(`${where}: ${p.reason}`);
}
