// Report periods as Bangkok calendar days: "today", the last 7 or 30 days
// (today included), or a custom range typed by the coordinator. A period is
// kept as two "yyyy-mm-dd" dates, both included, so a download link signed
// today names the same days tomorrow.
import { parseLedgerDate } from "../welfare-fund/ledger-format.ts";
import { bangkokInstant, bangkokIsoDate } from "../thai/format.ts";

export const PRESETS = ["today", "7d", "30d"] as const;
export type Preset = (typeof PRESETS)[number];

export interface Period {
  /** First day, "yyyy-mm-dd" (Bangkok). */
  from: string;
  /** Last day, included. */
  to: string;
}

const DAYS: Record<Preset, number> = { today: 1, "7d": 7, "30d": 30 };

/** The day `days` after an ISO date (negative: before). */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function presetPeriod(preset: Preset, now: Date): Period {
  const today = bangkokIsoDate(now);
  return { from: addDays(today, -(DAYS[preset] - 1)), to: today };
}

/** The instants [start, end) a period covers. */
export function periodRange(p: Period): { gte: Date; lt: Date } {
  return { gte: bangkokInstant(p.from), lt: bangkokInstant(addDays(p.to, 1)) };
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** A period from untrusted text (a URL): real dates, in order, at most ~5 years long. */
export function parsePeriod(from: unknown, to: unknown): Period | null {
  if (typeof from !== "string" || typeof to !== "string" || !ISO.test(from) || !ISO.test(to)) return null;
  const a = parseLedgerDate(from);
  const b = parseLedgerDate(to);
  if (!a.ok || !b.ok || a.value !== from || b.value !== to || from > to) return null;
  if (addDays(from, 5 * 366) < to) return null;
  return { from, to };
}

/** A typed date ("1/11/2569", "2026-11-01", Thai digits): "yyyy-mm-dd", or null. */
export function parseTypedDate(typed: string): string | null {
  const parsed = parseLedgerDate(typed);
  return parsed.ok ? parsed.value : null;
}
