// What staff do to a request, checked on the server every time, in the
// turn's transaction with the request row locked: the user must handle the
// request's council (canHandleCouncil: its secretaries, the coordinators of
// its district or province) and the current status must allow the action.
// Postback data (ids, verbs) is never trusted: a stale card, a forged
// postback and a case handed over to another council all land here.
//
// Every change is one history row (who, when, from → to, note) and one short
// status message to the villager, queued in the same transaction.
import type { Tx } from "../db/database.ts";
import { encodePostback } from "../engine/postback.ts";
import type { HelpRequestStatus } from "../generated/prisma/client.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { canHandleCouncil } from "../staff/roles.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { ACTIONS_FROM, type CaseVerb } from "./case-card.ts";
import { STATUS_COLORS } from "./request-status.ts";
import { notifyAssignee, notifyCouncilOfRequest } from "./case-notify.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { MY_REQUESTS } from "./my-requests-card.ts";
import { MY_REQUESTS_TEXT } from "./my-requests-texts.ts";
import { recordRequestEvent } from "./request-store.ts";
import { afterPhotoCount, councilNameOf, lockCase, moveCase, setAssignee, setCaseStatus, type LockedCase } from "./case-store.ts";

export type CaseCheck =
  | { ok: true; request: LockedCase }
  /** Unknown, or outside the user's area: told apart to nobody. */
  | { ok: false; reason: "not-found" }
  /** Known and the user's, but the status no longer allows it (a stale card, a second secretary). */
  | { ok: false; reason: "status"; request: LockedCase };

export async function checkCase(tx: Tx, userId: string, id: number, verb: CaseVerb): Promise<CaseCheck> {
  const request = await lockCase(tx, id);
  if (!request || !(await canHandleCouncil(tx, userId, request.councilId))) return { ok: false, reason: "not-found" };
  if (!ACTIONS_FROM[request.status].includes(verb)) return { ok: false, reason: "status", request };
  return { ok: true, request };
}

/** The villager's short status message, with a button opening their own card (my-requests). */
async function tellVillager(tx: Tx, request: LockedCase, status: HelpRequestStatus, lines: string[], now: Date): Promise<void> {
  const message = lines.join("\n");
  const card = renderFlexTemplate("case-status", {
    status: MY_REQUESTS_TEXT.statuses[status],
    statusColor: STATUS_COLORS[status],
    message,
    caseNumber: request.caseNumber,
    viewData: encodePostback({ kind: "menu", entry: MY_REQUESTS.id, arg: String(request.id) }),
  });
  await enqueuePush(
    tx,
    request.lineUserId,
    { replies: [{ kind: "flex", altText: T.villagerAlt(lines[0]!).slice(0, 400), contents: card }], buttons: [] },
    { purpose: "request.status", now },
  );
}

const councilName = async (tx: Tx, id: number) => (await councilNameOf(tx, id)) ?? T.unknownCouncil;

type StatusVerb = Exclude<CaseVerb, "handover" | "assign">;
const TARGET: Record<StatusVerb, "ACCEPTED" | "IN_PROGRESS" | "RESOLVED" | "REJECTED"> = {
  accept: "ACCEPTED",
  progress: "IN_PROGRESS",
  resolve: "RESOLVED",
  reject: "REJECTED",
};

/**
 * Moves a checked (and locked) request to the verb's status: the row, its
 * history and the villager's message. `note` is kept in the history and, for
 * a resolution or a rejection, told to the villager.
 */
export async function changeStatus(
  tx: Tx,
  request: LockedCase,
  verb: StatusVerb,
  by: { userId: string; now: Date; note?: string | null },
): Promise<void> {
  const to = TARGET[verb];
  // Only a PENDING request is accepted, and PENDING always has acceptedAt
  // null (new, or reset by a handover): this is the council's first acceptance.
  await setCaseStatus(tx, request.id, to, to === "ACCEPTED" ? by.now : undefined);
  const note = by.note ? by.note : null;
  await recordRequestEvent(tx, request.id, {
    kind: "STATUS",
    at: by.now,
    actorUserId: by.userId,
    byStaff: true,
    fromStatus: request.status,
    toStatus: to,
    note,
  });
  const council = await councilName(tx, request.councilId);
  const lines = [T.villager[to](request.caseNumber, council)];
  if (note) lines.push(to === "REJECTED" ? T.villager.reason(note) : T.villager.note(note));
  if (to === "RESOLVED") {
    const after = await afterPhotoCount(tx, request.id);
    if (after > 0) lines.push(T.afterPhotos(after));
  }
  await tellVillager(tx, request, to, lines, by.now);
}

/**
 * Hands a checked request to another council: it starts again there as
 * PENDING (a new acceptance, a new escalation clock), its secretaries get the
 * notice, and the old council's staff lose access with the councilId.
 */
export async function handOver(tx: Tx, request: LockedCase, toCouncilId: number, by: { userId: string; now: Date }): Promise<void> {
  const from = await councilName(tx, request.councilId);
  await moveCase(tx, request.id, toCouncilId);
  await recordRequestEvent(tx, request.id, {
    kind: "HANDOVER",
    at: by.now,
    actorUserId: by.userId,
    byStaff: true,
    fromStatus: request.status,
    toStatus: "PENDING",
    fromCouncilId: request.councilId,
    toCouncilId,
  });
  await notifyCouncilOfRequest(tx, request.id, by.now, { handedOverFrom: from });
  const to = await councilName(tx, toCouncilId);
  await tellVillager(tx, { ...request, councilId: toCouncilId }, "PENDING", [T.villager.handover(request.caseNumber, to)], by.now);
}

/**
 * Gives a checked request to a staff member who handles its council (the
 * caller checked that too): the row, its history, and a push to them unless
 * they gave it to themselves. The status stays: assigning is not accepting.
 */
export async function assignCase(tx: Tx, request: LockedCase, toUserId: string, by: { userId: string; now: Date }): Promise<void> {
  await setAssignee(tx, request.id, toUserId);
  await recordRequestEvent(tx, request.id, {
    kind: "ASSIGN",
    at: by.now,
    actorUserId: by.userId,
    byStaff: true,
    assigneeUserId: toUserId,
  });
  if (toUserId !== by.userId) await notifyAssignee(tx, request.id, toUserId, by.userId, by.now);
}
