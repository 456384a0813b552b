// The secretaries' unanswered list (issue 14 §3): for the active situation
// covering each council they are secretary of, the members sent the
// check-in more than N hours ago who have not answered, vulnerable
// households first, then the longest waiting; paged as carousels. Each card:
// name, phone masked in text and whole only on the tap-to-call button (only
// a secretary of that council sees it), "ติดต่อแล้ว ปลอดภัย", "เปิดคำขอแทน"
// (the flood request for someone else, council and phone known, linked to
// the member's answer once filed) and the aid button (entry "aid").
//
// The entry is visible to secretaries only (a villager's forged postback
// gets the menu); every action checks again, on the server, that the member
// is of a council the user is secretary of and that its situation is active.
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { type Outcome, startFlow, withMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import type { Button, MenuEntry, Reply, TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { maskPhone } from "../members/phone.ts";
import { councilsInScope } from "../staff/roles.ts";
import { type StaffAction, staffOnly } from "../staff/staff-module.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { memberLink, recordContactedSafe } from "./answer-store.ts";
import { FLOOD_REQUEST_FLOW } from "./neighbour-flow.ts";
import { situationCoveringCouncil } from "./situation-store.ts";
import { checkedInMember, councilCounts, type SituationCouncil, type UnansweredMember, unansweredMembers } from "./unanswered-store.ts";
import { UNANSWERED_TEXT as T } from "./unanswered-texts.ts";

export const UNANSWERED_ENTRY_ID = "unanswered";
/** d-aid's entry (arg "m:<memberId>"), by its plain id until it is merged. */
const AID_ENTRY_ID = "aid";
export const DEFAULT_UNANSWERED_HOURS = 3;
/** Bubbles per carousel page (LINE allows 12). */
export const UNANSWERED_PAGE_SIZE = 10;

export const UNANSWERED_STAFF_ACTIONS: readonly StaffAction[] = [{ entry: UNANSWERED_ENTRY_ID, label: T.menu, roles: ["SECRETARY"] }];

const VULNERABLE_NAMES: Record<string, string> = {
  bedridden: "ผู้ป่วยติดเตียง",
  elderly: "ผู้สูงอายุ",
  disabled: "ผู้พิการ",
  pregnant: "หญิงตั้งครรภ์",
  children: "เด็กเล็ก",
};

const text = (t: string): Reply => ({ kind: "text", text: t });
const data = (arg: string) => encodePostback({ kind: "menu", entry: UNANSWERED_ENTRY_ID, arg });

function memberBubble(m: UnansweredMember): Record<string, unknown> {
  const name = m.fullName ?? "-";
  const vulnerable = m.vulnerable.length > 0;
  return renderFlexTemplate(
    "unanswered-member",
    {
      headerColor: vulnerable ? "#C62828" : "#546E7A",
      name,
      headerLine: vulnerable ? T.vulnerableHeader : T.plainHeader,
      phone: m.phone ? T.phone(maskPhone(m.phone)) : T.noPhone,
      vulnerable: vulnerable ? T.vulnerableLine(m.vulnerable.map((v) => VULNERABLE_NAMES[v] ?? v).join(", ")) : T.noVulnerable,
      vulnerableColor: vulnerable ? "#C62828" : "#6B6B6B",
      sent: T.sent(thaiDateTime(m.sentAt)),
      safeLabel: T.buttons.contactedSafe,
      safeData: data(`safe:${m.memberId}`),
      fileLabel: T.buttons.fileFor,
      fileData: data(`file:${m.memberId}`),
      aidLabel: T.buttons.aid,
      aidData: encodePostback({ kind: "menu", entry: AID_ENTRY_ID, arg: `m:${m.memberId}` }),
    },
    // The whole number only here, on the tap-to-call button.
    { call: m.phone ? [renderFlexTemplate("unanswered-call", { label: T.buttons.call, phone: m.phone })] : [] },
  );
}

export function unansweredModule(options: { hours?: number } = {}) {
  const hours = options.hours ?? DEFAULT_UNANSWERED_HOURS;
  const isSecretary = staffOnly("SECRETARY");

  /** The user's councils (as secretary) with the active situation covering each. */
  async function pairsOf(ctx: TurnContext): Promise<SituationCouncil[]> {
    const councils = await councilsInScope(ctx.tx, ctx.userId, "SECRETARY");
    const pairs: SituationCouncil[] = [];
    for (const councilId of councils) {
      const situation = await situationCoveringCouncil(ctx.tx, councilId);
      if (situation) pairs.push({ situationId: situation.id, councilId });
    }
    return pairs;
  }

  const listButton = (): Button => entryButton(UNANSWERED_ENTRY_ID, T.buttons.list);

  async function list(ctx: TurnContext, page: number, lead: string[] = []): Promise<Outcome> {
    const pairs = await pairsOf(ctx);
    if (pairs.length === 0) return { say: [...lead, T.noSituation].map(text), next: withMenu() };
    const countLines: string[] = [];
    for (const pair of pairs) {
      const council = await getCouncilWithPlace(ctx.tx, pair.councilId);
      countLines.push(T.counts(council?.name ?? "-", await councilCounts(ctx.tx, pair)));
    }
    const sentBefore = new Date(ctx.now.getTime() - hours * 3_600_000);
    const offset = page * UNANSWERED_PAGE_SIZE;
    const { total, members } = await unansweredMembers(ctx.tx, pairs, sentBefore, { offset, limit: UNANSWERED_PAGE_SIZE });
    const say: Reply[] = [...lead.map(text), text(countLines.join("\n"))];
    if (total === 0) return { say: [...say, text(T.none(hours))], next: withMenu([listButton()]) };
    if (members.length === 0) return list(ctx, 0, lead);
    say.push(text(T.lead(total, hours, offset + 1, offset + members.length)), {
      kind: "flex",
      altText: T.alt(total),
      contents: { type: "carousel", contents: members.map(memberBubble) },
    });
    const paging: Button[] = [];
    if (offset + members.length < total) paging.push(entryButton(UNANSWERED_ENTRY_ID, T.buttons.more, `page:${page + 1}`));
    else if (page > 0) paging.push(entryButton(UNANSWERED_ENTRY_ID, T.buttons.firstPage, "page:0"));
    return { say, next: withMenu(paging) };
  }

  /** The member a button names, if they are in one of the user's councils under an active situation. */
  async function target(ctx: TurnContext, memberId: number) {
    for (const pair of await pairsOf(ctx)) {
      const member = await checkedInMember(ctx.tx, pair.situationId, memberId);
      if (member && member.councilId === pair.councilId) return { member, pair };
    }
    return null;
  }

  async function open(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const m = /^(page|safe|file):(\d{1,9})$/.exec(arg ?? "");
    if (!m) return list(ctx, 0);
    const [, verb, n] = m;
    if (verb === "page") return list(ctx, Number(n));
    const found = await target(ctx, Number(n));
    if (!found) return list(ctx, 0, [T.notFound]);
    const { member, pair } = found;
    const name = member.fullName ?? "-";
    if (verb === "safe") {
      const recorded = await recordContactedSafe(ctx.tx, {
        situationId: pair.situationId,
        lineUserId: member.lineUserId,
        councilId: pair.councilId,
        by: ctx.userId,
        at: ctx.now,
      });
      return list(ctx, 0, [recorded ? T.markedSafe(name) : T.alreadyAnswered(name)]);
    }
    // The flood request for someone else: the member's name, council and phone known; the secretary answers the rest.
    return {
      say: [text(T.fileIntro(name))],
      next: startFlow(FLOOD_REQUEST_FLOW, {
        data: {
          viaMember: true,
          councilId: String(pair.councilId),
          whose: "other",
          ...(member.fullName ? { householdName: member.fullName } : {}),
          ...(member.phone ? { phone: member.phone } : {}),
          safetyLink: memberLink(pair.situationId, member.memberId),
        },
        at: member.fullName ? "location" : "household",
      }),
    };
  }

  const entries: MenuEntry[] = [
    {
      id: UNANSWERED_ENTRY_ID,
      label: T.menu,
      keywords: ["สมาชิกที่ยังไม่ตอบ", "ยังไม่ตอบ"],
      listed: false,
      visible: isSecretary,
      open,
    },
  ];
  return defineModule({ name: "disaster-unanswered", entries, staffActions: UNANSWERED_STAFF_ACTIONS });
}
