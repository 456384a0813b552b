// LINE's monthly message quota. Replies are free; every recipient of a push
// or a multicast counts one message against the plan, per calendar month
// (Bangkok time). The worker adds each accepted send to push_quota_usage in
// the transaction that marks it SENT, and this decides whether that send
// crossed the warning threshold.
//
// "Warned this month" is not a flag of its own: the count only grows, under
// the row lock of its month, so exactly one send sees before < threshold ≤
// after, and it writes the warning in the same transaction. The warning to
// admins is an outbox message with the dedupe key quota-warning:<month>, so
// it is queued once even if the limit is changed mid-month and crossed again.
import type { messagingApi } from "@line/bot-sdk";
import type { SqlRunner } from "../db/driver.ts";
import { assertWithinLineLimits } from "../line/limits.ts";
import type { Logger } from "../log.ts";
import { bangkokIsoDate, thaiMonthYear } from "../thai/format.ts";
import { MULTICAST_CHUNK } from "./outbox.ts";
import { enqueueInSql } from "./queries.ts";

export interface PushQuota {
  /** Messages a month in the account's plan; 0: not known, no warning. */
  monthly: number;
  /** Warn when this share of the quota is used (1–100). */
  warnPercent: number;
  /** LINE user ids told when the threshold is crossed (empty: the log only). */
  adminLineUserIds: readonly string[];
}

/** "2026-11": the quota month of an instant, in Bangkok. */
export function quotaMonth(at: Date): string {
  return bangkokIsoDate(at).slice(0, 7);
}

/**
 * SQL that is true when the quota month in `month` (a placeholder or an
 * expression) is recorded as used up (recordQuotaExhausted in held.ts).
 * The one definition, for every reader that has to agree on it.
 */
export function quotaExhaustedSql(month: string): string {
  return `EXISTS (SELECT 1 FROM push_quota_usage WHERE month = ${month} AND "exhaustedAt" IS NOT NULL)`;
}

export function warningThreshold(quota: PushQuota): number | null {
  if (quota.monthly <= 0) return null;
  return Math.max(1, Math.ceil((quota.monthly * quota.warnPercent) / 100));
}

export function quotaWarningText(month: string, used: number, quota: PushQuota): string {
  const percent = Math.floor((used * 100) / quota.monthly);
  return (
    `แจ้งเตือนโควตาข้อความ LINE: เดือน${thaiMonthYear(month)} ส่งข้อความถึงสมาชิกไปแล้ว ` +
    `${used.toLocaleString("en-US")} จาก ${quota.monthly.toLocaleString("en-US")} ข้อความ (${percent}%) ` +
    `เมื่อครบโควตา LINE จะไม่รับข้อความใหม่จนถึงเดือนถัดไป (การตอบกลับแชตยังใช้ได้)`
  );
}

/** Called inside the SENT transaction with the month's count before and after the send. */
export function quotaWatcher(quota: PushQuota, logger: Logger) {
  const threshold = warningThreshold(quota);
  return async (tx: SqlRunner, month: string, before: number, after: number, now: Date): Promise<void> => {
    if (threshold === null || !(before < threshold && after >= threshold)) return;
    let queued = 0;
    if (quota.adminLineUserIds.length > 0) {
      const messages: messagingApi.Message[] = [{ type: "text", text: quotaWarningText(month, after, quota) }];
      assertWithinLineLimits(messages);
      const ids = await enqueueInSql(tx, quota.adminLineUserIds, messages, {
        purpose: "push-quota.warning",
        now,
        dedupeKey: `quota-warning:${month}`,
        chunk: MULTICAST_CHUNK,
      });
      queued = ids.length;
    }
    logger.warn("LINE push quota nearly used", {
      month,
      used: after,
      quota: quota.monthly,
      warnPercent: quota.warnPercent,
      adminsTold: queued > 0 ? quota.adminLineUserIds.length : 0,
    });
  };
}

/**
 * Adds pushes sent outside the outbox (the inbox's answers pushed when their
 * reply token was too old or refused) to the month's count, inside the
 * caller's transaction. Resolves the count before and after, for quotaWatcher.
 */
export async function countPushes(tx: SqlRunner, month: string, messages: number): Promise<{ before: number; after: number }> {
  const rows = await tx.query<{ messages: number }>(
    `INSERT INTO push_quota_usage (month, messages) VALUES ($1, $2::int)
     ON CONFLICT (month) DO UPDATE SET messages = push_quota_usage.messages + EXCLUDED.messages
     RETURNING messages`,
    [month, messages],
  );
  const after = Number(rows[0]!.messages);
  return { before: after - messages, after };
}
