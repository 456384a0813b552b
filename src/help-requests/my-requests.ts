// "My requests" (คำขอของฉัน): a villager's own help requests (flood and
// housing), the latest change first; one opens as a card with its history,
// and while it is still open the villager can add photos or a note, or
// cancel it.
//
// Request ids arrive in postback data, which can be forged: a request that
// is not the user's own gets the same "not found" as one that does not
// exist. The flows keep the id in their data and check it again, under a row
// lock, when they complete: a secretary may have closed the request meanwhile.
import { isOpenStatus, STATUS_COLORS } from "./request-status.ts";
import { z } from "zod";
import type { Engine } from "../engine/engine.ts";
import { decodePostback, encodePostback } from "../engine/postback.ts";
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
import type { HelpRequestStatus } from "../generated/prisma/client.ts";
import { maskPhone, parseThaiPhone } from "../members/phone.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { redactNationalIds } from "../welfare-fund/national-id.ts";
import type { MediaLinks } from "../http/media.ts";
import { replaceThaiPhones } from "../log.ts";
import { notifyCouncilOfUpdate } from "./case-notify.ts";
import { photoCarousel, shownPhotos } from "./case-photos.ts";
import {
  attachPhotos,
  councilNamesOf,
  countOwnRequests,
  findOwnRequest,
  hasOwnRequests,
  latestEvents,
  lockOwnRequest,
  ownRequestsPage,
  recordRequestEvent,
  requestStatusOf,
  setRequestStatus,
} from "./request-store.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { KIND_LIST, kindOf } from "./kinds/index.ts";

export const MY_REQUESTS_ENTRY = "my-requests";
export const REQUEST_PHOTO_FLOW = "request-photo";
export const REQUEST_NOTE_FLOW = "request-note";
export const REQUEST_CANCEL_FLOW = "request-cancel";

/** Bubbles per carousel page (LINE allows 12). */
export const PAGE_SIZE = 10;
const HISTORY_ROWS = 10;
export const MAX_PHOTOS_PER_ADDITION = 5;
const NOTE_MAX = 500;
const REASON_MAX = 200;
/** History notes are cut on the card; the whole note stays in the database. */
const NOTE_SHOWN = 120;

/** Statuses in which the villager may still add to or cancel a request. */
const isOpen = isOpenStatus;

const SKIP = "~skip";
const CANCEL_REASONS = ["helped", "solved", "duplicate", "other"] as const;
type CancelReason = (typeof CANCEL_REASONS)[number];

const text = (t: string): Reply => ({ kind: "text", text: t });

// --- postback arguments ------------------------------------------------------

type Verb = "open" | "page" | "photo" | "note" | "cancel";

/** "42" opens request 42, "page:1" the second list page, "photo:42" … start a flow. At most 9 digits: always an INTEGER. */
const argSchema = z
  .string()
  .regex(/^(?:(?:page|photo|note|cancel):)?\d{1,9}$/)
  .transform((arg) => {
    const [verb, n] = arg.includes(":") ? arg.split(":") : ["open", arg];
    return { verb: verb as Verb, n: Number(n) };
  });

const arg = (verb: Verb, n: number) => (verb === "open" ? String(n) : `${verb}:${n}`);
const entryData = (verb: Verb, n: number) => encodePostback({ kind: "menu", entry: MY_REQUESTS_ENTRY, arg: arg(verb, n) });

// --- what a card shows -------------------------------------------------------

/**
 * A note on a staff card: phone numbers typed into it (however typed: the
 * log scrubber's pattern) shown masked as the card's own phone is, and
 * national IDs hidden (PDPA).
 */
export function maskNote(note: string): string {
  const masked = replaceThaiPhones(redactNationalIds(note), (m) => {
    const phone = parseThaiPhone(m.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50)));
    return phone ? maskPhone(phone) : m;
  });
  return shortNote(masked);
}

/** A note on the villager's own card: as written (it is about them), cut to fit; national IDs still hidden. */
export function shortNote(note: string): string {
  const shown = redactNationalIds(note);
  const chars = [...shown];
  return chars.length <= NOTE_SHOWN ? shown : `${chars.slice(0, NOTE_SHOWN - 1).join("")}…`;
}

interface HistoryEvent {
  kind: "CREATED" | "STATUS" | "NOTE" | "PHOTO" | "HANDOVER" | "ASSIGN";
  byStaff: boolean;
  toStatus: HelpRequestStatus | null;
  toCouncilId: number | null;
  note: string | null;
}

function describeEvent(e: HistoryEvent, councils: Map<number, string>): string {
  const note = e.note ? shortNote(e.note) : null;
  const withNote = (what: string) => (note ? `${what}\n“${note}”` : what);
  switch (e.kind) {
    case "CREATED":
      return T.history.CREATED;
    case "STATUS":
      if (e.toStatus === "CANCELLED" && !e.byStaff) return withNote(T.history.cancelled);
      return withNote(T.history.statusTo(e.toStatus ? T.statuses[e.toStatus] : "-"));
    case "NOTE":
      return withNote(e.byStaff ? T.history.staffNote : T.history.note);
    case "PHOTO":
      return note ? `${T.history.photo} ${note}` : T.history.photo;
    case "HANDOVER": {
      const council = e.toCouncilId !== null ? councils.get(e.toCouncilId) : undefined;
      return withNote(council ? T.history.handover(council) : T.history.handoverUnknown);
    }
    case "ASSIGN":
      return T.history.assigned;
  }
}

function actionButton(label: string, data: string, style: "primary" | "secondary" | "link") {
  return renderFlexTemplate("request-action-button", { label, data, style });
}

async function detailCard(ctx: TurnContext, id: number): Promise<Reply | null> {
  const request = await findOwnRequest(ctx.tx, id, ctx.userId);
  if (!request) return null;
  const events = await latestEvents(ctx.tx, id, HISTORY_ROWS);
  const councils = await councilNamesOf(
    ctx.tx,
    events.flatMap((e) => (e.toCouncilId !== null ? [e.toCouncilId] : [])),
  );
  const rows = events.map((e) => renderFlexTemplate("request-history-row", { at: thaiDateTime(e.at), what: describeEvent(e, councils) }));
  const actions = isOpen(request.status)
    ? [
        actionButton(T.buttons.photo, entryData("photo", id), "secondary"),
        actionButton(T.buttons.note, entryData("note", id), "secondary"),
        actionButton(T.buttons.cancel, entryData("cancel", id), "link"),
      ]
    : [];
  actions.push(actionButton(T.buttons.all, encodePostback({ kind: "menu", entry: MY_REQUESTS_ENTRY }), "link"));
  const status = T.statuses[request.status];
  const card = renderFlexTemplate(
    "request-detail",
    {
      caseNumber: request.caseNumber,
      kind: kindOf(request.kind).names.card,
      status,
      statusColor: STATUS_COLORS[request.status],
      council: request.council.name,
      createdAt: thaiDateTime(request.createdAt),
      photos: T.photos(request._count.photos),
      historyNote: T.historyShown(events.length, request._count.history),
    },
    { history: rows, actions },
  );
  return { kind: "flex", altText: T.detailAlt(request.caseNumber, status), contents: card };
}

// --- the module --------------------------------------------------------------

export interface MyRequestsModule {
  flows: FlowDef[];
  menu: MenuEntry[];
}

/** `media`: signs the links of the after-photos shown once a request is resolved (none without it). */
export function myRequestsModule(options: { engine: () => Engine; media?: MediaLinks }): MyRequestsModule {
  const menuButtons = async (ctx: TurnContext, first: Button[] = []): Promise<Button[]> =>
    (await options.engine().menuWith(ctx, [], first)).buttons;
  const notFound = async (ctx: TurnContext): Promise<Outgoing> => options.engine().menu(ctx, [text(T.notFound)]);

  /** The lead lines, then the request's card (or "not found"), with the menu as quick replies. */
  async function showRequest(ctx: TurnContext, id: number, lead: string[] = []): Promise<Outgoing> {
    const card = await detailCard(ctx, id);
    if (!card) return notFound(ctx);
    // Resolved: the villager sees what was done (the secretary's after-photos).
    const request = await requestStatusOf(ctx.tx, id);
    const after =
      request?.status === "RESOLVED"
        ? photoCarousel(await shownPhotos(ctx.tx, id, options.media, ctx.now, "AFTER"), request.caseNumber)
        : null;
    return { replies: [...lead.map(text), card, ...(after ? [after] : [])], buttons: await menuButtons(ctx) };
  }

  async function list(ctx: TurnContext, page: number): Promise<Outgoing> {
    const total = await countOwnRequests(ctx.tx, ctx.userId);
    if (total === 0) {
      // Offer the entries to file one, as far as they exist (housing may not).
      const { buttons } = await options.engine().menu(ctx);
      const filing = buttons.filter((b) => {
        if (b.kind !== "postback") return false;
        const pb = decodePostback(b.data);
        return pb.kind === "menu" && KIND_LIST.some((k) => k.entry.ref.id === pb.entry);
      });
      return { replies: [text(T.none)], buttons: await menuButtons(ctx, filing) };
    }
    const pages = Math.ceil(total / PAGE_SIZE);
    const p = Math.min(Math.max(page, 0), pages - 1);
    const requests = await ownRequestsPage(ctx.tx, ctx.userId, { skip: p * PAGE_SIZE, take: PAGE_SIZE });
    const bubbles = requests.map((r) =>
      renderFlexTemplate("request-list-item", {
        caseNumber: r.caseNumber,
        kind: kindOf(r.kind).names.card,
        status: T.statuses[r.status],
        statusColor: STATUS_COLORS[r.status],
        updatedAt: thaiDateTime(r.updatedAt),
        detailData: entryData("open", r.id),
      }),
    );
    const paging: Button[] = [];
    const pageButton = (label: string, n: number): Button => ({ kind: "postback", label, data: entryData("page", n), displayText: label });
    if (p < pages - 1) paging.push(pageButton(T.more, p + 1));
    else if (p > 0) paging.push(pageButton(T.firstPage, 0));
    const from = p * PAGE_SIZE + 1;
    return {
      replies: [
        text(T.listLead(total, from, from + requests.length - 1)),
        { kind: "flex", altText: T.listAlt(total), contents: { type: "carousel", contents: bubbles } },
      ],
      buttons: await menuButtons(ctx, paging),
    };
  }

  /** Starts one of the flows on the user's own, still open request. */
  async function startOn(ctx: TurnContext, flowId: string, id: number): Promise<Outgoing> {
    const request = await findOwnRequest(ctx.tx, id, ctx.userId);
    if (!request) return notFound(ctx);
    if (!isOpen(request.status)) return showRequest(ctx, id, [T.closed(request.caseNumber, T.statuses[request.status])]);
    return options.engine().startFlow(ctx, flowId, { data: { requestId: id, caseNumber: request.caseNumber } });
  }

  async function open(ctx: TurnContext, raw?: string): Promise<Outgoing> {
    if (raw === undefined) return list(ctx, 0);
    const parsed = argSchema.safeParse(raw);
    if (!parsed.success) return notFound(ctx);
    const { verb, n } = parsed.data;
    switch (verb) {
      case "page":
        return list(ctx, n);
      case "open":
        return showRequest(ctx, n);
      case "photo":
        return startOn(ctx, REQUEST_PHOTO_FLOW, n);
      case "note":
        return startOn(ctx, REQUEST_NOTE_FLOW, n);
      case "cancel":
        return startOn(ctx, REQUEST_CANCEL_FLOW, n);
    }
  }

  /**
   * Locks the request and checks it is still the user's and still open; on
   * a miss, the answer to give instead of acting.
   */
  async function stillOpen(
    ctx: TurnContext,
    data: FlowData,
  ): Promise<{ id: number; caseNumber: string; status: HelpRequestStatus } | Outgoing> {
    const id = Number(data.requestId);
    const request = Number.isSafeInteger(id) ? await lockOwnRequest(ctx.tx, id, ctx.userId) : null;
    if (!request) return notFound(ctx);
    if (!isOpen(request.status)) return showRequest(ctx, id, [T.closed(request.caseNumber, T.statuses[request.status])]);
    return request;
  }
  const isOutgoing = (x: object): x is Outgoing => "replies" in x;

  async function completePhoto(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await stillOpen(ctx, data);
    if (isOutgoing(request)) return request;
    const sent = Array.isArray(data.photos) ? data.photos.filter((x): x is string => typeof x === "string") : [];
    if (sent.length === 0) return showRequest(ctx, request.id, [T.noPhotoAdded(request.caseNumber)]);
    const kept = sent.slice(0, MAX_PHOTOS_PER_ADDITION);
    const added = await attachPhotos(ctx.tx, request.id, kept, { userId: ctx.userId, at: ctx.now });
    // A redelivered image set adds nothing new: no second history line.
    if (added > 0) {
      await recordRequestEvent(ctx.tx, request.id, { kind: "PHOTO", at: ctx.now, actorUserId: ctx.userId, note: T.photoCountNote(added) });
      await notifyCouncilOfUpdate(ctx.tx, request.id, { kind: "photo", added }, ctx.now);
    }
    // added 0: a redelivered set, already in the request (never "เพิ่มรูป 0 รูป").
    const lead = [added > 0 ? T.photosAdded(request.caseNumber, added) : T.photosAlreadyIn(request.caseNumber)];
    if (sent.length > kept.length) lead.push(T.photosCapped(MAX_PHOTOS_PER_ADDITION, sent.length));
    return showRequest(ctx, request.id, lead);
  }

  async function completeNote(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await stillOpen(ctx, data);
    if (isOutgoing(request)) return request;
    await recordRequestEvent(ctx.tx, request.id, { kind: "NOTE", at: ctx.now, actorUserId: ctx.userId, note: String(data.note) });
    await notifyCouncilOfUpdate(ctx.tx, request.id, { kind: "note", note: String(data.note) }, ctx.now);
    return showRequest(ctx, request.id, [T.noteAdded(request.caseNumber)]);
  }

  async function completeCancel(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const request = await stillOpen(ctx, data);
    if (isOutgoing(request)) return request;
    if (data.confirmed !== "yes") return showRequest(ctx, request.id, [T.kept(request.caseNumber)]);
    await setRequestStatus(ctx.tx, request.id, "CANCELLED");
    await recordRequestEvent(ctx.tx, request.id, {
      kind: "STATUS",
      at: ctx.now,
      actorUserId: ctx.userId,
      fromStatus: request.status,
      toStatus: "CANCELLED",
      note: reasonText(data),
    });
    await notifyCouncilOfUpdate(ctx.tx, request.id, { kind: "cancelled", reason: reasonText(data) }, ctx.now);
    return showRequest(ctx, request.id, [T.cancelledDone(request.caseNumber)]);
  }

  const hasRequests = (ctx: TurnContext) => hasOwnRequests(ctx.tx, ctx.userId);

  const menu: MenuEntry[] = [
    {
      // Listed once the villager has filed something: a new follower's menu
      // stays short. Typed keywords and card buttons use the entry below.
      id: "my-requests-menu",
      label: T.menu,
      keywords: [],
      visible: hasRequests,
      open: (ctx) => list(ctx, 0),
    },
    {
      id: MY_REQUESTS_ENTRY,
      label: T.menu,
      keywords: ["คำขอของฉัน", "ติดตามคำขอ", "สถานะคำขอ", "คำขอทั้งหมด", "my requests"],
      listed: false,
      open,
    },
  ];

  return { flows: [photoFlow(completePhoto), noteFlow(completeNote), cancelFlow(completeCancel)], menu };
}

// --- the flows ---------------------------------------------------------------

const caseOf = (ctx: TurnContext) => String(ctx.state.data.caseNumber ?? "");

function photoFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: REQUEST_PHOTO_FLOW,
    version: 1,
    title: T.flowTitles.photo,
    steps: [
      {
        id: "photo",
        slot: "photos",
        prompt: (ctx) => [text(T.askPhoto(caseOf(ctx), MAX_PHOTOS_PER_ADDITION))],
        expects: T.photoExpects,
        input: { kind: "image", skipLabel: T.skip },
      },
    ],
    complete,
  };
}

export function parseRequestNote(typed: string): ParseResult {
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= NOTE_MAX ? { ok: true, value: t } : { ok: false, message: T.noteInvalid };
}

function noteFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: REQUEST_NOTE_FLOW,
    version: 1,
    title: T.flowTitles.note,
    steps: [
      {
        id: "note",
        slot: "note",
        prompt: (ctx) => [text(T.askNote(caseOf(ctx)))],
        expects: T.noteExpects,
        input: { kind: "text", parse: parseRequestNote, prose: true },
      },
    ],
    complete,
  };
}

/** A tapped reason is its code; anything typed is the villager's own reason. */
function parseReason(typed: string): ParseResult {
  if ((CANCEL_REASONS as readonly string[]).includes(typed)) return { ok: true, value: { code: typed } };
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX
    ? { ok: true, value: { code: "other", text: t } }
    : { ok: false, message: T.reasonInvalid };
}

function parseReasonDetail(typed: string): ParseResult {
  if (typed === SKIP) return { ok: true, value: "" };
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX ? { ok: true, value: t } : { ok: false, message: T.reasonInvalid };
}

const reasonSchema = z.object({ code: z.enum(CANCEL_REASONS), text: z.string().optional() });

/** The reason as stored in the history: the typed words, else the chosen label. */
function reasonText(data: FlowData): string {
  const parsed = reasonSchema.safeParse(data.reason);
  const reason = parsed.success ? parsed.data : { code: "other" as CancelReason, text: undefined };
  const detail = typeof data.reasonDetail === "string" && data.reasonDetail ? data.reasonDetail : undefined;
  return reason.text ?? detail ?? T.reasons[reason.code];
}

function cancelFlow(complete: FlowDef["complete"]): FlowDef {
  return {
    id: REQUEST_CANCEL_FLOW,
    version: 1,
    title: T.flowTitles.cancel,
    // ยกเลิก typed on the way stops the cancelling: the request stays, said as such.
    cancelled: T.keptAny,
    steps: [
      {
        id: "reason",
        slot: "reason",
        clears: ["reasonDetail"],
        prompt: (ctx) => [text(T.askReason(caseOf(ctx)))],
        expects: T.reasonExpects,
        input: {
          kind: "text",
          parse: parseReason,
          suggestions: () => CANCEL_REASONS.map((code) => ({ label: T.reasons[code], value: code })),
          prose: true,
        },
        // "อื่น ๆ" tapped without words: ask for them (optional).
        next: (data) => {
          const r = reasonSchema.safeParse(data.reason);
          return r.success && r.data.code === "other" && r.data.text === undefined ? "detail" : "confirm";
        },
      },
      {
        id: "detail",
        slot: "reasonDetail",
        prompt: () => [text(T.askReasonDetail)],
        expects: T.reasonDetailExpects,
        input: { kind: "text", parse: parseReasonDetail, suggestions: () => [{ label: T.skip, value: SKIP }], prose: true },
      },
      {
        id: "confirm",
        slot: "confirmed",
        prompt: (ctx) => [text(T.confirmCancel(caseOf(ctx), shortNote(reasonText(ctx.state.data))))],
        expects: T.confirmExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.confirm, value: "yes" },
            { label: T.keep, value: "no" },
          ],
        },
        // ยืนยันยกเลิกคำขอ / ไม่ยกเลิก: no third cancel word beside them.
        ownCancel: true,
        next: () => END,
      },
    ],
    complete,
  };
}
