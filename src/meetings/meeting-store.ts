// Meetings and registrations. Every function takes the turn's transaction,
// so a registration, a cancellation, the promotions it causes and their
// pushes (outbox rows) commit together with the conversation state.
//
// Seats count people: a party of 3 takes 3 of `capacity`. A party that does
// not fit goes on the waitlist (registeredAt is its place in the queue). When
// seats free up, waiting parties are promoted in queue order, each one that
// fits; a large party does not block smaller ones behind it, so a waiting
// party never fits the free seats, and a newcomer who fits may take them.
import { z } from "zod";
import type { Tx } from "../db/database.ts";
import type { Meeting, MeetingRegistration } from "../generated/prisma/client.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { meetingPlace, meetingWhen } from "./format.ts";
import { MEETING_TEXT as T } from "./texts.ts";

/** Where a member belongs: their council, its district and province (DOPA codes). */
export interface CouncilArea {
  councilId: number;
  districtId: number;
  provinceId: number;
}

export interface MeetingWithSeats extends Meeting {
  /** People registered (not waitlisted). */
  taken: number;
  /** Seats free; null: no limit. */
  seatsLeft: number | null;
}

const MAX_INT4 = 2_147_483_647;

/** A meeting id from postback data, which can be forged: digits only, a possible INTEGER. */
export function parseMeetingId(arg: string | undefined): number | null {
  if (arg === undefined || !/^\d{1,10}$/.test(arg)) return null;
  const id = Number(arg);
  return id > 0 && id <= MAX_INT4 ? id : null;
}

/** A meeting id a flow starts with: a string, as the entry that checked it put it in the flow's data. */
export const meetingIdSchema = z.coerce.number<string>().int().positive().max(MAX_INT4);

const forArea = (area: CouncilArea) => ({
  audience: {
    some: {
      OR: [
        { level: "PROVINCE" as const, areaId: area.provinceId },
        { level: "DISTRICT" as const, areaId: area.districtId },
        { level: "COUNCIL" as const, areaId: area.councilId },
      ],
    },
  },
});

async function seatsTakenBy(tx: Tx, meetingIds: number[]): Promise<Map<number, number>> {
  if (meetingIds.length === 0) return new Map();
  const sums = await tx.meetingRegistration.groupBy({
    by: ["meetingId"],
    where: { meetingId: { in: meetingIds }, status: "REGISTERED" },
    _sum: { people: true },
  });
  return new Map(sums.map((s) => [s.meetingId, s._sum.people ?? 0]));
}

function withSeats(meeting: Meeting, taken: number): MeetingWithSeats {
  const seatsLeft = meeting.capacity === null ? null : Math.max(0, meeting.capacity - taken);
  return { ...meeting, taken, seatsLeft };
}

/** Scheduled meetings not yet over whose audience includes the council, soonest first. */
export async function upcomingMeetings(tx: Tx, area: CouncilArea, now: Date, limit = 10): Promise<MeetingWithSeats[]> {
  const meetings = await tx.meeting.findMany({
    where: { status: "SCHEDULED", endsAt: { gt: now }, ...forArea(area) },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  const taken = await seatsTakenBy(
    tx,
    meetings.map((m) => m.id),
  );
  return meetings.map((m) => withSeats(m, taken.get(m.id) ?? 0));
}

/** The meeting if its audience includes the council (any status: the caller says why it is closed). */
export async function meetingForArea(tx: Tx, meetingId: number, area: CouncilArea): Promise<MeetingWithSeats | null> {
  const meeting = await tx.meeting.findFirst({ where: { id: meetingId, ...forArea(area) } });
  if (!meeting) return null;
  const taken = await seatsTakenBy(tx, [meeting.id]);
  return withSeats(meeting, taken.get(meeting.id) ?? 0);
}

/** The meeting, whoever asks (a flow's prompt: its audience was checked when the flow started). */
export async function meetingById(tx: Tx, meetingId: number): Promise<Meeting | null> {
  return tx.meeting.findUnique({ where: { id: meetingId } });
}

/** meetingById with its seats (the registration summary). */
export async function meetingWithSeats(tx: Tx, meetingId: number): Promise<MeetingWithSeats | null> {
  const meeting = await meetingById(tx, meetingId);
  if (!meeting) return null;
  const taken = await seatsTakenBy(tx, [meeting.id]);
  return withSeats(meeting, taken.get(meeting.id) ?? 0);
}

/** A user's registrations (any status) for these meetings, by meeting id. */
export async function registrationsFor(tx: Tx, lineUserId: string, meetingIds: number[]): Promise<Map<number, MeetingRegistration>> {
  const rows = await tx.meetingRegistration.findMany({ where: { lineUserId, meetingId: { in: meetingIds } } });
  return new Map(rows.map((r) => [r.meetingId, r]));
}

export type Closed = { reason: "cancelled" } | { reason: "started" } | { reason: "deadline"; deadline: Date };

/** Why a meeting takes no registrations at `now`, or null when it does. */
export function registrationClosed(meeting: Meeting, now: Date): Closed | null {
  if (meeting.status !== "SCHEDULED") return { reason: "cancelled" };
  if (meeting.startsAt.getTime() <= now.getTime()) return { reason: "started" };
  const deadline = meeting.registrationDeadline;
  if (deadline && deadline.getTime() <= now.getTime()) return { reason: "deadline", deadline };
  return null;
}

/**
 * Serialises seat counting per meeting: two members taking the last seats
 * at once (each in their own turn's transaction) would otherwise both see
 * them free. Held until the transaction ends.
 */
async function lockMeeting(tx: Tx, meetingId: number): Promise<Meeting | null> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM meeting WHERE id = ${meetingId} FOR UPDATE`;
  if (rows.length === 0) return null;
  return tx.meeting.findUnique({ where: { id: meetingId } });
}

async function seatsTaken(tx: Tx, meetingId: number): Promise<number> {
  return (await seatsTakenBy(tx, [meetingId])).get(meetingId) ?? 0;
}

/** 1 for the first party waiting. */
export async function waitlistPosition(tx: Tx, registration: MeetingRegistration): Promise<number> {
  const ahead = await tx.meetingRegistration.count({
    where: {
      meetingId: registration.meetingId,
      status: "WAITLISTED",
      OR: [{ registeredAt: { lt: registration.registeredAt } }, { registeredAt: registration.registeredAt, id: { lt: registration.id } }],
    },
  });
  return ahead + 1;
}

export async function registrationOf(tx: Tx, meetingId: number, lineUserId: string): Promise<MeetingRegistration | null> {
  return tx.meetingRegistration.findUnique({ where: { meetingId_lineUserId: { meetingId, lineUserId } } });
}

export type RegisterOutcome =
  | { kind: "registered"; people: number }
  | { kind: "waitlisted"; position: number }
  | { kind: "already"; status: "REGISTERED"; people: number }
  | { kind: "already"; status: "WAITLISTED"; position: number }
  | { kind: "closed"; closed: Closed }
  | { kind: "not-found" };

/** Registers a party (the meeting's audience was checked by the caller). */
export async function register(
  tx: Tx,
  input: { meetingId: number; lineUserId: string; memberId: number | null; people: number; now: Date },
): Promise<RegisterOutcome> {
  const meeting = await lockMeeting(tx, input.meetingId);
  if (!meeting) return { kind: "not-found" };
  const closed = registrationClosed(meeting, input.now);
  if (closed) return { kind: "closed", closed };
  const existing = await registrationOf(tx, meeting.id, input.lineUserId);
  if (existing?.status === "REGISTERED") return { kind: "already", status: "REGISTERED", people: existing.people };
  if (existing?.status === "WAITLISTED") {
    return { kind: "already", status: "WAITLISTED", position: await waitlistPosition(tx, existing) };
  }
  const fits = meeting.capacity === null || (await seatsTaken(tx, meeting.id)) + input.people <= meeting.capacity;
  const fields = {
    memberId: input.memberId,
    people: input.people,
    status: fits ? ("REGISTERED" as const) : ("WAITLISTED" as const),
    // A new place in the queue: a cancelled registration that comes back queues again.
    registeredAt: input.now,
    promotedAt: null,
    cancelledAt: null,
  };
  // One row per member and meeting (unique): registering again after a cancel reuses it.
  const registration = await tx.meetingRegistration.upsert({
    where: { meetingId_lineUserId: { meetingId: meeting.id, lineUserId: input.lineUserId } },
    create: { meetingId: meeting.id, lineUserId: input.lineUserId, ...fields },
    update: fields,
  });
  if (fits) return { kind: "registered", people: registration.people };
  return { kind: "waitlisted", position: await waitlistPosition(tx, registration) };
}

export type CancelOutcome = { kind: "cancelled"; title: string; promoted: number } | { kind: "not-registered" } | { kind: "started" };

/** Cancels a member's registration (or their place on the waitlist) and gives freed seats to those waiting. */
export async function cancelRegistration(tx: Tx, input: { meetingId: number; lineUserId: string; now: Date }): Promise<CancelOutcome> {
  const meeting = await lockMeeting(tx, input.meetingId);
  if (!meeting) return { kind: "not-registered" };
  const registration = await registrationOf(tx, meeting.id, input.lineUserId);
  if (!registration || registration.status === "CANCELLED") return { kind: "not-registered" };
  if (meeting.startsAt.getTime() <= input.now.getTime()) return { kind: "started" };
  await tx.meetingRegistration.update({
    where: { id: registration.id },
    data: { status: "CANCELLED", cancelledAt: input.now },
  });
  const promoted = registration.status === "REGISTERED" ? await promoteWaitlisted(tx, meeting, input.now) : 0;
  return { kind: "cancelled", title: meeting.title, promoted };
}

/**
 * Gives free seats to waiting parties in queue order, each that fits, and
 * queues a push to each. The caller holds the meeting's lock.
 */
async function promoteWaitlisted(tx: Tx, meeting: Meeting, now: Date): Promise<number> {
  if (meeting.status !== "SCHEDULED" || meeting.startsAt.getTime() <= now.getTime()) return 0;
  let free = meeting.capacity === null ? Number.POSITIVE_INFINITY : meeting.capacity - (await seatsTaken(tx, meeting.id));
  if (free <= 0) return 0;
  const waiting = await tx.meetingRegistration.findMany({
    where: { meetingId: meeting.id, status: "WAITLISTED" },
    orderBy: [{ registeredAt: "asc" }, { id: "asc" }],
  });
  let promoted = 0;
  for (const party of waiting) {
    if (party.people > free) continue;
    free -= party.people;
    promoted += 1;
    await tx.meetingRegistration.update({ where: { id: party.id }, data: { status: "REGISTERED", promotedAt: now } });
    const message = T.promoted(meeting.title, meetingWhen(meeting.startsAt, meeting.endsAt), meetingPlace(meeting), party.people);
    await enqueuePush(
      tx,
      party.lineUserId,
      { replies: [{ kind: "text", text: message }], buttons: [] },
      {
        purpose: "meeting.promoted",
        now,
      },
    );
  }
  return promoted;
}

export interface MyRegistration {
  registration: MeetingRegistration;
  meeting: Meeting;
  /** For a waitlisted one: its place in the queue. */
  position: number | null;
}

/** A member's live registrations and waitlist places for meetings not yet over, soonest first. */
export async function myRegistrations(tx: Tx, lineUserId: string, now: Date, limit = 10): Promise<MyRegistration[]> {
  const rows = await tx.meetingRegistration.findMany({
    where: { lineUserId, status: { in: ["REGISTERED", "WAITLISTED"] }, meeting: { endsAt: { gt: now } } },
    include: { meeting: true },
    orderBy: [{ meeting: { startsAt: "asc" } }, { id: "asc" }],
    take: limit,
  });
  const mine: MyRegistration[] = [];
  for (const { meeting, ...registration } of rows) {
    const position = registration.status === "WAITLISTED" ? await waitlistPosition(tx, registration) : null;
    mine.push({ registration, meeting, position });
  }
  return mine;
}

/** The meeting, locked for an organiser's edit or cancel (seat counting waits for it). */
export async function lockMeetingForChange(tx: Tx, meetingId: number): Promise<Meeting | null> {
  return lockMeeting(tx, meetingId);
}

/** Gives seats freed by an organiser's change (more capacity) to those waiting; the caller holds the lock. */
export async function promoteAfterChange(tx: Tx, meeting: Meeting, now: Date): Promise<number> {
  return promoteWaitlisted(tx, meeting, now);
}
