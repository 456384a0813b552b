// Cases nobody moves. A CRITICAL flood request still PENDING (nobody
// accepted it) ESCALATE_CRITICAL_AFTER_MINUTES (default 30) after it was
// filed goes to the district's coordinators (escalationLevel 1), and as many
// minutes later to the province's (level 2); a district without coordinators
// is skipped, straight to the province. A HOUSING request open (PENDING,
// ACCEPTED, IN_PROGRESS) with no change for HOUSING_IDLE_REMINDER_DAYS
// (default 14) reminds the council's secretaries, once per idle period:
// again only after as many more idle days (remindedAt), or after a change
// and a new idle period.
//
// Several instances: the due rows are claimed with SELECT … FOR UPDATE SKIP
// LOCKED (or UPDATE … RETURNING) and marked in the same transaction as the
// notices, so a case is escalated or reminded by one instance only; the
// outbox's dedupe keys ("escalate:<id>:<level>") are a second guard.
//
// Escalations are recorded in the request's fields (escalationLevel,
// escalatedAt), not as a HelpRequestEvent: the villager's history shows
// events, and a system note there would read as the villager's own (NOTE
// events without byStaff), nor does it change the case (updatedAt stays).
import type { Database, Tx } from "../db/database.ts";
import type { Button, Outgoing } from "../engine/types.ts";
import type { HelpRequestStatus } from "../generated/prisma/client.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import type { Job } from "../jobs/scheduler.ts";
import { notifyStaff } from "../staff/notify.ts";
import { coordinatorsOf, secretariesOf } from "../staff/roles.ts";
import { caseData } from "./case-card.ts";
import { ESCALATION_TEXT as T } from "./escalation-texts.ts";
import { OPEN_STATUS_LIST } from "./request-status.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

export const ESCALATION_PURPOSE = "request.escalated";
export const IDLE_PURPOSE = "request.idle";
export const escalationKey = (requestId: number, level: number) => `escalate:${requestId}:${level}`;

interface Critical {
  id: number;
  caseNumber: string;
  councilId: number;
  escalationLevel: number;
  createdAt: Date;
  village: string | null;
  address: string | null;
  peopleCount: number | null;
}

interface Idle {
  id: number;
  caseNumber: string;
  councilId: number;
  status: HelpRequestStatus;
  updatedAt: Date;
  householdHead: string | null;
  householdName: string | null;
}

/** The case's card (src/help-requests/case-module.ts), which checks the reader's area again. */
const message = (requestId: number, text: string): Outgoing => {
  const open: Button = { kind: "postback", label: T.open, data: caseData("open", requestId), displayText: T.open };
  return { replies: [{ kind: "text", text }], buttons: [open] };
};

async function escalate(tx: Tx, now: Date, afterMs: number): Promise<number> {
  const cutoff = new Date(now.getTime() - afterMs);
  const due = await tx.$queryRaw<Critical[]>`
    SELECT id, "caseNumber", "councilId", "escalationLevel", "createdAt", village, address, "peopleCount"
    FROM help_request
    WHERE kind = 'FLOOD' AND priority = 'CRITICAL' AND status = 'PENDING'
      AND (("escalationLevel" = 0 AND "createdAt" <= ${cutoff}) OR ("escalationLevel" = 1 AND "escalatedAt" <= ${cutoff}))
    ORDER BY "createdAt", id
    LIMIT 100 -- per run; the rest on the next tick
    FOR UPDATE SKIP LOCKED`;
  let done = 0;
  for (const r of due) {
    const council = await getCouncilWithPlace(tx, r.councilId);
    if (!council) continue;
    let level = r.escalationLevel + 1;
    let to = level === 1 ? await coordinatorsOf(tx, { level: "DISTRICT", areaId: council.districtId }) : [];
    if (to.length === 0) {
      level = 2;
      to = await coordinatorsOf(tx, { level: "PROVINCE", areaId: council.provinceId });
    }
    // Guarded by the level read under the row lock: moves one step, once.
    const { count } = await tx.helpRequest.updateMany({
      where: { id: r.id, escalationLevel: r.escalationLevel, status: "PENDING" },
      data: { escalationLevel: level, escalatedAt: now },
    });
    if (count !== 1) continue;
    const text = T.critical({
      caseNumber: r.caseNumber,
      waited: Math.floor((now.getTime() - r.createdAt.getTime()) / MINUTE),
      council: council.name,
      district: council.districtNameTh,
      where: r.village ?? r.address ?? T.unknownPlace,
      people: r.peopleCount !== null ? T.people(r.peopleCount) : T.unknownPeople,
      to: level === 1 ? "district" : "province",
    });
    await notifyStaff(tx, to, {
      content: message(r.id, text),
      digestLine: T.criticalDigest(r.caseNumber, council.name),
      urgent: true,
      purpose: ESCALATION_PURPOSE,
      now,
      dedupeKey: escalationKey(r.id, level),
    });
    done += 1;
  }
  return done;
}

async function remindIdle(tx: Tx, now: Date, idleMs: number): Promise<number> {
  const cutoff = new Date(now.getTime() - idleMs);
  // Claimed and marked in one statement: a second instance skips the locked rows.
  const due = await tx.$queryRaw<Idle[]>`
    UPDATE help_request SET "remindedAt" = ${now}
    WHERE id IN (
      SELECT id FROM help_request
      WHERE kind = 'HOUSING' AND status IN (${OPEN_STATUS_LIST})
        AND "updatedAt" <= ${cutoff} AND ("remindedAt" IS NULL OR "remindedAt" <= ${cutoff})
      ORDER BY id
      LIMIT 100
      FOR UPDATE SKIP LOCKED)
    RETURNING id, "caseNumber", "councilId", status, "updatedAt", "householdHead", "householdName"`;
  for (const r of due) {
    const council = await getCouncilWithPlace(tx, r.councilId);
    const days = Math.floor((now.getTime() - r.updatedAt.getTime()) / DAY);
    const status = T.statuses[r.status];
    const text = T.housingIdle({
      caseNumber: r.caseNumber,
      days,
      status,
      household: r.householdHead ?? r.householdName ?? T.unknownPlace,
      council: council ? `${council.name} ${council.districtNameTh}` : "",
    });
    await notifyStaff(tx, await secretariesOf(tx, r.councilId), {
      content: message(r.id, text),
      digestLine: T.housingIdleDigest(r.caseNumber, days, status),
      urgent: false,
      purpose: IDLE_PURPOSE,
      now,
      dedupeKey: `housing-idle:${r.id}:${now.getTime()}`,
    });
  }
  return due.length;
}

export function escalationJob(options: { db: Database; criticalAfterMinutes: number; housingIdleDays: number }): Job {
  return {
    name: "request-escalation",
    async runOnce(now) {
      const escalated = await options.db.transaction((tx) => escalate(tx, now, options.criticalAfterMinutes * MINUTE));
      const reminded = await options.db.transaction((tx) => remindIdle(tx, now, options.housingIdleDays * DAY));
      return escalated + reminded;
    },
  };
}
