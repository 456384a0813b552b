// Dates and times as a "datetime" step takes them. LINE's datetime picker
// answers with the phone's wall time and no zone ("2026-12-05T09:30"); the
// bot serves one Thai province, so that wall time is read as Bangkok time.
// Typed answers follow the Thai habit: day/month/Buddhist-era year, then the
// time ("5/12/2569 09:30", "5/12/69 9.30 น."); a year above 2400 is B.E.
import { BANGKOK_OFFSET_MS, bangkokInstant } from "../thai/format.ts";

/** LINE's datetime picker value format: "yyyy-MM-ddTHH:mm" (here in Bangkok time). */
const PICKER = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** LINE accepts picker values from 1900-01-01T00:00 to 2100-12-31T23:59. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

const pad = (n: number) => String(n).padStart(2, "0");

function validWallTime(y: number, mo: number, d: number, h: number, mi: number): Date | null {
  if (y < MIN_YEAR || y > MAX_YEAR || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1) return null; // 31/02
  return bangkokInstant(`${y}-${pad(mo)}-${pad(d)}`, `${pad(h)}:${pad(mi)}`);
}

/** An instant as LINE's picker shows it (initial, min, max): Bangkok wall time. */
export function pickerValue(at: Date): string {
  return new Date(at.getTime() + BANGKOK_OFFSET_MS).toISOString().slice(0, 16);
}

/** The picker's answer (postback params.datetime) as an instant; null if malformed. */
export function parsePickerValue(value: string | undefined): Date | null {
  const m = value ? PICKER.exec(value) : null;
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  return validWallTime(y, mo, d, h, mi);
}

const TYPED = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})\s*(?:เวลา)?\s*(\d{1,2})[.:](\d{2})\s*(?:น\.?)?$/;

/**
 * Typed "d/m/yyyy HH:mm" in Bangkok time; a 4-digit year above 2400 (or a
 * 2-digit one, read as 25xx) is Buddhist era. Null when it is not a date.
 */
export function parseThaiDateTime(typed: string): Date | null {
  const m = TYPED.exec(typed.trim());
  if (!m) return null;
  const [d, mo, rawYear, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  let y = rawYear;
  if (m[3]!.length === 2) y = 2500 + rawYear - 543;
  else if (y > 2400) y -= 543;
  return validWallTime(y, mo, d, h, mi);
}
