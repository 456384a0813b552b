// Linking a LINE member to their fund record: matching on national ID +
// birth date, requests for the council secretary, and the lock-out after
// repeated failures. Every function takes the turn's transaction.
//
// PDPA: the national ID passed in here is never logged; it is stored only in
// a FundLinkRequest (the secretary needs it to find the person).
import type { Tx } from "../db/database.ts";
import type { FundLinkReason } from "../generated/prisma/enums.ts";
import { dateValue } from "./ledger-format.ts";
import { notifyLinkRequest } from "./link-review.ts";

export const MAX_FAILED_ATTEMPTS = 3;
export const LOCKOUT_MS = 24 * 3_600_000;

/** When the member may try again, or null when they are not locked out. */
export async function lockedUntil(tx: Tx, memberId: number, now: Date): Promise<Date | null> {
  const failures = await tx.fundLinkAttempt.findMany({
    where: { memberId, matched: false, attemptedAt: { gt: new Date(now.getTime() - LOCKOUT_MS) } },
    orderBy: { attemptedAt: "desc" },
    take: MAX_FAILED_ATTEMPTS,
    select: { attemptedAt: true },
  });
  if (failures.length < MAX_FAILED_ATTEMPTS) return null;
  // Unlocks once the oldest of the last three failures is 24 hours old.
  return new Date(failures[MAX_FAILED_ATTEMPTS - 1]!.attemptedAt.getTime() + LOCKOUT_MS);
}

export async function linkedFundMember(tx: Tx, memberId: number) {
  return tx.fundMember.findUnique({ where: { memberId }, include: { fund: true } });
}

export type LinkOutcome =
  | { kind: "linked"; fundName: string; memberNo: string }
  | { kind: "already-yours"; fundName: string }
  | { kind: "requested"; reason: FundLinkReason };

export interface LinkAttempt {
  memberId: number;
  councilId: number;
  nationalId: string; // 13 digits, check digit verified
  birthDate: string; // "yyyy-mm-dd"
  now: Date;
}

/**
 * Looks for the fund member with this ID and birth date in the council's
 * funds, else in any fund. Exactly one unlinked match is linked; anything
 * else becomes a request for the secretary and counts as a failure.
 */
export async function attemptLink(tx: Tx, a: LinkAttempt): Promise<LinkOutcome> {
  const birthDate = dateValue(a.birthDate);
  const where = { nationalId: a.nationalId, birthDate };
  let matches = await tx.fundMember.findMany({ where: { ...where, fund: { councilId: a.councilId } }, include: { fund: true } });
  if (matches.length === 0) matches = await tx.fundMember.findMany({ where, include: { fund: true } });

  const only = matches.length === 1 ? matches[0]! : undefined;
  if (only && only.memberId === a.memberId) {
    await tx.fundLinkAttempt.create({ data: { memberId: a.memberId, matched: true, attemptedAt: a.now } });
    return { kind: "already-yours", fundName: only.fund.name };
  }
  if (only && only.memberId === null) {
    // Guarded update: a concurrent link of the same row by someone else wins cleanly.
    const { count } = await tx.fundMember.updateMany({ where: { id: only.id, memberId: null }, data: { memberId: a.memberId } });
    if (count === 1) {
      await tx.fundLinkAttempt.create({ data: { memberId: a.memberId, matched: true, attemptedAt: a.now } });
      return { kind: "linked", fundName: only.fund.name, memberNo: only.memberNo };
    }
  }

  const reason: FundLinkReason = matches.length === 0 ? "NO_MATCH" : matches.length > 1 ? "AMBIGUOUS" : "ALREADY_LINKED";
  await tx.fundLinkAttempt.create({ data: { memberId: a.memberId, matched: false, attemptedAt: a.now } });
  // The same details asked again do not queue a second request.
  const pending = await tx.fundLinkRequest.findFirst({
    where: { memberId: a.memberId, nationalId: a.nationalId, birthDate, status: "PENDING" },
    select: { id: true },
  });
  if (!pending) {
    const request = await tx.fundLinkRequest.create({
      data: { memberId: a.memberId, councilId: a.councilId, nationalId: a.nationalId, birthDate, reason, createdAt: a.now },
    });
    await notifyLinkRequest(tx, request.id, a.now);
  }
  return { kind: "requested", reason };
}
