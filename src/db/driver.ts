// A minimal SQL interface over both databases, used where Prisma is the
// wrong tool: multi-statement migration scripts (Prisma sends prepared
// statements, which PostgreSQL refuses to hold several commands) and the
// webhook's hot insert path.
import type { QueryOptions, Results } from "@electric-sql/pglite";
import type pg from "pg";

export interface SqlRunner {
  /** A script of one or more statements, no parameters. */
  exec(script: string): Promise<void>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
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

export function pgliteDriver(db: PGliteSession): SqlDriver {
  const runner = (q: PGliteStatements): SqlRunner => ({
    async exec(script) {
      await q.exec(script);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await q.query<T>(sql, params)).rows;
    },
  });
  return {
    kind: "pglite",
    ...runner(db),
    transaction: (work) => db.transaction((tx) => work(runner(tx))),
  };
}

export function postgresDriver(pool: pg.Pool): SqlDriver {
  const runner = (q: pg.Pool | pg.PoolClient): SqlRunner => ({
    async exec(script) {
      await q.query(script);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await q.query<T>(sql, params)).rows;
    },
  });
  return {
    kind: "postgres",
    ...runner(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work(runner(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
