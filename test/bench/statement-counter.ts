// Counts the statements this process sends to PostgreSQL: every round trip
// of node-postgres (pg.Client#query), which both Prisma's driver adapter and
// the bot's SQL driver go through. Transactions are told apart per
// connection: BEGIN … COMMIT is one commit; a statement outside one is a
// transaction of its own (a write among them is a commit too).
//
// For measurements and the statement ceiling test (test/inbox/turn-statements.test.ts);
// PostgreSQL only (PGlite runs in-process, through no pg.Client).
import pg from "pg";

export interface StatementCounts {
  /** Round trips, BEGIN and COMMIT included. */
  statements: number;
  /** COMMITs of explicit transactions. */
  commits: number;
  rollbacks: number;
  /** Statements outside an explicit transaction (each its own transaction). */
  autocommit: number;
  /** Of those, the ones that write (INSERT, UPDATE, DELETE): a commit each. */
  autocommitWrites: number;
  /** Statements by their first words, for reading what a turn sends. */
  byText: Map<string, number>;
}

export interface StatementCounter {
  counts(): StatementCounts;
  reset(): void;
  /** Puts pg.Client#query back. */
  stop(): void;
}

const WRITE = /^\s*(with\b[\s\S]*?\b)?(insert|update|delete)\b/i;

function textOf(arg: unknown): string {
  if (typeof arg === "string") return arg;
  if (arg && typeof arg === "object" && typeof (arg as { text?: unknown }).text === "string") return (arg as { text: string }).text;
  return "";
}

/** A short label: the first words of the statement, whitespace folded. */
export function labelOf(sql: string): string {
  return sql.replace(/\s+/g, " ").trim().slice(0, 70);
}

function empty(): StatementCounts {
  return { statements: 0, commits: 0, rollbacks: 0, autocommit: 0, autocommitWrites: 0, byText: new Map() };
}

/** Starts counting; only one counter at a time. */
export function countStatements(): StatementCounter {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const inTransaction = new WeakSet<object>();
  let c = empty();
  proto.query = function (this: object, ...args: unknown[]) {
    const sql = textOf(args[0]);
    const head = sql.trim().toUpperCase();
    c.statements += 1;
    c.byText.set(labelOf(sql), (c.byText.get(labelOf(sql)) ?? 0) + 1);
    if (head === "BEGIN" || head.startsWith("BEGIN ") || head.startsWith("START TRANSACTION")) inTransaction.add(this);
    else if (head === "COMMIT") {
      c.commits += 1;
      inTransaction.delete(this);
    } else if (head === "ROLLBACK") {
      c.rollbacks += 1;
      inTransaction.delete(this);
    } else if (!inTransaction.has(this)) {
      c.autocommit += 1;
      if (WRITE.test(sql)) c.autocommitWrites += 1;
    }
    return original.apply(this, args);
  };
  return {
    counts: () => ({ ...c, byText: new Map(c.byText) }),
    reset() {
      c = empty();
    },
    stop() {
      proto.query = original;
    },
  };
}
