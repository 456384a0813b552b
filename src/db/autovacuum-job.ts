// PostgreSQL's autovacuum, for the embedded database. PGlite runs PostgreSQL
// in single-user mode, where no autovacuum worker ever starts: without this
// job no table is ever analysed (the planner guesses, and a 100,000-member
// audience scan took 0.7–1 s a page on the flood day's check-in, holding
// PGlite's one session while every answer waited) nor vacuumed (the rows every
// turn updates leave dead versions that pile up for months). The rule is
// autovacuum's own (its default thresholds and scale factors), read from the
// statistics PostgreSQL keeps in single-user mode too; one table a statement,
// so turns get the session in between. A PostgreSQL server does this itself:
// the job is added for the embedded database only (app.ts).
import type { Job } from "../jobs/scheduler.ts";
import type { SqlDriver } from "./driver.ts";

/**
 * Tables autovacuum would take now. `reltuples` is -1 for a table never
 * analysed; counted as empty, so its first rows already call for ANALYZE.
 */
export const DUE_TABLES_SQL = `
  SELECT "table", vacuum, "analyze" FROM (
    SELECT s.relname AS "table",
           (s.n_dead_tup > 50 + 0.2 * GREATEST(c.reltuples, 0)
            OR s.n_ins_since_vacuum > 1000 + 0.2 * GREATEST(c.reltuples, 0)) AS vacuum,
           s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0) AS "analyze",
           s.n_mod_since_analyze + s.n_dead_tup AS changed
    FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = current_schema()) t
  WHERE vacuum OR "analyze"
  ORDER BY changed DESC`;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function autovacuumJob(options: { sql: SqlDriver }): Job {
  return {
    name: "autovacuum",
    async runOnce() {
      const due = await options.sql.query<{ table: string; vacuum: boolean; analyze: boolean }>(DUE_TABLES_SQL);
      for (const t of due) {
        // VACUUM (ANALYZE) does both in one pass over the table.
        await options.sql.query(t.vacuum ? `VACUUM (ANALYZE) ${quoted(t.table)}` : `ANALYZE ${quoted(t.table)}`);
      }
      return 0;
    },
  };
}
