// The evening digest for staff who chose it (StaffPreference.digest): from
// DIGEST_TIME (default 18:00 Bangkok) until midnight, each staff user with
// unsent StaffDigestItem rows gets one push listing them, and the rows are
// marked sent in the same transaction.
//
// Once a day per user: the push's dedupe key is "digest:<userId>:<Bangkok
// date>", and a user whose key for today is already in the outbox is
// skipped, so items arriving after today's digest wait for tomorrow's.
// Several instances: each user's rows are locked (FOR UPDATE SKIP LOCKED),
// so two instances never list the same rows; the loser of a race on the
// dedupe key marks nothing.
//
// Notices about one thing (a registration cancelled and made again, a
// request the villager added to and then cancelled) carry the same subject:
// the digest lists it once, as it stands when sent (a registration re-read
// from its row, anything else by its latest line).
import type { Database, Tx } from "../db/database.ts";
import { encodePostback } from "../engine/postback.ts";
import type { Button } from "../engine/types.ts";
import type { Job } from "../jobs/scheduler.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { bangkokInstant, bangkokIsoDate, thaiShortDate } from "../thai/format.ts";
import { DIGEST_TEXT as T } from "./digest-texts.ts";
import { CASES_ENTRY } from "../help-requests/case-card.ts";
import { STAFF_ENTRY } from "./staff-module.ts";
import { waitlistPosition } from "../meetings/meeting-store.ts";
import { MEETING_TEXT } from "../meetings/texts.ts";

export const DIGEST_PURPOSE = "staff.digest";
export const digestKey = (lineUserId: string, bangkokDate: string) => `digest:${lineUserId}:${bangkokDate}`;

/** Lines listed before "และอีก N รายการ": a digest is read on a phone. */
export const DIGEST_MAX_LINES = 15;
/** A notice's line is one line: longer ones are cut. */
const LINE_MAX = 160;

const cut = (s: string) => {
  const chars = [...s.replace(/\s+/g, " ").trim()];
  return chars.length <= LINE_MAX ? chars.join("") : `${chars.slice(0, LINE_MAX - 1).join("")}…`;
};

/** The digest's text: heading, up to DIGEST_MAX_LINES lines, the rest counted. */
export function digestText(date: string, lines: string[]): string {
  const shown = lines.length > DIGEST_MAX_LINES ? lines.slice(0, DIGEST_MAX_LINES - 1) : lines;
  return [
    T.heading(thaiShortDate(date), lines.length),
    ...shown.map((l) => T.line(cut(l))),
    ...(shown.length < lines.length ? [T.more(lines.length - shown.length)] : []),
    T.footer,
  ].join("\n");
}

const button = (label: string, entry: string): Button => ({
  kind: "postback",
  label,
  data: encodePostback({ kind: "menu", entry }),
  displayText: label,
});

/** The subject of a registration's notices (src/meetings/registration-notice.ts): its row id, never the person's. */
export const registrationSubject = (registrationId: number) => `${REGISTRATION_SUBJECT}${registrationId}`;
const REGISTRATION_SUBJECT = "meeting-registration:";

/**
 * A registration's line as it stands now: registered, cancelled and made
 * again is one line with today's party size and status. Null when the
 * registration is gone or its member withdrew (nothing left to tell).
 */
async function registrationLine(tx: Tx, id: number): Promise<string | null> {
  const r = await tx.meetingRegistration.findUnique({ where: { id }, include: { meeting: { select: { title: true } } } });
  if (!r || r.lineUserId.startsWith("erased:")) return null;
  const member = r.memberId === null ? null : await tx.member.findUnique({ where: { id: r.memberId }, select: { fullName: true } });
  const status =
    r.status === "REGISTERED"
      ? MEETING_TEXT.noticeRegistered
      : r.status === "WAITLISTED"
        ? MEETING_TEXT.noticeWaitlisted(await waitlistPosition(tx, r))
        : T.registrationCancelled;
  return MEETING_TEXT.noticeDigest(member?.fullName ?? MEETING_TEXT.noticeUnknownName, r.people, r.meeting.title, status);
}

/** One line per subject, where its latest notice falls; a registration's re-read from its row. */
async function currentLines(tx: Tx, items: { id: number; text: string; subject: string | null }[]): Promise<string[]> {
  const latest = new Map<string, number>();
  for (const [i, item] of items.entries()) if (item.subject !== null) latest.set(item.subject, i);
  const lines: string[] = [];
  for (const [i, item] of items.entries()) {
    if (item.subject === null) {
      lines.push(item.text);
      continue;
    }
    if (latest.get(item.subject) !== i) continue;
    const registration = item.subject.startsWith(REGISTRATION_SUBJECT) ? Number(item.subject.slice(REGISTRATION_SUBJECT.length)) : NaN;
    if (!Number.isSafeInteger(registration)) {
      lines.push(item.text);
      continue;
    }
    const line = await registrationLine(tx, registration);
    if (line !== null) lines.push(line);
  }
  return lines;
}

async function sendOne(tx: Tx, lineUserId: string, today: string, now: Date): Promise<boolean> {
  const items = await tx.$queryRaw<{ id: number; text: string; subject: string | null }[]>`
    SELECT id, text, subject FROM staff_digest_item
    WHERE "lineUserId" = ${lineUserId} AND "sentAt" IS NULL AND "createdAt" <= ${now}
    ORDER BY "createdAt", id
    FOR UPDATE SKIP LOCKED`;
  if (items.length === 0) return false;
  const lines = await currentLines(tx, items);
  // Every line was about something gone (a withdrawn member's registration): nothing to say today.
  if (lines.length === 0) {
    await tx.staffDigestItem.updateMany({ where: { id: { in: items.map((i) => i.id) } }, data: { sentAt: now } });
    return false;
  }
  const text = digestText(today, lines);
  const id = await enqueuePush(
    tx,
    lineUserId,
    { replies: [{ kind: "text", text }], buttons: [button(T.cases, CASES_ENTRY), button(T.open, STAFF_ENTRY)] },
    { purpose: DIGEST_PURPOSE, now, dedupeKey: digestKey(lineUserId, today) },
  );
  if (id === null) return false; // today's digest went out already: these wait for tomorrow
  await tx.staffDigestItem.updateMany({ where: { id: { in: items.map((i) => i.id) } }, data: { sentAt: now } });
  return true;
}

export function staffDigestJob(options: { db: Database; digestTime: string }): Job {
  return {
    name: "staff-digest",
    async runOnce(now) {
      const today = bangkokIsoDate(now);
      if (now.getTime() < bangkokInstant(today, options.digestTime).getTime()) return 0;
      // Most ticks find nothing: users with unsent rows and no digest today.
      const users = await options.db.transaction(
        (tx) => tx.$queryRaw<{ lineUserId: string }[]>`
          SELECT DISTINCT i."lineUserId" FROM staff_digest_item i
          WHERE i."sentAt" IS NULL AND i."createdAt" <= ${now}
            AND NOT EXISTS (SELECT 1 FROM outbox_message o WHERE o."dedupeKey" = 'digest:' || i."lineUserId" || ':' || ${today}::text)
          ORDER BY i."lineUserId"
          LIMIT 200`, // per run; the rest on the next tick
      );
      let sent = 0;
      for (const { lineUserId } of users) {
        if (await options.db.transaction((tx) => sendOne(tx, lineUserId, today, now))) sent += 1;
      }
      return sent;
    },
  };
}
