// What one turn costs the database (issue 13), counted in statements (every
// round trip of node-postgres, test/bench/statement-counter.ts), not in
// time. A mid-flow tap answered by reply, on PostgreSQL:
//   BEGIN; lock + load (one statement); the bot's own statements; the event
//   handled + the conversation saved (one statement); COMMIT; then the
//   reply, marked delivered (one autocommit UPDATE).
// Before issue 13 the inbox's share was 12 statements (13 with the bot's).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EventHandler } from "../../src/inbox/processor.ts";
import { countStatements, type StatementCounter, type StatementCounts } from "../bench/statement-counter.ts";
import { type ChatUser, Harness } from "../support/harness.ts";

/** The inbox's statements for one mid-flow tap: the most it may send (it sends 5). */
const INBOX_STATEMENTS_PER_TURN = 5;
/** The bot's own statements for that tap (the sign-up's name step reads nothing); 1 before the held-notice check joined the load. */
const BOT_STATEMENTS_PER_TAP = 0;

describe("statements per turn on postgres", () => {
  let h: Harness;
  let counter: StatementCounter | null = null;
  /** Statements sent while the bot's handler ran (the domain's own, not the inbox's). */
  let inHandler = 0;
  let handlerRunning = false;

  beforeAll(async () => {
    h = await Harness.start({ kind: "postgres", geography: false });
    // Counts what the bot's own code sends, to tell it apart from the inbox's.
    const handler: EventHandler = h.app.bot.handleEvent;
    const handle = handler.handle.bind(handler);
    handler.handle = async (ctx, event) => {
      const before = counter?.counts().statements ?? 0;
      handlerRunning = true;
      try {
        return await handle(ctx, event);
      } finally {
        handlerRunning = false;
        inHandler += (counter?.counts().statements ?? 0) - before;
      }
    };
  });
  afterEach(() => {
    counter?.stop();
    counter = null;
  });
  afterAll(async () => h?.stop());

  /** Runs `work` and returns what it sent, the webhook's INSERT and the bot's own statements left out. */
  async function counted(work: () => Promise<unknown>): Promise<StatementCounts & { inbox: number; bot: number }> {
    inHandler = 0;
    counter = countStatements();
    await work();
    const c = counter.counts();
    counter.stop();
    counter = null;
    expect(handlerRunning).toBe(false);
    let webhook = 0;
    for (const [text, n] of c.byText) if (text.startsWith("INSERT INTO webhook_event")) webhook += n;
    return { ...c, inbox: c.statements - webhook - inHandler, bot: inHandler };
  }

  async function atName(userId: string): Promise<ChatUser> {
    const u = h.user(userId);
    await u.follow();
    await u.tap("ยินยอม");
    expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
    return u;
  }

  it("a mid-flow tap answered by reply: one transaction and one autocommit UPDATE", async () => {
    const u = await atName("U-count");
    for (const [say, next] of [
      ["สมชาย ใจดี", /เบอร์โทรศัพท์/],
      ["ย้อนกลับ", /ชื่อ-นามสกุล/],
      ["สมชาย ใจดี", /เบอร์โทรศัพท์/],
    ] as const) {
      const c = await counted(() => u.say(say));
      expect(u.lastText()).toMatch(next);
      expect(c.inbox).toBeLessThanOrEqual(INBOX_STATEMENTS_PER_TURN);
      // The bot's own: none for this step. Whether held notices may wait
      // (LINE's push quota used up) comes with the turn's load.
      expect(c.bot).toBeLessThanOrEqual(BOT_STATEMENTS_PER_TAP);
      // The turn's transaction, and the reply marked delivered.
      expect(c.commits).toBe(1);
      expect(c.rollbacks).toBe(0);
      expect(c.autocommitWrites).toBe(2); // the webhook's INSERT, and `delivered`
      expect(c.autocommit).toBe(2); // nothing read outside the transaction
    }
  });
});
