// The summary as the chat shows it: a short text (the totals, the oldest
// critical request nobody accepted, the aid handed out) and a Flex table per
// area: districts for a situation over several districts, tambons within
// one. The table uses the reports' generic table card (flex-templates/
// report-status-table.json: a label and seven values), checked against
// LINE's limits with its sample; at most MAX_TABLE_ROWS rows, the rest in the CSV.
import { renderFlexTemplate } from "../templates/flex.ts";
import type { CouncilFigures, OldestCritical } from "./summary-store.ts";
import { AID_KINDS } from "./summary-store.ts";
import { PRIORITIES, SUMMARY_TEXT } from "./summary-texts.ts";

const T = SUMMARY_TEXT;

/** Rows in the chat table (as the reports': a bubble well under LINE's 30 KB). */
export const MAX_TABLE_ROWS = 15;

export interface AreaFigures {
  key: number;
  name: string;
  sent: number;
  safe: number;
  help: number;
  notAnswered: number;
  openTotal: number;
  critical: number;
  aidCount: number;
}

const zero = (key: number, name: string): AreaFigures => ({
  key,
  name,
  sent: 0,
  safe: 0,
  help: 0,
  notAnswered: 0,
  openTotal: 0,
  critical: 0,
  aidCount: 0,
});

function add(a: AreaFigures, f: CouncilFigures): void {
  a.sent += f.sent;
  a.safe += f.safe;
  a.help += f.help;
  a.notAnswered += f.notAnswered;
  a.openTotal += f.openTotal;
  a.critical += f.open.CRITICAL;
  a.aidCount += AID_KINDS.reduce((s, k) => s + f.aid[k], 0);
}

/** Districts when the councils span several, else tambons; most urgent first (asking for help, then not answered). */
export function byArea(figures: CouncilFigures[]): { byDistrict: boolean; areas: AreaFigures[]; total: AreaFigures } {
  const byDistrict = new Set(figures.map((f) => f.districtId)).size > 1;
  const areas = new Map<number, AreaFigures>();
  const total = zero(0, T.table.total);
  for (const f of figures) {
    const key = byDistrict ? f.districtId : f.councilId;
    const area = areas.get(key) ?? zero(key, byDistrict ? `อ.${f.district}` : `ต.${f.tambon}`);
    add(area, f);
    add(total, f);
    areas.set(key, area);
  }
  const sorted = [...areas.values()].sort(
    (x, y) => y.help - x.help || y.notAnswered - x.notAnswered || y.sent - x.sent || x.name.localeCompare(y.name, "th"),
  );
  return { byDistrict, areas: sorted, total };
}

/** The totals as a text: what was asked, answered, requested, handed out, and the oldest critical request waiting. */
export function summaryLines(figures: CouncilFigures[], oldest: OldestCritical | null, now: Date): string {
  const sum = (pick: (f: CouncilFigures) => number) => figures.reduce((s, f) => s + pick(f), 0);
  const open = Object.fromEntries(PRIORITIES.map((p) => [p, sum((f) => f.open[p])])) as Record<(typeof PRIORITIES)[number], number>;
  const aid = Object.fromEntries(AID_KINDS.map((k) => [k, sum((f) => f.aid[k])])) as Record<(typeof AID_KINDS)[number], number>;
  return [
    T.counts({ sent: sum((f) => f.sent), safe: sum((f) => f.safe), help: sum((f) => f.help), notAnswered: sum((f) => f.notAnswered) }),
    T.requests(open),
    oldest ? T.oldestCritical(oldest.caseNumber, (now.getTime() - oldest.createdAt.getTime()) / 60_000) : T.noCritical,
    T.aid(
      aid,
      sum((f) => f.cash),
    ),
  ].join("\n");
}

const COLORS = { head: "#6B6B6B", text: "#222222", total: "#1F5E8C" } as const;

/** The Flex table (a bubble): one row per area, the total, the legend, and the CSV button when there is a link. */
export function summaryTable(t: { areasLabel: string; at: string; figures: CouncilFigures[]; download?: string }): Record<string, unknown> {
  const { byDistrict, areas, total } = byArea(t.figures);
  const cells = (a: AreaFigures) => [a.name, a.sent, a.safe, a.help, a.notAnswered, a.openTotal, a.critical, a.aidCount].map(String);
  const row = (values: string[], weight: "regular" | "bold", color: string) => {
    const [label, ...rest] = values;
    const vars: Record<string, string> = { label: label || "-", textStyle: weight, color };
    for (const [i, v] of rest.entries()) vars[`v${i + 1}`] = v || "-";
    return renderFlexTemplate("report-status-row", vars);
  };
  const shown = areas.slice(0, MAX_TABLE_ROWS);
  const buttons = t.download
    ? [renderFlexTemplate("report-download", { label: T.table.download, uri: t.download, note: T.table.downloadNote })]
    : [];
  return renderFlexTemplate(
    "report-status-table",
    { title: T.table.title(t.areasLabel), subtitle: T.table.subtitle(t.at), note: T.table.note(shown.length, areas.length, byDistrict) },
    {
      head: [row(T.table.columns(byDistrict), "bold", COLORS.head)],
      rows: shown.map((a) => row(cells(a), "regular", COLORS.text)),
      total: [row(cells(total), "bold", COLORS.total)],
      buttons,
    },
  );
}
