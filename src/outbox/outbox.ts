// Enqueueing pushes. Every message the bot sends on its own initiative (not
// as the answer to an event) is written here, in the transaction of the
// change that caused it: if the change rolls back, nothing is sent; if it
// commits, the worker (src/outbox/worker.ts) sends it, even after a crash.
import { randomUUID } from "node:crypto";
import type { messagingApi } from "@line/bot-sdk";
import type { Tx } from "../db/database.ts";
import type { Outgoing } from "../engine/types.ts";
import { assertWithinLineLimits } from "../line/limits.ts";
import { renderOutgoing } from "../line/render.ts";

/** LINE's multicast takes at most 500 user ids per call. */
export const MULTICAST_CHUNK = 500;

export interface EnqueueOptions {
  /** What caused it ("meeting.promoted", "request.status", …). */
  purpose: string;
  now: Date;
  /** Send no earlier than this (a reminder); default: now. */
  notBefore?: Date;
  /**
   * Makes the enqueue idempotent: a second enqueue with the same key is a
   * no-op. For multicasts each chunk gets "<key>#<n>".
   */
  dedupeKey?: string;
}

function messagesOf(content: Outgoing | messagingApi.Message[]): messagingApi.Message[] {
  const messages = Array.isArray(content) ? content : renderOutgoing(content);
  // Checked here, not only at send: a payload LINE would refuse must fail
  // the change that made it, not sit in the outbox as a FAILED row.
  assertWithinLineLimits(messages);
  return messages;
}

async function insert(
  tx: Tx,
  recipients: string[],
  messages: messagingApi.Message[],
  options: EnqueueOptions,
  dedupeKey: string | null,
): Promise<number | null> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO outbox_message (purpose, recipients, messages, "retryKey", "dedupeKey", "notBefore", "createdAt")
    VALUES (${options.purpose}, ${JSON.stringify(recipients)}::jsonb, ${JSON.stringify(messages)}::jsonb,
            ${randomUUID()}::uuid, ${dedupeKey}, ${options.notBefore ?? options.now}, ${options.now})
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/** Queues a push to one user; resolves the row id, or null when the dedupe key was already queued. */
export async function enqueuePush(
  tx: Tx,
  to: string,
  content: Outgoing | messagingApi.Message[],
  options: EnqueueOptions,
): Promise<number | null> {
  return insert(tx, [to], messagesOf(content), options, options.dedupeKey ?? null);
}

/** Queues the same messages to many users, in chunks LINE's multicast accepts. */
export async function enqueueMulticast(
  tx: Tx,
  to: string[],
  content: Outgoing | messagingApi.Message[],
  options: EnqueueOptions,
): Promise<number[]> {
  const messages = messagesOf(content);
  const unique = [...new Set(to)];
  const ids: number[] = [];
  for (let i = 0; i < unique.length; i += MULTICAST_CHUNK) {
    const key = options.dedupeKey ? `${options.dedupeKey}#${i / MULTICAST_CHUNK}` : null;
    const id = await insert(tx, unique.slice(i, i + MULTICAST_CHUNK), messages, options, key);
    if (id !== null) ids.push(id);
  }
  return ids;
}
