// Case handling by secretaries and coordinators: the pending list
// (คำขอที่รอดำเนินการ), the staff card of a request, and its actions —
// accept and start at once; resolve, reject, hand over and assign through
// short flows (case-*-flow.ts). One menu entry carries them all as its
// argument ("accept:42"); it is visible to secretaries and coordinators
// only, so a villager's forged postback gets the normal menu, and every
// action checks the council and the status again (case-actions.ts), at the
// start of a flow and at its end.
import { z } from "zod";
import { defineModule } from "../engine/module.ts";
import { type Outcome, startFlow } from "../engine/outcome.ts";
import type { Button, MenuEntry, TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { councilsInScope } from "../staff/roles.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { changeStatus, checkCase } from "./case-actions.ts";
import { isCaseStaff, notFound, onCase, refusal, say, showCase, STAFF_ROLES, staffMenu, text } from "./case-answers.ts";
import { assignable, caseAssignFlow } from "./case-assign-flow.ts";
import { CASES_ENTRY, type CaseVerb, caseData, listBubble } from "./case-card.ts";
import { caseHandoverFlow } from "./case-handover-flow.ts";
import { CASE_NUMBER_PATTERN } from "./case-number.ts";
import { caseRejectFlow } from "./case-reject-flow.ts";
import { caseResolveFlow } from "./case-resolve-flow.ts";
import { caseIdByNumber, pendingCases } from "./case-store.ts";
import { CASE_TEXT as T } from "./case-texts.ts";

/** Bubbles per carousel page (LINE allows 12). */
export const CASE_PAGE_SIZE = 10;

/** The staff home's button for the pending list (staffModule({ actions })). */
export const CASE_STAFF_ACTIONS: readonly StaffAction[] = [{ entry: CASES_ENTRY, label: T.menu, roles: STAFF_ROLES }];

/** "42", "page:1", "accept:42", …; at most 9 digits: always an INTEGER. */
const argSchema = z
  .string()
  .regex(/^(?:(?:page|accept|progress|resolve|reject|handover|assign):)?\d{1,9}$/)
  .transform((arg) => {
    const [verb, n] = arg.includes(":") ? arg.split(":") : ["open", arg];
    return { verb: verb as CaseVerb | "open" | "page", n: Number(n) };
  });

/** A typed case number ("ssk-f-6911-0042 " too), upper-cased; null for anything else. */
function caseNumberOf(typed: string): string | null {
  const t = typed.trim().toUpperCase();
  return CASE_NUMBER_PATTERN.test(t) ? t : null;
}

/** `media`: signs the links of the photos on cards (none without it). */
export function caseHandlingModule(options: { media?: MediaLinks }) {
  const { media } = options;
  const resolveFlow = caseResolveFlow(options);
  const rejectFlow = caseRejectFlow(options);
  const handoverFlow = caseHandoverFlow(options);
  const assignFlow = caseAssignFlow(options);

  async function list(ctx: TurnContext, page: number): Promise<Outcome> {
    const councils = await councilsInScope(ctx.tx, ctx.userId);
    const { total, page: p, pages, offset, requests } = await pendingCases(ctx.tx, councils, page, CASE_PAGE_SIZE);
    if (total === 0) return say(ctx, [T.listNone]);
    const paging: Button[] = [];
    const pageButton = (label: string, n: number): Button => ({ kind: "postback", label, data: caseData("page", n), displayText: label });
    if (p < pages - 1) paging.push(pageButton(T.buttons.more, p + 1));
    else if (p > 0) paging.push(pageButton(T.buttons.firstPage, 0));
    return {
      say: [
        text(T.listLead(total, offset + 1, offset + requests.length)),
        { kind: "flex", altText: T.listAlt(total), contents: { type: "carousel", contents: requests.map(listBubble) } },
      ],
      next: await staffMenu(ctx, paging),
    };
  }

  async function open(ctx: TurnContext, raw?: string): Promise<Outcome> {
    if (raw === undefined) return list(ctx, 0);
    const typed = caseNumberOf(raw);
    if (typed) {
      const found = await caseIdByNumber(ctx.tx, typed);
      return found !== null ? showCase(ctx, found, media) : notFound(ctx);
    }
    const parsed = argSchema.safeParse(raw);
    if (!parsed.success) return notFound(ctx);
    const { verb, n } = parsed.data;
    if (verb === "page") return list(ctx, n);
    if (verb === "open") return showCase(ctx, n, media);
    const check = await checkCase(ctx.tx, ctx.userId, n, verb);
    if (!check.ok) return refusal(ctx, check, verb, media);
    const request = check.request;
    switch (verb) {
      case "accept":
        await changeStatus(ctx.tx, request, "accept", { userId: ctx.userId, now: ctx.now });
        return showCase(ctx, request.id, media, [T.accepted(request.caseNumber)]);
      case "progress":
        await changeStatus(ctx.tx, request, "progress", { userId: ctx.userId, now: ctx.now });
        return showCase(ctx, request.id, media, [T.progressed(request.caseNumber)]);
      case "resolve":
        return { next: startFlow(resolveFlow, { data: onCase(request) }) };
      case "reject":
        return { next: startFlow(rejectFlow, { data: onCase(request) }) };
      case "assign": {
        const colleagues = await assignable(ctx, request.councilId);
        if (colleagues.length === 0) return showCase(ctx, request.id, media, [T.noColleagues(request.caseNumber)]);
        return { next: startFlow(assignFlow, { data: { ...onCase(request), councilId: request.councilId } }) };
      }
      case "handover": {
        const council = await getCouncilWithPlace(ctx.tx, request.councilId);
        return {
          next: startFlow(handoverFlow, {
            data: {
              ...onCase(request),
              fromCouncilId: request.councilId,
              fromCouncil: council?.name ?? T.unknownCouncil,
              provinceId: council?.provinceId ?? 0,
            },
          }),
        };
      }
    }
  }

  const entries: MenuEntry[] = [
    {
      id: CASES_ENTRY,
      label: T.menu,
      keywords: ["คำขอที่รอดำเนินการ", "รอดำเนินการ", "คำขอค้าง", "เคสค้าง"],
      listed: false,
      // Staff can type a case number (from a phone call, the digest) to open its card.
      matches: (typed) => caseNumberOf(typed) !== null,
      visible: isCaseStaff,
      open,
    },
  ];

  return defineModule({
    name: "cases",
    entries,
    flows: [resolveFlow, rejectFlow, handoverFlow, assignFlow],
    staffActions: CASE_STAFF_ACTIONS,
  });
}
