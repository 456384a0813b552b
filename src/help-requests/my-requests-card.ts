// The villager's own card of a request ("my requests"): its status, its
// history and, while it is open, buttons to add a photo or a note or to
// cancel it; once resolved, the secretary's after-photos. Shared by the
// module (my-requests.ts) and its flows (request-*-flow.ts), which also
// check here, under a row lock, that the request is still open.
import { z } from "zod";
import { showMenu, withMenu, type Outcome } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import { entryRef } from "../engine/refs.ts";
import type { Reply, TurnContext } from "../engine/types.ts";
import type { HelpRequestEventKind, HelpRequestStatus } from "../generated/prisma/client.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { photoCarousel, shownPhotos } from "./case-photos.ts";
import { kindOf } from "./kinds/index.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { shortNote } from "./request-notes.ts";
import { isOpenStatus, STATUS_COLORS } from "./request-status.ts";
import { councilNamesOf, findOwnRequest, latestEvents, lockOwnRequest, requestStatusOf } from "./request-store.ts";
import { aidOfRequests } from "../disaster/aid-store.ts";
import { AID_TEXT, aidReceivedText } from "../disaster/aid-texts.ts";

/** The "my requests" entry (my-requests.ts): the card's buttons and the villager's status messages open it. */
export const MY_REQUESTS = entryRef("my-requests");

const HISTORY_ROWS = 10;

export const text = (t: string): Reply => ({ kind: "text", text: t });

/** What the my-requests flows start with: the request, checked again when they complete (stillOpen). */
export const ON_REQUEST = { requestId: z.number(), caseNumber: z.string() };
export type OnRequest = { requestId: number; caseNumber: string };

/** The flow's request, for its questions. */
export const caseOf = (ctx: TurnContext) => String(ctx.state.data.caseNumber ?? "");

/** What the entry's argument asks: "42" opens request 42, "page:1" the second list page, "photo:42" … start a flow. */
export type Verb = "open" | "page" | "photo" | "note" | "cancel";

const arg = (verb: Verb, n: number) => (verb === "open" ? String(n) : `${verb}:${n}`);
export const entryData = (verb: Verb, n: number) => encodePostback({ kind: "menu", entry: MY_REQUESTS.id, arg: arg(verb, n) });

interface HistoryEvent {
  kind: HelpRequestEventKind;
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
  const actions = isOpenStatus(request.status)
    ? [
        actionButton(T.buttons.photo, entryData("photo", id), "secondary"),
        actionButton(T.buttons.note, entryData("note", id), "secondary"),
        actionButton(T.buttons.cancel, entryData("cancel", id), "link"),
      ]
    : [];
  actions.push(actionButton(T.buttons.all, encodePostback({ kind: "menu", entry: MY_REQUESTS.id }), "link"));
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

/** A request that is not the user's answers as one that does not exist. */
export const notFound = (): Outcome => ({ say: [text(T.notFound)], next: showMenu() });

/**
 * The lead lines, then the request's card (or "not found"), with the menu
 * as quick replies. `media` signs the links of the after-photos shown once
 * the request is resolved (none without it).
 */
export async function showRequest(ctx: TurnContext, id: number, media: MediaLinks | undefined, lead: string[] = []): Promise<Outcome> {
  const card = await detailCard(ctx, id);
  if (!card) return notFound();
  // Resolved: the villager sees what was done (the secretary's after-photos).
  const request = await requestStatusOf(ctx.tx, id);
  const after =
    request?.status === "RESOLVED" ? photoCarousel(await shownPhotos(ctx.tx, id, media, ctx.now, "AFTER"), request.caseNumber) : null;
  // Flood relief recorded against the request by its secretary (src/disaster/aid-*.ts).
  const aid = await aidOfRequests(ctx.tx, [id]);
  const received = aid.length > 0 && request ? [text(aidReceivedText(AID_TEXT.forRequestOf(request.caseNumber), aid))] : [];
  return { say: [...lead.map(text), card, ...received, ...(after ? [after] : [])], next: withMenu() };
}

/** The card with a line saying why the request can no longer be changed. */
export const showClosed = (ctx: TurnContext, r: { id: number; caseNumber: string; status: HelpRequestStatus }, media?: MediaLinks) =>
  showRequest(ctx, r.id, media, [T.closed(r.caseNumber, T.statuses[r.status])]);

export type StillOpen = { ok: true; id: number; caseNumber: string; status: HelpRequestStatus } | { ok: false; answer: Outcome };

/**
 * At the end of a flow: locks the request and checks it is still the
 * user's and still open (a secretary may have closed it meanwhile); on a
 * miss, the answer to give instead of acting.
 */
export async function stillOpen(ctx: TurnContext, requestId: number, media: MediaLinks | undefined): Promise<StillOpen> {
  const request = Number.isSafeInteger(requestId) ? await lockOwnRequest(ctx.tx, requestId, ctx.userId) : null;
  if (!request) return { ok: false, answer: notFound() };
  if (!isOpenStatus(request.status)) return { ok: false, answer: await showClosed(ctx, { ...request, id: requestId }, media) };
  return { ok: true, ...request };
}
