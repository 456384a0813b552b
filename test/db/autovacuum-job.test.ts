// The embedded database's stand-in for autovacuum (src/db/autovacuum-job.ts):
// a table changed past autovacuum's threshold is analysed (and vacuumed when
// it has dead rows) by the job, and a quiet database costs it one statement.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { autovacuumJob, DUE_TABLES_SQL } from "../../src/db/autovacuum-job.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

describe("autovacuum job (PGlite)", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase("pglite");
  });
  afterEach(async () => {
    await db.drop();
  });

  /** PostgreSQL publishes its table statistics at most once a second; tests ask for them now. */
  const flushStats = () => db.sql.query("SELECT pg_stat_force_next_flush()");
  const stats = async (table: string) =>
    (
      await db.sql.query<{
        last_analyze: Date | null;
        last_vacuum: Date | null;
        n_mod_since_analyze: string | number;
        n_dead_tup: string | number;
      }>(`SELECT last_analyze, last_vacuum, n_mod_since_analyze, n_dead_tup FROM pg_stat_user_tables WHERE relname = $1`, [table])
    )[0]!;

  const insertUsers = (n: number) =>
    db.sql.query(
      `INSERT INTO line_user (id, following, "createdAt")
       SELECT 'Uav' || g, true, now() FROM generate_series(1, $1::int) g`,
      [n],
    );

  it("analyses a table once its changes pass autovacuum's threshold", async () => {
    await insertUsers(500);
    await flushStats();
    expect((await stats("line_user")).last_analyze).toBeNull();
    expect(await db.sql.query(DUE_TABLES_SQL)).toContainEqual(expect.objectContaining({ table: "line_user", analyze: true }));

    await autovacuumJob({ sql: db.sql }).runOnce(new Date());
    await flushStats();
    const after = await stats("line_user");
    expect(after.last_analyze).not.toBeNull();
    expect(Number(after.n_mod_since_analyze)).toBe(0);
    // The planner now knows the table's size.
    const [cls] = await db.sql.query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE relname = 'line_user'`);
    expect(Number(cls!.reltuples)).toBe(500);
  });

  it("vacuums a table whose updates left dead rows", async () => {
    await insertUsers(400);
    await autovacuumJob({ sql: db.sql }).runOnce(new Date());
    await db.sql.query(`UPDATE line_user SET following = false WHERE id LIKE 'Uav%'`);
    await flushStats();
    expect(Number((await stats("line_user")).n_dead_tup)).toBeGreaterThanOrEqual(400);

    await autovacuumJob({ sql: db.sql }).runOnce(new Date());
    await flushStats();
    const after = await stats("line_user");
    expect(after.last_vacuum).not.toBeNull();
    expect(Number(after.n_dead_tup)).toBe(0);
  });

  it("finds nothing to do on a database that has not changed", async () => {
    await autovacuumJob({ sql: db.sql }).runOnce(new Date());
    await flushStats();
    expect(await db.sql.query(DUE_TABLES_SQL)).toEqual([]);
  });
});
