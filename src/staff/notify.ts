// Telling staff about something in their area (a new case, a fund-link
// request, a registration). Urgent notices (flood cases, escalations) are
// always pushed; others go to the evening digest for staff who chose it
// (StaffPreference.digest), which saves LINE's monthly push quota. Written
// in the caller's transaction: if the change rolls back, nobody is told.
import type { messagingApi } from "@line/bot-sdk";
import type { Tx } from "../db/database.ts";
import type { Outgoing } from "../engine/types.ts";
import { enqueuePush } from "../outbox/outbox.ts";

export interface StaffNotice {
  /** The card or message pushed to each recipient. */
  content: Outgoing | messagingApi.Message[];
  /** One line for the digest: the same facts as the card, no more. */
  digestLine: string;
  /** Always pushed, never held for the digest. */
  urgent: boolean;
  purpose: string;
  now: Date;
  /** Makes the notice idempotent per recipient ("<key>:<userId>"). */
  dedupeKey?: string;
  /** What the notice is about (no person's id): the digest lists one line per subject (src/staff/digest-job.ts). */
  digestSubject?: string;
}

/** Resolves how many were pushed and how many held for the digest. */
export async function notifyStaff(tx: Tx, recipients: string[], notice: StaffNotice): Promise<{ pushed: number; digested: number }> {
  const unique = [...new Set(recipients)];
  if (unique.length === 0) return { pushed: 0, digested: 0 };
  const digesters = notice.urgent
    ? new Set<string>()
    : new Set(
        (
          await tx.staffPreference.findMany({
            where: { lineUserId: { in: unique }, digest: true },
            select: { lineUserId: true },
          })
        ).map((p) => p.lineUserId),
      );
  let pushed = 0;
  for (const userId of unique) {
    if (digesters.has(userId)) {
      await tx.staffDigestItem.create({
        data: { lineUserId: userId, text: notice.digestLine, createdAt: notice.now, subject: notice.digestSubject ?? null },
      });
      continue;
    }
    await enqueuePush(tx, userId, notice.content, {
      purpose: notice.purpose,
      now: notice.now,
      dedupeKey: notice.dedupeKey ? `${notice.dedupeKey}:${userId}` : undefined,
    });
    pushed += 1;
  }
  return { pushed, digested: digesters.size };
}
