// Telling a council's secretaries about a request: when it is filed (called
// from file-request.ts once the row and its CREATED event exist) and when
// another council hands it over. Each kind says whether it is urgent
// (kinds/: flood is, always pushed); the others go to the evening digest of
// secretaries who chose it.
//
// A council without a secretary gets no push and notifiedAt stays null: the
// escalation job takes critical flood cases to the district's coordinators,
// and the pending list of any coordinator above the council shows them.
import type { Tx } from "../db/database.ts";
import { notifyStaff } from "../staff/notify.ts";
import { secretariesOf } from "../staff/roles.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { noticeCard, placeOf, staffNamesOf } from "./case-card.ts";
import { loadCase, markNotified } from "./case-store.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { kindOf } from "./kinds/index.ts";

export async function notifyCouncilOfRequest(
  tx: Tx,
  requestId: number,
  now: Date,
  options: { handedOverFrom?: string } = {},
): Promise<{ pushed: number; digested: number }> {
  const request = await loadCase(tx, requestId);
  if (!request) throw new Error(`help request ${requestId} vanished in its own transaction`);
  const secretaries = await secretariesOf(tx, request.councilId);
  if (secretaries.length === 0) return { pushed: 0, digested: 0 };
  const handover = options.handedOverFrom !== undefined;
  const sent = await notifyStaff(tx, secretaries, {
    content: { replies: [noticeCard(request, { handedOverFrom: options.handedOverFrom })], buttons: [] },
    digestLine: T.digestLine(kindOf(request.kind).names.card, request.caseNumber, request.council.name, placeOf(request)),
    urgent: kindOf(request.kind).urgent,
    purpose: handover ? "request.handover" : "request.new",
    now,
    // A request can come back to a council (A → B → A): each handover is its own notice.
    dedupeKey: handover ? `request.handover:${request.id}:${request.councilId}:${now.getTime()}` : `request.new:${request.id}`,
  });
  await markNotified(tx, request.id, now);
  return sent;
}

/** Tells a staff member that a colleague gave them the case: its card, pushed (it is now theirs to act on). */
export async function notifyAssignee(tx: Tx, requestId: number, toUserId: string, byUserId: string, now: Date): Promise<void> {
  const request = await loadCase(tx, requestId);
  if (!request) throw new Error(`help request ${requestId} vanished in its own transaction`);
  const names = await staffNamesOf(tx, [toUserId, byUserId]);
  const card = noticeCard(request, {
    title: T.assignedTitle(names.get(byUserId) ?? T.history.byStaff),
    altText: T.assignedAlt(request.caseNumber),
    assignee: names.get(toUserId),
  });
  await enqueuePush(
    tx,
    toUserId,
    { replies: [card], buttons: [] },
    { purpose: "request.assigned", now, dedupeKey: `request.assigned:${request.id}:${toUserId}:${now.getTime()}` },
  );
}

export type RequestUpdate = { kind: "cancelled"; reason: string } | { kind: "note"; note: string } | { kind: "photo"; added: number };

/**
 * Tells the request's council (its secretaries, and whom the case was given
 * to) that the villager changed it: the card as it is now, with what they
 * wrote. Flood cases are pushed; housing ones may wait for the digest.
 */
export async function notifyCouncilOfUpdate(tx: Tx, requestId: number, update: RequestUpdate, now: Date): Promise<void> {
  const request = await loadCase(tx, requestId);
  if (!request) throw new Error(`help request ${requestId} vanished in its own transaction`);
  const recipients = [...(await secretariesOf(tx, request.councilId)), ...(request.assignedTo ? [request.assignedTo] : [])];
  if (recipients.length === 0) return;
  const what = update.kind === "cancelled" ? T.update.cancelled : update.kind === "note" ? T.update.note : T.update.photo(update.added);
  const note = update.kind === "cancelled" ? update.reason : update.kind === "note" ? update.note : undefined;
  const assignee = request.assignedTo ? (await staffNamesOf(tx, [request.assignedTo])).get(request.assignedTo) : undefined;
  await notifyStaff(tx, recipients, {
    content: {
      replies: [noticeCard(request, { title: what, altText: T.updateAlt(what, request.caseNumber), assignee, note })],
      buttons: [],
    },
    digestLine: T.updateDigest(what, request.caseNumber, request.council.name),
    urgent: kindOf(request.kind).urgent,
    purpose: "request.updated",
    now,
    dedupeKey: `request.updated:${request.id}:${update.kind}:${now.getTime()}`,
    // A note, then a cancel: the evening digest says only how the request stands.
    digestSubject: `help-request:${request.id}`,
  });
}
