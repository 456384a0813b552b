// A fund member's ledger as the member's cards read it (balance, recent
// history, a year's statement): savings (contribution) and benefits paid
// (benefit_payment). Read-only; every function takes the turn's transaction.
// The ledger is written by the import (ledger-import.ts).
import type { Tx } from "../db/database.ts";
import type { BenefitType } from "../generated/prisma/client.ts";

// Decimal(12, 2) amounts as whole satang: sums stay exact in a number.
export const cents = (amount: { toFixed(digits: number): string }) => Math.round(Number(amount.toFixed(2)) * 100);

/** Everything saved, and the end of the last period paid for (null: nothing paid yet). */
export async function savingsSummary(tx: Tx, fundMemberId: number) {
  const saved = await tx.contribution.aggregate({
    where: { fundMemberId },
    _sum: { amount: true },
    _max: { periodTo: true },
  });
  return { total: saved._sum.amount, paidUpTo: saved._max.periodTo };
}

/** Benefits paid to the fund member on or after `since`; null when none. */
export async function benefitsPaidSince(tx: Tx, fundMemberId: number, since: Date) {
  const benefits = await tx.benefitPayment.aggregate({
    where: { fundMemberId, paidOn: { gte: since } },
    _sum: { amount: true },
  });
  return benefits._sum.amount;
}

/** The fund's benefit rules, by type. */
export function benefitRules(tx: Tx, fundId: number) {
  return tx.benefitRule.findMany({ where: { fundId }, orderBy: { type: "asc" } });
}

/** The kinds of benefit the fund member has ever been paid. */
export async function benefitTypesReceived(tx: Tx, fundMemberId: number): Promise<Set<BenefitType>> {
  const paid = await tx.benefitPayment.findMany({ where: { fundMemberId }, select: { type: true }, distinct: ["type"] });
  return new Set(paid.map((p) => p.type));
}

/** The last `take` savings rows, newest first (same day: the later row first). */
export function recentContributions(tx: Tx, fundMemberId: number, take: number) {
  return tx.contribution.findMany({
    where: { fundMemberId },
    orderBy: [{ paidOn: "desc" }, { id: "desc" }],
    take,
  });
}

/** The last `take` benefit payments, newest first (same day: the later row first). */
export function recentBenefitPayments(tx: Tx, fundMemberId: number, take: number) {
  return tx.benefitPayment.findMany({
    where: { fundMemberId },
    orderBy: [{ paidOn: "desc" }, { id: "desc" }],
    take,
  });
}

/** The CE years with a contribution or a benefit payment, newest first. */
export async function ledgerYears(tx: Tx, fundMemberId: number): Promise<number[]> {
  const saved = await tx.contribution.findMany({ where: { fundMemberId }, select: { paidOn: true } });
  const paid = await tx.benefitPayment.findMany({ where: { fundMemberId }, select: { paidOn: true } });
  const years = new Set([...saved, ...paid].map((r) => r.paidOn.getUTCFullYear()));
  return [...years].sort((a, b) => b - a);
}

/** Per month of a CE year (index 0 = January): savings paid and benefits received, in satang. */
export async function monthlyTotals(tx: Tx, fundMemberId: number, year: number): Promise<{ saved: number; benefits: number }[]> {
  const paidOn = { gte: new Date(Date.UTC(year, 0, 1)), lt: new Date(Date.UTC(year + 1, 0, 1)) };
  const months = Array.from({ length: 12 }, () => ({ saved: 0, benefits: 0 }));
  const saved = await tx.contribution.findMany({ where: { fundMemberId, paidOn }, select: { paidOn: true, amount: true } });
  const paid = await tx.benefitPayment.findMany({ where: { fundMemberId, paidOn }, select: { paidOn: true, amount: true } });
  for (const c of saved) months[c.paidOn.getUTCMonth()]!.saved += cents(c.amount);
  for (const p of paid) months[p.paidOn.getUTCMonth()]!.benefits += cents(p.amount);
  return months;
}
