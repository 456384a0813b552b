// A minimal SQL interface over both databases, used where Prisma is the
// wrong tool: multi-statement migration scripts (Prisma sends prepared
// statements, which PostgreSQL refuses to hold several commands) and the
// webhook's hot insert path.
import type { QueryOptions, Results } from "@electric-sql/pglite";
import pg from "pg";
import { PRISMA_PARSERS, type RawResult } from "./raw-on-driver.ts";

export interface SqlRunner {
  /** A script of one or more statements, no parameters. */
  exec(script: string): Promise<void>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** One statement whose values come back typed as Prisma's raw queries type them (src/db/raw-on-driver.ts). */
  raw(sql: string, params: unknown[]): Promise<RawResult>;
}

export interface SqlDriver extends SqlRunner {
  readonly kind: "pglite" | "postgres";
  /** Runs `work` inside one transaction on one connection. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** The statements of PGlite's one session: a PGlite, or a PGliteThread (src/db/pglite-thread.ts). */
export interface PGliteStatements {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Results[]>;
}
export interface PGliteSession extends PGliteStatements {
  transaction<T>(work: (tx: PGliteStatements) => Promise<T>): Promise<T>;
}

/** Statements on PGlite's session or in one of its transactions. */
export const pgliteRunner = (q: PGliteStatements): SqlRunner => ({
  async exec(script) {
    await q.exec(script);
  },
  async query<T>(sql: string, params: unknown[] = []) {
    return (await q.query<T>(sql, params)).rows;
  },
  async raw(sql, params) {
    const result = await q.query<Record<string, unknown>>(sql, params, { parsers: PRISMA_PARSERS });
    return { rows: result.rows, affected: result.affectedRows ?? 0 };
  },
});

/** Statements on a pool (each on any free connection) or on one connection. */
export const pgRunner = (q: pg.Pool | pg.PoolClient): SqlRunner => ({
  async exec(script) {
    await q.query(script);
  },
  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
    return (await q.query<T>(sql, params)).rows;
  },
  async raw(sql, params) {
    const result = await q.query<Record<string, unknown>>({ text: sql, values: params, types: PRISMA_TYPES });
    return { rows: result.rows, affected: result.rowCount ?? 0 };
  },
});

/** node-postgres's type parsers with Prisma's where they differ. */
const PRISMA_TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    (format ?? "text") === "text" && PRISMA_PARSERS[oid]
      ? PRISMA_PARSERS[oid]
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

export function pgliteDriver(db: PGliteSession): SqlDriver {
  const runner = pgliteRunner;
  return {
    kind: "pglite",
    ...runner(db),
    transaction: (work) => db.transaction((tx) => work(runner(tx))),
  };
}

export function postgresDriver(pool: pg.Pool): SqlDriver {
  const runner = pgRunner;
  return {
    kind: "postgres",
    ...runner(pool),
    async transaction(work) {
      const client = await pool.connect();
      // A connection dropped while checked out emits "error", which would
      // kill the process without a listener; its statement rejects anyway.
      const ignore = () => undefined;
      client.on("error", ignore);
      try {
        await client.query("BEGIN");
        const result = await work(runner(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.off("error", ignore);
        client.release();
      }
    },
  };
}
