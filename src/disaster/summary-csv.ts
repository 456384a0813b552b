// The situation summary as a spreadsheet: every council's row, where the
// chat shows a screenful. Served by GET /exports/situation-<id>.csv
// (src/http/exports.ts) from a signed link like the reports' (which live in
// reports/, a layer above: this is the same design, kept here so disaster
// needs nothing of reports). The link names the situation, the
// coordinator's LINE user id and an expiry, under an HMAC of exactly those;
// the councils come from staff_role at download time, so a revoked
// coordinator's link stops working at once. Counts only: no personal data.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Tx } from "../db/database.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { situationById, situationCouncils } from "./situation-store.ts";
import { AID_KINDS, councilFigures } from "./summary-store.ts";
import { councilsInScope } from "../staff/roles.ts";
import { PRIORITIES, SUMMARY_TEXT } from "./summary-texts.ts";

const C = SUMMARY_TEXT.csv;
export const SUMMARY_LINK_TTL_SECONDS = 24 * 3600;
const FILE = /^situation-(\d{1,9})\.csv$/;
const USER = /^[A-Za-z0-9_-]{1,64}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;

type Cell = string | number;
const FORMULA = /^[=+\-@\t\r]/;
/** As the reports' CSV (src/reports/csv.ts): quoted when needed, typed text never run as a formula. */
function csvCell(value: Cell): string {
  let s = typeof value === "number" ? String(value) : FORMULA.test(value) ? `'${value}` : value;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}
/** UTF-8 with a BOM (Excel reads Thai right), CRLF line ends. */
function toCsv(header: string[], rows: Cell[][]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

export type VerifiedSummaryLink =
  | { ok: true; situationId: number; userId: string }
  | { ok: false; reason: "not-ours" | "malformed" | "signature" | "expired" };

export class SummaryCsvLinks {
  private readonly key: Buffer;
  private readonly baseUrl: string;
  /** `secret`: the export links' signing secret (exportSigningSecret); a key of its own is derived from it. */
  constructor(options: { secret: Buffer; baseUrl: string }) {
    this.key = createHmac("sha256", options.secret).update("council-bot/situation-summary-csv/v1").digest();
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  private mac(situationId: number, userId: string, exp: number): Buffer {
    return createHmac("sha256", this.key).update(["v1", situationId, userId, exp].join("\n")).digest();
  }

  /** The download URL, valid for 24 hours from `now`. */
  sign(situationId: number, userId: string, now: Date): string {
    const exp = Math.floor(now.getTime() / 1000) + SUMMARY_LINK_TTL_SECONDS;
    const q = new URLSearchParams({ u: userId, exp: String(exp), sig: this.mac(situationId, userId, exp).toString("base64url") });
    return `${this.baseUrl}/exports/situation-${situationId}.csv?${q.toString()}`;
  }

  /** Is this file name one of ours ("situation-<id>.csv")? */
  static owns(file: string): boolean {
    return FILE.test(file);
  }

  verify(file: string, query: Record<string, unknown>, now: Date): VerifiedSummaryLink {
    const m = FILE.exec(file);
    if (!m) return { ok: false, reason: "not-ours" };
    const { u, exp, sig } = query;
    if (
      typeof u !== "string" ||
      !USER.test(u) ||
      typeof exp !== "string" ||
      !/^\d{1,12}$/.test(exp) ||
      typeof sig !== "string" ||
      !SIG.test(sig)
    )
      return { ok: false, reason: "malformed" };
    const situationId = Number(m[1]);
    const given = Buffer.from(sig, "base64url");
    const expected = this.mac(situationId, u, Number(exp));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
    if (now.getTime() >= Number(exp) * 1000) return { ok: false, reason: "expired" };
    return { ok: true, situationId, userId: u };
  }
}

/**
 * The CSV of a situation (active or ended) for this coordinator: the
 * situation's councils they coordinate now. null when there are none (not a
 * coordinator any more, another area, no such situation).
 */
export async function summaryCsv(tx: Tx, userId: string, situationId: number): Promise<string | null> {
  const situation = await situationById(tx, situationId);
  if (!situation) return null;
  const mine = new Set(await councilsInScope(tx, userId, "COORDINATOR"));
  const councilIds = (await situationCouncils(tx, situation)).filter((id) => mine.has(id));
  if (councilIds.length === 0) return null;
  const figures = await councilFigures(tx, situation, councilIds);
  const header = [
    C.district,
    C.tambon,
    C.council,
    C.sent,
    C.safe,
    C.help,
    C.notAnswered,
    ...PRIORITIES.map(C.open),
    ...AID_KINDS.map(C.aid),
    C.cash,
  ];
  const rows = figures.map((f) => [
    f.district,
    f.tambon,
    f.councilName,
    f.sent,
    f.safe,
    f.help,
    f.notAnswered,
    ...PRIORITIES.map((p) => f.open[p]),
    ...AID_KINDS.map((k) => f.aid[k]),
    f.cash,
  ]);
  return toCsv(header, rows);
}

/** An ASCII file name from our own parts only. */
export const summaryCsvFileName = (situationId: number, now: Date) => `situation-${situationId}_${bangkokIsoDate(now)}.csv`;
