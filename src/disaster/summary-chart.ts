// The summary's chart: one stacked bar per area (safe / asking for help /
// not answered), Thai labels, drawn as SVG and rendered to PNG on the server
// with @resvg/resvg-js, because coordinators read a picture faster than a
// table. Counts only: no name of a person is ever drawn.
//
// The font is a file (SUMMARY_CHART_FONT, default Debian's fonts-thai-tlwg
// Garuda). Without it the PNG is still made: the system's fonts are tried,
// and at worst the labels do not show while the bars do.
import { existsSync } from "node:fs";
import { truncateForLine } from "../line/limits.ts";
import { splitSaraAm } from "../line/rich-menu/image-svg.ts";
import { SUMMARY_TEXT } from "./summary-texts.ts";

const T = SUMMARY_TEXT.chart;

export interface ChartBar {
  label: string;
  safe: number;
  help: number;
  notAnswered: number;
}

export interface ChartData {
  title: string;
  subtitle: string;
  bars: ChartBar[];
}

/** Bars drawn; the rest are counted under the chart (they are in the CSV). */
export const MAX_BARS = 20;

const COLORS = { safe: "#2E7D32", help: "#C62828", notAnswered: "#9E9E9E", text: "#222222", muted: "#6B6B6B", grid: "#E0E0E0" };
const FAMILY = "Garuda";
const W = 1040;
const LEFT = 230;
const RIGHT = 110;
const TOP = 150;
const ROW = 44;
const BAR = 28;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const label = (s: string) => esc(splitSaraAm(s));
const n = (x: number) => x.toLocaleString("en-US");
const cut = (s: string, max: number) => truncateForLine(s, max);

function text(s: string, x: number, y: number, size: number, opts: { anchor?: string; color?: string; bold?: boolean } = {}): string {
  return (
    `<text x="${x}" y="${y}" font-size="${size}" fill="${opts.color ?? COLORS.text}"` +
    `${opts.anchor ? ` text-anchor="${opts.anchor}"` : ""}${opts.bold ? ' font-weight="bold"' : ""}>${label(s)}</text>`
  );
}

/** The chart as SVG (pure: no font, no rasteriser). */
export function summaryChartSvg(d: ChartData): string {
  const bars = d.bars.slice(0, MAX_BARS);
  const more = d.bars.length - bars.length;
  const height = TOP + Math.max(1, bars.length) * ROW + (more > 0 ? 40 : 0) + 30;
  const max = Math.max(1, ...bars.map((b) => b.safe + b.help + b.notAnswered));
  const scale = (W - LEFT - RIGHT) / max;
  const parts: string[] = [
    `<rect width="${W}" height="${height}" fill="#FFFFFF"/>`,
    text(cut(d.title, 48), 24, 44, 28, { bold: true }),
    text(d.subtitle, 24, 78, 18, { color: COLORS.muted }),
  ];
  // Legend.
  let lx = 24;
  for (const [key, name] of [
    ["safe", T.safe],
    ["help", T.help],
    ["notAnswered", T.notAnswered],
  ] as const) {
    parts.push(`<rect x="${lx}" y="${100}" width="18" height="18" fill="${COLORS[key]}"/>`, text(name, lx + 26, 115, 17));
    lx += 60 + [...name].length * 11;
  }
  for (const [i, b] of bars.entries()) {
    const y = TOP + i * ROW;
    parts.push(text(cut(b.label, 18), LEFT - 12, y + BAR - 8, 18, { anchor: "end" }));
    let x = LEFT;
    for (const key of ["safe", "help", "notAnswered"] as const) {
      const w = b[key] * scale;
      if (w > 0) parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLORS[key]}"/>`);
      if (w >= 34) parts.push(text(n(b[key]), x + w / 2, y + BAR - 8, 14, { anchor: "middle", color: "#FFFFFF" }));
      x += w;
    }
    parts.push(text(`${n(b.safe + b.help + b.notAnswered)} ${T.people}`, x + 8, y + BAR - 8, 15, { color: COLORS.muted }));
  }
  if (more > 0) parts.push(text(T.more(more), LEFT, TOP + bars.length * ROW + 24, 17, { color: COLORS.muted }));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ` +
    `font-family="${FAMILY}, sans-serif">\n${parts.join("\n")}\n</svg>`
  );
}

type ResvgModule = typeof import("@resvg/resvg-js");
let resvg: Promise<ResvgModule | null> | undefined;
/** The rasteriser, loaded once; null when its native part cannot load here (the chart is then skipped). */
function rasteriser(): Promise<ResvgModule | null> {
  resvg ??= import("@resvg/resvg-js").catch(() => null);
  return resvg;
}

/** The chart as PNG bytes; null when no rasteriser loads. A missing font file still gives a PNG. */
export async function renderChartPng(d: ChartData, fontFile: string): Promise<Uint8Array | null> {
  const mod = await rasteriser();
  if (!mod) return null;
  const hasFont = fontFile !== "" && existsSync(fontFile);
  // Its bold face beside it (Garuda-Bold.ttf), for the title, when there is one.
  const bold = fontFile.replace(/\.(ttf|otf)$/i, "-Bold.$1");
  const fontFiles = hasFont ? [fontFile, ...(bold !== fontFile && existsSync(bold) ? [bold] : [])] : [];
  const r = new mod.Resvg(summaryChartSvg(d), {
    // The configured font only, so the chart looks the same on every machine; without it, whatever the system has.
    font: hasFont ? { loadSystemFonts: false, fontFiles, defaultFontFamily: FAMILY, sansSerifFamily: FAMILY } : { loadSystemFonts: true },
  });
  return r.render().asPng();
}
