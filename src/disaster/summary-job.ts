// The periodic summary (issue 14 §3, "every few hours while it lasts"):
// every DISASTER_SUMMARY_HOURS after a situation was declared, each
// coordinator whose area meets it gets the summary of the part they
// coordinate (text, table, chart when it can be linked), pushed through the
// outbox. situation.summaryAt records the last round.
//
// Once per period and coordinator, whatever the instances: period n is the
// n-th whole DISASTER_SUMMARY_HOURS since the declaration, and each push's
// dedupe key is "situation-summary:<situation>:<n>:<user>", so a second
// instance (or a retry after a crash between the pushes and summaryAt)
// queues nothing twice. A period missed while the bot was down is not
// caught up: the next round sends the summary as it stands then.
import type { Database } from "../db/database.ts";
import { entryButton } from "../engine/engine.ts";
import type { Job } from "../jobs/scheduler.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { coordinatorsMeeting } from "../staff/roles.ts";
import { thaiTime } from "../thai/format.ts";
import { activeSituations, situationById } from "./situation-store.ts";
import type { SummaryCsvLinks } from "./summary-csv.ts";
import { SUMMARY_ENTRY_ID, situationSummary } from "./summary-module.ts";
import { markSummarySent, summaryScopes } from "./summary-store.ts";
import { SUMMARY_TEXT as T } from "./summary-texts.ts";

export const SUMMARY_PURPOSE = "situation.summary";
export const summaryKey = (situationId: number, period: number, userId: string) => `situation-summary:${situationId}:${period}:${userId}`;

export interface SummaryJobOptions {
  db: Database;
  /** DISASTER_SUMMARY_HOURS. */
  hours: number;
  csvLinks: SummaryCsvLinks;
  media?: MediaLinks;
  chartFont: string;
}

/** The period a moment falls in: whole `hours` since the declaration (0: the first hours, no summary yet). */
export function periodOf(declaredAt: Date, at: Date, hours: number): number {
  return Math.floor((at.getTime() - declaredAt.getTime()) / (hours * 3_600_000));
}

export function situationSummaryJob(options: SummaryJobOptions): Job {
  const periodMs = options.hours * 3_600_000;
  let wake: Date | null = null;
  return {
    name: "situation-summary",
    async runOnce(now) {
      const situations = await options.db.transaction((tx) => activeSituations(tx));
      let queued = 0;
      let next: number | null = null;
      for (const s of situations) {
        const period = periodOf(s.declaredAt, now, options.hours);
        const last = s.summaryAt ? periodOf(s.declaredAt, s.summaryAt, options.hours) : 0;
        const due = period >= 1 && period > last;
        const nextAt = s.declaredAt.getTime() + ((due ? period : Math.max(period, last)) + 1) * periodMs;
        next = next === null ? nextAt : Math.min(next, nextAt);
        if (!due) continue;
        queued += await options.db.transaction(async (tx) => {
          const current = await situationById(tx, s.id);
          if (current?.status !== "ACTIVE") return 0;
          let n = 0;
          for (const userId of await coordinatorsMeeting(tx, current.areas)) {
            // Each sees the part of the situation their roles cover now.
            const scope = (await summaryScopes(tx, userId))?.find((x) => x.situation.id === s.id);
            if (!scope) continue;
            const replies = await situationSummary(tx, scope, userId, now, options, T.periodicHeading(thaiTime(now)));
            const id = await enqueuePush(
              tx,
              userId,
              { replies, buttons: [entryButton(SUMMARY_ENTRY_ID, T.again, String(s.id))] },
              { purpose: SUMMARY_PURPOSE, now, dedupeKey: summaryKey(s.id, period, userId) },
            );
            if (id !== null) n += 1;
          }
          await markSummarySent(tx, s.id, now);
          // Marked even when every push was queued before (another instance): the round is done.
          return Math.max(n, 1);
        });
      }
      wake = next === null ? null : new Date(next);
      return queued;
    },
    nextWake: () => wake,
  };
}
