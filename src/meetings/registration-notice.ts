// Tells the registrant's council secretaries about a new registration (or a
// place on the waitlist): one small card, or one line of the evening digest
// for those who chose it. Written in the registration's transaction.
import type { Tx } from "../db/database.ts";
import { registrationSubject } from "../staff/digest-job.ts";
import { notifyStaff } from "../staff/notify.ts";
import { secretariesOf } from "../staff/roles.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { meetingWhen } from "./format.ts";
import { registrationOf } from "./meeting-store.ts";
import { MEETING_TEXT as T } from "./texts.ts";

const COLORS = { registered: "#1B7F5A", waitlisted: "#B26A00" } as const;

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
