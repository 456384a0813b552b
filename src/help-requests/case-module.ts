// Case handling by secretaries and coordinators: the pending list
// (คำขอที่รอดำเนินการ), the staff card of a request, and its actions —
// accept and start at once; resolve, reject and hand over through short
// flows. One menu entry carries them all as its argument ("accept:42"); it
// is visible to secretaries and coordinators only, so a villager's forged
// postback gets the normal menu, and every action checks the council and the
// status again (case-actions.ts), at the start of a flow and at its end.
import { z } from "zod";
import type { Engine } from "../engine/engine.ts";
import { encodePostback } from "../engine/postback.ts";
import {
  END,
  type Button,
  type FlowData,
  type FlowDef,
  type MenuEntry,
  type Outgoing,
  type ParseResult,
  type Reply,
  type TurnContext,
} from "../engine/types.ts";
import { getCouncilWithPlace, listCouncilsInDistrict, listDistricts } from "../geography/councils.ts";
import { districtTitle } from "../members/signup-flow.ts";
import { staffOnly, type StaffAction } from "../staff/staff-module.ts";
import { canHandleCouncil, councilsInScope, secretariesOf } from "../staff/roles.ts";
import { thaiDateTime } from "../thai/format.ts";
import { CASE_NUMBER_PATTERN } from "./case-number.ts";
import { assignCase, changeStatus, checkCase, handOver, type CaseCheck } from "./case-actions.ts";
import { acceptance, caseIdByNumber, loadCase, pendingCases, type LockedCase } from "./case-store.ts";
import type { MediaLinks } from "../http/media.ts";
import { CASES_ENTRY, caseData, detailCard, listBubble, staffNamesOf, type CaseVerb } from "./case-card.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { maskNote } from "./request-notes.ts";
import { attachPhotos, recordRequestEvent } from "./request-store.ts";

export const CASE_RESOLVE_FLOW = "case-resolve";
export const CASE_REJECT_FLOW = "case-reject";
export const CASE_HANDOVER_FLOW = "case-handover";
export const CASE_ASSIGN_FLOW = "case-assign";

/** Bubbles per carousel page (LINE allows 12). */
export const CASE_PAGE_SIZE = 10;
export const MAX_AFTER_PHOTOS = 3;
const NOTE_MAX = 300;
const REASON_MAX = 200;
const MAX_QUICK_REPLIES = 13;
const SKIP = "~skip";
const STAFF_ROLES = ["SECRETARY", "COORDINATOR"] as const;

/** The staff home's button for the pending list (staffModule({ actions })). */
export const CASE_STAFF_ACTIONS: readonly StaffAction[] = [{ entry: CASES_ENTRY, label: T.menu, roles: STAFF_ROLES }];

const REJECT_REASONS = ["criteria", "incomplete", "duplicate", "helped", "other"] as const;

const text = (t: string): Reply => ({ kind: "text", text: t });
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** "42", "page:1", "accept:42", …; at most 9 digits: always an INTEGER. */
const argSchema = z
  .string()
  .regex(/^(?:(?:page|accept|progress|resolve|reject|handover|assign):)?\d{1,9}$/)
  .transform((arg) => {
    const [verb, n] = arg.includes(":") ? arg.split(":") : ["open", arg];
    return { verb: verb as CaseVerb | "open" | "page", n: Number(n) };
  });

export interface CaseModule {
  flows: FlowDef[];
  menu: MenuEntry[];
  staffActions: readonly StaffAction[];
}

const isCaseStaff = staffOnly(...STAFF_ROLES);

/** A typed case number ("ssk-f-6911-0042 " too), upper-cased; null for anything else. */
function caseNumberOf(typed: string): string | null {
  const t = typed.trim().toUpperCase();
  return CASE_NUMBER_PATTERN.test(t) ? t : null;
}

/** `media`: signs the links of the photos on cards (none without it). */
export function caseHandlingModule(options: { engine: () => Engine; media?: MediaLinks }): CaseModule {
  /** The menu's buttons with the pending list first: where staff go next. */
  async function menuButtons(ctx: TurnContext, first: Button[] = []): Promise<Button[]> {
    const { buttons } = await options.engine().menu(ctx);
    // Not offered to someone who just lost the role (refused at the end of a flow).
    const list: Button[] = (await isCaseStaff(ctx))
      ? [
          {
            kind: "postback",
            label: T.buttons.list,
            data: encodePostback({ kind: "menu", entry: CASES_ENTRY }),
            displayText: T.buttons.list,
          },
        ]
      : [];
    const own = new Set([...first, ...list].map((b) => b.label));
    return [...first, ...list, ...buttons.filter((b) => !own.has(b.label))].slice(0, MAX_QUICK_REPLIES);
  }
  const say = async (ctx: TurnContext, lead: string[]): Promise<Outgoing> => ({ replies: lead.map(text), buttons: await menuButtons(ctx) });
  const notFound = (ctx: TurnContext) => say(ctx, [T.notFound]);

  /** The lead lines and the request's staff card; without access (handed away), only the lines. */
  async function showCase(ctx: TurnContext, id: number, lead: string[] = []): Promise<Outgoing> {
    const request = await loadCase(ctx.tx, id);
    if (!request || !(await canHandleCouncil(ctx.tx, ctx.userId, request.councilId))) {
      return lead.length > 0 ? say(ctx, lead) : notFound(ctx);
    }
    return {
      replies: [...lead.map(text), ...(await detailCard(ctx.tx, request, { media: options.media, now: ctx.now }))],
      buttons: await menuButtons(ctx),
    };
  }

  /** Why the action cannot be done now, with the current card. */
  async function refusal(ctx: TurnContext, check: Exclude<CaseCheck, { ok: true }>, verb: CaseVerb): Promise<Outgoing> {
    if (check.reason === "not-found") return notFound(ctx);
    const r = check.request;
    if (verb === "accept" && (r.status === "ACCEPTED" || r.status === "IN_PROGRESS")) {
      const by = await acceptance(ctx.tx, r.id);
      if (by?.actorUserId === ctx.userId) return showCase(ctx, r.id, [T.alreadyAcceptedByYou(r.caseNumber)]);
      const name = by?.actorUserId ? (await staffNamesOf(ctx.tx, [by.actorUserId])).get(by.actorUserId) : undefined;
      return showCase(ctx, r.id, [T.alreadyAcceptedBy(r.caseNumber, name ?? T.anotherStaff, by ? thaiDateTime(by.at) : T.dash)]);
    }
    return showCase(ctx, r.id, [T.notAllowed(r.caseNumber, T.statuses[r.status], T.actionNames[verb])]);
  }

  // --- the pending list --------------------------------------------------------

  async function list(ctx: TurnContext, page: number): Promise<Outgoing> {
    const councils = await councilsInScope(ctx.tx, ctx.userId);
    const { total, page: p, pages, offset, requests } = await pendingCases(ctx.tx, councils, page, CASE_PAGE_SIZE);
    if (total === 0) return say(ctx, [T.listNone]);
    const paging: Button[] = [];
    const pageButton = (label: string, n: number): Button => ({ kind: "postback", label, data: caseData("page", n), displayText: label });
    if (p < pages - 1) paging.push(pageButton(T.buttons.more, p + 1));
    else if (p > 0) paging.push(pageButton(T.buttons.firstPage, 0));
    return {
      replies: [
        text(T.listLead(total, offset + 1, offset + requests.length)),
        { kind: "flex", altText: T.listAlt(total), contents: { type: "carousel", contents: requests.map(listBubble) } },
      ],
      buttons: await menuButtons(ctx, paging),
    };
  }

  // --- the entry ---------------------------------------------------------------

  async function open(ctx: TurnContext, raw?: string): Promise<Outgoing> {
    if (raw === undefined) return list(ctx, 0);
    const typed = caseNumberOf(raw);
    if (typed) {
      const found = await caseIdByNumber(ctx.tx, typed);
      return found !== null ? showCase(ctx, found) : notFound(ctx);
    }
    const parsed = argSchema.safeParse(raw);
    if (!parsed.success) return notFound(ctx);
    const { verb, n } = parsed.data;
    if (verb === "page") return list(ctx, n);
    if (verb === "open") return showCase(ctx, n);
    const check = await checkCase(ctx.tx, ctx.userId, n, verb);
    if (!check.ok) return refusal(ctx, check, verb);
    const request = check.request;
    switch (verb) {
      case "accept":
        await changeStatus(ctx.tx, request, "accept", { userId: ctx.userId, now: ctx.now });
        return showCase(ctx, request.id, [T.accepted(request.caseNumber)]);
      case "progress":
        await changeStatus(ctx.tx, request, "progress", { userId: ctx.userId, now: ctx.now });
        return showCase(ctx, request.id, [T.progressed(request.caseNumber)]);
      case "resolve":
        return options.engine().startFlow(ctx, CASE_RESOLVE_FLOW, { data: flowData(request) });
      case "reject":
        return options.engine().startFlow(ctx, CASE_REJECT_FLOW, { data: flowData(request) });
      case "assign": {
        const colleagues = await assignable(ctx, request.councilId);
        if (colleagues.length === 0) return showCase(ctx, request.id, [T.noColleagues(request.caseNumber)]);
        return options.engine().startFlow(ctx, CASE_ASSIGN_FLOW, { data: { ...flowData(request), councilId: request.councilId } });
      }
      case "handover": {
        const council = await getCouncilWithPlace(ctx.tx, request.councilId);
        return options.engine().startFlow(ctx, CASE_HANDOVER_FLOW, {
          data: {
            ...flowData(request),
            fromCouncilId: request.councilId,
            fromCouncil: council?.name ?? T.unknownCouncil,
            provinceId: council?.provinceId ?? 0,
          },
        });
      }
    }
  }

  const flowData = (r: LockedCase) => ({ requestId: r.id, caseNumber: r.caseNumber });

  /** Checks again at the end of a flow: the status or the user's roles may have changed meanwhile. */
  async function recheck(ctx: TurnContext, data: FlowData, verb: CaseVerb): Promise<LockedCase | Outgoing> {
    const check = await checkCase(ctx.tx, ctx.userId, Number(data.requestId), verb);
    return check.ok ? check.request : refusal(ctx, check, verb);
  }
  const isOutgoing = (x: object): x is Outgoing => "replies" in x;

  async function completeResolve(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await recheck(ctx, data, "resolve");
    if (isOutgoing(request)) return request;
    if (data.confirmed !== "yes") return showCase(ctx, request.id, [T.unchanged(request.caseNumber)]);
    const photos = strings(data.photos).slice(0, MAX_AFTER_PHOTOS);
    const added = await attachPhotos(ctx.tx, request.id, photos, { userId: ctx.userId, at: ctx.now, stage: "AFTER" });
    if (added > 0) {
      await recordRequestEvent(ctx.tx, request.id, {
        kind: "PHOTO",
        at: ctx.now,
        actorUserId: ctx.userId,
        byStaff: true,
        note: T.photos(0, added),
      });
    }
    const note = typeof data.note === "string" && data.note ? data.note : null;
    await changeStatus(ctx.tx, request, "resolve", { userId: ctx.userId, now: ctx.now, note });
    return showCase(ctx, request.id, [T.resolved(request.caseNumber)]);
  }

  async function completeReject(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await recheck(ctx, data, "reject");
    if (isOutgoing(request)) return request;
    if (data.confirmed !== "yes") return showCase(ctx, request.id, [T.unchanged(request.caseNumber)]);
    await changeStatus(ctx.tx, request, "reject", { userId: ctx.userId, now: ctx.now, note: rejectReason(data) });
    return showCase(ctx, request.id, [T.rejected(request.caseNumber)]);
  }

  async function completeHandover(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await recheck(ctx, data, "handover");
    if (isOutgoing(request)) return request;
    if (data.confirmed !== "yes") return showCase(ctx, request.id, [T.unchanged(request.caseNumber)]);
    const from = await getCouncilWithPlace(ctx.tx, request.councilId);
    const target = await getCouncilWithPlace(ctx.tx, Number(data.councilId));
    if (!from || !target?.active || target.id === from.id || target.provinceId !== from.provinceId) {
      return showCase(ctx, request.id, [T.handoverTargetGone]);
    }
    await handOver(ctx.tx, request, target.id, { userId: ctx.userId, now: ctx.now });
    // A coordinator above both councils still sees the card; the old secretary only the line.
    return showCase(ctx, request.id, [T.handedOver(request.caseNumber, target.name)]);
  }

  async function completeAssign(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await recheck(ctx, data, "assign");
    if (isOutgoing(request)) return request;
    const to = String(data.assignee ?? "");
    // The colleague may have lost the role, or the case moved to another council, meanwhile.
    if (!(await secretariesOf(ctx.tx, request.councilId)).includes(to)) return showCase(ctx, request.id, [T.assigneeGone]);
    await assignCase(ctx.tx, request, to, { userId: ctx.userId, now: ctx.now });
    if (to === ctx.userId) return showCase(ctx, request.id, [T.assignedSelf(request.caseNumber)]);
    const name = (await staffNamesOf(ctx.tx, [to])).get(to) ?? T.history.byStaff;
    return showCase(ctx, request.id, [T.assigned(request.caseNumber, name)]);
  }

  const menu: MenuEntry[] = [
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

  return {
    flows: [resolveFlow(completeResolve), rejectFlow(completeReject), handoverFlow(completeHandover), assignFlow(completeAssign)],
    menu,
    staffActions: CASE_STAFF_ACTIONS,
  };
}

// --- the flows -------------------------------------------------------------------

/**
 * Whom a case of the council can be given to: its secretaries (the council's
 * own staff), the user first as "ตัวฉันเอง", each by name (staffNamesOf);
 * labels made unique and ≤ 20 characters (quick replies).
 */
async function assignable(ctx: TurnContext, councilId: number): Promise<{ label: string; value: string }[]> {
  const ids = await secretariesOf(ctx.tx, councilId);
  const others = ids.filter((id) => id !== ctx.userId);
  if (others.length === 0) return [];
  const names = await staffNamesOf(ctx.tx, others);
  const used = new Map<string, number>();
  const choices = others.map((id) => {
    const name = [...(names.get(id) ?? T.history.byStaff).replace(`${T.history.byStaff} `, "")];
    const base = name.length <= 20 ? name.join("") : `${name.slice(0, 19).join("")}…`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const label = n === 1 ? base : `${[...base].slice(0, 16).join("")} (${n})`;
    return { label, value: id };
  });
  return ids.includes(ctx.userId) ? [{ label: T.me, value: ctx.userId }, ...choices] : choices;
}

function assignFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: CASE_ASSIGN_FLOW,
    version: 1,
    title: T.flowTitles.assign,
    steps: [
      {
        id: "assignee",
        slot: "assignee",
        prompt: (ctx) => [text(T.askAssignee(caseOf(ctx)))],
        expects: T.assigneeExpects,
        input: { kind: "choice", choices: (ctx) => assignable(ctx, Number(ctx.state.data.councilId)) },
        next: () => END,
      },
    ],
    complete,
  };
}

const caseOf = (ctx: TurnContext) => String(ctx.state.data.caseNumber ?? "");

function parseNote(typed: string): ParseResult {
  if (typed === SKIP) return { ok: true, value: "" };
  const t = typed.trim();
  return [...t].length <= NOTE_MAX ? { ok: true, value: t } : { ok: false, message: T.noteInvalid };
}

function resolveFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: CASE_RESOLVE_FLOW,
    version: 1,
    title: T.flowTitles.resolve,
    steps: [
      {
        id: "photo",
        slot: "photos",
        prompt: (ctx) => [text(T.askAfterPhoto(caseOf(ctx), MAX_AFTER_PHOTOS))],
        expects: T.afterPhotoExpects,
        input: { kind: "image", skipLabel: T.skip, max: MAX_AFTER_PHOTOS, tooMany: T.tooManyAfterPhotos(MAX_AFTER_PHOTOS) },
      },
      {
        id: "note",
        slot: "note",
        prompt: () => [text(T.askResolveNote)],
        expects: T.resolveNoteExpects,
        input: { kind: "text", parse: parseNote, suggestions: () => [{ label: T.skip, value: SKIP }], prose: true },
      },
      {
        id: "confirm",
        slot: "confirmed",
        prompt: (ctx) => {
          const note = typeof ctx.state.data.note === "string" && ctx.state.data.note ? maskNote(ctx.state.data.note) : null;
          return [text(T.confirmResolve(caseOf(ctx), strings(ctx.state.data.photos).length, note))];
        },
        expects: T.confirmResolveExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.confirmResolveYes, value: "yes" },
            { label: T.confirmResolveNo, value: "no" },
          ],
        },
        next: () => END,
      },
    ],
    complete,
  };
}

/** A tapped reason is its code; anything typed is the secretary's own reason. */
function parseReason(typed: string): ParseResult {
  if ((REJECT_REASONS as readonly string[]).includes(typed)) return { ok: true, value: { code: typed } };
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX
    ? { ok: true, value: { code: "other", text: t } }
    : { ok: false, message: T.reasonInvalid };
}

function parseReasonDetail(typed: string): ParseResult {
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX ? { ok: true, value: t } : { ok: false, message: T.reasonInvalid };
}

const reasonSchema = z.object({ code: z.enum(REJECT_REASONS), text: z.string().optional() });

/** The reason as stored and told to the villager: the typed words, else the chosen label. */
function rejectReason(data: FlowData): string {
  const parsed = reasonSchema.safeParse(data.reason);
  const reason = parsed.success ? parsed.data : { code: "other" as const, text: undefined };
  const detail = typeof data.reasonDetail === "string" && data.reasonDetail ? data.reasonDetail : undefined;
  return reason.text ?? detail ?? T.rejectReasons[reason.code];
}

function rejectFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: CASE_REJECT_FLOW,
    version: 1,
    title: T.flowTitles.reject,
    steps: [
      {
        id: "reason",
        slot: "reason",
        clears: ["reasonDetail"],
        prompt: (ctx) => [text(T.askRejectReason(caseOf(ctx)))],
        expects: T.rejectReasonExpects,
        input: {
          kind: "text",
          parse: parseReason,
          suggestions: () => REJECT_REASONS.map((code) => ({ label: T.rejectReasonLabels[code], value: code })),
          prose: true,
        },
        // "อื่น ๆ" tapped without words: the villager needs to read a reason.
        next: (data) => {
          const r = reasonSchema.safeParse(data.reason);
          return r.success && r.data.code === "other" && r.data.text === undefined ? "detail" : "confirm";
        },
      },
      {
        id: "detail",
        slot: "reasonDetail",
        prompt: () => [text(T.askRejectDetail)],
        expects: T.rejectDetailExpects,
        input: { kind: "text", parse: parseReasonDetail, prose: true },
      },
      {
        id: "confirm",
        slot: "confirmed",
        prompt: (ctx) => [text(T.confirmReject(caseOf(ctx), maskNote(rejectReason(ctx.state.data))))],
        expects: T.confirmRejectExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.confirmRejectYes, value: "yes" },
            { label: T.confirmNo, value: "no" },
          ],
        },
        next: () => END,
      },
    ],
    complete,
  };
}

function handoverFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: CASE_HANDOVER_FLOW,
    version: 1,
    title: T.flowTitles.handover,
    steps: [
      {
        id: "district",
        slot: "districtId",
        clears: ["councilId"],
        prompt: (ctx) => [text(T.askHandoverDistrict(caseOf(ctx)))],
        expects: T.handoverDistrictExpects,
        input: {
          kind: "choice",
          choices: async (ctx) =>
            (await listDistricts(ctx.tx, Number(ctx.state.data.provinceId))).map((d) => ({ label: d.nameTh, value: String(d.id) })),
        },
      },
      {
        id: "council",
        slot: "councilId",
        prompt: async (ctx) => {
          const districts = await listDistricts(ctx.tx, Number(ctx.state.data.provinceId));
          const district = districts.find((d) => String(d.id) === ctx.state.data.districtId);
          return [text(T.askHandoverCouncil(district ? districtTitle(district.nameTh) : "อำเภอที่เลือก"))];
        },
        expects: T.handoverCouncilExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => {
            const councils = (await listCouncilsInDistrict(ctx.tx, Number(ctx.state.data.districtId))).filter(
              (c) => c.id !== Number(ctx.state.data.fromCouncilId),
            );
            // Several councils in one tambon are told apart by their full name.
            const perTambon = new Map<string, number>();
            for (const c of councils) perTambon.set(c.tambonNameTh, (perTambon.get(c.tambonNameTh) ?? 0) + 1);
            return councils.map((c) => ({ label: perTambon.get(c.tambonNameTh)! > 1 ? c.name : c.tambonNameTh, value: String(c.id) }));
          },
        },
      },
      {
        id: "confirm",
        slot: "confirmed",
        prompt: async (ctx) => {
          const target = await getCouncilWithPlace(ctx.tx, Number(ctx.state.data.councilId));
          const to = target ? `${target.name} ${districtTitle(target.districtNameTh)}` : T.unknownCouncil;
          return [text(T.confirmHandover(caseOf(ctx), String(ctx.state.data.fromCouncil ?? T.unknownCouncil), to))];
        },
        expects: T.confirmHandoverExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.confirmHandoverYes, value: "yes" },
            { label: T.confirmNo, value: "no" },
          ],
        },
        next: () => END,
      },
    ],
    complete,
  };
}
