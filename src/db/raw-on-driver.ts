// Prisma's raw queries ($queryRaw, $executeRaw and their Unsafe forms) run
// on the driver, with the values Prisma would give: the hot path's SQL is
// hand-written already, and through Prisma's client each statement still
// cost 0.3–0.6 ms of CPU in its request pipeline and query compiler, against
// ~0.1 ms through node-postgres (issue 13). A transaction of
// Database.driverTransaction answers these calls itself, so the domain's
// raw SQL never starts a Prisma transaction; model calls still do.
//
// What Prisma gives, and so what this gives (checked against Prisma on both
// databases by test/db/raw-on-driver.test.ts): int8 as BigInt, numeric as
// Decimal, timestamp and date as Date in UTC, json as parsed values. What it
// sends: a Date as its UTC time, a BigInt or a Decimal as its digits, a
// plain object as JSON.
import { Prisma } from "../generated/prisma/client.ts";

/** A statement's rows (already typed as Prisma types them) and how many rows it changed. */
export interface RawResult {
  rows: Record<string, unknown>[];
  affected: number;
}

/** Runs one statement with Prisma's value types (the driver's side: driver.ts). */
export type RawStatement = (sql: string, params: unknown[]) => Promise<RawResult>;

export const OID = { INT8: 20, NUMERIC: 1700, TIMESTAMP: 1114, DATE: 1082 } as const;

/** Text-format parsers by type OID, over each driver's defaults. */
export const PRISMA_PARSERS: Record<number, (value: string) => unknown> = {
  [OID.INT8]: (v) => BigInt(v),
  [OID.NUMERIC]: (v) => new Prisma.Decimal(v),
  // Columns hold UTC wall time (Prisma's DateTime); node-postgres would read local time.
  [OID.TIMESTAMP]: (v) => new Date(`${v.replace(" ", "T")}Z`),
  [OID.DATE]: (v) => new Date(`${v}T00:00:00Z`),
};

/** A parameter as Prisma would send it. */
export function prismaParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Prisma.Decimal.isDecimal(value)) return (value as Prisma.Decimal).toString();
  if (Array.isArray(value)) return value.map(prismaParam);
  if (value instanceof Uint8Array) return value;
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

type Template = readonly string[] | Prisma.Sql;

/** The statement and its parameters of a tagged template call or a Prisma.sql value. */
function statementOf(query: Template, values: unknown[]): { text: string; values: unknown[] } {
  const sql = query instanceof Prisma.Sql ? query : new Prisma.Sql(query, values as Prisma.Sql["values"]);
  return { text: sql.text, values: sql.values };
}

/** The four raw methods of a Prisma client, answered by `run`. */
export function rawOnDriver(run: RawStatement) {
  const query = async (text: string, values: unknown[]) => (await run(text, values.map(prismaParam))).rows;
  const execute = async (text: string, values: unknown[]) => (await run(text, values.map(prismaParam))).affected;
  return {
    $queryRaw: (q: Template, ...values: unknown[]) => {
      const s = statementOf(q, values);
      return query(s.text, s.values);
    },
    $executeRaw: (q: Template, ...values: unknown[]) => {
      const s = statementOf(q, values);
      return execute(s.text, s.values);
    },
    $queryRawUnsafe: (text: string, ...values: unknown[]) => query(text, values),
    $executeRawUnsafe: (text: string, ...values: unknown[]) => execute(text, values),
  };
}

export type RawMethods = ReturnType<typeof rawOnDriver>;
export const RAW_METHODS: ReadonlySet<PropertyKey> = new Set(["$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"]);
