// LINE's monthly message quota, once it is used up.
//
// LINE answers 429 both for its rate limit and for an exhausted monthly
// quota; only the body tells them apart ("You have reached your monthly
// limit."). A rate limit passes in seconds (the worker pauses and retries);
// an exhausted quota lasts until the month ends or the plan is upgraded, so
// retrying helps nobody. Then:
//  - the month's push_quota_usage row records it (exhaustedAt), for every
//    instance: the worker sends nothing, except one probe push every
//    QUOTA_PROBE_MS (probeAt; taken by one instance) or at the next month,
//    which has a row of its own. Any accepted push clears it (queries.sent).
//  - the admins are warned at once: in the log, and by a push that is held
//    like every other, so it reaches them in the reply to their next message.
//  - replies cost nothing and keep working. A held push to one user (a
//    secretary's new-case card, the admins' warning) goes out with the reply
//    to that user's next message instead: withHeldNotices / takeHeldNoticesFor.
import type { messagingApi } from "@line/bot-sdk";
import type { Tx } from "../db/database.ts";
import type { SqlRunner } from "../db/driver.ts";
import type { Outgoing, Reply } from "../engine/types.ts";
import { LineApiError } from "../line/gateway.ts";
import { LINE_LIMITS } from "../line/limits.ts";
import { renderOutgoing } from "../line/render.ts";
import { BANGKOK_OFFSET_MS } from "../thai/format.ts";
import { enqueueInSql } from "./queries.ts";
import { quotaExhaustedSql, quotaMonth } from "./quota.ts";
import { OUTBOX_TEXT } from "./texts.ts";

/** How often one push is tried while the quota is used up. */
export const QUOTA_PROBE_MS = 15 * 60_000;
/** lastError of a held push that went out in a reply instead. */
export const SENT_IN_REPLY = "sent in a reply: LINE's monthly message quota was used up";

const iso = (d: Date) => d.toISOString();
const json = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

/** LINE's own words in an error body ({"message": …}), or the body itself. */
export function lineMessageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: the raw body
  }
  return body;
}

/** A 429 that says the month's quota is gone (any other 429 is the rate limit). */
export function isQuotaExhausted(error: unknown): boolean {
  return error instanceof LineApiError && error.status === 429 && /monthly limit/i.test(lineMessageOf(error.body));
}

/** The first instant of the next quota month (midnight, Bangkok). */
export function nextQuotaMonthStart(now: Date): Date {
  const [year, month] = quotaMonth(now).split("-").map(Number) as [number, number];
  // Month index `month` is the next month (0-based); Bangkok is UTC+7 all year.
  return new Date(Date.UTC(year, month, 1) - BANGKOK_OFFSET_MS);
}

/** When to try one push again: in QUOTA_PROBE_MS, or when the month changes if that is sooner. */
export function nextProbeAt(now: Date): Date {
  return new Date(Math.min(now.getTime() + QUOTA_PROBE_MS, nextQuotaMonthStart(now).getTime()));
}

export interface QuotaState {
  /** LINE said this month's quota is used up, and no push was accepted since. */
  exhausted: boolean;
  /** One push may be tried now (see takeProbe). */
  probeDue: boolean;
}

export async function quotaState(sql: SqlRunner, month: string, now: Date): Promise<QuotaState> {
  // Compared in SQL: drivers read timestamp columns in the machine's time zone.
  const rows = await sql.query<{ exhausted: boolean; due: boolean }>(
    `SELECT "exhaustedAt" IS NOT NULL AS exhausted, ("probeAt" IS NULL OR "probeAt" <= $2::timestamp) AS due
       FROM push_quota_usage WHERE month = $1`,
    [month, iso(now)],
  );
  return { exhausted: rows[0]?.exhausted === true, probeDue: rows[0]?.due === true };
}

/** Takes the month's probe if it is due (one instance wins); true: send one push now. */
export async function takeProbe(sql: SqlRunner, month: string, now: Date): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE push_quota_usage SET "probeAt" = $3::timestamp
      WHERE month = $1 AND "exhaustedAt" IS NOT NULL AND ("probeAt" IS NULL OR "probeAt" <= $2::timestamp)
      RETURNING month`,
    [month, iso(now), iso(nextProbeAt(now))],
  );
  return rows.length > 0;
}

/**
 * Records that LINE said the month's quota is used up (inside the caller's
 * transaction). The first time this month it also queues the admins' warning
 * (held like any push: it reaches them in their next reply). Resolves
 * whether this was the first time.
 */
export async function recordQuotaExhausted(tx: SqlRunner, options: { now: Date; adminLineUserIds: readonly string[] }): Promise<boolean> {
  const { now } = options;
  const month = quotaMonth(now);
  const rows = await tx.query<{ fresh: boolean }>(
    `INSERT INTO push_quota_usage (month, messages, "exhaustedAt", "probeAt") VALUES ($1, 0, $2::timestamp, $3::timestamp)
     ON CONFLICT (month) DO UPDATE SET
       "exhaustedAt" = COALESCE(push_quota_usage."exhaustedAt", EXCLUDED."exhaustedAt"),
       "probeAt" = GREATEST(COALESCE(push_quota_usage."probeAt", EXCLUDED."probeAt"), EXCLUDED."probeAt")
     RETURNING ("exhaustedAt" = $2::timestamp) AS fresh`,
    [month, iso(now), iso(nextProbeAt(now))],
  );
  const fresh = rows[0]?.fresh === true;
  if (fresh && options.adminLineUserIds.length > 0) {
    await enqueueInSql(tx, options.adminLineUserIds, [{ type: "text", text: OUTBOX_TEXT.quotaExhausted(month) }], {
      purpose: "push-quota.exhausted",
      now,
      // One warning per admin (pushes, so each can be handed over in that admin's own reply).
      dedupeKey: `quota-exhausted:${month}`,
      chunk: 1,
    });
  }
  return fresh;
}

/**
 * While the month's quota is used up: takes this user's pushes that are
 * waiting for it, oldest first and whole, as long as they fit in `room`
 * messages, and marks them sent (they go out in the caller's reply, which
 * LINE does not count). Call inside the turn's transaction, so a rolled-back
 * turn gives them back. Nothing is taken while pushes can go out.
 * `quotaExhausted`: whether the month's quota is used up, when the caller
 * already read it (the turn's load, src/inbox/inbox.ts); absent: read here.
 */
export async function takeHeldNoticesFor(
  tx: Tx,
  userId: string,
  now: Date,
  room: number,
  usable: (m: messagingApi.Message) => boolean = () => true,
  quotaExhausted?: boolean,
): Promise<messagingApi.Message[]> {
  if (room <= 0 || quotaExhausted === false) return [];
  if (quotaExhausted === undefined) {
    const [blocked] = await tx.$queryRawUnsafe<{ exhausted: boolean }[]>(`SELECT ${quotaExhaustedSql("$1")} AS exhausted`, quotaMonth(now));
    if (blocked?.exhausted !== true) return [];
  }
  // Rows a worker holds right now are left to it (it may be sending them).
  const rows = await tx.$queryRaw<{ id: number; messages: unknown }[]>`
    SELECT id, messages FROM outbox_message
     WHERE status = 'PENDING' AND recipients = ${JSON.stringify([userId])}::jsonb AND "notBefore" <= ${now}
       AND ("leaseUntil" IS NULL OR "leaseUntil" <= ${now})
     ORDER BY id
     LIMIT ${LINE_LIMITS.messagesPerRequest * 2}
     FOR UPDATE SKIP LOCKED`;
  const taken: messagingApi.Message[] = [];
  for (const row of rows) {
    const messages = json(row.messages) as messagingApi.Message[];
    if (!messages.every(usable)) continue;
    if (taken.length + messages.length > room) break;
    await tx.$executeRaw`
      UPDATE outbox_message SET status = 'SENT', "sentAt" = ${now}, "leaseUntil" = NULL, "sendingAt" = NULL, messages = '[]'::jsonb, "lastError" = ${SENT_IN_REPLY}
       WHERE id = ${Number(row.id)} AND status = 'PENDING'`;
    taken.push(...messages);
  }
  return taken;
}

/** A held LINE message as the engine says it (text and Flex: what notices are made of; images: a situation summary's chart). */
function asReply(m: messagingApi.Message): Reply | null {
  if (m.type === "text") return { kind: "text", text: (m as messagingApi.TextMessage).text };
  if (m.type === "image") {
    const image = m as messagingApi.ImageMessage;
    return { kind: "image", url: image.originalContentUrl, previewUrl: image.previewImageUrl, altText: "" };
  }
  if (m.type === "flex") {
    const flex = m as messagingApi.FlexMessage;
    return { kind: "flex", altText: flex.altText, contents: flex.contents as unknown as Record<string, unknown> };
  }
  return null;
}

/**
 * The answer to a user's message, with their held pushes first (the answer
 * stays last, so its quick-reply buttons stay visible), within LINE's five
 * messages a reply. Unchanged when there is no answer or nothing is held.
 */
export async function withHeldNotices(
  tx: Tx,
  userId: string,
  now: Date,
  outgoing: Outgoing | null,
  quotaExhausted?: boolean,
): Promise<Outgoing | null> {
  if (!outgoing || outgoing.replies.length === 0) return outgoing;
  const room = LINE_LIMITS.messagesPerRequest - renderOutgoing(outgoing).length;
  const held = await takeHeldNoticesFor(tx, userId, now, room, (m) => asReply(m) !== null, quotaExhausted);
  if (held.length === 0) return outgoing;
  return { ...outgoing, replies: [...held.map((m) => asReply(m)!), ...outgoing.replies] };
}
