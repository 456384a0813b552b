// Tells the registrant's council secretaries about a new registration (or a
// place on the waitlist): one small card, or one line of the evening digest
// for those who chose it. Written in the registration's transaction. The
// digest re-reads the registration when it goes out (registrationDigestLine,
// which src/app.ts hands to the staff digest job).
import type { Tx } from "../db/database.ts";
import { DIGEST_TEXT } from "../staff/digest-texts.ts";
import { notifyStaff } from "../staff/notify.ts";
import { secretariesOf } from "../staff/roles.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { meetingWhen } from "./format.ts";
import { registrationOf, waitlistPosition } from "./meeting-store.ts";
import { MEETING_TEXT as T } from "./texts.ts";

const COLORS = { registered: "#1B7F5A", waitlisted: "#B26A00" } as const;

/** The subject of a registration's notices: its row id, never the person's. The digest lists one line per subject (src/staff/digest-job.ts). */
export const registrationSubject = (registrationId: number) => `${REGISTRATION_SUBJECT}${registrationId}`;
const REGISTRATION_SUBJECT = "meeting-registration:";

/**
 * The digest's line for a notice's subject (the staff digest job's
 * currentLine): a registration's as it stands now, so registered, cancelled
 * and made again is one line with today's party size and status. Null when
 * the registration is gone or its member withdrew (nothing left to tell);
 * undefined for a subject that is not a registration's.
 */
export async function registrationDigestLine(tx: Tx, subject: string): Promise<string | null | undefined> {
  const id = subject.startsWith(REGISTRATION_SUBJECT) ? Number(subject.slice(REGISTRATION_SUBJECT.length)) : NaN;
  if (!Number.isSafeInteger(id)) return undefined;
  const r = await tx.meetingRegistration.findUnique({ where: { id }, include: { meeting: { select: { title: true } } } });
  if (!r || r.lineUserId.startsWith("erased:")) return null;
  const member = r.memberId === null ? null : await tx.member.findUnique({ where: { id: r.memberId }, select: { fullName: true } });
  const status =
    r.status === "REGISTERED"
      ? T.noticeRegistered
      : r.status === "WAITLISTED"
        ? T.noticeWaitlisted(await waitlistPosition(tx, r))
        : DIGEST_TEXT.registrationCancelled;
  return T.noticeDigest(member?.fullName ?? T.noticeUnknownName, r.people, r.meeting.title, status);
}

export async function notifyRegistration(
  tx: Tx,
  n: {
    councilId: number;
    meeting: { id: number; title: string; startsAt: Date; endsAt: Date };
    lineUserId: string;
    name: string | null;
    people: number;
    /** Null: registered; else the place on the waitlist. */
    waitlistPosition: number | null;
    now: Date;
  },
): Promise<void> {
  const name = n.name ?? T.noticeUnknownName;
  const status = n.waitlistPosition === null ? T.noticeRegistered : T.noticeWaitlisted(n.waitlistPosition);
  const card = renderFlexTemplate("registration-notice", {
    heading: T.noticeHeading,
    title: n.meeting.title,
    when: meetingWhen(n.meeting.startsAt, n.meeting.endsAt),
    name,
    people: T.noticePeople(n.people),
    status,
    statusColor: n.waitlistPosition === null ? COLORS.registered : COLORS.waitlisted,
  });
  const registration = await registrationOf(tx, n.meeting.id, n.lineUserId);
  await notifyStaff(tx, await secretariesOf(tx, n.councilId), {
    content: { replies: [{ kind: "flex", altText: T.noticeAlt(name, n.meeting.title).slice(0, 400), contents: card }], buttons: [] },
    digestLine: T.noticeDigest(name, n.people, n.meeting.title, status),
    urgent: false,
    purpose: "meeting.registration",
    now: n.now,
    // A member who cancels and registers again is news again: the time keeps it apart.
    dedupeKey: `meeting-registration:${n.meeting.id}:${n.lineUserId}:${n.now.getTime()}`,
    // …but in the digest it is one registration, as it stands in the evening.
    ...(registration ? { digestSubject: registrationSubject(registration.id) } : {}),
  });
}
