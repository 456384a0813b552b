// A report as a Flex table: a heading row, at most MAX_ROWS rows, an
// optional total row, a note and the CSV download button. The first column
// is the wide label (an area, a meeting, a case), the others narrow values.
// Two shapes, each a card template with its own row template (no nested
// lists, so every part is checked in its card's sample): label + 3 values
// (cases, meetings, funds) and label + 7 values (requests by status).
import { renderFlexTemplate } from "../templates/flex.ts";
import { REPORT_TEXT as T } from "./texts.ts";

/** Rows shown in the chat; the rest is in the CSV. Keeps a bubble well under LINE's 30 KB. */
export const MAX_ROWS = 15;

const SHAPES = {
  4: { card: "report-table", row: "report-row" },
  8: { card: "report-status-table", row: "report-status-row" },
} as const;

const COLORS = { head: "#6B6B6B", text: "#222222", total: "#1F5E8C" } as const;

export interface Table {
  title: string;
  subtitle: string;
  columns: string[];
  rows: string[][];
  total?: string[];
  note: string;
  download?: string;
}

export function renderTable(t: Table): Record<string, unknown> {
  const shape = SHAPES[t.columns.length as keyof typeof SHAPES];
  if (!shape) throw new Error(`No table template with ${t.columns.length} columns`);
  const row = (cells: string[], weight: "regular" | "bold", color: string) => {
    const [label, ...values] = cells;
    const vars: Record<string, string> = { label: label || "-", textStyle: weight, color };
    for (const [i, v] of values.entries()) vars[`v${i + 1}`] = v || "-";
    return renderFlexTemplate(shape.row, vars);
  };
  const buttons = t.download
    ? [renderFlexTemplate("report-download", { label: T.buttons.download, uri: t.download, note: T.downloadNote })]
    : [];
  return renderFlexTemplate(
    shape.card,
    { title: t.title, subtitle: t.subtitle, note: t.note },
    {
      head: [row(t.columns, "bold", COLORS.head)],
      rows: t.rows.slice(0, MAX_ROWS).map((r) => row(r, "regular", COLORS.text)),
      total: t.total ? [row(t.total, "bold", COLORS.total)] : [],
      buttons,
    },
  );
}
