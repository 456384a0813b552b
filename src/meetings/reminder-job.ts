// The day-before meeting reminder. From the configured time (default 09:00
// Bangkok) until midnight, every run queues a push for each REGISTERED party
// of a SCHEDULED meeting that starts on the next Bangkok calendar day and
// has no reminder yet. The outbox's unique dedupe key
// "meeting-reminder:<registrationId>" makes that once per registration,
// however often the job runs, across restarts and on several instances at
// once (the loser's INSERT is ON CONFLICT DO NOTHING).
//
// So a registration (or a promotion from the waitlist) made the day before,
// after the reminder time, gets its reminder on the next run that day. One
// made on the meeting day itself gets none: the member has just seen the
// time and place. A registration cancelled before the run gets none; one
// cancelled after its reminder was queued is not recalled (the worker may
// already have sent it).
import type { Database } from "../db/database.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { bangkokInstant, bangkokIsoDate } from "../thai/format.ts";
import type { Job } from "../jobs/scheduler.ts";
import { mapUrl, meetingPlace, meetingWhen } from "./format.ts";
import { MEETING_TEXT as T } from "./texts.ts";

const DAY_MS = 86_400_000;
export const REMINDER_PURPOSE = "meeting.reminder";
export const reminderKey = (registrationId: number) => `meeting-reminder:${registrationId}`;

interface Due {
  id: number;
  lineUserId: string;
  people: number;
  title: string;
  startsAt: Date;
  endsAt: Date;
  placeName: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The next Bangkok calendar day after `now`, "yyyy-mm-dd". */
function nextBangkokDay(now: Date): string {
  return bangkokIsoDate(new Date(bangkokInstant(bangkokIsoDate(now)).getTime() + DAY_MS));
}

export function meetingReminderJob(options: { db: Database; reminderTime: string }): Job {
  return {
    name: "meeting-reminders",
    async runOnce(now) {
      if (now.getTime() < bangkokInstant(bangkokIsoDate(now), options.reminderTime).getTime()) return 0;
      const tomorrow = nextBangkokDay(now);
      const from = bangkokInstant(tomorrow);
      const to = new Date(from.getTime() + DAY_MS);
      return options.db.transaction(async (tx) => {
        // Only those without a reminder: the job runs every second, and most
        // runs find nothing to do.
        const due = await tx.$queryRaw<Due[]>`
          SELECT r.id, r."lineUserId", r.people, m.title, m."startsAt", m."endsAt", m."placeName", m.address, m.latitude, m.longitude
          FROM meeting_registration r JOIN meeting m ON m.id = r."meetingId"
          WHERE r.status = 'REGISTERED' AND m.status = 'SCHEDULED'
            AND m."startsAt" >= ${from} AND m."startsAt" < ${to}
            AND NOT EXISTS (SELECT 1 FROM outbox_message o WHERE o."dedupeKey" = 'meeting-reminder:' || r.id::text)
          ORDER BY r.id
          LIMIT 500`;
        let queued = 0;
        for (const r of due) {
          const message = T.reminder(r.title, meetingWhen(r.startsAt, r.endsAt), meetingPlace(r), r.people, mapUrl(r));
          const id = await enqueuePush(
            tx,
            r.lineUserId,
            { replies: [{ kind: "text", text: message }], buttons: [] },
            {
              purpose: REMINDER_PURPOSE,
              now,
              dedupeKey: reminderKey(r.id),
            },
          );
          if (id !== null) queued += 1;
        }
        return queued;
      });
    },
  };
}
