// Statements and commits per mid-flow turn (issue 13), on PostgreSQL:
//
//   npx tsx test/bench/statements-per-turn.ts [users=20] [tapsPerUser=10] [--server-stats]
//
// The real app (test/support/harness.ts) with a fake LINE API. Each user
// follows and consents first (not counted), then taps back and forth in the
// sign-up flow, each tap waiting for its answer: a name (→ phone step), then
// "ย้อนกลับ" (→ name step again). The users run side by side. Counted:
// every statement the process sends (statement-counter.ts), split into the
// webhook's INSERT and the rest (the turn: handling and delivery).
// --server-stats also reads the database's xact_commit from
// pg_stat_database (every transaction, read-only ones too; PostgreSQL
// reports a backend's counts up to 10 s late, hence the waits).
import pg from "pg";
import { Harness } from "../support/harness.ts";
import { countStatements, type StatementCounts } from "./statement-counter.ts";

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const users = numbers[0] ?? 20;
const tapsPerUser = numbers[1] ?? 10;
const serverStats = args.includes("--server-stats");

const WEBHOOK_INSERT = /^INSERT INTO webhook_event/;

async function xactCommit(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()",
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

const settleStats = () => new Promise((r) => setTimeout(r, 11_000));

async function main(): Promise<void> {
  const h = await Harness.start({ kind: "postgres", geography: true });
  try {
    const people = Array.from({ length: users }, (_, i) => h.user(`U-bench-${String(i).padStart(4, "0")}`));
    for (const u of people) {
      await u.follow();
      await u.tap("ยินยอม");
    }
    let before = 0;
    if (serverStats) {
      await settleStats();
      before = await xactCommit(h.db.url!);
    }
    const counter = countStatements();
    const started = performance.now();
    await Promise.all(
      people.map(async (u) => {
        for (let t = 0; t < tapsPerUser; t++) {
          if (t % 2 === 0) await u.say("สมชาย ใจดี");
          else await u.say("ย้อนกลับ");
        }
      }),
    );
    const ms = performance.now() - started;
    const c: StatementCounts = counter.counts();
    counter.stop();
    // Every tap answered as the flow says.
    for (const u of people) {
      const last = u.lastText();
      const expected = tapsPerUser % 2 === 1 ? /เบอร์โทรศัพท์/ : /ชื่อ-นามสกุล/;
      if (!expected.test(last)) throw new Error(`${u.id}: unexpected last answer ${last.slice(0, 80)}`);
    }
    const turns = users * tapsPerUser;
    let inserts = 0;
    for (const [text, n] of c.byText) if (WEBHOOK_INSERT.test(text)) inserts += n;
    const turnStatements = c.statements - inserts;
    const explicitCommits = c.commits;
    const writeCommits = c.commits + c.autocommitWrites - inserts;
    const f = (n: number) => (n / turns).toFixed(2);
    console.log(`${turns} turns (${users} users × ${tapsPerUser} taps) on PostgreSQL in ${ms.toFixed(0)} ms`);
    console.log(`statements/turn (handling + delivery): ${f(turnStatements)}`);
    console.log(`  webhook inserts/turn: ${f(inserts)}, all statements/turn: ${f(c.statements)}`);
    console.log(`commits/turn (BEGIN…COMMIT + autocommit writes, webhook insert not counted): ${f(writeCommits)}`);
    console.log(`  explicit transactions/turn: ${f(explicitCommits)}, rollbacks: ${c.rollbacks}`);
    console.log(`  autocommit statements/turn: ${f(c.autocommit - inserts)} (writes ${f(c.autocommitWrites - inserts)})`);
    console.log("statements by text (per turn):");
    for (const [text, n] of [...c.byText].sort((a, b) => b[1] - a[1])) console.log(`  ${f(n).padStart(6)}  ${text}`);
    if (serverStats) {
      await settleStats();
      const after = await xactCommit(h.db.url!);
      // One of them is the reading connection's own.
      console.log(`server xact_commit/turn (pg_stat_database, read-only transactions too): ${f(after - before - 1)}`);
    }
  } finally {
    await h.stop();
  }
}

await main();
