// A message LINE refused for good (400, 403, …: sending it again cannot
// help). The worker marks its row FAILED and hands the refusal to whoever
// queued it (an announcement's author is told: src/announcements/refused.ts),
// so nothing LINE refuses is dropped without a word.
import type { SqlRunner } from "../db/driver.ts";
import { lineMessageOf } from "./held.ts";
import { OUTBOX_TEXT } from "./texts.ts";

export interface Refusal {
  outboxId: number;
  /** The row's purpose ("announcement", "request.status", …). */
  purpose: string;
  status: number | null;
  /** LINE's answer, summarised (its message and details; no message content). */
  line: string;
  /** Why, in plain Thai for the people who wrote it. */
  reason: string;
  now: Date;
}

/** Called in the transaction that marks the row FAILED; what it queues is sent like any push. */
export type RefusalReporter = (tx: SqlRunner, refusal: Refusal) => Promise<void>;

interface Detail {
  message?: unknown;
  property?: unknown;
}

/** LINE's message and details in one line: "The request body has 1 error(s): messages[1].originalContentUrl must be specified with https". */
export function summariseLineError(body: string): string {
  let details: Detail[] = [];
  try {
    const parsed = JSON.parse(body) as { details?: unknown };
    if (Array.isArray(parsed.details)) details = parsed.details as Detail[];
  } catch {
    // not JSON
  }
  const parts = details.map((d) => [d.property, d.message].filter((x) => typeof x === "string" && x !== "").join(" "));
  const summary = [lineMessageOf(body), parts.filter(Boolean).join("; ")].filter(Boolean).join(": ");
  return summary.replace(/\s+/g, " ").trim().slice(0, 300) || "no details";
}

/** The refusal in plain Thai: what the people who wrote the message can act on. */
export function refusalReason(status: number | null, body: string): string {
  const words = summariseLineError(body);
  const T = OUTBOX_TEXT.refusal;
  if (/https/i.test(words)) return T.https;
  if (status === 403) return T.forbidden;
  if (/size|length|too (long|large|big)|exceed|must be (less|at most)|maximum/i.test(words)) return T.tooBig;
  if (/\bto\b|user ?id|recipient/i.test(words)) return T.recipient;
  return T.other;
}
