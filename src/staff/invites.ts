// One-time invite codes: a coordinator makes one in the chat for a council's
// secretary or a district's coordinator and passes it on (read out at a
// meeting, sent in a group); the person types or taps it and gets the role.
// Codes are short and drawn from letters and digits that are hard to
// confuse when read aloud or typed on a phone (no 0/O, 1/I/L).
import { randomInt } from "node:crypto";
import type { Tx } from "../db/database.ts";
import { grantRole, mayIssueInvite, validGrant, type RoleGrant } from "./roles.ts";

const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const INVITE_CODE_LENGTH = 8;
export const INVITE_CODE_PATTERN = new RegExp(`^[${ALPHABET}]{${INVITE_CODE_LENGTH}}$`);
export const DEFAULT_INVITE_HOURS = 72;

export function newInviteCode(): string {
  let code = "";
  for (let i = 0; i < INVITE_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** Typed codes: case, spaces and dashes do not matter ("abcd-efgh"). */
export function normaliseInviteCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  return INVITE_CODE_PATTERN.test(code) ? code : null;
}

export async function createInvite(
  tx: Tx,
  grant: RoleGrant,
  by: { userId: string; now: Date; hours?: number },
): Promise<{ code: string; expiresAt: Date }> {
  if (!validGrant(grant)) throw new Error(`A ${grant.role} cannot hold a ${grant.level} area`);
  const expiresAt = new Date(by.now.getTime() + (by.hours ?? DEFAULT_INVITE_HOURS) * 3_600_000);
  for (let tries = 0; ; tries++) {
    const code = newInviteCode();
    const { count } = await tx.inviteCode.createMany({
      data: [{ code, ...grant, createdBy: by.userId, createdAt: by.now, expiresAt }],
      skipDuplicates: true,
    });
    if (count === 1) return { code, expiresAt };
    if (tries > 5) throw new Error("Could not find a free invite code");
  }
}

export type RedeemResult =
  | { status: "granted"; grant: RoleGrant }
  | { status: "already"; grant: RoleGrant } // the user had the role: the code is still spent
  | { status: "unknown" | "used" | "expired" }
  | { status: "revoked" }; // the maker no longer holds the role that let them make it

/**
 * Spends a code for this user. The UPDATE … WHERE usedAt IS NULL makes two
 * people typing the same code at once get one grant between them. The
 * maker's role is asked again here: revoking it voids their codes, and a
 * code whose maker lost the area some other way must not outlive it either.
 */
export async function redeemInvite(tx: Tx, typed: string, userId: string, now: Date): Promise<RedeemResult> {
  const code = normaliseInviteCode(typed);
  if (!code) return { status: "unknown" };
  const invite = await tx.inviteCode.findUnique({ where: { code } });
  if (!invite) return { status: "unknown" };
  if (invite.usedAt) return { status: "used" };
  if (invite.expiresAt.getTime() <= now.getTime()) return { status: "expired" };
  const grant: RoleGrant = { role: invite.role, level: invite.level, areaId: invite.areaId };
  if (invite.voidedAt || !(await mayIssueInvite(tx, invite.createdBy, grant))) return { status: "revoked" };
  // voidedAt too: a revocation committing meanwhile wins over this use.
  const { count } = await tx.inviteCode.updateMany({
    where: { id: invite.id, usedAt: null, voidedAt: null },
    data: { usedAt: now, usedBy: userId },
  });
  if (count !== 1)
    return (await tx.inviteCode.count({ where: { id: invite.id, voidedAt: { not: null } } })) > 0
      ? { status: "revoked" }
      : { status: "used" };
  const granted = await grantRole(tx, userId, grant, { by: invite.createdBy, at: now, via: `invite:${invite.id}` });
  return { status: granted ? "granted" : "already", grant };
}

/** Failed codes allowed per user in INVITE_LOCK_WINDOW_MS before a lock-out. */
export const INVITE_MAX_FAILURES = 5;
export const INVITE_LOCK_WINDOW_MS = 3_600_000;

/**
 * When this user may try a code again, or null. Guessing is already hopeless
 * (31^8 codes), but a lock-out keeps a script from trying for a week.
 */
export async function inviteLockedUntil(tx: Tx, userId: string, now: Date): Promise<Date | null> {
  const since = new Date(now.getTime() - INVITE_LOCK_WINDOW_MS);
  const recent = await tx.inviteAttempt.findMany({
    where: { lineUserId: userId, at: { gt: since } },
    select: { at: true },
    orderBy: { at: "desc" },
    take: INVITE_MAX_FAILURES,
  });
  if (recent.length < INVITE_MAX_FAILURES) return null;
  // Locked until the oldest of the last five failures leaves the window.
  return new Date(recent.at(-1)!.at.getTime() + INVITE_LOCK_WINDOW_MS);
}

export async function recordFailedInvite(tx: Tx, userId: string, now: Date): Promise<void> {
  await tx.inviteAttempt.create({ data: { lineUserId: userId, at: now } });
}
