// Coordinators' writes to meetings: create, edit, cancel, and the pushes
// telling registrants. Everything runs in the turn's transaction, so a
// change and its pushes (outbox rows) commit together.
//
// Who may organise a meeting: a coordinator whose area, now, contains every
// area of its audience (a province coordinator may fix a district
// coordinator's meeting; a coordinator of another district may not), not
// whoever created it: a creator whose role was revoked keeps no power over
// it, and the area's other coordinators can carry on. Asked again at every
// write: menu arguments can be forged.
import type { Tx } from "../db/database.ts";
import type { Meeting } from "../generated/prisma/client.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { coordinatorCoverage } from "../staff/roles.ts";
import { meetingPlace, meetingWhen } from "./format.ts";
import { lockMeetingForChange, parseMeetingId, promoteAfterChange } from "./meeting-store.ts";
import { allWithin, type Area } from "../staff/areas.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

export interface NewMeeting {
  title: string;
  agenda: string | null;
  startsAt: Date;
  endsAt: Date;
  placeName: string;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  capacity: number | null;
  registrationDeadline: Date | null;
  audience: Area[];
}

export async function mayOrganise(tx: Tx, userId: string, meeting: Pick<Meeting, "id">): Promise<boolean> {
  return (await organiserTest(tx, userId))(meeting);
}

/** mayOrganise for many meetings: the user's roles are read once. */
export async function organiserTest(tx: Tx, userId: string): Promise<(meeting: Pick<Meeting, "id">) => Promise<boolean>> {
  const covers = await coordinatorCoverage(tx, userId);
  return async (meeting) => {
    const audience = await tx.meetingAudience.findMany({ where: { meetingId: meeting.id }, select: { level: true, areaId: true } });
    return covers(audience);
  };
}

/** The meeting a button names, if this coordinator may organise it. */
export async function organisedMeeting(tx: Tx, userId: string, arg: string | undefined): Promise<Meeting | null> {
  const id = parseMeetingId(arg);
  const meeting = id === null ? null : await tx.meeting.findUnique({ where: { id } });
  return meeting && (await mayOrganise(tx, userId, meeting)) ? meeting : null;
}

/** Null when an area lies outside the coordinator's (a forged button). */
export async function createMeeting(tx: Tx, userId: string, m: NewMeeting, now: Date): Promise<Meeting | null> {
  if (!(await allWithin(tx, userId, m.audience))) return null;
  const { audience, ...fields } = m;
  return tx.meeting.create({
    data: { ...fields, status: "SCHEDULED", createdBy: userId, createdAt: now, audience: { create: audience } },
  });
}

/**
 * Upcoming meetings this coordinator may organise (their area's, whoever
 * created them), soonest first, with their registration counts.
 */
export async function meetingsOrganisedBy(tx: Tx, userId: string, now: Date, limit = 5) {
  const may = await organiserTest(tx, userId);
  const upcoming = await tx.meeting.findMany({
    where: { status: "SCHEDULED", endsAt: { gt: now } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: 200,
  });
  const meetings: typeof upcoming = [];
  for (const m of upcoming) {
    if (meetings.length >= limit) break;
    if (await may(m)) meetings.push(m);
  }
  const counts = await tx.meetingRegistration.groupBy({
    by: ["meetingId", "status"],
    where: { meetingId: { in: meetings.map((m) => m.id) }, status: { in: ["REGISTERED", "WAITLISTED"] } },
    _sum: { people: true },
  });
  const people = (id: number, status: string) => counts.find((c) => c.meetingId === id && c.status === status)?._sum.people ?? 0;
  return meetings.map((m) => ({ meeting: m, registered: people(m.id, "REGISTERED"), waiting: people(m.id, "WAITLISTED") }));
}

/** Registrations that hear about a change: those holding a seat or a place in the queue. */
export async function liveRegistrations(tx: Tx, meetingId: number) {
  return tx.meetingRegistration.findMany({
    where: { meetingId, status: { in: ["REGISTERED", "WAITLISTED"] } },
    orderBy: { id: "asc" },
  });
}

async function tell(tx: Tx, meetingId: number, change: string, message: string, now: Date): Promise<number> {
  let queued = 0;
  for (const r of await liveRegistrations(tx, meetingId)) {
    // One push per change and registration, however often this runs.
    const id = await enqueuePush(
      tx,
      r.lineUserId,
      { replies: [{ kind: "text", text: message }], buttons: [] },
      {
        purpose: `meeting.${change.split(":")[0]}`,
        now,
        dedupeKey: `meeting-${change}:${meetingId}:${r.id}`,
      },
    );
    if (id !== null) queued += 1;
  }
  return queued;
}

export type MeetingChange =
  | { kind: "time"; startsAt: Date; endsAt: Date }
  | { kind: "place"; placeName: string; latitude: number | null; longitude: number | null; address: string | null }
  | { kind: "capacity"; capacity: number | null }
  | { kind: "deadline"; registrationDeadline: Date | null };

export type ChangeOutcome =
  | { kind: "changed"; meeting: Meeting; notified: number }
  | { kind: "not-found" }
  | { kind: "closed"; why: "cancelled" | "over" }
  | { kind: "invalid"; taken?: number };

/**
 * Applies one change. A new time or place is pushed to every live
 * registrant (the deadline and seats are not: they do not change anyone's
 * plans); more seats promote those waiting.
 */
export async function changeMeeting(tx: Tx, userId: string, meetingId: number, change: MeetingChange, now: Date): Promise<ChangeOutcome> {
  const meeting = await lockMeetingForChange(tx, meetingId);
  if (!meeting || !(await mayOrganise(tx, userId, meeting))) return { kind: "not-found" };
  if (meeting.status !== "SCHEDULED") return { kind: "closed", why: "cancelled" };
  if (meeting.endsAt.getTime() <= now.getTime()) return { kind: "closed", why: "over" };
  const { kind, ...fields } = change;
  const next = { ...meeting, ...fields };
  if (next.endsAt.getTime() <= next.startsAt.getTime()) return { kind: "invalid" };
  if (next.registrationDeadline && next.registrationDeadline.getTime() >= next.startsAt.getTime()) return { kind: "invalid" };
  if (kind === "capacity" && next.capacity !== null) {
    const taken = await tx.meetingRegistration.aggregate({ where: { meetingId, status: "REGISTERED" }, _sum: { people: true } });
    if ((taken._sum.people ?? 0) > next.capacity) return { kind: "invalid", taken: taken._sum.people ?? 0 };
  }
  const updated = await tx.meeting.update({ where: { id: meetingId }, data: fields });
  let notified = 0;
  if (kind === "time" || kind === "place") {
    const message = T.pushChanged(updated.title, meetingWhen(updated.startsAt, updated.endsAt), meetingPlace(updated));
    notified = await tell(tx, meetingId, `changed:${now.getTime()}`, message, now);
  }
  if (kind === "capacity") await promoteAfterChange(tx, updated, now);
  return { kind: "changed", meeting: updated, notified };
}

/** Cancels the meeting and tells every live registrant once. */
export async function cancelMeeting(tx: Tx, userId: string, meetingId: number, now: Date): Promise<ChangeOutcome> {
  const meeting = await lockMeetingForChange(tx, meetingId);
  if (!meeting || !(await mayOrganise(tx, userId, meeting))) return { kind: "not-found" };
  if (meeting.status !== "SCHEDULED") return { kind: "closed", why: "cancelled" };
  if (meeting.endsAt.getTime() <= now.getTime()) return { kind: "closed", why: "over" };
  const updated = await tx.meeting.update({ where: { id: meetingId }, data: { status: "CANCELLED" } });
  const notified = await tell(
    tx,
    meetingId,
    "cancelled",
    T.pushCancelled(meeting.title, meetingWhen(meeting.startsAt, meeting.endsAt)),
    now,
  );
  return { kind: "changed", meeting: updated, notified };
}
