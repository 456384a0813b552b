// Coordinator reports in the chat ("รายงาน"): help requests by kind and
// status for a period, open critical flood cases with their age, meeting
// registrations and waitlists, welfare-fund figures. Each answer is a Flex
// table of at most a screenful, with a signed CSV link for everything.
//
// Only coordinators see the entry; secretaries do not (their council's own
// cases are in their case screens, and a report must never show another
// council). The area always comes from councilsInScope at the time of the
// turn; the buttons' arguments only say which report, and are checked
// against a fixed list because postback data can be forged.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { entryButton, MAX_QUICK_REPLIES } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { endFlow, type Outcome, showMenu, startFlow } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import { ENGINE_TEXT } from "../engine/texts.ts";
import type { Button, MenuEntry, Reply, TurnContext } from "../engine/types.ts";
import { COUNCIL_NAME_PREFIX } from "../geography/load-geography.ts";
import { rolesOfTurn } from "../staff/roles.ts";
import { bangkokIsoDate, formatBaht, thaiDateTime, thaiNumericDate, thaiShortDate } from "../thai/format.ts";
import { KIND_LIST } from "../help-requests/kinds/index.ts";
import { ExportLinks, type ExportReport } from "./export-links.ts";
import { PRESETS, presetPeriod, type Period, type Preset } from "./period.ts";
import { reportPeriodFlow } from "./period-flow.ts";
import {
  STATUSES,
  addBaht,
  fundFigures,
  meetingFigures,
  openCriticalCases,
  reportScope,
  requestCounts,
  totalOf,
  zeroCounts,
  type Scope,
  type StatusCounts,
} from "./queries.ts";
import { MAX_ROWS, renderTable, type Table } from "./table.ts";
import { REPORT_TEXT as T } from "./texts.ts";

export const REPORT_ENTRY = "report";
const REPORTS = ["requests", "critical", "meetings", "funds"] as const satisfies readonly ExportReport[];

/** A button's argument: "critical", "requests", "requests:7d", "requests:custom". */
const argSchema = z.union([z.tuple([z.enum(REPORTS)]), z.tuple([z.literal("requests"), z.enum([...PRESETS, "custom"])])]);

const text = (t: string): Reply => ({ kind: "text", text: t });
const button = (label: string, arg?: string): Button => entryButton(REPORT_ENTRY, label, arg);
const menuButton: Button = {
  kind: "postback",
  label: ENGINE_TEXT.buttons.menu,
  data: encodePostback({ kind: "global", word: "menu" }),
  displayText: ENGINE_TEXT.buttons.menu,
};

/** "สภาองค์กรชุมชนตำบลเสาธงชัย" → "ต.เสาธงชัย": the chat table is narrow; the CSV keeps the full name. */
export const shortCouncil = (name: string) => (name.startsWith(COUNCIL_NAME_PREFIX) ? `ต.${name.slice(COUNCIL_NAME_PREFIX.length)}` : name);

const clip = (s: string, max: number) => ([...s].length <= max ? s : `${[...s].slice(0, max - 1).join("")}…`);

export function reportsModule(options: { provinceCode: number; exportLinks?: ExportLinks }) {
  // Without a configured signer (a bot built outside createApp), links still work for this process.
  const links = options.exportLinks ?? new ExportLinks({ secret: randomBytes(32), baseUrl: "http://localhost:3000" });
  const isCoordinator = async (ctx: TurnContext) => (await rolesOfTurn(ctx)).some((g) => g.role === "COORDINATOR");

  const reportButtons = () => REPORTS.map((r) => button(T.buttons[r], r));
  const periodButtons = () => [...PRESETS, "custom" as const].map((p) => button(T.buttons[p], `requests:${p}`));
  /** A report with its own buttons (not the menu's): what else to see, and the menu. */
  const answer = (say: Reply[], first: Button[] = []): Outcome => ({
    say,
    buttons: [...first, button(T.buttons.other), menuButton].slice(0, MAX_QUICK_REPLIES),
    next: endFlow,
  });
  const download = (ctx: TurnContext, report: ExportReport, period?: Period) =>
    links.sign({ report, userId: ctx.userId, ...(period ? { period } : {}) }, ctx.now);

  function periodLabel(period: Period, preset: Preset | "custom"): string {
    const range = T.periodRange(thaiNumericDate(period.from), thaiNumericDate(period.to));
    if (preset === "today") return T.periodToday(range);
    return preset === "custom" ? range : `${T.buttons[preset]} (${range})`;
  }

  // --- the four reports --------------------------------------------------------

  async function requests(ctx: TurnContext, scope: Scope, period: Period, preset: Preset | "custom"): Promise<Outcome> {
    const counts = await requestCounts(ctx.tx, scope, period);
    const label = periodLabel(period, preset);
    const after = [...periodButtons()];
    const grand = [...counts.values()].reduce((n, k) => n + KIND_LIST.reduce((m, kind) => m + totalOf(k[kind.kind]), 0), 0);
    if (grand === 0) return answer([text(T.noRequests(label))], after);

    // Areas: districts for a coordinator of several districts, else councils.
    const areaOf = (councilId: number) => {
      const c = scope.councils.find((x) => x.id === councilId)!;
      return scope.byDistrict ? { key: c.districtId, name: c.districtName } : { key: c.id, name: shortCouncil(c.name) };
    };
    const bubbles = KIND_LIST.map((kind) => {
      const areas = new Map<number, { name: string; counts: StatusCounts }>();
      for (const c of scope.councils) {
        const a = areaOf(c.id);
        const entry = areas.get(a.key) ?? { name: a.name, counts: zeroCounts() };
        for (const s of STATUSES) entry.counts[s] += counts.get(c.id)![kind.kind][s];
        areas.set(a.key, entry);
      }
      const all = [...areas.values()].filter((a) => totalOf(a.counts) > 0);
      all.sort((x, y) => totalOf(y.counts) - totalOf(x.counts));
      const sum = zeroCounts();
      for (const a of all) for (const s of STATUSES) sum[s] += a.counts[s];
      const cells = (c: StatusCounts) => [...STATUSES.map((s) => String(c[s])), String(totalOf(c))];
      const table: Table = {
        title: kind.names.report,
        subtitle: label,
        columns: [T.areaColumn(scope.byDistrict), ...STATUSES.map((s) => T.statusColumns[s]), T.total],
        rows: all.map((a) => [a.name, ...cells(a.counts)]),
        total: [T.totalRow, ...cells(sum)],
        note: `${T.shownOf(Math.min(all.length, MAX_ROWS), all.length, T.areas(scope.byDistrict))}\n${T.legend}`,
        download: download(ctx, "requests", period),
      };
      return renderTable(table);
    });
    const flex: Reply = { kind: "flex", altText: T.requestsAlt(label, grand), contents: { type: "carousel", contents: bubbles } };
    return answer([flex], after);
  }

  async function critical(ctx: TurnContext, scope: Scope): Promise<Outcome> {
    const cases = await openCriticalCases(ctx.tx, scope);
    if (cases.length === 0) return answer([text(T.criticalNone)], reportButtons());
    const name = new Map(scope.councils.map((c) => [c.id, shortCouncil(c.name)]));
    const table: Table = {
      title: T.criticalTitle,
      subtitle: T.criticalSubtitle(thaiDateTime(ctx.now)),
      columns: [...T.criticalColumns],
      rows: cases.map((c) => [
        `${c.caseNumber}\n${name.get(c.councilId)}`,
        T.shortStatus[c.status],
        T.age(Math.max(0, Math.floor((ctx.now.getTime() - c.createdAt.getTime()) / 60_000))),
        c.peopleCount === null ? "-" : String(c.peopleCount),
      ]),
      note: T.shownOf(Math.min(cases.length, MAX_ROWS), cases.length, T.cases),
      download: download(ctx, "critical"),
    };
    return answer([{ kind: "flex", altText: T.criticalAlt(cases.length), contents: renderTable(table) }], reportButtons());
  }

  async function meetings(ctx: TurnContext, scope: Scope): Promise<Outcome> {
    const rows = await meetingFigures(ctx.tx, scope, ctx.now);
    if (rows.length === 0) return answer([text(T.meetingsNone)], reportButtons());
    const table: Table = {
      title: T.meetingsTitle,
      subtitle: T.meetingsSubtitle,
      columns: [...T.meetingsColumns],
      rows: rows.map((m) => [
        `${clip(m.title, 80)}\n${thaiShortDate(bangkokIsoDate(m.startsAt))}`,
        T.people(m.registered.people),
        T.people(m.waitlisted.people),
        m.seatsLeft === null ? T.unlimited : String(m.seatsLeft),
      ]),
      note: T.shownOf(Math.min(rows.length, MAX_ROWS), rows.length, T.meetings),
      download: download(ctx, "meetings"),
    };
    return answer([{ kind: "flex", altText: T.meetingsAlt(rows.length), contents: renderTable(table) }], reportButtons());
  }

  async function funds(ctx: TurnContext, scope: Scope): Promise<Outcome> {
    const figures = await fundFigures(ctx.tx, scope, ctx.now);
    if (figures.length === 0) return answer([text(T.fundsNone)], reportButtons());
    const byCouncil = new Map<number, { members: number; saved: string; paid: string }>();
    for (const f of figures) {
      const c = byCouncil.get(f.councilId) ?? { members: 0, saved: "0", paid: "0" };
      byCouncil.set(f.councilId, {
        members: c.members + f.members,
        saved: addBaht(c.saved, f.savedThisYear),
        paid: addBaht(c.paid, f.benefitsPaidThisYear),
      });
    }
    const name = new Map(scope.councils.map((c) => [c.id, shortCouncil(c.name)]));
    const all = [...byCouncil.entries()].sort((a, b) => b[1].members - a[1].members);
    const sum = all.reduce(
      (s, [, c]) => ({ members: s.members + c.members, saved: addBaht(s.saved, c.saved), paid: addBaht(s.paid, c.paid) }),
      {
        members: 0,
        saved: "0",
        paid: "0",
      },
    );
    const cells = (c: { members: number; saved: string; paid: string }) => [
      String(c.members),
      formatBaht(Number(c.saved)),
      formatBaht(Number(c.paid)),
    ];
    const table: Table = {
      title: T.fundsTitle,
      subtitle: T.fundsSubtitle(Number(bangkokIsoDate(ctx.now).slice(0, 4)) + 543),
      columns: [...T.fundsColumns],
      rows: all.map(([id, c]) => [name.get(id) ?? "", ...cells(c)]),
      total: [T.totalRow, ...cells(sum)],
      note: T.shownOf(Math.min(all.length, MAX_ROWS), all.length, T.councils),
      download: download(ctx, "funds"),
    };
    return answer([{ kind: "flex", altText: T.fundsAlt(all.length), contents: renderTable(table) }], reportButtons());
  }

  // --- entry -------------------------------------------------------------------

  const periodFlow = reportPeriodFlow(async (ctx, period) => {
    // Roles can change while the dates are typed: ask again.
    const scope = await reportScope(ctx.tx, ctx.userId);
    if (!scope) return { next: showMenu() };
    return requests(ctx, scope, period, "custom");
  });

  async function open(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const scope = await reportScope(ctx.tx, ctx.userId);
    if (!scope) return { next: showMenu() };
    if (arg === undefined) return answer([text(T.choose)], reportButtons());
    const parsed = argSchema.safeParse(arg.split(":"));
    if (!parsed.success) return answer([text(ENGINE_TEXT.stale), text(T.choose)], reportButtons());
    const [report, period] = parsed.data;
    switch (report) {
      case "requests":
        if (period === undefined) return answer([text(T.choosePeriod)], periodButtons());
        if (period === "custom") return { next: startFlow(periodFlow) };
        return requests(ctx, scope, presetPeriod(period, ctx.now), period);
      case "critical":
        return critical(ctx, scope);
      case "meetings":
        return meetings(ctx, scope);
      case "funds":
        return funds(ctx, scope);
    }
  }

  const entries: MenuEntry[] = [{ id: REPORT_ENTRY, label: T.menu, keywords: ["รายงาน", "report"], visible: isCoordinator, open }];
  return defineModule({ name: "reports", entries, flows: [periodFlow] });
}
