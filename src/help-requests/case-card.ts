// The cards staff see of a help request: the notice pushed to the council's
// secretaries, the list bubble of the pending list, and the staff card with
// history and the actions the current status allows.
//
// These cards carry the request's sensitive parts (vulnerable people: health
// data; household income and land) and are only ever built for staff who can
// handle the request's council (the notice's recipients are its secretaries;
// the list and the card check canHandleCouncil first). The phone is shown
// masked; the full number is only inside the "โทร" button's tel: link, which
// is what it was collected for (calling back), and the outbox clears the
// pushed card once LINE has accepted it.
import { STATUS_COLORS } from "./request-status.ts";
import { encodePostback } from "../engine/postback.ts";
import type { Tx } from "../db/database.ts";
import type { HelpPriority, HelpRequestEventKind, HelpRequestKind, HelpRequestStatus } from "../generated/prisma/client.ts";
import { maskPhone } from "../members/phone.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { maskNote } from "./request-notes.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { HELP_TEXT } from "./texts.ts";
import { kindOf } from "./kinds/index.ts";
import type { CardRow } from "./kinds/kind.ts";
import type { MediaLinks } from "../line/media-links.ts";
import type { Reply } from "../engine/types.ts";
import { rolesOf } from "../staff/roles.ts";
import { photoCarousel, shownPhotos, type ShownPhoto } from "./case-photos.ts";
import { latestVoice, memberNamesOf, type CaseRow } from "./case-store.ts";
import { councilNamesOf, countEvents, latestEvents } from "./request-store.ts";
import { AID_ENTRY, aidArg } from "../disaster/aid-module.ts";
import { aidCounts, aidOfRequests } from "../disaster/aid-store.ts";
import { AID_TEXT } from "../disaster/aid-texts.ts";

export const CASES_ENTRY = "staff-cases";
const HISTORY_ROWS = 10;
/** Photo rows under the history: the card stays short, the carousel after it has them all. */
const PHOTO_ROWS = 3;

export type CaseVerb = "accept" | "progress" | "resolve" | "reject" | "handover" | "assign";

/** The staff entry's postback: "42" opens request 42, "accept:42" accepts it, "page:1" the list's second page. */
export const caseData = (verb: CaseVerb | "open" | "page", n: number) =>
  encodePostback({ kind: "menu", entry: CASES_ENTRY, arg: verb === "open" ? String(n) : `${verb}:${n}` });

/** Which actions each status allows, in the order the card shows them. */
export const ACTIONS_FROM: Record<HelpRequestStatus, readonly CaseVerb[]> = {
  PENDING: ["accept", "reject", "handover", "assign"],
  // Resolving needs an acceptance first: acceptedAt then always says when
  // someone took the case (the escalation of critical cases reads it).
  ACCEPTED: ["progress", "resolve", "reject", "handover", "assign"],
  IN_PROGRESS: ["resolve", "reject", "handover", "assign"],
  RESOLVED: [],
  REJECTED: [],
  CANCELLED: [],
};

const PRIORITY_COLORS: Record<HelpPriority, string> = {
  CRITICAL: "#C62828",
  HIGH: "#D84315",
  MEDIUM: "#8D6E00",
  LOW: "#1B5E8A",
};
/** The header of a request without a priority (each kind but flood). */
const PLAIN_COLOR = "#1B5E8A";

/** A request's priority, when its kind gives one (flood). */
const priorityOf = (r: { priority: HelpPriority | null }) => (r.priority ? HELP_TEXT.priority[r.priority] : null);

export const kindLine = (r: { kind: HelpRequestKind; priority: HelpPriority | null }) =>
  T.kindLine(kindOf(r.kind).names.card, priorityOf(r));

export const headerColor = (r: { priority: HelpPriority | null }) => (r.priority ? PRIORITY_COLORS[r.priority] : PLAIN_COLOR);

/** Where the house is, in one line (no coordinates: the map button has them). */
export function placeOf(r: { village: string | null; latitude: number | null; address: string | null }): string {
  if (r.village) return T.village(r.village);
  if (r.latitude !== null) return T.pinned(r.address);
  return T.dash;
}

/**
 * `assignee`: the name of whom the case was given to (staffNamesOf), if
 * anyone; `received`: the aid handed out so far ("ถุงยังชีพ 1, น้ำดื่ม 2").
 */
function fieldRows(r: CaseRow, assignee?: string, received?: string): Record<string, unknown>[] {
  const F = T.fields;
  const rows: CardRow[] = [
    [F.council, r.council.name],
    [F.location, placeOf(r)],
    // The kind's own facts: people, water level, income, … (kinds/).
    ...kindOf(r.kind).cardRows(r),
    [F.phone, r.phone ? maskPhone(r.phone) : T.dash],
    [F.photos, T.photos(r.photos.request, r.photos.after)],
  ];
  if (r.note) rows.push([F.note, maskNote(r.note)]);
  else if (r.voice) rows.push([F.note, T.voiceNote]);
  rows.push([F.createdAt, thaiDateTime(r.createdAt)]);
  if (assignee) rows.push([F.assignee, assignee]);
  if (received) rows.push([AID_TEXT.receivedLabel, received]);
  return rows.map(([label, value]) => renderFlexTemplate("case-field-row", { label, value }));
}

function actionButton(verb: CaseVerb | "open" | "list", r: { id: number; caseNumber: string }, style: "primary" | "secondary" | "link") {
  const label = verb === "open" ? T.buttons.detail : verb === "list" ? T.buttons.list : T.buttons[verb];
  const data = verb === "list" ? encodePostback({ kind: "menu", entry: CASES_ENTRY }) : caseData(verb, r.id);
  return renderFlexTemplate("case-action-button", { label, data, style, displayText: T.buttonDisplay(label, r.caseNumber) });
}

/** The voice note's signed link (fetched, not erased); null without one or without an https:// base. */
async function voiceLink(tx: Tx, requestId: number, media: MediaLinks | undefined, now: Date): Promise<string | null> {
  if (!media) return null;
  const voice = await latestVoice(tx, requestId);
  return voice ? media.voiceUrl(voice.id, voice.contentType, now) : null;
}

function linkButtons(r: CaseRow, voiceUrl?: string | null): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  if (voiceUrl) links.push(renderFlexTemplate("case-link-button", { label: T.buttons.listen, uri: voiceUrl }));
  if (r.phone) links.push(renderFlexTemplate("case-link-button", { label: T.buttons.call, uri: `tel:${r.phone}` }));
  if (r.latitude !== null && r.longitude !== null) {
    const uri = `https://www.google.com/maps/search/?api=1&query=${r.latitude},${r.longitude}`;
    links.push(renderFlexTemplate("case-link-button", { label: T.buttons.map, uri }));
  }
  return links;
}

/**
 * The card pushed to staff about a request: a new (or handed-over) one by
 * default; `title` and `altText` for another reason (assigned to them, the
 * villager changed it). Accepting is offered while nobody has.
 */
export function noticeCard(
  r: CaseRow,
  options: { handedOverFrom?: string; title?: string; altText?: string; assignee?: string; note?: string } = {},
): { kind: "flex"; altText: string; contents: Record<string, unknown> } {
  const fields = fieldRows(r, options.assignee);
  // What the villager just wrote, where the secretary reads first.
  if (options.note) fields.unshift(renderFlexTemplate("case-field-row", { label: T.fields.note, value: maskNote(options.note) }));
  const actions =
    r.status === "PENDING"
      ? [actionButton("accept", r, "primary"), actionButton("open", r, "secondary")]
      : [actionButton("open", r, "primary")];
  const contents = renderFlexTemplate(
    "case-notice",
    {
      headerColor: headerColor(r),
      title: options.title ?? (options.handedOverFrom ? T.handoverTitle(options.handedOverFrom) : T.noticeTitle),
      caseNumber: r.caseNumber,
      kindLine: kindLine(r),
    },
    { fields, actions, links: linkButtons(r) },
  );
  return { kind: "flex", altText: options.altText ?? T.noticeAlt(kindOf(r.kind).names.card, r.caseNumber, priorityOf(r)), contents };
}

export function listBubble(r: {
  id: number;
  kind: HelpRequestKind;
  caseNumber: string;
  priority: HelpPriority | null;
  status: HelpRequestStatus;
  council: { name: string };
  village: string | null;
  latitude: number | null;
  address: string | null;
  createdAt: Date;
}): Record<string, unknown> {
  return renderFlexTemplate("case-list-item", {
    headerColor: headerColor(r),
    caseNumber: r.caseNumber,
    kindLine: kindLine(r),
    status: T.statuses[r.status],
    statusColor: STATUS_COLORS[r.status],
    council: r.council.name,
    place: placeOf(r),
    waiting: T.waitingSince(thaiDateTime(r.createdAt)),
    detailData: caseData("open", r.id),
  });
}

interface HistoryEvent {
  kind: HelpRequestEventKind;
  at: Date;
  actorUserId: string | null;
  byStaff: boolean;
  fromStatus: HelpRequestStatus | null;
  toStatus: HelpRequestStatus | null;
  fromCouncilId: number | null;
  toCouncilId: number | null;
  note: string | null;
  assigneeUserId: string | null;
}

function describe(e: HistoryEvent, councils: Map<number, string>, staffNames: Map<string, string>): string {
  const H = T.history;
  const who = !e.actorUserId ? H.bySystem : e.byStaff ? (staffNames.get(e.actorUserId) ?? H.byStaff) : H.byRequester;
  const council = (id: number | null) => (id !== null ? councils.get(id) : undefined) ?? T.unknownCouncil;
  let what: string;
  switch (e.kind) {
    case "CREATED":
      what = H.created;
      break;
    case "STATUS":
      what = H.status(e.fromStatus ? T.statuses[e.fromStatus] : null, e.toStatus ? T.statuses[e.toStatus] : T.dash);
      break;
    case "NOTE":
      what = H.note;
      break;
    case "PHOTO":
      what = e.note ? `${H.photo} ${e.note}` : H.photo;
      return `${what} (${who})`;
    case "HANDOVER":
      what = H.handover(council(e.fromCouncilId), council(e.toCouncilId));
      break;
    case "ASSIGN":
      what = H.assign((e.assigneeUserId ? staffNames.get(e.assigneeUserId) : undefined) ?? H.byStaff);
      break;
  }
  const line = `${what} (${who})`;
  return e.note ? `${line}\n“${maskNote(e.note)}”` : line;
}

/**
 * The staff card: everything of the notice, the status, the latest history
 * (who did what; photos as thumbnails) and the actions its status allows;
 * then the photos themselves, when there are any to show.
 */
export async function detailCard(tx: Tx, r: CaseRow, view: { media?: MediaLinks; now: Date }): Promise<Reply[]> {
  const total = await countEvents(tx, r.id);
  const events = await latestEvents(tx, r.id, HISTORY_ROWS);
  const councils = await councilNamesOf(tx, [
    ...new Set(events.flatMap((e) => [e.fromCouncilId, e.toCouncilId]).filter((id): id is number => id !== null)),
  ]);
  const staffIds = [
    ...new Set([
      ...events.filter((e) => e.byStaff && e.actorUserId).map((e) => e.actorUserId!),
      ...events.flatMap((e) => (e.assigneeUserId ? [e.assigneeUserId] : [])),
      ...(r.assignedTo ? [r.assignedTo] : []),
    ]),
  ];
  const staffNames = await staffNamesOf(tx, staffIds);
  const photos = await shownPhotos(tx, r.id, view.media, view.now);
  const rows = events.map((e) =>
    renderFlexTemplate("case-history-row", { at: thaiDateTime(e.at), what: describe(e, councils, staffNames) }),
  );
  const verbs = ACTIONS_FROM[r.status];
  const actions = verbs.map((v, i) => actionButton(v, r, i === 0 ? "primary" : v === "reject" || v === "handover" ? "link" : "secondary"));
  // Flood relief (issue 14 §4): what was handed out, and recording more (src/disaster/aid-*.ts).
  const aid = r.kind === "FLOOD" ? aidCounts(await aidOfRequests(tx, [r.id])) : [];
  if (r.kind === "FLOOD") {
    const data = encodePostback({ kind: "menu", entry: AID_ENTRY, arg: aidArg("r", r.id) });
    const displayText = T.buttonDisplay(AID_TEXT.button, r.caseNumber);
    actions.push(renderFlexTemplate("case-action-button", { label: AID_TEXT.button, data, style: "secondary", displayText }));
  }
  actions.push(actionButton("list", r, "link"));
  const status = T.statuses[r.status];
  const contents = renderFlexTemplate(
    "case-detail",
    {
      headerColor: headerColor(r),
      caseNumber: r.caseNumber,
      kindLine: kindLine(r),
      status,
      statusColor: STATUS_COLORS[r.status],
      historyNote: T.historyShown(events.length, total),
    },
    {
      fields: fieldRows(r, r.assignedTo ? staffNames.get(r.assignedTo) : undefined, aid.length > 0 ? AID_TEXT.counts(aid) : undefined),
      history: rows,
      photoRows: photoRows(photos),
      actions,
      links: linkButtons(r, await voiceLink(tx, r.id, view.media, view.now)),
    },
  );
  const carousel = photoCarousel(photos, r.caseNumber);
  return [{ kind: "flex", altText: T.detailAlt(r.caseNumber, status), contents }, ...(carousel ? [carousel] : [])];
}

/** The history's photos: one row per time photos were added (the latest few), its first as a thumbnail (tap: full size). */
function photoRows(photos: ShownPhoto[]): Record<string, unknown>[] {
  const batches = new Map<string, ShownPhoto[]>();
  for (const p of photos) {
    const key = `${p.addedAt.getTime()}:${p.addedBy}:${p.stage}`;
    batches.set(key, [...(batches.get(key) ?? []), p]);
  }
  return [...batches.values()].slice(-PHOTO_ROWS).map((batch) =>
    renderFlexTemplate("case-history-photo-row", {
      at: thaiDateTime(batch[0]!.addedAt),
      what: T.history.photos(batch[0]!.stage === "AFTER", batch.length),
      url: batch[0]!.url,
      label: T.photoOpen,
    }),
  );
}

/**
 * How staff are named on cards: by their member name ("เจ้าหน้าที่ สุภาพร …"),
 * else by the role they hold ("เลขานุการสภาฯ"): staff need not be members,
 * and the bot keeps no other name of theirs. Ids with neither are left out.
 */
export async function staffNamesOf(tx: Tx, lineUserIds: string[]): Promise<Map<string, string>> {
  if (lineUserIds.length === 0) return new Map();
  const members = await memberNamesOf(tx, lineUserIds);
  const names = new Map([...members].map(([id, name]) => [id, `${T.history.byStaff} ${name}`]));
  for (const id of lineUserIds) {
    if (names.has(id)) continue;
    const role = (await rolesOf(tx, id))[0];
    if (role) names.set(id, T.roleNames[role.role]);
  }
  return names;
}
