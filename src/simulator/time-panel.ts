// The demo's "time" panel (local mode only): runs the jobs that wait for a
// time of day or for time to pass, now, so a newcomer sees what they send
// without changing settings or waiting. Each is the real job, built with the
// time it waits for set to "already": the digest and the reminders with
// 00:00 as their hour, the escalations with no waiting period. What they
// queue goes out through the outbox as usual.
import type { Database } from "../db/database.ts";
import { CASES_ENTRY } from "../help-requests/case-card.ts";
import { escalationJob } from "../help-requests/escalation-job.ts";
import { registrationDigestLine } from "../meetings/registration-notice.ts";
import { meetingReminderJob, REMINDER_PURPOSE } from "../meetings/reminder-job.ts";
import { DIGEST_PURPOSE, staffDigestJob } from "../staff/digest-job.ts";
import { bangkokInstant, bangkokIsoDate } from "../thai/format.ts";
import { advanceSituations, declareDemoFlood } from "./disaster-demo.ts";

// "flood" and "later3h": disaster mode (disaster-demo.ts).
export const TIME_ACTIONS = ["digest", "reminders", "escalations", "flood", "later3h"] as const;
export type TimeAction = (typeof TIME_ACTIONS)[number];

const DAY_MS = 86_400_000;

/** Runs one of them now; resolves how many notices (or digests) it queued. */
export async function runNow(db: Database, action: TimeAction, now: Date = new Date()): Promise<number> {
  switch (action) {
    case "digest":
      return digestNow(db, now);
    case "escalations":
      return escalationJob({ db, criticalAfterMinutes: 0, housingIdleDays: 0 }).runOnce(now);
    case "reminders":
      return remindNextMeeting(db, now);
    case "flood": {
      const flood = await declareDemoFlood(db, now);
      return flood.declared ? flood.recipients : 0;
    }
    case "later3h":
      return advanceSituations(db, 3);
  }
}

/**
 * The digest of what waits, now. After DIGEST_TIME the bot has already sent
 * today's (one a day per user), and what came since waits for tomorrow's:
 * then it goes now as tomorrow's, made due now as the reminders are.
 */
async function digestNow(db: Database, now: Date): Promise<number> {
  const run = (at: Date) =>
    staffDigestJob({ db, digestTime: "00:00", casesEntry: CASES_ENTRY, currentLine: registrationDigestLine }).runOnce(at);
  const queued = await run(now);
  if (queued > 0) return queued;
  const tomorrow = bangkokInstant(bangkokIsoDate(new Date(now.getTime() + DAY_MS)));
  const early = await run(tomorrow);
  if (early > 0) {
    await db.prisma.outboxMessage.updateMany({
      where: { purpose: DIGEST_PURPOSE, notBefore: { gt: now }, status: "PENDING" },
      data: { notBefore: now, createdAt: now },
    });
  }
  return early;
}

/**
 * The reminders the day before the next meeting anyone registered for, as
 * if that day had come. The job queues them for the day it is told it is;
 * they are then made due now, or they would wait for that day.
 */
async function remindNextMeeting(db: Database, now: Date): Promise<number> {
  const next = await db.prisma.meeting.findFirst({
    where: { status: "SCHEDULED", startsAt: { gt: now }, registrations: { some: { status: "REGISTERED" } } },
    orderBy: { startsAt: "asc" },
    select: { startsAt: true },
  });
  if (!next) return 0;
  const dayBefore = bangkokIsoDate(new Date(bangkokInstant(bangkokIsoDate(next.startsAt)).getTime() - DAY_MS));
  const asIf = new Date(Math.max(now.getTime(), bangkokInstant(dayBefore).getTime()));
  const queued = await meetingReminderJob({ db, reminderTime: "00:00" }).runOnce(asIf);
  if (asIf > now) {
    await db.prisma.outboxMessage.updateMany({
      where: { purpose: REMINDER_PURPOSE, notBefore: { gt: now }, status: "PENDING" },
      data: { notBefore: now, createdAt: now },
    });
  }
  return queued;
}
