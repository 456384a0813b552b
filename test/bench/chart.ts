// The chart of docs/performance.md: an SVG drawn here, rasterised with
// @resvg/resvg-js and DejaVu Sans (Debian's fonts-dejavu-core; BENCH_FONT
// overrides), so it needs no browser and no network.
//   left:  flood-day reply latency p50/p95/p99 per database, the p99 target as a line;
//   right: acknowledgements per second at max (bare express, bots, 1 and 2 instances).
import { existsSync } from "node:fs";
import type { LatencySummary } from "./conversations.ts";

export interface ChartData {
  title: string;
  flood: { db: string; latency: LatencySummary }[];
  replyTargetMs: number;
  ack: { target: string; ackPerSec: number }[];
  /** ack/s at max with 1 and 2 instances (PostgreSQL). */
  scaling: number[];
}

const FONT = process.env.BENCH_FONT ?? "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const W = 1200;
const H = 600;
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function bars(
  x0: number,
  y0: number,
  w: number,
  h: number,
  title: string,
  unit: string,
  groups: { label: string; values: { name: string; v: number; color: string }[] }[],
  line?: { v: number; label: string },
): string {
  const all = groups.flatMap((g) => g.values.map((v) => v.v)).filter(Number.isFinite);
  const top = Math.max(1, ...all, line?.v ?? 0) * 1.15;
  const y = (v: number) => y0 + h - (Math.min(v, top) / top) * h;
  const out: string[] = [`<text x="${x0}" y="${y0 - 20}" font-size="18" font-weight="bold">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 - 6}" y="${y(v) + 4}" font-size="12" text-anchor="end">${v >= 100 ? Math.round(v) : v.toFixed(1)}</text>`);
  }
  out.push(
    `<text x="${x0 - 50}" y="${y0 + h / 2}" font-size="13" transform="rotate(-90 ${x0 - 50} ${y0 + h / 2})" text-anchor="middle">${esc(unit)}</text>`,
  );
  const gw = w / Math.max(1, groups.length);
  groups.forEach((g, gi) => {
    const bw = Math.min(60, (gw * 0.8) / Math.max(1, g.values.length));
    const start = x0 + gi * gw + (gw - bw * g.values.length) / 2;
    g.values.forEach((b, bi) => {
      const bx = start + bi * bw;
      const v = Number.isFinite(b.v) ? b.v : 0;
      out.push(`<rect x="${bx + 2}" y="${y(v)}" width="${bw - 4}" height="${y0 + h - y(v)}" fill="${b.color}"/>`);
      out.push(
        `<text x="${bx + bw / 2}" y="${y(v) - 4}" font-size="11" text-anchor="middle">${Number.isFinite(b.v) ? (b.v >= 100 ? Math.round(b.v) : b.v.toFixed(1)) : "–"}</text>`,
      );
      if (g.values.length > 1)
        out.push(`<text x="${bx + bw / 2}" y="${y0 + h + 14}" font-size="11" text-anchor="middle">${esc(b.name)}</text>`);
    });
    out.push(
      `<text x="${x0 + gi * gw + gw / 2}" y="${y0 + h + (g.values.length > 1 ? 32 : 16)}" font-size="13" text-anchor="middle">${esc(g.label)}</text>`,
    );
  });
  if (line) {
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y(line.v)}" y2="${y(line.v)}" stroke="#c00" stroke-dasharray="6 4" stroke-width="2"/>`);
    out.push(`<text x="${x0 + w}" y="${y(line.v) - 6}" font-size="12" fill="#c00" text-anchor="end">${esc(line.label)}</text>`);
  }
  out.push(
    `<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y0 + h}" stroke="#333"/><line x1="${x0}" x2="${x0 + w}" y1="${y0 + h}" y2="${y0 + h}" stroke="#333"/>`,
  );
  return out.join("\n");
}

export function chartSvg(d: ChartData): string {
  const floodGroups = d.flood.map((f) => ({
    label: f.db,
    values: [
      { name: "p50", v: f.latency.p50, color: "#8ecae6" },
      { name: "p95", v: f.latency.p95, color: "#219ebc" },
      { name: "p99", v: f.latency.p99, color: "#023047" },
    ],
  }));
  const ackGroups = [
    ...d.ack.map((a) => ({
      label: a.target === "baseline" ? "bare" : a.target.replace("bot-", "bot "),
      values: [{ name: "", v: a.ackPerSec, color: a.target === "baseline" ? "#999" : "#fb8500" }],
    })),
    ...d.scaling.map((v, i) => ({ label: `main.ts ×${i + 1} (pg)`, values: [{ name: "", v, color: "#ffb703" }] })),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="32" font-size="20" text-anchor="middle" font-weight="bold">${esc(d.title)}</text>
${bars(90, 110, 430, 400, "Flood day: webhook → reply latency", "milliseconds", floodGroups, { v: d.replyTargetMs, label: `target p99 ≤ ${d.replyTargetMs} ms` })}
${bars(680, 110, 480, 400, "Acknowledgements per second at max", "acks / s", ackGroups)}
</svg>`;
}

export async function renderChart(d: ChartData): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  const fontFiles = existsSync(FONT) ? [FONT] : [];
  const resvg = new Resvg(chartSvg(d), { font: { loadSystemFonts: fontFiles.length === 0, fontFiles, defaultFontFamily: "DejaVu Sans" } });
  return Buffer.from(resvg.render().asPng());
}
