// One user floods the bot, and LINE's standby mode, against the bot as it
// ships (`node dist/main.js`, as `npm start` runs it, environment only;
// test/support/shipped.ts).
//  - 2,000 fast messages from one user, in a few deliveries: the push quota
//    (300 free messages a month) must not pay for them. Each answer goes out
//    as soon as its own turn commits (its reply token still fresh); beyond 20
//    events a minute the user gets one notice and only the latest event of
//    each step is handled, answered by reply or not at all. Every push the
//    bot makes (an answer whose token grew old) is counted in
//    push_quota_usage.
//  - Standby (another channel holds the chat): a follow, a text and a
//    postback are stored and closed, with no reply and no push.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { encodePostback } from "../../src/engine/postback.ts";
import { INBOX_TEXT } from "../../src/inbox/texts.ts";
import { newEventId, textOf, type Event } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";

const FLOOD = 2_000;
const DELIVERIES = 4;
const RATE_LIMIT = 20;

describe("one user's flood and standby mode, shipped process on PostgreSQL", () => {
  let bot: ShippedBot;
  let direct: Database;
  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
    direct = await openDatabase({ kind: "postgres", url: bot.database.url! });
  });
  afterAll(async () => {
    await direct?.close();
    await bot?.stop();
  });

  const text = (userId: string, t: string, fields: Event = {}, ageMs?: number) =>
    bot.event(userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: t }, ...fields }, { ageMs });
  /** No event of this user waits to be handled or delivered. */
  const settled = async (userId: string) =>
    (await direct.prisma.webhookEvent.count({ where: { sourceKey: userId, status: { in: ["RECEIVED", "HANDLED"] } } })) === 0;
  const pushQuotaUsed = async () =>
    Number((await direct.sql.query<{ n: number }>(`SELECT coalesce(sum(messages), 0)::int AS n FROM push_quota_usage`))[0]!.n);

  it("answers a flood of 2,000 messages by reply, with one notice, and counts every push in the quota", async () => {
    const flooder = bot.user(lineUserId(0xc001));
    const events = Array.from({ length: FLOOD }, (_, i) => text(flooder.id, `ข้อความที่ ${i + 1}`));
    const per = FLOOD / DELIVERIES;
    for (let i = 0; i < FLOOD; i += per) expect(await bot.deliver(events.slice(i, i + per))).toBe(200);
    await waitUntil(() => settled(flooder.id), { timeoutMs: 120_000, what: "the flood handled" });

    const toFlooder = bot.requestsTo(flooder.id);
    const pushes = toFlooder.filter((r) => r.kind === "push");
    const answers = flooder.accepted();
    const notices = answers.filter((r) => textOf(r.messages).includes(INBOX_TEXT.slowDown));
    console.log(
      `one user's flood: ${FLOOD} messages in ${DELIVERIES} deliveries → ${answers.length} answers ` +
        `(${answers.filter((r) => r.kind === "reply").length} replies, ${pushes.length} pushes), ${notices.length} notice`,
    );
    // The first twenty are answered as usual, then the rest per step: a handful, not 2,000.
    expect(answers.length).toBeGreaterThanOrEqual(RATE_LIMIT + 1);
    expect(answers.length).toBeLessThanOrEqual(RATE_LIMIT + 2 * DELIVERIES);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.kind).toBe("reply");
    // Answers as soon as their turn commits: their reply tokens were fresh.
    expect(pushes.length).toBeLessThanOrEqual(2);
    const rows = await direct.prisma.webhookEvent.findMany({ where: { sourceKey: flooder.id } });
    expect(rows).toHaveLength(FLOOD);
    expect(rows.filter((r) => r.throttled).length).toBeGreaterThan(FLOOD - RATE_LIMIT - 2 * DELIVERIES);
    expect(rows.filter((r) => r.payload !== null && JSON.stringify(r.payload).includes("ข้อความที่"))).toEqual([]);

    // A late answer (its token too old) is pushed, and counted.
    const late = bot.user(lineUserId(0xc002));
    await late.send({ type: "follow", follow: { isUnblocked: false } }, { ageMs: 2 * 60_000 });
    expect(late.accepted().map((r) => r.kind)).toEqual(["push"]);
    await waitUntil(() => settled(late.id), { what: "the late answer recorded" });
    const pushedAll = bot.line.accepted().filter((r) => r.kind === "push" || r.kind === "multicast");
    expect(await pushQuotaUsed()).toBe(pushedAll.reduce((n, r) => n + r.to.length, 0));
    expect(await pushQuotaUsed()).toBeGreaterThanOrEqual(1);
  });

  it("stores events in standby mode and answers none of them", async () => {
    const user = bot.user(lineUserId(0xc101));
    const standby: Event = { mode: "standby" };
    const events = [
      bot.event(user.id, { type: "follow", follow: { isUnblocked: false }, ...standby }),
      text(user.id, "เมนู", standby),
      bot.event(user.id, { type: "postback", postback: { data: encodePostback({ kind: "global", word: "menu" }) }, ...standby }),
    ];
    for (const e of events) expect(await bot.deliver([e])).toBe(200);
    await waitUntil(() => settled(user.id), { what: "the standby events closed" });
    const rows = await direct.prisma.webhookEvent.findMany({ where: { sourceKey: user.id } });
    expect(rows.map((r) => r.status)).toEqual(["DONE", "DONE", "DONE"]);
    // Nothing was handled: no conversation started, nothing sent.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(bot.requestsTo(user.id)).toEqual([]);
    expect(await direct.prisma.conversation.findUnique({ where: { lineUserId: user.id } })).toMatchObject({ turn: 0 });

    // The same user in active mode is answered as usual.
    await user.follow();
    expect(user.lastText()).toMatch(/PDPA|ยินยอม/);
  });
});
