// Members, LINE users and consent records. Every function takes the turn's
// transaction, so a flow's writes commit together with its state.
import type { Tx } from "../db/database.ts";
import { PDPA_NOTICE_VERSION } from "./texts.ts";

export async function recordFollow(tx: Tx, lineUserId: string, now: Date): Promise<void> {
  await tx.lineUser.upsert({
    where: { id: lineUserId },
    create: { id: lineUserId, following: true, followedAt: now },
    update: { following: true, followedAt: now },
  });
}

export async function recordUnfollow(tx: Tx, lineUserId: string, now: Date): Promise<void> {
  await tx.lineUser.upsert({
    where: { id: lineUserId },
    create: { id: lineUserId, following: false, unfollowedAt: now },
    update: { following: false, unfollowedAt: now },
  });
}

type Member = Awaited<ReturnType<Tx["member"]["findFirst"]>>;

// One turn asks "is this user a member?" once per menu entry; the answer is
// kept for the turn's transaction and forgotten when this module writes.
const membersInTx = new WeakMap<Tx, Map<string, Member>>();

export async function activeMember(tx: Tx, lineUserId: string): Promise<Member> {
  let known = membersInTx.get(tx);
  if (!known) {
    known = new Map();
    membersInTx.set(tx, known);
  }
  if (!known.has(lineUserId)) {
    // Raw SQL: asked on most turns (the menu), and a Prisma model query
    // costs several times more CPU here (see src/inbox/inbox.ts).
    const [row] = await tx.$queryRaw<NonNullable<Member>[]>`
      SELECT * FROM member WHERE "lineUserId" = ${lineUserId} AND status = 'ACTIVE' LIMIT 1`;
    known.set(lineUserId, row ?? null);
  }
  return known.get(lineUserId)!;
}

function forgetMember(tx: Tx, lineUserId: string): void {
  membersInTx.get(tx)?.delete(lineUserId);
}

export async function recordConsent(tx: Tx, lineUserId: string, granted: boolean, now: Date): Promise<void> {
  await tx.lineUser.upsert({ where: { id: lineUserId }, create: { id: lineUserId }, update: {} });
  await tx.consentRecord.create({
    data: { lineUserId, granted, noticeVersion: PDPA_NOTICE_VERSION, recordedAt: now },
  });
}

export interface MemberDetails {
  fullName: string;
  phone: string;
  councilId: number;
}

/** Creates the member, or brings back one who withdrew and signs up again. */
export async function saveMember(tx: Tx, lineUserId: string, details: MemberDetails): Promise<void> {
  forgetMember(tx, lineUserId);
  await tx.member.upsert({
    where: { lineUserId },
    create: { lineUserId, ...details },
    update: { ...details, status: "ACTIVE", withdrawnAt: null },
  });
}

/**
 * Consent withdrawn: personal fields are erased and the row is unlinked from
 * the LINE user; what remains (council, dates) keeps council counts honest.
 * The consent record of the withdrawal is kept as proof (PDPA s.19).
 */
export async function anonymiseMember(tx: Tx, lineUserId: string, now: Date): Promise<void> {
  forgetMember(tx, lineUserId);
  // The fund link goes too: the fund's own record stays (it is the fund's
  // ledger), unlinked; fund-link requests, which hold a national ID, are deleted.
  // Fund-link attempts stay: they hold only keyed hashes, and they keep the
  // lock-out through withdraw + sign-up (src/welfare-fund/link-store.ts).
  const member = await tx.member.findUnique({ where: { lineUserId }, select: { id: true } });
  if (member) {
    await tx.fundMember.updateMany({ where: { memberId: member.id }, data: { memberId: null } });
    await tx.fundLinkRequest.deleteMany({ where: { memberId: member.id } });
  }
  await tx.member.updateMany({
    where: { lineUserId },
    data: { fullName: null, phone: null, status: "WITHDRAWN", withdrawnAt: now, lineUserId: null },
  });
  await recordConsent(tx, lineUserId, false, now);
}
