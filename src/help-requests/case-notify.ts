// Telling a council's secretaries about a request: when it is filed (called
// from help-module.ts once the row and its CREATED event exist) and when
// another council hands it over. Flood cases are urgent (always pushed);
// housing cases go to the evening digest of secretaries who chose it.
//
// A council without a secretary gets no push and notifiedAt stays null: the
// escalation job takes critical flood cases to the district's coordinators,
// and the pending list of any coordinator above the council shows them.
import type { Tx } from "../db/database.ts";
import { notifyStaff } from "../staff/notify.ts";
import { secretariesOf } from "../staff/roles.ts";
import { loadCase, noticeCard, placeOf } from "./case-card.ts";
import { CASE_TEXT as T } from "./case-texts.ts";

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
    content: { replies: [noticeCard(request, options.handedOverFrom)], buttons: [] },
    digestLine: T.digestLine(T.kinds[request.kind], request.caseNumber, request.council.name, placeOf(request)),
    urgent: request.kind === "FLOOD",
    purpose: handover ? "request.handover" : "request.new",
    now,
    // A request can come back to a council (A → B → A): each handover is its own notice.
    dedupeKey: handover ? `request.handover:${request.id}:${request.councilId}:${now.getTime()}` : `request.new:${request.id}`,
  });
  await tx.helpRequest.update({ where: { id: request.id }, data: { notifiedAt: now } });
  return sent;
}
