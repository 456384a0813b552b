// Conversation state lives in the database, one row per user. Loading it
// takes a row lock (an upsert whose no-op update locks like FOR UPDATE)
// held until the turn's transaction commits, so two events of one user
// never interleave, on any instance.
import type { Database, Tx } from "../db/database.ts";
import { strings } from "./flow-data.ts";
import type { ConversationState } from "./types.ts";

interface Row {
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

export async function lockConversation(tx: Tx, lineUserId: string): Promise<ConversationState> {
  // One statement: creates the row on first contact, and the no-op update
  // takes the row lock (as SELECT … FOR UPDATE would) either way.
  const [row] = await tx.$queryRaw<Row[]>`
    INSERT INTO conversation ("lineUserId", "updatedAt") VALUES (${lineUserId}, ${new Date()})
    ON CONFLICT ("lineUserId") DO UPDATE SET "lineUserId" = EXCLUDED."lineUserId"
    RETURNING "lineUserId", "flowId", "stepId", "flowVersion", data, history, "returnTo", attempts, turn, "expiresAt"`;
  if (!row) throw new Error("conversation row vanished under lock");
  return {
    ...row,
    data: row.data && typeof row.data === "object" ? (row.data as Record<string, unknown>) : {},
    history: strings(row.history),
  };
}

export async function saveConversation(tx: Tx, state: ConversationState): Promise<void> {
  // Raw SQL: this runs for every event, and a Prisma model update costs
  // several times more CPU here (see src/inbox/inbox.ts).
  await tx.$executeRaw`
    UPDATE conversation
       SET "flowId" = ${state.flowId}, "stepId" = ${state.stepId}, "flowVersion" = ${state.flowVersion},
           data = ${JSON.stringify(state.data)}::jsonb, history = ${JSON.stringify(state.history)}::jsonb,
           "returnTo" = ${state.returnTo}, attempts = ${state.attempts}, turn = ${state.turn},
           "expiresAt" = ${state.expiresAt}, "updatedAt" = ${new Date()}
     WHERE "lineUserId" = ${state.lineUserId}`;
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
