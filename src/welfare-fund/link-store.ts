// Linking a LINE member to their fund record: matching on national ID +
// birth date, requests for the council secretary, and the lock-outs after
// repeated failures. Every function takes the turn's transaction.
//
// PDPA: the national ID passed in here is never logged; it is stored only in
// a FundLinkRequest (the secretary needs it to find the person). Attempts
// keep keyed hashes of the LINE user id and the national ID, not the values.
import { createHmac, randomBytes } from "node:crypto";
import type { Tx } from "../db/database.ts";
import { entryButton } from "../engine/engine.ts";
import type { FundLinkReason } from "../generated/prisma/enums.ts";
import { notifyStaff } from "../staff/notify.ts";
import { secretariesOf } from "../staff/roles.ts";
import { thaiDateTime } from "../thai/format.ts";
import { dateValue } from "./ledger-format.ts";
import { notifyLinkRequest, REVIEW_ENTRY } from "./link-review.ts";
import { maskNationalId } from "../thai/national-id.ts";
import { LINK_LOCK_TEXT as T, LINK_REVIEW_TEXT } from "./texts.ts";

/** Failures of one LINE user, whatever IDs they typed, within LOCKOUT_MS. */
export const MAX_FAILED_ATTEMPTS = 3;
/**
 * Failures against one national ID, from anyone, within LOCKOUT_MS: one
 * person with several LINE accounts must not get 3 guesses of a birth date
 * per account.
 */
export const MAX_FAILED_PER_NATIONAL_ID = 5;
export const LOCKOUT_MS = 24 * 3_600_000;

/**
 * The key of the attempts' hashes: FUND_LINK_HASH_SECRET; else one derived
 * from the channel secret under its own label (so it is never the key of
 * anything else); else a random one, and lock-outs end with the process
 * (local mode only: with LINE credentials the channel secret is set).
 */
export function fundLinkHashSecret(config: { fundLinkHashSecret?: string; channelSecret?: string }): Buffer {
  if (config.fundLinkHashSecret) return Buffer.from(config.fundLinkHashSecret, "utf8");
  if (config.channelSecret) return createHmac("sha256", config.channelSecret).update("council-bot/fund-link-attempts/v1").digest();
  return randomBytes(32);
}

/**
 * HMAC-SHA256 (hex) of who tried and of the ID they tried. Keyed, because a
 * plain hash of a 13-digit number with a check digit is undone by trying
 * them all.
 */
export class AttemptKeys {
  constructor(private readonly secret: Buffer) {}
  user(lineUserId: string): string {
    return this.mac("line-user", lineUserId);
  }
  nationalId(nationalId: string): string {
    return this.mac("national-id", nationalId);
  }
  private mac(kind: string, value: string): string {
    return createHmac("sha256", this.secret).update(`${kind}\n${value}`).digest("hex");
  }
}

type AttemptKey = { userKey: string } | { nationalIdKey: string };

/** When the oldest of the last `max` failures under this key is 24 hours old, or null when fewer. */
async function lockedBy(tx: Tx, key: AttemptKey, max: number, now: Date): Promise<Date | null> {
  const failures = await tx.fundLinkAttempt.findMany({
    where: { ...key, matched: false, attemptedAt: { gt: new Date(now.getTime() - LOCKOUT_MS) } },
    orderBy: { attemptedAt: "desc" },
    take: max,
    select: { attemptedAt: true },
  });
  if (failures.length < max) return null;
  return new Date(failures[max - 1]!.attemptedAt.getTime() + LOCKOUT_MS);
}

/**
 * When this LINE user may try again, or null when they are not locked out.
 * Keyed on the LINE user, not the member row: withdrawing consent and
 * signing up again makes a new member but keeps the lock-out.
 */
export async function lockedUntil(tx: Tx, keys: AttemptKeys, lineUserId: string, now: Date): Promise<Date | null> {
  return lockedBy(tx, { userKey: keys.user(lineUserId) }, MAX_FAILED_ATTEMPTS, now);
}

export async function linkedFundMember(tx: Tx, memberId: number) {
  return tx.fundMember.findUnique({ where: { memberId }, include: { fund: true } });
}

/** Is a fund account linked to this member? Asked on every member's menu (the link entry shows until one is). */
export async function hasLinkedFund(tx: Tx, memberId: number): Promise<boolean> {
  // Raw SQL: a Prisma model query costs about three times the CPU of a raw one.
  const rows = await tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM fund_member WHERE "memberId" = ${memberId} LIMIT 1`;
  return rows.length > 0;
}

export type LinkOutcome =
  | { kind: "linked"; fundName: string; memberNo: string }
  | { kind: "already-yours"; fundName: string }
  | { kind: "requested"; reason: FundLinkReason }
  | { kind: "id-locked"; until: Date };

export interface LinkAttempt {
  memberId: number;
  lineUserId: string;
  councilId: number;
  nationalId: string; // 13 digits, check digit verified
  birthDate: string; // "yyyy-mm-dd"
  now: Date;
}

/**
 * Looks for the fund member with this ID and birth date in the council's
 * funds, else in any fund. Exactly one unlinked match is linked; anything
 * else becomes a request for the secretary and counts as a failure. An ID
 * with too many recent failures is not looked up at all.
 */
export async function attemptLink(tx: Tx, keys: AttemptKeys, a: LinkAttempt): Promise<LinkOutcome> {
  const nationalIdKey = keys.nationalId(a.nationalId);
  // Attempts on one ID are taken one at a time until commit, so five users
  // at once cannot all slip under the limit (nor two of them both notify).
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${nationalIdKey}, 0))`;
  const idLocked = await lockedBy(tx, { nationalIdKey }, MAX_FAILED_PER_NATIONAL_ID, a.now);
  if (idLocked) return { kind: "id-locked", until: idLocked };

  const record = (matched: boolean) =>
    tx.fundLinkAttempt.create({
      data: { memberId: a.memberId, userKey: keys.user(a.lineUserId), nationalIdKey, matched, attemptedAt: a.now },
      select: { id: true },
    });
  const birthDate = dateValue(a.birthDate);
  const where = { nationalId: a.nationalId, birthDate };
  let matches = await tx.fundMember.findMany({ where: { ...where, fund: { councilId: a.councilId } }, include: { fund: true } });
  if (matches.length === 0) matches = await tx.fundMember.findMany({ where, include: { fund: true } });

  const only = matches.length === 1 ? matches[0]! : undefined;
  if (only && only.memberId === a.memberId) {
    await record(true);
    return { kind: "already-yours", fundName: only.fund.name };
  }
  if (only && only.memberId === null) {
    // Guarded update: a concurrent link of the same row by someone else wins cleanly.
    const { count } = await tx.fundMember.updateMany({ where: { id: only.id, memberId: null }, data: { memberId: a.memberId } });
    if (count === 1) {
      await record(true);
      return { kind: "linked", fundName: only.fund.name, memberNo: only.memberNo };
    }
  }

  const reason: FundLinkReason = matches.length === 0 ? "NO_MATCH" : matches.length > 1 ? "AMBIGUOUS" : "ALREADY_LINKED";
  const failure = await record(false);
  // The failure that locks the ID (the lock above keeps it the only one):
  // its funds' secretaries hear of it once.
  const recent = await tx.fundLinkAttempt.count({
    where: { nationalIdKey, matched: false, attemptedAt: { gt: new Date(a.now.getTime() - LOCKOUT_MS) } },
  });
  if (recent === MAX_FAILED_PER_NATIONAL_ID) {
    const until = await lockedBy(tx, { nationalIdKey }, MAX_FAILED_PER_NATIONAL_ID, a.now);
    await notifyIdLocked(tx, a.nationalId, until!, failure.id, a.now);
  }
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

/**
 * Tells the secretaries of every fund that holds this ID that linking with
 * it is locked. The notice names the fund and the masked ID, nothing else:
 * who tried, and with which birth dates, stays out of it.
 */
async function notifyIdLocked(tx: Tx, nationalId: string, until: Date, attemptId: number, now: Date): Promise<void> {
  const holders = await tx.fundMember.findMany({
    where: { nationalId },
    select: { fund: { select: { name: true, councilId: true } } },
    orderBy: { id: "asc" },
  });
  const fundsByCouncil = new Map<number, string[]>();
  for (const { fund } of holders) fundsByCouncil.set(fund.councilId, [...(fundsByCouncil.get(fund.councilId) ?? []), fund.name]);
  const masked = maskNationalId(nationalId);
  const review = LINK_REVIEW_TEXT.menu.review;
  for (const [councilId, funds] of fundsByCouncil) {
    const names = funds.join(", ");
    await notifyStaff(tx, await secretariesOf(tx, councilId), {
      content: {
        replies: [{ kind: "text", text: T.notice(names, masked, thaiDateTime(until)) }],
        buttons: [entryButton(REVIEW_ENTRY, review)],
      },
      digestLine: T.digestLine(names, masked),
      urgent: false,
      purpose: "fund-link.id-locked",
      now,
      dedupeKey: `fund-link-id-locked:${attemptId}:${councilId}`,
    });
  }
}
