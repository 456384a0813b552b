// GET /exports/<report>.csv: a coordinator's report as a spreadsheet, from a
// signed link the bot gave them in the chat. The path only selects one of a
// fixed list of reports (anything else is 404; no path is built from the
// URL), the signature and expiry are checked, and the area comes from the
// roles table now, not from the link.
import express, { type Request, type Response } from "express";
import type { Database } from "../db/database.ts";
import { SummaryCsvLinks, summaryCsv, summaryCsvFileName } from "../disaster/summary-csv.ts";
import type { Logger } from "../log.ts";
import { isExportReport, type ExportLinks } from "../reports/export-links.ts";
import { reportScope } from "../reports/queries.ts";
import { csvFileName, reportCsv } from "../reports/report-csv.ts";

export interface ExportsOptions {
  db: Database;
  logger: Logger;
  links: ExportLinks;
  now: () => Date;
  /** A flood situation's summary (GET /exports/situation-<id>.csv, src/disaster/summary-csv.ts); without it there is none. */
  summary?: SummaryCsvLinks;
}

export function exportsRouter(options: ExportsOptions): express.Router {
  const router = express.Router();
  router.get("/exports/:file", async (req: Request, res: Response) => {
    res.set("Cache-Control", "private, no-store");
    const file = String(req.params.file);
    if (options.summary && SummaryCsvLinks.owns(file)) {
      const now = options.now();
      const verified = options.summary.verify(file, req.query as Record<string, unknown>, now);
      const csv = verified.ok ? await summaryCsv(options.db.prisma, verified.userId, verified.situationId) : null;
      if (!verified.ok || csv === null) {
        options.logger.info("export refused", { report: "situation", reason: verified.ok ? "no access" : verified.reason });
        res.status(403).json({ error: !verified.ok && verified.reason === "expired" ? "link expired" : "invalid link" });
        return;
      }
      options.logger.info("export served", { report: "situation", situationId: verified.situationId });
      res.set("Content-Type", "text/csv; charset=utf-8");
      res.set("Content-Disposition", `attachment; filename="${summaryCsvFileName(verified.situationId, now)}"`);
      res.set("X-Content-Type-Options", "nosniff");
      res.status(200).send(csv);
      return;
    }
    const name = file.endsWith(".csv") ? file.slice(0, -4) : "";
    if (!isExportReport(name)) {
      res.status(404).json({ error: "not found" });
      return;
    }
    const now = options.now();
    const verified = options.links.verify(name, req.query, now);
    if (!verified.ok) {
      options.logger.info("export refused", { report: name, reason: verified.reason });
      res.status(403).json({ error: verified.reason === "expired" ? "link expired" : "invalid link" });
      return;
    }
    const { userId, period } = verified.params;
    const scope = await reportScope(options.db.prisma, userId);
    if (!scope) {
      options.logger.info("export refused", { report: name, reason: "no role" });
      res.status(403).json({ error: "no access" });
      return;
    }
    const csv = await reportCsv(options.db.prisma, name, scope, period, now);
    options.logger.info("export served", { report: name, councils: scope.councils.length });
    res.set("Content-Type", "text/csv; charset=utf-8");
    res.set("Content-Disposition", `attachment; filename="${csvFileName(name, period, now)}"`);
    res.set("X-Content-Type-Options", "nosniff");
    res.status(200).send(csv);
  });
  return router;
}
