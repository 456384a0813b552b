// Fund-link requests as the secretaries review them (link-review.ts): the
// request with its member and council, the fund members it may be, the
// row locks taken while deciding, and the decision written. Every function
// takes the turn's transaction; who may decide is asked in link-review.ts.
import type { Tx } from "../db/database.ts";

/** Candidates on a card: enough to choose from, few enough to read. */
const MAX_CANDIDATES = 4;

export type ReviewRequest = NonNullable<Awaited<ReturnType<typeof loadRequest>>>;
export type ReviewFundMember = NonNullable<Awaited<ReturnType<typeof loadFundMember>>>;

/** A request with its member's name and LINE user, and its council's name. */
export function loadRequest(tx: Tx, id: number) {
  return tx.fundLinkRequest.findUnique({
    where: { id },
    include: { member: { select: { fullName: true, lineUserId: true } }, council: { select: { name: true } } },
  });
}

/** A fund member with their fund's name and council. */
export function loadFundMember(tx: Tx, id: number) {
  return tx.fundMember.findUnique({ where: { id }, include: { fund: { select: { name: true, councilId: true } } } });
}

/** Holds the request's row until the turn commits: two deciding at once are served one after the other. */
export async function lockRequest(tx: Tx, requestId: number): Promise<void> {
  await tx.$queryRaw`SELECT id FROM fund_link_request WHERE id = ${requestId} FOR UPDATE`;
}

/** Holds the fund member's row until the turn commits. */
export async function lockFundMember(tx: Tx, fundMemberId: number): Promise<void> {
  await tx.$queryRaw`SELECT id FROM fund_member WHERE id = ${fundMemberId} FOR UPDATE`;
}

/** Is this member linked to a fund member already? */
export async function memberIsLinked(tx: Tx, memberId: number): Promise<boolean> {
  return (await tx.fundMember.count({ where: { memberId } })) > 0;
}

/**
 * Fund members of the council's funds, linked to nobody, who may be the
 * requester: the same national ID, birth date, first or last name. Best
 * first (ID, then birth date, then name).
 */
export async function candidatesFor(tx: Tx, r: ReviewRequest) {
  const words = (r.member.fullName ?? "").split(/\s+/).filter((w) => w.length >= 2);
  const names = [...(words[0] ? [{ firstName: words[0] }] : []), ...(words.length > 1 ? [{ lastName: words.at(-1)! }] : [])];
  const rows = await tx.fundMember.findMany({
    where: {
      fund: { councilId: r.councilId },
      memberId: null,
      OR: [{ nationalId: r.nationalId }, { birthDate: r.birthDate }, ...names],
    },
    include: { fund: { select: { name: true } } },
    orderBy: { id: "asc" },
    take: 50,
  });
  const score = (fm: (typeof rows)[number]) =>
    (fm.nationalId === r.nationalId ? 4 : 0) +
    (fm.birthDate.getTime() === r.birthDate.getTime() ? 2 : 0) +
    (names.some((n) => ("firstName" in n ? fm.firstName === n.firstName : fm.lastName === n.lastName)) ? 1 : 0);
  return rows.sort((a, b) => score(b) - score(a) || a.id - b.id).slice(0, MAX_CANDIDATES);
}

/** Waiting requests of these councils: how many, and the ids of the oldest `take`. */
export async function pendingRequests(tx: Tx, councilIds: number[], take: number): Promise<{ total: number; ids: number[] }> {
  const where = { councilId: { in: councilIds }, status: "PENDING" as const };
  const total = await tx.fundLinkRequest.count({ where });
  if (total === 0) return { total, ids: [] };
  const rows = await tx.fundLinkRequest.findMany({
    where,
    select: { id: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take,
  });
  return { total, ids: rows.map((r) => r.id) };
}

export interface Decision {
  at: Date;
  /** The deciding secretary's LINE user id. */
  by: string;
}

/**
 * Links the fund member to the request's member, unless someone got them
 * first (false, nothing written). The member's other waiting requests
 * (details typed again) are answered by this one.
 */
export async function approveLink(tx: Tx, request: { memberId: number }, fundMemberId: number, d: Decision): Promise<boolean> {
  // Guarded as in attemptLink: the row lock taken before makes it certain, the guard keeps it honest.
  const { count } = await tx.fundMember.updateMany({
    where: { id: fundMemberId, memberId: null },
    data: { memberId: request.memberId },
  });
  if (count !== 1) return false;
  await tx.fundLinkRequest.updateMany({
    where: { memberId: request.memberId, status: "PENDING" },
    data: { status: "APPROVED", decidedAt: d.at, decidedBy: d.by },
  });
  return true;
}

export async function rejectRequest(tx: Tx, requestId: number, d: Decision): Promise<void> {
  await tx.fundLinkRequest.update({
    where: { id: requestId },
    data: { status: "REJECTED", decidedAt: d.at, decidedBy: d.by },
  });
}
