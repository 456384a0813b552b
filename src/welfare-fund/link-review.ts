// The secretary's side of fund-link requests: the card that tells the
// council's secretaries about a new request (pushed, or one line of the
// evening digest), the staff list "คำขอเชื่อมบัญชี", and approve / reject.
//
// Every step asks the server again, inside the turn's transaction: the
// user may handle the request's council (canHandleCouncil), the request is
// still PENDING (its row locked when deciding), and the fund member chosen
// belongs to a fund of that council and is linked to nobody else. Buttons
// carry ids only, and ids can be forged.
//
// PDPA: national IDs are shown masked on cards, never logged; the rejection
// reason reaches the member in the push only (the request has no column for
// it).
import { z } from "zod";
import type { Tx } from "../db/database.ts";
import { entryButton } from "../engine/engine.ts";
import { defineFlow, defineModule } from "../engine/module.ts";
import { type Outcome, showMenu, startFlow, withMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import { entryRef } from "../engine/refs.ts";
import { confirmStep, YES } from "../engine/steps.ts";
import { END, type MenuEntry, type Reply, type TurnContext } from "../engine/types.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { notifyStaff } from "../staff/notify.ts";
import { canHandleCouncil, councilsInScope, secretariesOf } from "../staff/roles.ts";
import { staffOnly, type StaffAction } from "../staff/staff-module.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime, thaiLongDate, thaiShortDate } from "../thai/format.ts";
import { FUND_BALANCE_ENTRY } from "./fund-entries.ts";
import { isoDate } from "./ledger-format.ts";
import { maskNationalId } from "../thai/national-id.ts";
import {
  approveLink,
  candidatesFor,
  loadFundMember,
  loadRequest,
  lockFundMember,
  lockRequest,
  memberIsLinked,
  pendingRequests,
  rejectRequest,
  type ReviewFundMember,
  type ReviewRequest as Request,
} from "./review-store.ts";
import { LINK_REVIEW_TEXT as T } from "./texts.ts";

export const REVIEW_ENTRY = entryRef("fund-link-review");
export const APPROVE_ENTRY = entryRef("fund-link-approve");
export const REJECT_ENTRY = entryRef("fund-link-reject");
const APPROVE_FLOW = "fund-link-approve";
const REJECT_FLOW = "fund-link-reject";

/** Cards in the list's carousel: the oldest requests first. */
const MAX_LISTED = 5;
const MAX_INT4 = 2_147_483_647;

const text = (t: string): Reply => ({ kind: "text", text: t });
const menuAfter = (lead: string): Outcome => ({ say: [text(lead)], next: showMenu() });

/** An id from postback data, which can be forged: digits only, a possible INTEGER. */
const dbId = z
  .string()
  .regex(/^\d{1,10}$/)
  .transform(Number)
  .refine((n) => n > 0 && n <= MAX_INT4);
/** "42" from a reject button. */
const requestArg = dbId;
/** "42.7" (request, fund member) from an approve button. */
const approveArg = z
  .string()
  .transform((s) => s.split("."))
  .pipe(z.tuple([dbId, dbId]));

/** The button the staff home shows for the list. */
export const LINK_REVIEW_ACTION: StaffAction = { entry: REVIEW_ENTRY.id, label: T.menu.review, roles: ["SECRETARY", "COORDINATOR"] };

const nameOf = (r: Request) => r.member.fullName ?? T.unknownName;
const fundMemberName = (fm: { title: string | null; firstName: string; lastName: string }) =>
  `${fm.title ?? ""}${fm.firstName} ${fm.lastName}`;

const NAME_COLORS = { same: "#111111", differs: "#C62828", ok: "#1B7F5A" } as const;
// Longest first: "นางสาว" is not "นาง" + "สาว…".
const TITLES = ["นางสาว", "เด็กชาย", "เด็กหญิง", "น.ส.", "ด.ช.", "ด.ญ.", "นาย", "นาง"];

/** A name as people write it differently: no title, no spaces or dots, Thai ำ typed as ํ + า. */
function comparableName(name: string): string {
  let n = name
    .normalize("NFC")
    .replace(/\u0E4D\u0E32/g, "\u0E33")
    .trim();
  const title = TITLES.find((t) => n.startsWith(t));
  if (title) n = n.slice(title.length);
  return n.replace(/[\s.]/g, "");
}

/** Whether the ledger's name is the requester's (the ledger's title is its own column). */
export function sameName(requester: string | null, fm: { firstName: string; lastName: string }): boolean {
  return requester !== null && comparableName(requester) === comparableName(`${fm.firstName} ${fm.lastName}`);
}

/** The request's card, as the notice and the list show it. */
async function reviewCard(tx: Tx, r: Request): Promise<Record<string, unknown>> {
  const candidates = r.reason === "ALREADY_LINKED" ? [] : await candidatesFor(tx, r);
  const note = r.reason === "ALREADY_LINKED" ? T.alreadyLinkedNote : candidates.length > 0 ? T.candidatesNote : T.noCandidates;
  return renderFlexTemplate(
    "link-review-card",
    {
      title: T.cardTitle,
      council: r.council.name,
      name: nameOf(r),
      nationalId: maskNationalId(r.nationalId),
      birthDate: thaiLongDate(isoDate(r.birthDate)),
      reason: T.reasons[r.reason],
      requestedAt: thaiDateTime(r.createdAt),
      candidatesHeading: T.candidatesHeading,
      note,
      rejectLabel: T.rejectButton,
      rejectData: encodePostback({ kind: "menu", entry: REJECT_ENTRY.id, arg: String(r.id) }),
    },
    {
      candidates: candidates.map((fm) =>
        renderFlexTemplate("link-review-candidate", {
          name: fundMemberName(fm) + (fm.nationalId === r.nationalId ? T.idMatches : ""),
          ...(sameName(r.member.fullName, fm)
            ? { nameColor: NAME_COLORS.same, nameCheck: T.nameMatches, checkColor: NAME_COLORS.ok }
            : { nameColor: NAME_COLORS.differs, nameCheck: T.nameDiffers, checkColor: NAME_COLORS.differs }),
          detail: T.candidateDetail(fm.fund.name, fm.memberNo, maskNationalId(fm.nationalId), thaiShortDate(isoDate(fm.birthDate))),
          approveLabel: T.approveButton,
          approveData: encodePostback({ kind: "menu", entry: APPROVE_ENTRY.id, arg: `${r.id}.${fm.id}` }),
        }),
      ),
    },
  );
}

/**
 * Tells the council's secretaries about a new request (called where the
 * fund-link flow stores it, in the same transaction). Not urgent: staff who
 * chose the digest get one line in the evening instead.
 */
export async function notifyLinkRequest(tx: Tx, requestId: number, now: Date): Promise<void> {
  const r = await loadRequest(tx, requestId);
  if (!r) return;
  const card = await reviewCard(tx, r);
  await notifyStaff(tx, await secretariesOf(tx, r.councilId), {
    content: { replies: [{ kind: "flex", altText: T.cardAlt(nameOf(r)), contents: card }], buttons: [] },
    digestLine: T.digestLine(nameOf(r), T.reasons[r.reason]),
    urgent: false,
    purpose: "fund-link.request",
    now,
    dedupeKey: `fund-link-request:${r.id}`,
  });
}

type Checked = { request: Request } | { refusal: string };

/**
 * The request if this user may decide it now. With `lock`, the row is held
 * until the turn commits, so two secretaries deciding at once are served
 * one after the other and the second sees the first's decision.
 */
async function decidable(ctx: TurnContext, requestId: number, lock: boolean): Promise<Checked> {
  if (lock) await lockRequest(ctx.tx, requestId);
  const request = await loadRequest(ctx.tx, requestId);
  // Unknown and out-of-area read the same: a forged id learns nothing.
  if (!request || !(await canHandleCouncil(ctx.tx, ctx.userId, request.councilId))) return { refusal: T.notYours };
  if (request.status !== "PENDING") return { refusal: T.decided[request.status] };
  return { request };
}

type Chosen = { request: Request; fundMember: ReviewFundMember } | { refusal: string };

async function approvable(ctx: TurnContext, requestId: number, fundMemberId: number, lock: boolean): Promise<Chosen> {
  const checked = await decidable(ctx, requestId, lock);
  if ("refusal" in checked) return checked;
  const { request } = checked;
  if (lock) await lockFundMember(ctx.tx, fundMemberId);
  const fundMember = await loadFundMember(ctx.tx, fundMemberId);
  if (!fundMember || fundMember.fund.councilId !== request.councilId) return { refusal: T.notCouncilFund };
  if (fundMember.memberId !== null) return { refusal: T.fundMemberTaken };
  if (await memberIsLinked(ctx.tx, request.memberId)) return { refusal: T.memberLinked };
  return { request, fundMember };
}

/** The fund member a secretary approves the request for (both ids from the approve button). */
const APPROVE_SCHEMA = z.object({ requestId: z.number().int(), fundMemberId: z.number().int(), confirm: z.literal(YES) });
/** The request a secretary rejects, and why (told to the member). */
const REJECT_SCHEMA = z.object({ requestId: z.number().int(), reason: z.string() });

export function linkReviewModule() {
  const reviewers = staffOnly("SECRETARY", "COORDINATOR");
  const listButton = () => entryButton(REVIEW_ENTRY, T.menu.review);

  /** The menu's buttons after `lead`, the list first. */
  const answer = (lead: string): Outcome => ({ say: [text(lead)], next: withMenu([listButton()]) });

  async function list(ctx: TurnContext): Promise<Outcome> {
    const councils = await councilsInScope(ctx.tx, ctx.userId);
    const { total, ids } = await pendingRequests(ctx.tx, councils, MAX_LISTED);
    if (total === 0) return menuAfter(T.noneWaiting);
    const bubbles: Record<string, unknown>[] = [];
    for (const id of ids) bubbles.push(await reviewCard(ctx.tx, (await loadRequest(ctx.tx, id))!));
    return {
      say: [
        text(T.listLead(total, bubbles.length)),
        { kind: "flex", altText: T.listAlt(total), contents: { type: "carousel", contents: bubbles } },
      ],
      next: withMenu(),
    };
  }

  const approveFlow = defineFlow({
    id: APPROVE_FLOW,
    version: 1,
    title: T.flowTitles.approve,
    schema: APPROVE_SCHEMA,
    steps: [
      confirmStep({
        slot: "confirm",
        async prompt(ctx) {
          const chosen = await approvable(ctx, Number(ctx.state.data.requestId), Number(ctx.state.data.fundMemberId), false);
          if ("refusal" in chosen) return [text(chosen.refusal)];
          const fm = chosen.fundMember;
          const ask = T.askApprove(nameOf(chosen.request), fm.fund.name, fm.memberNo, fundMemberName(fm));
          return [text(sameName(chosen.request.member.fullName, fm) ? ask : `${T.nameDiffers}\n${ask}`)];
        },
        expects: T.approveExpects,
        yes: T.confirmApprove,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      const chosen = await approvable(ctx, data.requestId, data.fundMemberId, true);
      if ("refusal" in chosen) return answer(chosen.refusal);
      const { request, fundMember } = chosen;
      if (!(await approveLink(ctx.tx, request, fundMember.id, { at: ctx.now, by: ctx.userId }))) return answer(T.fundMemberTaken);
      if (request.member.lineUserId) {
        await enqueuePush(
          ctx.tx,
          request.member.lineUserId,
          {
            replies: [text(T.memberApproved(fundMember.fund.name, fundMember.memberNo))],
            buttons: [entryButton(FUND_BALANCE_ENTRY, T.balanceButton)],
          },
          { purpose: "fund-link.decided", now: ctx.now, dedupeKey: `fund-link-decided:${request.id}` },
        );
      }
      return answer(T.approved(nameOf(request), fundMember.fund.name, fundMember.memberNo));
    },
  });

  const rejectFlow = defineFlow({
    id: REJECT_FLOW,
    version: 1,
    title: T.flowTitles.reject,
    schema: REJECT_SCHEMA,
    steps: [
      {
        id: "reason",
        slot: "reason",
        async prompt(ctx) {
          const checked = await decidable(ctx, Number(ctx.state.data.requestId), false);
          if ("refusal" in checked) return [text(checked.refusal)];
          return [text(T.askRejectReason(nameOf(checked.request)))];
        },
        expects: T.rejectReasonExpects,
        input: {
          kind: "text",
          parse: (typed) => {
            const reason = typed.replace(/\s+/g, " ").trim();
            const n = [...reason].length;
            return n >= 2 && n <= 200 ? { ok: true, value: reason } : { ok: false, message: T.rejectReasonInvalid };
          },
          suggestions: () => T.rejectReasons.map((r) => ({ label: r, value: r })),
          prose: true,
        },
        next: () => END,
      },
    ],
    async complete(ctx, data) {
      const checked = await decidable(ctx, data.requestId, true);
      if ("refusal" in checked) return answer(checked.refusal);
      const { request } = checked;
      await rejectRequest(ctx.tx, request.id, { at: ctx.now, by: ctx.userId });
      if (request.member.lineUserId) {
        await enqueuePush(
          ctx.tx,
          request.member.lineUserId,
          { replies: [text(T.memberRejected(data.reason))], buttons: [] },
          {
            purpose: "fund-link.decided",
            now: ctx.now,
            dedupeKey: `fund-link-decided:${request.id}`,
          },
        );
      }
      return answer(T.rejected(nameOf(request)));
    },
  });

  async function startApprove(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const parsed = approveArg.safeParse(arg);
    if (!parsed.success) return answer(T.notYours);
    const [requestId, fundMemberId] = parsed.data;
    const chosen = await approvable(ctx, requestId, fundMemberId, false);
    if ("refusal" in chosen) return answer(chosen.refusal);
    return { next: startFlow(approveFlow, { data: { requestId, fundMemberId } }) };
  }

  async function startReject(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const parsed = requestArg.safeParse(arg);
    if (!parsed.success) return answer(T.notYours);
    const checked = await decidable(ctx, parsed.data, false);
    if ("refusal" in checked) return answer(checked.refusal);
    return { next: startFlow(rejectFlow, { data: { requestId: parsed.data } }) };
  }

  const entries: MenuEntry[] = [
    {
      id: REVIEW_ENTRY.id,
      label: T.menu.review,
      // Not "เชื่อมบัญชี": that opens the member's own fund link.
      keywords: ["คำขอเชื่อม", "ตรวจคำขอเชื่อม"],
      listed: false,
      visible: reviewers,
      open: list,
    },
    { id: APPROVE_ENTRY.id, label: T.approveButton, keywords: [], listed: false, visible: reviewers, open: startApprove },
    { id: REJECT_ENTRY.id, label: T.rejectButton, keywords: [], listed: false, visible: reviewers, open: startReject },
  ];

  return defineModule({ name: "link-review", entries, flows: [approveFlow, rejectFlow], actions: [LINK_REVIEW_ACTION] });
}
