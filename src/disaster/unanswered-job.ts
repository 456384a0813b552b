// Tells a council's secretaries, once per situation, that members have not
// answered the check-in after N hours (DISASTER_UNANSWERED_HOURS): one push
// each (urgent: a flood does not wait for the evening digest) with the
// button to the list. Once: the notice's dedupe key is per situation and
// council (notifyStaff adds the recipient), and a council already told is
// not looked at again (councilsDueNotice).
import type { Database } from "../db/database.ts";
import { entryButton } from "../engine/engine.ts";
import type { Job } from "../jobs/scheduler.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { notifyStaff } from "../staff/notify.ts";
import { DEFAULT_UNANSWERED_HOURS, UNANSWERED_ENTRY_ID } from "./unanswered-module.ts";
import { councilsDueNotice, unansweredNoticeKey } from "./unanswered-store.ts";
import { UNANSWERED_TEXT as T } from "./unanswered-texts.ts";

export const UNANSWERED_PURPOSE = "situation.unanswered";

export function unansweredNoticeJob(options: { db: Database; hours?: number }): Job {
  const hours = options.hours ?? DEFAULT_UNANSWERED_HOURS;
  return {
    name: "situation-unanswered",
    async runOnce(now) {
      // Most ticks: no active situation, one index look.
      const active = await options.db.prisma.$queryRaw<unknown[]>`SELECT 1 FROM situation WHERE status = 'ACTIVE' LIMIT 1`;
      if (active.length === 0) return 0;
      return options.db.transaction(async (tx) => {
        const due = await councilsDueNotice(tx, new Date(now.getTime() - hours * 3_600_000), 50);
        for (const d of due) {
          const council = (await getCouncilWithPlace(tx, d.councilId))?.name ?? "-";
          await notifyStaff(tx, d.secretaries, {
            content: {
              replies: [{ kind: "text", text: T.notice(council, d.count, hours) }],
              buttons: [entryButton(UNANSWERED_ENTRY_ID, T.buttons.list)],
            },
            digestLine: T.noticeDigest(council, d.count),
            urgent: true,
            purpose: UNANSWERED_PURPOSE,
            now,
            dedupeKey: unansweredNoticeKey(d),
          });
        }
        return due.length;
      });
    },
  };
}
