// Writing a checked welfare-fund ledger (src/welfare-fund/ledger-check.ts)
// in the import's one transaction (src/welfare-fund/ledger-import.ts).
// Natural keys make a second import of the same ledger change nothing: a
// member is matched by member number (new ones created, changed ones
// updated, the rest left alone), contributions and payments by their keys
// (only rows not already there are added).
import type { Tx } from "../db/database.ts";
import {
  type CheckedLedger,
  type ContributionRow,
  contributionKey,
  type ExistingMember,
  type MemberRow,
  type PaymentRow,
  paymentKey,
} from "./ledger-check.ts";
import { canonicalAmount, dateValue, isoDate } from "./ledger-format.ts";

export interface LedgerCounts {
  members: number;
  contributions: number;
  payments: number;
}

/** The fund the ledger goes into: `id` null when it is to be created. */
export interface FundTarget {
  id: number | null;
  councilId: number;
  code: string;
  name: string;
}

export interface WriteResult {
  fundId: number;
  fundCreated: boolean;
  created: LedgerCounts;
  /** Members whose details changed (name, dates, phone, beneficiaries). */
  updatedMembers: number;
  unchanged: LedgerCounts;
}

const CHUNK = 1000;
async function inChunks<T>(rows: T[], work: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await work(rows.slice(i, i + CHUNK));
}

/** Writes a ledger without problems. `existing`: the fund's members as the check saw them. */
export async function writeLedger(tx: Tx, fund: FundTarget, ledger: CheckedLedger, existing: ExistingMember[]): Promise<WriteResult> {
  let fundId = fund.id;
  const fundCreated = fundId === null;
  if (fundId === null) {
    fundId = (await tx.welfareFund.create({ data: { councilId: fund.councilId, code: fund.code, name: fund.name } })).id;
  }
  const members = await writeMembers(tx, fundId, ledger.members, existing);
  const contributions = await writeContributions(tx, fundId, ledger.contributions, members.ids);
  const payments = await writePayments(tx, fundId, ledger.payments, members.ids);
  return {
    fundId,
    fundCreated,
    created: { members: members.created, contributions: contributions.created, payments: payments.created },
    updatedMembers: members.updated,
    unchanged: { members: members.unchanged, contributions: contributions.unchanged, payments: payments.unchanged },
  };
}

/** The member's own details, as written on create and on update. */
function memberDetails(m: MemberRow) {
  return {
    title: m.title,
    firstName: m.firstName,
    lastName: m.lastName,
    birthDate: dateValue(m.birthDate),
    joinedOn: dateValue(m.joinedOn),
    leftOn: m.leftOn === null ? null : dateValue(m.leftOn),
    phone: m.phone,
  };
}

function unchanged(old: ExistingMember, m: MemberRow): boolean {
  return (
    old.title === m.title &&
    old.firstName === m.firstName &&
    old.lastName === m.lastName &&
    isoDate(old.birthDate) === m.birthDate &&
    isoDate(old.joinedOn) === m.joinedOn &&
    (old.leftOn ? isoDate(old.leftOn) : null) === m.leftOn &&
    old.phone === m.phone &&
    JSON.stringify(old.beneficiaries.map((b) => [b.position, b.name, b.relation])) ===
      JSON.stringify(m.beneficiaries.map((b) => [b.position, b.name, b.relation]))
  );
}

/**
 * New members created, changed ones updated, the rest left alone. Resolves
 * the counts and the id of every member of the fund by member number.
 */
async function writeMembers(tx: Tx, fundId: number, members: MemberRow[], existing: ExistingMember[]) {
  const existingByNo = new Map(existing.map((m) => [m.memberNo, m]));
  const fresh: MemberRow[] = [];
  let updated = 0;
  let same = 0;
  for (const m of members) {
    const old = existingByNo.get(m.memberNo);
    if (!old) {
      fresh.push(m);
      continue;
    }
    if (unchanged(old, m)) {
      same += 1;
      continue;
    }
    await tx.fundMember.update({
      where: { id: old.id },
      data: memberDetails(m),
    });
    await tx.beneficiary.deleteMany({ where: { fundMemberId: old.id } });
    if (m.beneficiaries.length > 0) {
      await tx.beneficiary.createMany({ data: m.beneficiaries.map((b) => ({ ...b, fundMemberId: old.id })) });
    }
    updated += 1;
  }
  await inChunks(fresh, (chunk) =>
    tx.fundMember.createMany({
      data: chunk.map((m) => ({ fundId, memberNo: m.memberNo, nationalId: m.nationalId, ...memberDetails(m) })),
    }),
  );

  const ids = new Map(
    (await tx.fundMember.findMany({ where: { fundId }, select: { id: true, memberNo: true } })).map((m) => [m.memberNo, m.id]),
  );
  const beneficiaries = fresh.flatMap((m) => m.beneficiaries.map((b) => ({ ...b, fundMemberId: ids.get(m.memberNo)! })));
  await inChunks(beneficiaries, (data) => tx.beneficiary.createMany({ data }));
  return { created: fresh.length, updated, unchanged: same, ids };
}

/** The member number of each member id. */
const numbersOf = (ids: Map<string, number>) => new Map([...ids].map(([no, id]) => [id, no]));

/** Only contributions not already there are added. */
async function writeContributions(tx: Tx, fundId: number, contributions: ContributionRow[], ids: Map<string, number>) {
  const memberNoOf = numbersOf(ids);
  const have = new Set(
    (
      await tx.contribution.findMany({
        where: { fundMember: { fundId } },
        select: { fundMemberId: true, paidOn: true, amount: true, periodFrom: true, periodTo: true },
      })
    ).map((c) =>
      contributionKey({
        memberNo: memberNoOf.get(c.fundMemberId)!,
        paidOn: isoDate(c.paidOn),
        amount: canonicalAmount(c.amount),
        periodFrom: isoDate(c.periodFrom),
        periodTo: isoDate(c.periodTo),
      }),
    ),
  );
  const added = contributions.filter((c) => !have.has(contributionKey(c)));
  await inChunks(added, (chunk) =>
    tx.contribution.createMany({
      data: chunk.map((c) => ({
        fundMemberId: ids.get(c.memberNo)!,
        paidOn: dateValue(c.paidOn),
        amount: c.amount,
        periodFrom: dateValue(c.periodFrom),
        periodTo: dateValue(c.periodTo),
        receiptNo: c.receiptNo,
      })),
    }),
  );
  return { created: added.length, unchanged: contributions.length - added.length };
}

/** Only benefit payments not already there are added. */
async function writePayments(tx: Tx, fundId: number, payments: PaymentRow[], ids: Map<string, number>) {
  const memberNoOf = numbersOf(ids);
  const have = new Set(
    (
      await tx.benefitPayment.findMany({
        where: { fundMember: { fundId } },
        select: { fundMemberId: true, type: true, paidOn: true, amount: true },
      })
    ).map((p) =>
      paymentKey({
        memberNo: memberNoOf.get(p.fundMemberId)!,
        type: p.type,
        paidOn: isoDate(p.paidOn),
        amount: canonicalAmount(p.amount),
      }),
    ),
  );
  const added = payments.filter((p) => !have.has(paymentKey(p)));
  await inChunks(added, (chunk) =>
    tx.benefitPayment.createMany({
      data: chunk.map((p) => ({
        fundMemberId: ids.get(p.memberNo)!,
        type: p.type,
        paidOn: dateValue(p.paidOn),
        amount: p.amount,
        note: p.note,
      })),
    }),
  );
  return { created: added.length, unchanged: payments.length - added.length };
}
