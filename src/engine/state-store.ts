// Conversation state lives in the database, one row per user. Loading it
// takes a row lock (an upsert whose no-op update locks like FOR UPDATE)
// held until the turn's transaction commits, so two events of one user
// never interleave, on any instance.
import type { Database, Tx } from "../db/database.ts";
import { strings } from "./flow-data.ts";
import type { ConversationState } from "./types.ts";

/** A conversation row as loaded (CONVERSATION_COLUMNS). */
export interface ConversationRow {
  lineUserId: string;
  flowId: string | null;
  stepId: string | null;
  flowVersion: number | null;
  data: unknown;
  history: unknown;
  returnTo: string | null;
  attempts: number;
  turn: number;
  expiresAt: Date | null;
}

/** The columns a conversation is loaded from (unqualified, for RETURNING). */
export const CONVERSATION_COLUMNS = `"lineUserId", "flowId", "stepId", "flowVersion", data, history, "returnTo", attempts, turn, "expiresAt"`;

/** A loaded row as the engine's state. */
export function conversationState(row: ConversationRow): ConversationState {
  return {
    ...row,
    data: row.data && typeof row.data === "object" ? (row.data as Record<string, unknown>) : {},
    history: strings(row.history),
  };
}

export async function lockConversation(tx: Tx, lineUserId: string): Promise<ConversationState> {
  // One statement: creates the row on first contact, and the no-op update
  // takes the row lock (as SELECT … FOR UPDATE would) either way.
  const [row] = await tx.$queryRaw<ConversationRow[]>`
    INSERT INTO conversation ("lineUserId", "updatedAt") VALUES (${lineUserId}, ${new Date()})
    ON CONFLICT ("lineUserId") DO UPDATE SET "lineUserId" = EXCLUDED."lineUserId"
    RETURNING "lineUserId", "flowId", "stepId", "flowVersion", data, history, "returnTo", attempts, turn, "expiresAt"`;
  if (!row) throw new Error("conversation row vanished under lock");
  return conversationState(row);
}

/**
 * For a statement that takes the lock along with reads of other tables (the
 * turn's load, src/inbox/turn.ts): two CTEs, `conversation_seen` and
 * `conversation_locked`. The statement's reads all see one snapshot, taken
 * before the lock may have had to wait; so the lock is only taken as an
 * update when the row is still the version that snapshot saw. Every
 * transaction that took the lock meanwhile wrote a new version (the no-op
 * update does), so an empty `conversation_locked` means the snapshot may be
 * stale: the row is locked all the same (ON CONFLICT locks it whether its
 * WHERE holds or not), and the caller runs its statement again, under the
 * lock, on a fresh snapshot. Conversation rows are never deleted, so an
 * insert means nobody had the row. `$user`, `$now`: the statement's
 * parameters for the user id and the time.
 */
export function lockConversationCtes(user: string, now: string): string {
  return `conversation_seen AS (SELECT xmin AS version FROM conversation WHERE "lineUserId" = ${user}),
  conversation_locked AS (
    INSERT INTO conversation ("lineUserId", "updatedAt") VALUES (${user}, ${now})
    ON CONFLICT ("lineUserId") DO UPDATE SET "lineUserId" = EXCLUDED."lineUserId"
      WHERE conversation.xmin = (SELECT version FROM conversation_seen)
    RETURNING ${CONVERSATION_COLUMNS})`;
}

/** The UPDATE that saves a state, its parameters numbered from `first`. */
export function saveConversationStatement(state: ConversationState, first: number): { sql: string; params: unknown[] } {
  const p = (i: number) => `$${first + i}`;
  return {
    sql: `UPDATE conversation
       SET "flowId" = ${p(0)}, "stepId" = ${p(1)}, "flowVersion" = ${p(2)},
           data = ${p(3)}::jsonb, history = ${p(4)}::jsonb,
           "returnTo" = ${p(5)}, attempts = ${p(6)}, turn = ${p(7)},
           "expiresAt" = ${p(8)}::timestamp, "updatedAt" = ${p(9)}::timestamp
     WHERE "lineUserId" = ${p(10)}`,
    params: [
      state.flowId,
      state.stepId,
      state.flowVersion,
      JSON.stringify(state.data),
      JSON.stringify(state.history),
      state.returnTo,
      state.attempts,
      state.turn,
      // ISO strings: node-postgres would send a Date in the process's time zone.
      state.expiresAt?.toISOString() ?? null,
      new Date().toISOString(),
      state.lineUserId,
    ],
  };
}

export async function saveConversation(tx: Tx, state: ConversationState): Promise<void> {
  // Raw SQL: this runs for every event, and a Prisma model update costs
  // several times more CPU here (see src/inbox/inbox.ts).
  const { sql, params } = saveConversationStatement(state, 1);
  await tx.$executeRawUnsafe(sql, ...params);
}

/**
 * Answers of conversations that expired unfinished (which can hold a
 * national ID or a phone number) are dropped; the flow itself stays, so the
 * user's next message still hears that it expired. A turn in progress holds
 * the row lock and moves expiresAt forward, so it is never caught here.
 */
export async function forgetExpiredAnswers(db: Database, now: Date): Promise<number> {
  const rows = await db.sql.query(
    `UPDATE conversation SET data = '{}'::jsonb
      WHERE "expiresAt" <= $1::timestamp AND data <> '{}'::jsonb RETURNING 1`,
    [now.toISOString()],
  );
  return rows.length;
}
