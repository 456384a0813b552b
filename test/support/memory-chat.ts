// The engine in memory, without a database: a conversation as the
// processor would load it for a user who has never written.
import type { ConversationState } from "../../src/engine/types.ts";

export function emptyConversation(lineUserId = "U1"): ConversationState {
  return {
    lineUserId,
    flowId: null,
    stepId: null,
    flowVersion: null,
    data: {},
    history: [],
    returnTo: null,
    attempts: 0,
    turn: 0,
    expiresAt: null,
  };
}
