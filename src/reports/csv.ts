// CSV for spreadsheets: UTF-8 with a byte-order mark (without it Excel reads
// Thai as Windows-874 garbage), CRLF line ends, fields quoted when needed.
// Text that a spreadsheet would run as a formula (= + - @, or a leading tab
// or CR) gets a leading apostrophe: council names and meeting titles are
// typed by people, and a cell like =HYPERLINK(...) must stay text.
export type Cell = string | number;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: Cell): string {
  // Numbers are ours (counts, amounts), never a formula.
  let s = typeof value === "number" ? String(value) : FORMULA.test(value) ? `'${value}` : value;
  if (NEEDS_QUOTES.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** The whole file: BOM, header, rows, CRLF after every line. */
export function toCsv(header: string[], rows: Cell[][]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
