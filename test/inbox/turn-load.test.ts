// The turn's load (src/inbox/inbox.ts, loadTurn) takes the user's lock and
// reads the waiting events in one statement. A statement's reads all see
// the snapshot it started with, which is older than its lock when the lock
// had to wait for another transaction: here another instance's turn holds
// the lock, handles the event and commits while this one waits. The turn
// must see that, not the snapshot: the event is not handled twice, and the
// other instance's conversation state is not overwritten.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LineCall } from "../support/fake-line.ts";
import { Harness, newEventId } from "../support/harness.ts";

type Reply = Extract<LineCall, { kind: "reply" }>;

describe("the turn's load under a lock that had to wait, on postgres", () => {
  let h: Harness;
  let locker: pg.Client;
  beforeAll(async () => {
    h = await Harness.start({ kind: "postgres", geography: false });
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await h?.stop();
  });

  const text = (userId: string, t: string) =>
    h.event(userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: t } });
  const repliesTo = (token: unknown) => h.line.calls.filter((c): c is Reply => c.kind === "reply" && c.replyToken === token);

  /** Waits until a session of the test's database waits for a lock. */
  async function someoneWaits(): Promise<void> {
    await vi.waitFor(
      async () => {
        const { rows } = await locker.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(rows[0].n).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 10 },
    );
  }

  /**
   * Another instance's turn holds the user's lock while this one's starts;
   * it handles the waiting event and commits. This one must then see that
   * the event is taken, not the snapshot it started its statement with.
   */
  async function raced(userId: string, lockSql: string): Promise<{ token: unknown }> {
    locker = new pg.Client({ connectionString: h.db.url! });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query(lockSql, [userId]);
    const e = text(userId, "ยินยอม");
    expect((await h.deliver([e], { wait: false })).status).toBe(200);
    await someoneWaits();
    // The other instance handled it (its answer is its own business).
    await locker.query(`UPDATE webhook_event SET status = 'DONE', "doneAt" = now(), payload = NULL WHERE id = $1`, [e.webhookEventId]);
    await locker.query(`UPDATE conversation SET attempts = attempts + 7 WHERE "lineUserId" = $1`, [userId]);
    await locker.query("COMMIT");
    await locker.end();
    await h.settle();
    return { token: e.replyToken };
  }

  it("an existing conversation: the event handled meanwhile is not handled again", async () => {
    const u = h.user("U-race-existing");
    await u.follow();
    const { token } = await raced(
      u.id,
      `INSERT INTO conversation ("lineUserId", "updatedAt") VALUES ($1, now())
       ON CONFLICT ("lineUserId") DO UPDATE SET "lineUserId" = EXCLUDED."lineUserId"`,
    );
    expect(repliesTo(token)).toEqual([]);
    // The state is the other instance's, not overwritten by a stale turn.
    expect(await h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } })).toMatchObject({
      stepId: "consent",
      turn: 1,
      attempts: 7,
    });
  });

  it("a first contact: the row another instance created meanwhile is used, its event not handled again", async () => {
    const { token } = await raced("U-race-new", `INSERT INTO conversation ("lineUserId", "updatedAt") VALUES ($1, now())`);
    expect(repliesTo(token)).toEqual([]);
    expect(await h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: "U-race-new" } })).toMatchObject({
      flowId: null,
      turn: 0,
      attempts: 7,
    });
  });
});
