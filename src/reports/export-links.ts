// Signed download links for report CSVs. The link names the report, the
// coordinator's LINE user id, the period and an expiry, and carries an
// HMAC-SHA256 of exactly those; anything changed in the URL (another user,
// other dates, a later expiry) breaks the signature. The link never carries
// the area: the server asks the roles table again at download time, so a
// revoked coordinator's links stop working at once.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { parsePeriod, type Period } from "./period.ts";

/** The only reports that can be downloaded; no file name is ever built from a URL. */
export const EXPORT_REPORTS = ["requests", "critical", "meetings", "funds"] as const;
export type ExportReport = (typeof EXPORT_REPORTS)[number];

export const LINK_TTL_SECONDS = 24 * 3600;

export function isExportReport(name: string): name is ExportReport {
  return (EXPORT_REPORTS as readonly string[]).includes(name);
}

/**
 * The signing secret: EXPORT_SIGNING_SECRET; else one derived from the
 * channel secret under a label (so the two are never the same key); else a
 * random one, and links die with the process.
 */
export function exportSigningSecret(config: { exportSigningSecret?: string; channelSecret?: string }): Buffer {
  if (config.exportSigningSecret) return Buffer.from(config.exportSigningSecret, "utf8");
  if (config.channelSecret) return createHmac("sha256", config.channelSecret).update("council-bot/report-export-links/v1").digest();
  return randomBytes(32);
}

export interface LinkParams {
  report: ExportReport;
  userId: string;
  period?: Period;
}

export type Verified = { ok: true; params: LinkParams } | { ok: false; reason: "malformed" | "signature" | "expired" };

const querySchema = z.object({
  u: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  from: z.string().optional(),
  to: z.string().optional(),
  exp: z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export class ExportLinks {
  private readonly baseUrl: string;
  constructor(private readonly options: { secret: Buffer; baseUrl: string; ttlSeconds?: number }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  private mac(report: string, userId: string, period: Period | undefined, exp: number): Buffer {
    const fields = ["v1", report, userId, period?.from ?? "", period?.to ?? "", String(exp)];
    return createHmac("sha256", this.options.secret).update(fields.join("\n")).digest();
  }

  /** The download URL, valid for 24 hours from `now` (or `expiresAt`, for tests of expiry). */
  sign(params: LinkParams, now: Date, expiresAt?: Date): string {
    const exp = Math.floor((expiresAt?.getTime() ?? now.getTime() + (this.options.ttlSeconds ?? LINK_TTL_SECONDS) * 1000) / 1000);
    const q = new URLSearchParams({ u: params.userId });
    if (params.period) {
      q.set("from", params.period.from);
      q.set("to", params.period.to);
    }
    q.set("exp", String(exp));
    q.set("sig", this.mac(params.report, params.userId, params.period, exp).toString("base64url"));
    return `${this.baseUrl}/exports/${params.report}.csv?${q.toString()}`;
  }

  /** Checks a request's query against the report named by its path. */
  verify(report: ExportReport, query: unknown, now: Date): Verified {
    const parsed = querySchema.safeParse(query);
    if (!parsed.success) return { ok: false, reason: "malformed" };
    const q = parsed.data;
    let period: Period | undefined;
    if (q.from !== undefined || q.to !== undefined) {
      const p = parsePeriod(q.from, q.to);
      if (!p) return { ok: false, reason: "malformed" };
      period = p;
    }
    const given = Buffer.from(q.sig, "base64url");
    const expected = this.mac(report, q.u, period, q.exp);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
    if (now.getTime() >= q.exp * 1000) return { ok: false, reason: "expired" };
    return { ok: true, params: { report, userId: q.u, ...(period ? { period } : {}) } };
  }
}
