// What consent withdrawal erases outside the member row (PDPA), table by
// table; docs/privacy.md says why each table is treated as it is. The SQL
// for other domains' tables lives here, not in their stores, so one file
// answers "where can a withdrawn member's data still be?". A module of its
// own above the domains it erases from (it uses help-requests' statuses and
// meetings' cancellation); the members module, which they import, gets
// eraseOnWithdrawal passed in by src/bot.ts.
//
// Help requests are the exception to "erase now": one still being handled
// keeps what its handling needs (phone, location, the LINE id that hears of
// its progress) and is marked in pending_erasure; erasureJob anonymises it
// once it is resolved, rejected or cancelled.
import { randomUUID } from "node:crypto";
import type { Database, Tx } from "../db/database.ts";
import { isOpenStatus, OPEN_STATUS_LIST } from "../help-requests/request-status.ts";
import type { HelpRequestStatus } from "../generated/prisma/client.ts";
import type { Job } from "../jobs/scheduler.ts";
import { cancelRegistration } from "../meetings/meeting-store.ts";

/** Replaces a LINE user id where a column cannot be null; no LINE id looks like it. */
export const ERASED = "erased";
const NOT_SENT = "not sent: consent withdrawn";
const NOT_FETCHED = "not fetched: consent withdrawn";

/**
 * A closed request waits this long for a push to its filer that is still
 * queued (the "resolved" notice), so the notice is not emptied before it
 * goes; past it (e.g. no LINE credentials, nothing is sent) it is erased anyway.
 */
export const QUEUED_NOTICE_GRACE_MS = 24 * 3_600_000;

export interface Withdrawal {
  lineUserId: string;
  /** The member's name and phone as they were: searched for in notices about them. */
  fullName: string | null;
  phone: string | null;
  now: Date;
}

export interface WithdrawalErasure {
  /** Requests kept until they close (then anonymised). */
  openRequests: number;
  closedRequests: number;
  cancelledRegistrations: number;
}

interface RequestRow {
  id: number;
  status: HelpRequestStatus;
  caseNumber: string;
  phone: string | null;
  lineUserId: string;
}

const present = (values: (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => !!v && v.trim() !== ""))];

/** Runs in the withdrawal's transaction, before the member row loses name and phone. */
export async function eraseOnWithdrawal(tx: Tx, w: Withdrawal): Promise<WithdrawalErasure> {
  const cancelledRegistrations = await leaveMeetings(tx, w.lineUserId, w.now);
  const requests = await tx.$queryRaw<RequestRow[]>`
    SELECT id, status, "caseNumber", phone, "lineUserId" FROM help_request
    WHERE "lineUserId" = ${w.lineUserId} ORDER BY id FOR UPDATE`;
  const open = requests.filter((r) => isOpenStatus(r.status));
  const closed = requests.filter((r) => !isOpenStatus(r.status));
  // Notices that name an open case stay: its handling still needs them.
  const keep = open.map((r) => r.caseNumber);
  const about = present([w.lineUserId, w.fullName, w.phone, ...closed.flatMap((r) => [r.phone, r.caseNumber])]);

  await scrubPushesTo(tx, w.lineUserId, { pendingToo: true });
  await tx.$executeRaw`
    UPDATE outbox_message SET recipients = recipients - ${w.lineUserId}::text
    WHERE jsonb_array_length(recipients) > 1 AND recipients @> jsonb_build_array(${w.lineUserId}::text)`;
  await scrubNoticesAbout(tx, about, keep, { pendingToo: true });
  // Dedupe keys can embed a LINE id (a registration notice's); the row id keeps the key unique.
  await tx.$executeRaw`
    UPDATE outbox_message SET "dedupeKey" = replace("dedupeKey", ${w.lineUserId}, ${ERASED} || '-' || id::text)
    WHERE strpos("dedupeKey", ${w.lineUserId}) > 0`;
  // Delivery counts of announcements stay right: a recipient without a line_user row counts by its chunk's status.
  await tx.$executeRaw`
    UPDATE announcement_recipient SET "lineUserId" = ${ERASED} || ':' || gen_random_uuid()::text
    WHERE "lineUserId" = ${w.lineUserId}`;

  await eraseDisasterAnswers(tx, w.lineUserId);

  await anonymiseRequests(tx, closed);
  if (open.length > 0) {
    await tx.$executeRaw`
      INSERT INTO pending_erasure ("requestId", "requestedAt")
      SELECT unnest(${open.map((r) => r.id)}::int[]), ${w.now}
      ON CONFLICT ("requestId") DO NOTHING`;
  }
  return { openRequests: open.length, closedRequests: closed.length, cancelledRegistrations };
}

/**
 * Disaster mode (src/disaster/): the household's vulnerable people (health
 * data) cleared; neighbour reports they made lose the neighbour's name and
 * their LINE id; their check-ins and safety answers keep the status (the
 * situation's counts per council stay right) under one placeholder shared
 * by both tables, so "sent but not answered" still pairs them up. A
 * secretary's id in answeredBy (CONTACTED_SAFE) is staff data and stays.
 */
async function eraseDisasterAnswers(tx: Tx, lineUserId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE member SET "householdVulnerable" = '[]'::jsonb, "householdVulnerableAt" = NULL WHERE "lineUserId" = ${lineUserId}`;
  await tx.$executeRaw`
    UPDATE neighbour_report SET name = NULL, "reportedBy" = ${ERASED} WHERE "reportedBy" = ${lineUserId}`;
  const placeholder = `${ERASED}:${randomUUID()}`;
  await tx.$executeRaw`
    UPDATE safety_answer SET
      "answeredBy" = CASE WHEN "answeredBy" = ${lineUserId} THEN ${placeholder} ELSE "answeredBy" END,
      "lineUserId" = ${placeholder}
    WHERE "lineUserId" = ${lineUserId}`;
  await tx.$executeRaw`UPDATE safety_check_in SET "lineUserId" = ${placeholder} WHERE "lineUserId" = ${lineUserId}`;
}

/**
 * Cancels live registrations as the member would (freed seats go to the
 * waitlist, who are told), then unlinks every registration, past ones
 * included: attendance counts stay, the LINE id goes.
 */
async function leaveMeetings(tx: Tx, lineUserId: string, now: Date): Promise<number> {
  const live = await tx.meetingRegistration.findMany({
    where: { lineUserId, status: { in: ["REGISTERED", "WAITLISTED"] } },
    select: { meetingId: true },
    orderBy: { meetingId: "asc" },
  });
  let cancelled = 0;
  for (const { meetingId } of live) {
    const outcome = await cancelRegistration(tx, { meetingId, lineUserId, now });
    if (outcome.kind === "cancelled") cancelled += 1;
  }
  // (meetingId, lineUserId) is unique: the row id keeps the placeholder unique.
  await tx.$executeRaw`
    UPDATE meeting_registration SET "lineUserId" = ${ERASED} || ':' || id::text WHERE "lineUserId" = ${lineUserId}`;
  return cancelled;
}

/**
 * Pushes to this one user: bodies and recipient emptied. With pendingToo,
 * queued ones are never sent (FAILED, saying why); otherwise queued ones are
 * left to go out (the worker empties a body once LINE has it).
 */
async function scrubPushesTo(tx: Tx, lineUserId: string, o: { pendingToo: boolean }): Promise<void> {
  await tx.$executeRaw`
    UPDATE outbox_message SET
      messages = '[]'::jsonb, recipients = '[]'::jsonb,
      "lastError" = CASE WHEN status = 'PENDING' THEN ${NOT_SENT} ELSE "lastError" END,
      status = CASE WHEN status = 'PENDING' THEN 'FAILED'::"OutboxStatus" ELSE status END,
      "nextAttemptAt" = NULL, "leaseUntil" = NULL
    WHERE recipients = jsonb_build_array(${lineUserId}::text) AND (${o.pendingToo} OR status <> 'PENDING')`;
}

/**
 * Notices to anyone (staff cards, digest lines) that mention one of `about`
 * (a name, a phone, a case number, a LINE id) and none of `keep`: outbox
 * bodies emptied (queued ones not sent, with pendingToo), digest lines deleted.
 * Sent outbox rows hold no body already (src/outbox/queries.ts).
 */
async function scrubNoticesAbout(tx: Tx, about: string[], keep: string[], o: { pendingToo: boolean }): Promise<void> {
  if (about.length === 0) return;
  await tx.$executeRaw`
    UPDATE outbox_message SET
      messages = '[]'::jsonb,
      "lastError" = CASE WHEN status = 'PENDING' THEN ${NOT_SENT} ELSE "lastError" END,
      status = CASE WHEN status = 'PENDING' THEN 'FAILED'::"OutboxStatus" ELSE status END,
      "nextAttemptAt" = NULL, "leaseUntil" = NULL
    WHERE (status = 'FAILED' OR (${o.pendingToo} AND status = 'PENDING'))
      AND EXISTS (SELECT 1 FROM unnest(${about}::text[]) a WHERE strpos(messages::text, a) > 0)
      AND NOT EXISTS (SELECT 1 FROM unnest(${keep}::text[]) k WHERE strpos(messages::text, k) > 0)`;
  await tx.$executeRaw`
    DELETE FROM staff_digest_item
    WHERE EXISTS (SELECT 1 FROM unnest(${about}::text[]) a WHERE strpos(text, a) > 0)
      AND NOT EXISTS (SELECT 1 FROM unnest(${keep}::text[]) k WHERE strpos(text, k) > 0)`;
}

/**
 * Closed requests lose everything that points to a person: filer, contact,
 * place, household, vulnerable people, notes, photos, voice notes. What stays (kind,
 * council, case number, status, priority, dates, counts, needs, water
 * level) keeps the council's reports true.
 */
async function anonymiseRequests(tx: Tx, requests: RequestRow[]): Promise<void> {
  if (requests.length === 0) return;
  const ids = requests.map((r) => r.id);
  // Photos first: "added by the filer" is known only while the request still names them.
  // A fetch in flight cannot write the bytes back: its lease is gone.
  await tx.$executeRaw`
    UPDATE help_request_photo p SET
      bytes = NULL, "lineMessageId" = ${ERASED} || ':' || p.id::text,
      "addedBy" = CASE WHEN p."addedBy" = r."lineUserId" THEN ${ERASED} ELSE p."addedBy" END,
      "lastError" = CASE WHEN p.status = 'PENDING' THEN ${NOT_FETCHED} ELSE p."lastError" END,
      status = CASE WHEN p.status = 'PENDING' THEN 'FAILED'::"PhotoFetchStatus" ELSE p.status END,
      "nextAttemptAt" = NULL, "leaseUntil" = NULL
    FROM help_request r WHERE r.id = p."requestId" AND r.id = ANY(${ids}::int[])`;
  // Voice notes like photos: the villager's voice goes, a pending fetch is abandoned.
  await tx.$executeRaw`
    UPDATE help_request_voice v SET
      bytes = NULL, "lineMessageId" = ${ERASED} || ':' || v.id::text,
      "addedBy" = CASE WHEN v."addedBy" = r."lineUserId" THEN ${ERASED} ELSE v."addedBy" END,
      "lastError" = CASE WHEN v.status = 'PENDING' THEN ${NOT_FETCHED} ELSE v."lastError" END,
      status = CASE WHEN v.status = 'PENDING' THEN 'FAILED'::"PhotoFetchStatus" ELSE v.status END,
      "nextAttemptAt" = NULL, "leaseUntil" = NULL
    FROM help_request r WHERE r.id = v."requestId" AND r.id = ANY(${ids}::int[])`;
  // Staff actions keep their actor (who did what with a case); every note goes (it can name anyone).
  await tx.$executeRaw`
    UPDATE help_request_event SET note = NULL, "actorUserId" = CASE WHEN "byStaff" THEN "actorUserId" ELSE NULL END
    WHERE "requestId" = ANY(${ids}::int[])`;
  await tx.$executeRaw`
    UPDATE help_request SET
      "lineUserId" = ${ERASED}, "memberId" = NULL, "householdName" = NULL, latitude = NULL, longitude = NULL,
      address = NULL, village = NULL, vulnerable = '[]'::jsonb, note = NULL, "householdHead" = NULL,
      "incomeBand" = NULL, "landStatus" = NULL, phone = NULL
    WHERE id = ANY(${ids}::int[])`;
  // Aid handed out for a household named on the request ("n:<council>:<name>",
  // src/disaster/household.ts) keeps its counts under the request instead.
  await tx.$executeRaw`
    UPDATE aid_distribution SET "householdKey" = 'r:' || "helpRequestId"::text
    WHERE "helpRequestId" = ANY(${ids}::int[]) AND "householdKey" LIKE 'n:%'`;
  await tx.$executeRaw`DELETE FROM pending_erasure WHERE "requestId" = ANY(${ids}::int[])`;
}

/**
 * Anonymises requests marked at withdrawal once they are closed, with the
 * notices about them; nothing else needs changing where requests close
 * (resolve, reject, cancel). Resolves how many it anonymised.
 */
export async function eraseClosedRequests(tx: Tx, now: Date, limit = 50): Promise<number> {
  const requests = await tx.$queryRaw<RequestRow[]>`
    SELECT r.id, r.status, r."caseNumber", r.phone, r."lineUserId"
    FROM pending_erasure e JOIN help_request r ON r.id = e."requestId"
    WHERE r.status NOT IN (${OPEN_STATUS_LIST})
      AND NOT EXISTS (
        SELECT 1 FROM outbox_message o
        WHERE o.status = 'PENDING' AND o.recipients = jsonb_build_array(r."lineUserId")
          AND o."createdAt" > ${new Date(now.getTime() - QUEUED_NOTICE_GRACE_MS)})
    ORDER BY r.id
    LIMIT ${limit}::int
    FOR UPDATE OF e, r SKIP LOCKED`;
  if (requests.length === 0) return 0;
  for (const filer of present(requests.map((r) => r.lineUserId))) {
    // Queued pushes may concern a request they filed since (as a guest, or
    // after signing up again): those go out.
    await scrubPushesTo(tx, filer, { pendingToo: false });
  }
  const stillOpen = await tx.$queryRaw<{ caseNumber: string }[]>`
    SELECT "caseNumber" FROM help_request
    WHERE "lineUserId" = ANY(${present(requests.map((r) => r.lineUserId))}::text[])
      AND status IN (${OPEN_STATUS_LIST})`;
  await scrubNoticesAbout(
    tx,
    present(requests.flatMap((r) => [r.caseNumber, r.phone])),
    stillOpen.map((r) => r.caseNumber),
    { pendingToo: false },
  );
  await anonymiseRequests(tx, requests);
  return requests.length;
}

/** Background job: requests marked at withdrawal, anonymised once closed. */
export function erasureJob(options: { db: Database }): Job {
  return {
    name: "consent-erasure",
    async runOnce(now) {
      // Most ticks: nothing marked, one index-only look.
      const marked = await options.db.prisma.$queryRaw<unknown[]>`SELECT 1 FROM pending_erasure LIMIT 1`;
      if (marked.length === 0) return 0;
      return options.db.transaction((tx) => eraseClosedRequests(tx, now));
    },
  };
}
