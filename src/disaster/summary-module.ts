// "สรุปสถานการณ์": a coordinator's summary of each active flood situation in
// their area (issue 14 §3). Per district (a situation over several
// districts) or per tambon (within one): members sent the check-in, safe,
// asking for help, not answered; open flood requests by priority; the oldest
// critical request nobody accepted; aid handed out. As a text, a Flex
// table, a chart (PNG at a signed URL, when the bot has a public https://
// address) and a CSV link. Coordinators only, asked on the server at every
// tap: the situation id in a button can be forged, so it only picks among
// the situations the user's roles reach now.
//
// The periodic push of the same summary is summary-job.ts.
import { createHash, randomBytes } from "node:crypto";
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { outcome, showMenu, withMenu, type Outcome } from "../engine/outcome.ts";
import type { MenuEntry, Reply, TurnContext } from "../engine/types.ts";
import type { Tx } from "../db/database.ts";
import { truncateForLine } from "../line/limits.ts";
import type { MediaLinks } from "../line/media-links.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { thaiDateTime } from "../thai/format.ts";
import { renderChartPng } from "./summary-chart.ts";
import { SummaryCsvLinks } from "./summary-csv.ts";
import { byArea, summaryLines, summaryTable } from "./summary-flex.ts";
import {
  councilFigures,
  oldestUnacceptedCritical,
  situationAreaNames,
  storeChart,
  type SummaryScope,
  summaryScopes,
} from "./summary-store.ts";
import { SUMMARY_TEXT as T } from "./summary-texts.ts";

export const SUMMARY_ENTRY_ID = "situation-summary";

/** The staff menu's button for this module (bot.ts passes it to staffModule({ actions })). */
export const SUMMARY_ACTIONS: readonly StaffAction[] = [{ entry: SUMMARY_ENTRY_ID, label: T.menu, roles: ["COORDINATOR"] }];

export interface SummaryOptions {
  /** Signs the chart's URL; without it, or without an https:// base (MediaLinks.linkable), no chart: the table still shows. */
  media?: MediaLinks;
  /** Signs the CSV links; without it (a bot built outside createApp), links that work for this process. */
  csvLinks?: SummaryCsvLinks;
  /** The chart's Thai font file (SUMMARY_CHART_FONT). */
  chartFont?: string;
}

export const DEFAULT_CHART_FONT = "/usr/share/fonts/truetype/tlwg/Garuda.ttf";

const text = (t: string): Reply => ({ kind: "text", text: t });

/** A situation's summary for one coordinator, as replies: text, table, and the chart when it can be linked. */
export async function situationSummary(
  tx: Tx,
  scope: SummaryScope,
  userId: string,
  now: Date,
  options: Required<Pick<SummaryOptions, "csvLinks" | "chartFont">> & Pick<SummaryOptions, "media">,
  lead?: string,
): Promise<Reply[]> {
  const { situation } = scope;
  const figures = await councilFigures(tx, situation, scope.councilIds);
  const oldest = await oldestUnacceptedCritical(tx, situation, scope.councilIds);
  // A district coordinator of a province-wide situation sees their district(s) only.
  const names = scope.whole ? await situationAreaNames(tx, situation) : [...new Set(figures.map((f) => `อ.${f.district}`))].join(", ");
  // A situation over many tambons names them all: headings and the chart's title keep the first ones.
  const areasLabel = truncateForLine(names, 80);
  const at = thaiDateTime(now);
  const heading = T.heading(areasLabel, situation.level, thaiDateTime(situation.declaredAt));
  const replies: Reply[] = [
    text([...(lead ? [lead] : []), heading, summaryLines(figures, oldest, now)].join("\n")),
    {
      kind: "flex",
      altText: T.alt(areasLabel),
      contents: summaryTable({ areasLabel, at, figures, download: options.csvLinks.sign(situation.id, userId, now) }),
    },
  ];
  if (options.media?.linkable) {
    const { areas } = byArea(figures);
    const png = await renderChartPng(
      { title: T.chart.title(areasLabel), subtitle: T.chart.subtitle(at), bars: areas.map((a) => ({ label: a.name, ...a })) },
      options.chartFont,
    );
    if (png) {
      const file = await storeChart(tx, png, createHash("sha256").update(png).digest("hex"), userId, now);
      const url = options.media.url(file.id, file.contentType);
      if (url) replies.push({ kind: "image", url, previewUrl: url, altText: T.chartAlt(areasLabel) });
    }
  }
  return replies;
}

export function summaryModule(options: SummaryOptions) {
  const coordinator = staffOnly("COORDINATOR");
  const deps = {
    media: options.media,
    csvLinks: options.csvLinks ?? new SummaryCsvLinks({ secret: randomBytes(32), baseUrl: "http://localhost:3000" }),
    chartFont: options.chartFont ?? DEFAULT_CHART_FONT,
  };

  async function open(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const scopes = await summaryScopes(ctx.tx, ctx.userId);
    if (!scopes) return { next: showMenu() };
    if (scopes.length === 0) return outcome([text(T.none)], withMenu());
    let scope: SummaryScope | undefined;
    if (arg !== undefined) {
      const id = /^\d{1,9}$/.test(arg) ? Number(arg) : null;
      scope = scopes.find((s) => s.situation.id === id);
      if (!scope) return outcome([text(T.notFound)], withMenu([entryButton(SUMMARY_ENTRY_ID, T.menu)]));
    } else if (scopes.length === 1) {
      scope = scopes[0]!;
    } else {
      const buttons = [];
      for (const s of scopes.slice(0, 10)) {
        const label = await situationAreaNames(ctx.tx, s.situation);
        buttons.push(entryButton(SUMMARY_ENTRY_ID, T.situationButton(label), String(s.situation.id)));
      }
      return outcome([text(T.choose)], withMenu(buttons));
    }
    ctx.busy?.();
    const say = await situationSummary(ctx.tx, scope, ctx.userId, ctx.now, deps);
    return outcome(say, withMenu([entryButton(SUMMARY_ENTRY_ID, T.again, String(scope.situation.id))]));
  }

  const entries: MenuEntry[] = [
    { id: SUMMARY_ENTRY_ID, label: T.menu, keywords: [...T.keywords], listed: false, visible: coordinator, open },
  ];
  return defineModule({ name: "situation-summary", entries, flows: [], staffActions: SUMMARY_ACTIONS });
}
