// The welfare-fund module as the bot sees it: the fund-link flow and the
// menu entries "เชื่อมบัญชีกองทุน" and "ยอดเงินกองทุน", with the balance card's
// "ประวัติล่าสุด" and "รายการทั้งปี" cards. Every card shows the caller's own
// linked fund member: a button's argument only ever picks a year.
import dayjs from "dayjs";
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { type Outcome, showMenu, startFlow, withMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import type { MenuEntry, TurnContext } from "../engine/types.ts";
import type { Tx } from "../db/database.ts";
import type { BenefitType } from "../generated/prisma/client.ts";
import { SIGNUP_ENTRY } from "../members/members.ts";
import { activeMember } from "../members/member-store.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { FUND_BALANCE_ENTRY, FUND_HISTORY_ENTRY, FUND_LINK_ENTRY, FUND_STATEMENT_ENTRY } from "./fund-entries.ts";
import {
  benefitRules,
  benefitsPaidSince,
  benefitTypesReceived,
  cents,
  ledgerYears,
  monthlyTotals,
  recentBenefitPayments,
  recentContributions,
  savingsSummary,
} from "./fund-store.ts";
import { isoDate } from "./ledger-format.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { AttemptKeys, attemptLink, hasLinkedFund, linkedFundMember, lockedUntil } from "./link-store.ts";
import { fundLinkFlow, type LinkAnswers } from "./link-flow.ts";
import { formatBaht, THAI_MONTHS_SHORT, thaiDateTime, thaiMonthYear, thaiNumericDate as thaiDate, thaiShortDate } from "../thai/format.ts";
import { FUND_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const menuAfter = (lead: string): Outcome => ({ say: [text(lead)], next: showMenu() });
const menuPostback = (entry: { id: string }, arg?: string) =>
  encodePostback(arg === undefined ? { kind: "menu", entry: entry.id } : { kind: "menu", entry: entry.id, arg });

async function linkableMember(ctx: TurnContext) {
  const member = await activeMember(ctx.tx, ctx.userId);
  if (!member || member.councilId === null) return null;
  return member;
}

export interface FundModuleOptions {
  /** Keys the fund-link attempts' hashes (fundLinkHashSecret); must outlive restarts for lock-outs to. */
  attemptSecret: Buffer;
}

export function fundModule(options: FundModuleOptions) {
  const keys = new AttemptKeys(options.attemptSecret);
  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;
  const canLink = async (ctx: TurnContext) => {
    const member = await linkableMember(ctx);
    return member !== null && !(await hasLinkedFund(ctx.tx, member.id));
  };

  const lockedReply = (until: Date) => T.lockedOut(thaiDateTime(until));

  async function complete(ctx: TurnContext, { nationalId, birthDate }: LinkAnswers): Promise<Outcome> {
    const member = await linkableMember(ctx);
    if (!member) return menuAfter(T.notMember);
    const linked = await linkedFundMember(ctx.tx, member.id);
    if (linked) return menuAfter(T.alreadyYours(linked.fund.name));
    const until = await lockedUntil(ctx.tx, keys, ctx.userId, ctx.now);
    if (until) return menuAfter(lockedReply(until));
    const outcome = await attemptLink(ctx.tx, keys, {
      memberId: member.id,
      lineUserId: ctx.userId,
      councilId: member.councilId!,
      nationalId,
      birthDate,
      now: ctx.now,
    });
    switch (outcome.kind) {
      case "linked":
        return menuAfter(T.linked(outcome.fundName, outcome.memberNo));
      case "already-yours":
        return menuAfter(T.alreadyYours(outcome.fundName));
      case "requested":
        return menuAfter(T.requested);
      case "id-locked":
        return menuAfter(T.idLocked(thaiDateTime(outcome.until)));
    }
  }

  const linkFlow = fundLinkFlow(complete);

  async function startLink(ctx: TurnContext): Promise<Outcome> {
    const member = await linkableMember(ctx);
    if (!member) return menuAfter(T.notMember);
    const until = await lockedUntil(ctx.tx, keys, ctx.userId, ctx.now);
    if (until) return menuAfter(lockedReply(until));
    return { say: [text(T.linkPdpa)], next: startFlow(linkFlow) };
  }

  /** The caller's linked fund member, or the reply offering the link. */
  async function ownFundMember(ctx: TurnContext): Promise<{ fm: LinkedFundMember } | { offer: Outcome }> {
    const member = (await activeMember(ctx.tx, ctx.userId))!;
    const fm = await linkedFundMember(ctx.tx, member.id);
    if (fm) return { fm };
    return { offer: { say: [text(T.notLinked)], next: withMenu([entryButton(FUND_LINK_ENTRY, T.menu.link)]) } };
  }

  const withCard = (altText: string, contents: Record<string, unknown>): Outcome => ({
    say: [{ kind: "flex", altText, contents }],
    next: withMenu(),
  });

  async function balance(ctx: TurnContext): Promise<Outcome> {
    const own = await ownFundMember(ctx);
    if ("offer" in own) return own.offer;
    const card = renderFlexTemplate("fund-balance", await balanceVars(ctx.tx, own.fm, ctx.now));
    return withCard(T.balanceAlt, card);
  }

  async function history(ctx: TurnContext): Promise<Outcome> {
    const own = await ownFundMember(ctx);
    if ("offer" in own) return own.offer;
    const entries = await recentEntries(ctx.tx, own.fm.id);
    if (entries.length === 0) return menuAfter(T.noEntries);
    const rows = entries.map((e) =>
      renderFlexTemplate("fund-history-row", {
        what: e.what,
        date: thaiShortDate(e.date),
        amount: formatBaht(e.cents / 100),
        amountColor: e.kind === "saving" ? SAVING_COLOR : BENEFIT_COLOR,
      }),
    );
    const card = renderFlexTemplate(
      "fund-history",
      {
        title: T.historyTitle,
        fundName: own.fm.fund.name,
        memberNo: own.fm.memberNo,
        note: T.historyNote(entries.length),
        statementData: menuPostback(FUND_STATEMENT_ENTRY),
        balanceData: menuPostback(FUND_BALANCE_ENTRY),
      },
      { rows },
    );
    return withCard(T.historyAlt, card);
  }

  async function statement(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const own = await ownFundMember(ctx);
    if ("offer" in own) return own.offer;
    const { fm } = own;
    const years = await ledgerYears(ctx.tx, fm.id);
    if (years.length === 0) return menuAfter(T.noEntries);
    const current = Number(bangkokIsoDate(ctx.now).slice(0, 4));
    const year = chosenYear(arg, current, Math.min(Number(isoDate(fm.joinedOn).slice(0, 4)), ...years));
    const months = await monthlyTotals(ctx.tx, fm.id, year);
    const shownMonths = year === current ? Number(bangkokIsoDate(ctx.now).slice(5, 7)) : 12;
    const amount = (cents: number) => (cents === 0 ? T.noAmount : formatBaht(cents / 100));
    const rows = months
      .slice(0, shownMonths)
      .map((m, i) =>
        renderFlexTemplate("fund-statement-row", { month: THAI_MONTHS_SHORT[i]!, saved: amount(m.saved), benefits: amount(m.benefits) }),
      );
    const yearButtons = otherYears(year, [...years.filter((y) => y <= current), current]).map((y) =>
      renderFlexTemplate("fund-statement-year", {
        label: T.yearButton(y + BE_OFFSET),
        data: menuPostback(FUND_STATEMENT_ENTRY, String(y + BE_OFFSET)),
      }),
    );
    const card = renderFlexTemplate(
      "fund-statement",
      {
        title: T.statementTitle(year + BE_OFFSET),
        fundName: fm.fund.name,
        memberNo: fm.memberNo,
        totalSaved: formatBaht(months.reduce((sum, m) => sum + m.saved, 0) / 100),
        totalBenefits: formatBaht(months.reduce((sum, m) => sum + m.benefits, 0) / 100),
        note: T.statementNote,
        historyData: menuPostback(FUND_HISTORY_ENTRY),
        balanceData: menuPostback(FUND_BALANCE_ENTRY),
      },
      { rows, years: yearButtons },
    );
    return withCard(T.statementAlt(year + BE_OFFSET), card);
  }

  const entries: MenuEntry[] = [
    {
      id: FUND_LINK_ENTRY.id,
      label: T.menu.link,
      keywords: ["เชื่อมบัญชีกองทุน", "เชื่อมกองทุน", "ผูกบัญชีกองทุน", "เชื่อมบัญชี"],
      visible: canLink,
      otherwise: { entry: FUND_BALANCE_ENTRY },
      open: startLink,
    },
    {
      id: FUND_BALANCE_ENTRY.id,
      label: T.menu.balance,
      keywords: ["ยอดเงินกองทุน", "ยอดกองทุน", "ยอดเงินสะสม", "เงินสะสม", "ยอดเงิน"],
      visible: isMember,
      otherwise: { entry: SIGNUP_ENTRY, say: T.membersOnly },
      open: balance,
    },
    // Reached from the balance card's buttons; not in the menu.
    {
      id: FUND_HISTORY_ENTRY.id,
      label: T.menu.history,
      keywords: ["ประวัติกองทุน", "ประวัติการออม", "ประวัติเงินออม"],
      listed: false,
      visible: isMember,
      open: history,
    },
    {
      id: FUND_STATEMENT_ENTRY.id,
      label: T.menu.statement,
      keywords: ["รายการทั้งปี", "รายการกองทุน", "สรุปกองทุน"],
      listed: false,
      visible: isMember,
      open: statement,
    },
  ];

  return defineModule({ name: "welfare-fund", entries, flows: [linkFlow] });
}

type LinkedFundMember = NonNullable<Awaited<ReturnType<typeof linkedFundMember>>>;

async function balanceVars(tx: Tx, fm: LinkedFundMember, now: Date): Promise<Record<string, string>> {
  const today = bangkokIsoDate(now);
  const yearStart = new Date(`${today.slice(0, 4)}-01-01T00:00:00.000Z`);
  const saved = await savingsSummary(tx, fm.id);
  const benefitsThisYear = await benefitsPaidSince(tx, fm.id, yearStart);
  const rules = await benefitRules(tx, fm.fundId);
  const joined = isoDate(fm.joinedOn);
  const received = await benefitTypesReceived(tx, fm.id);
  const forThisMember = (type: BenefitType) => {
    // The elderly allowance is for members aged 60 and over; the disability
    // one for members the fund already pays it to (the ledger knows nothing else).
    if (type === "ELDERLY") return dayjs(isoDate(fm.birthDate)).add(ELDERLY_AGE, "year").format("YYYY-MM-DD") <= today;
    if (type === "DISABLED") return received.has("DISABLED");
    return true;
  };
  const eligible = fm.leftOn
    ? []
    : rules
        .filter((r) => dayjs(joined).add(r.waitingDays, "day").format("YYYY-MM-DD") <= today && forThisMember(r.type))
        .map((r) => T.benefitNames[r.type]);
  const paidTo = saved.paidUpTo ? isoDate(saved.paidUpTo) : null;
  // Months behind: paid up to October and now November is one month behind.
  const behind = paidTo && !fm.leftOn ? monthIndex(today) - monthIndex(paidTo) : 0;
  return {
    title: T.balanceTitle,
    fundName: fm.fund.name,
    memberNo: fm.memberNo,
    joinedOn: thaiDate(joined),
    totalSaved: formatBaht(saved.total ?? 0),
    paidUpTo: paidTo ? thaiMonthYear(paidTo) + (behind > 0 ? ` (${T.arrears(behind)})` : "") : T.notPaid,
    paidUpToColor: behind > 0 ? ARREARS_COLOR : PLAIN_COLOR,
    benefitsThisYearLabel: T.benefitsThisYearLabel,
    benefitsThisYear: formatBaht(benefitsThisYear ?? 0),
    eligibleHeading: T.eligibleHeading,
    eligible: eligible.length > 0 ? eligible.join(", ") : T.noRules,
    note: T.balanceNote,
    historyData: menuPostback(FUND_HISTORY_ENTRY),
    statementData: menuPostback(FUND_STATEMENT_ENTRY),
  };
}

const BE_OFFSET = 543;
const ELDERLY_AGE = 60;
const HISTORY_SIZE = 12;
/** Years a statement offers besides the one shown: the nearest, so each is a step away. */
const YEAR_BUTTONS = 3;
const PLAIN_COLOR = "#111111";
const ARREARS_COLOR = "#B3261E";
const SAVING_COLOR = "#1B7F5A";
const BENEFIT_COLOR = "#8A5A00";

const monthIndex = (iso: string) => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;

/** "พ.ย. 2569", "ปี 2569", "ม.ค.–ต.ค. 2569" or "ต.ค. 2568–ก.ย. 2569". */
function periodLabel(from: string, to: string): string {
  const [fy, fm] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  const month = (m: number) => THAI_MONTHS_SHORT[m - 1]!;
  if (fy === ty && fm === tm) return `${month(fm)} ${fy + BE_OFFSET}`;
  if (fy === ty && from.slice(5) === "01-01" && to.slice(5) === "12-31") return T.wholeYear(fy + BE_OFFSET);
  if (fy === ty) return `${month(fm)}–${month(tm)} ${ty + BE_OFFSET}`;
  return `${month(fm)} ${fy + BE_OFFSET}–${month(tm)} ${ty + BE_OFFSET}`;
}

interface Entry {
  kind: "saving" | "benefit";
  date: string;
  what: string;
  cents: number;
  id: number;
}

/** The last ledger entries, savings and benefits merged, newest first (same day: benefits first, then the later row). */
async function recentEntries(tx: Tx, fundMemberId: number): Promise<Entry[]> {
  const saved = await recentContributions(tx, fundMemberId, HISTORY_SIZE);
  const paid = await recentBenefitPayments(tx, fundMemberId, HISTORY_SIZE);
  const entries: Entry[] = [
    ...saved.map((c) => ({
      kind: "saving" as const,
      date: isoDate(c.paidOn),
      what: T.savingEntry(periodLabel(isoDate(c.periodFrom), isoDate(c.periodTo))),
      cents: cents(c.amount),
      id: c.id,
    })),
    ...paid.map((p) => ({
      kind: "benefit" as const,
      date: isoDate(p.paidOn),
      what: T.benefitEntry(T.benefitNames[p.type]),
      cents: cents(p.amount),
      id: p.id,
    })),
  ];
  const rank = (e: Entry) => (e.kind === "benefit" ? 1 : 0);
  entries.sort((a, b) => b.date.localeCompare(a.date) || rank(b) - rank(a) || b.id - a.id);
  return entries.slice(0, HISTORY_SIZE);
}

/**
 * The CE year a statement button asked for (a BE year, "2568"). Postback
 * data can be forged: anything but a year from the member's first year to
 * this one shows this year.
 */
function chosenYear(arg: string | undefined, current: number, first: number): number {
  if (arg === undefined || !/^\d{4}$/.test(arg)) return current;
  const year = Number(arg) - BE_OFFSET;
  return year >= first && year <= current ? year : current;
}

/** The years to offer next to the shown one: those nearest to it, newest first. */
function otherYears(shown: number, years: number[]): number[] {
  const others = [...new Set(years)].filter((y) => y !== shown);
  others.sort((a, b) => Math.abs(a - shown) - Math.abs(b - shown) || b - a);
  return others.slice(0, YEAR_BUTTONS).sort((a, b) => b - a);
}
