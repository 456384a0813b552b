// LINE's `unsend` event: the user took a message back, and the bot should
// forget what it held (webhook.yml UnsendEvent, `unsend.messageId`).
//
// Where a message's content can still be, by its LINE message id (a flow
// put aside for another service keeps its answers too, and is searched):
//  - the raw event in webhook_event, while it waits to be handled (the
//    payload is cleared once handled, src/inbox/inbox.ts; the user's events
//    are handled in order, so this is a safeguard more than a path);
//  - photos: a flow's answers in progress (conversation.data holds image
//    message ids) and help_request_photo (the fetched bytes, keyed by
//    lineMessageId);
// Typed text is not kept by message id anywhere: an answer is stored under
// its step's slot and, once confirmed on a summary, in the request's own
// fields, where the user can edit it or cancel the request. Keeping message
// ids next to every answer only to find it again would store more, not less;
// so an unsent text leaves its confirmed answer alone (the summary the user
// confirmed is what they asked for).
import type { Tx } from "../db/database.ts";
import type { ConversationState } from "../engine/types.ts";

/**
 * Drops `messageId` from the answers in progress: lists of image ids, and
 * an image set still arriving (which counts it as unsent, so the set still
 * completes when its other photos are in: src/engine/engine.ts).
 */
function isPutAside(x: unknown): x is { flow: string; data: Record<string, unknown> } {
  if (!x || typeof x !== "object") return false;
  const o = x as { flow?: unknown; data?: unknown };
  return typeof o.flow === "string" && !!o.data && typeof o.data === "object" && !Array.isArray(o.data);
}

function withoutMessage(data: Record<string, unknown>, messageId: string): Record<string, unknown> {
  const drop = (v: unknown): unknown => {
    // A flow put aside for a detour keeps its answers under `data` (src/engine/engine.ts, Suspended).
    if (Array.isArray(v))
      return v.filter((x) => x !== messageId).map((x) => (isPutAside(x) ? { ...x, data: withoutMessage(x.data, messageId) } : x));
    const set = v as { ids?: unknown; unsent?: unknown } | null;
    if (set && typeof set === "object" && Array.isArray(set.ids) && set.ids.includes(messageId)) {
      const unsent = typeof set.unsent === "number" ? set.unsent : 0;
      return { ...set, ids: set.ids.filter((x) => x !== messageId), unsent: unsent + 1 };
    }
    return v;
  };
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, drop(v)]));
}

export async function forgetUnsentMessage(tx: Tx, state: ConversationState, userId: string, messageId: string): Promise<void> {
  if (!messageId) return;
  await tx.$executeRaw`
    UPDATE webhook_event SET payload = jsonb_build_object('type', type)
     WHERE status = 'RECEIVED' AND "sourceKey" = ${userId} AND payload -> 'message' ->> 'id' = ${messageId}`;
  // Only the sender's own photo: a message id names one user's message.
  await tx.helpRequestPhoto.deleteMany({ where: { lineMessageId: messageId, addedBy: userId } });
  state.data = withoutMessage(state.data, messageId);
}
