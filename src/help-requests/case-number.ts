// Readable case numbers: SSK-F-6911-0042 = Sisaket (province 33), flood,
// Buddhist-era year 2569 ("69") and month 11 in Bangkok time, the 42nd
// flood case of that month. The running number comes from one
// INSERT … ON CONFLICT DO UPDATE … RETURNING on case_counter in the turn's
// transaction: concurrent turns wait on the row lock and never share a
// number; a turn that rolls back gives its number back.
//
// Each kind's letter is declared with the kind (kinds/index.ts).
import { bangkokParts } from "../thai/format.ts";
import type { Tx } from "../db/database.ts";
import type { HelpRequestKind } from "../generated/prisma/client.ts";
import { kindOf } from "./kinds/index.ts";

/** Province abbreviations by DOPA code; others fall back to "P" + code. */
export const PROVINCE_ABBREVIATIONS: Record<number, string> = { 33: "SSK" };

/** "SSK-F-6911": province, kind, BE year's last two digits and month (Bangkok). */
export function casePrefix(provinceCode: number, kind: HelpRequestKind, now: Date): string {
  const local = bangkokParts(now);
  const be = local.year + 543;
  const month = String(local.month).padStart(2, "0");
  const province = PROVINCE_ABBREVIATIONS[provinceCode] ?? `P${provinceCode}`;
  return `${province}-${kindOf(kind).letter}-${String(be % 100).padStart(2, "0")}${month}`;
}

/** The case numbers of kinds with these letters (made once, in kinds/index.ts). */
export function casePattern(letters: readonly string[]): RegExp {
  return new RegExp(`^[A-Z0-9]+-[${letters.join("")}]-\\d{4}-\\d{4,}$`);
}

export { CASE_NUMBER_PATTERN } from "./kinds/index.ts";

export async function allocateCaseNumber(tx: Tx, provinceCode: number, kind: HelpRequestKind, now: Date): Promise<string> {
  const prefix = casePrefix(provinceCode, kind, now);
  const [row] = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO case_counter (prefix, last) VALUES (${prefix}, 1)
    ON CONFLICT (prefix) DO UPDATE SET last = case_counter.last + 1
    RETURNING last`;
  return `${prefix}-${String(row!.last).padStart(4, "0")}`;
}
