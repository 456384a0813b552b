// The welfare-fund module as the bot sees it: the fund-link flow and the
// menu entries "เชื่อมบัญชีกองทุน" and "ยอดเงินกองทุน".
import dayjs from "dayjs";
import type { Engine } from "../engine/engine.ts";
import { encodePostback } from "../engine/postback.ts";
import type { Button, FlowDef, MenuEntry, Outgoing, TurnContext } from "../engine/types.ts";
import type { Tx } from "../db/database.ts";
import { activeMember } from "../members/member-store.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { bangkokToday, isoDate } from "./ledger-format.ts";
import { attemptLink, linkedFundMember, lockedUntil } from "./link-store.ts";
import { FUND_LINK_FLOW, fundLinkFlow } from "./link-flow.ts";
import { formatBaht, thaiDateTime, thaiMonthYear, thaiNumericDate as thaiDate } from "../thai/format.ts";
import { FUND_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
async function linkableMember(ctx: TurnContext) {
  const member = await activeMember(ctx.tx, ctx.userId);
  if (!member || member.councilId === null) return null;
  return member;
}

export interface FundModule {
  flows: FlowDef[];
  menu: MenuEntry[];
}

export function fundModule(options: { engine: () => Engine }): FundModule {
  const menuAfter = async (ctx: TurnContext, lead: string) => options.engine().menu(ctx, [text(lead)]);
  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;
  const canLink = async (ctx: TurnContext) => {
    const member = await linkableMember(ctx);
    return member !== null && (await linkedFundMember(ctx.tx, member.id)) === null;
  };

  const lockedReply = (until: Date) => T.lockedOut(thaiDateTime(until));

  async function complete(ctx: TurnContext, nationalId: string, birthDate: string): Promise<Outgoing> {
    const member = await linkableMember(ctx);
    if (!member) return menuAfter(ctx, T.notMember);
    const linked = await linkedFundMember(ctx.tx, member.id);
    if (linked) return menuAfter(ctx, T.alreadyYours(linked.fund.name));
    const until = await lockedUntil(ctx.tx, member.id, ctx.now);
    if (until) return menuAfter(ctx, lockedReply(until));
    const outcome = await attemptLink(ctx.tx, {
      memberId: member.id,
      councilId: member.councilId!,
      nationalId,
      birthDate,
      now: ctx.now,
    });
    switch (outcome.kind) {
      case "linked":
        return menuAfter(ctx, T.linked(outcome.fundName, outcome.memberNo));
      case "already-yours":
        return menuAfter(ctx, T.alreadyYours(outcome.fundName));
      case "requested":
        return menuAfter(ctx, T.requested);
    }
  }

  async function startLink(ctx: TurnContext): Promise<Outgoing> {
    const member = await linkableMember(ctx);
    if (!member) return menuAfter(ctx, T.notMember);
    const until = await lockedUntil(ctx.tx, member.id, ctx.now);
    if (until) return menuAfter(ctx, lockedReply(until));
    return options.engine().startFlow(ctx, FUND_LINK_FLOW, {}, [text(T.linkPdpa)]);
  }

  async function balance(ctx: TurnContext): Promise<Outgoing> {
    const member = (await activeMember(ctx.tx, ctx.userId))!;
    const fm = await linkedFundMember(ctx.tx, member.id);
    const menu = await options.engine().menu(ctx);
    if (!fm) {
      const link: Button = {
        kind: "postback",
        label: T.menu.link,
        data: encodePostback({ kind: "menu", entry: "fund-link" }),
        displayText: T.menu.link,
      };
      const rest = menu.buttons.filter((b) => b.label !== T.menu.link);
      return { replies: [text(T.notLinked)], buttons: [link, ...rest] };
    }
    const card = renderFlexTemplate("fund-balance", await balanceVars(ctx.tx, fm, ctx.now));
    return { replies: [{ kind: "flex", altText: T.balanceAlt, contents: card }], buttons: menu.buttons };
  }

  const menu: MenuEntry[] = [
    {
      id: "fund-link",
      label: T.menu.link,
      keywords: ["เชื่อมบัญชีกองทุน", "เชื่อมกองทุน", "ผูกบัญชีกองทุน", "เชื่อมบัญชี"],
      visible: canLink,
      open: startLink,
    },
    {
      id: "fund-balance",
      label: T.menu.balance,
      keywords: ["ยอดเงินกองทุน", "ยอดกองทุน", "ยอดเงินสะสม", "เงินสะสม", "ยอดเงิน"],
      visible: isMember,
      open: balance,
    },
  ];

  return { flows: [fundLinkFlow(complete)], menu };
}

type LinkedFundMember = NonNullable<Awaited<ReturnType<typeof linkedFundMember>>>;

async function balanceVars(tx: Tx, fm: LinkedFundMember, now: Date): Promise<Record<string, string>> {
  const today = bangkokToday(now);
  const yearStart = new Date(`${today.slice(0, 4)}-01-01T00:00:00.000Z`);
  const saved = await tx.contribution.aggregate({
    where: { fundMemberId: fm.id },
    _sum: { amount: true },
    _max: { periodTo: true },
  });
  const benefits = await tx.benefitPayment.aggregate({
    where: { fundMemberId: fm.id, paidOn: { gte: yearStart } },
    _sum: { amount: true },
  });
  const rules = await tx.benefitRule.findMany({ where: { fundId: fm.fundId }, orderBy: { type: "asc" } });
  const joined = isoDate(fm.joinedOn);
  const eligible = rules
    .filter((r) => dayjs(joined).add(r.waitingDays, "day").format("YYYY-MM-DD") <= today)
    .map((r) => T.benefitNames[r.type]);
  const paidTo = saved._max.periodTo ? isoDate(saved._max.periodTo) : null;
  return {
    title: T.balanceTitle,
    fundName: fm.fund.name,
    memberNo: fm.memberNo,
    joinedOn: thaiDate(joined),
    totalSaved: formatBaht(saved._sum.amount ?? 0),
    paidUpTo: paidTo ? thaiMonthYear(paidTo) : T.notPaid,
    benefitsThisYear: formatBaht(benefits._sum.amount ?? 0),
    eligible: eligible.length > 0 ? eligible.join(", ") : T.noRules,
    note: T.historyNote,
  };
}
