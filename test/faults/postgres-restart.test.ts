// PostgreSQL goes away in the middle of a conversation and comes back, under
// the bot as it ships (`node dist/main.js`, as `npm start` runs it, environment only;
// test/support/shipped.ts). Its DATABASE_URL points at a TCP proxy the test
// cuts (every connection dropped, new ones refused) and restores; the test
// keeps its own direct connection to look at what was stored.
//  - a turn in progress when the cut comes throws and is rolled back; once
//    the database is back, the shipped process tries it again by itself (its
//    sweep timer) and the user gets the answer, with nothing sent again;
//  - an answer on its way to LINE when the cut came is not lost;
//  - while it is away: the webhook answers 503 (LINE redelivers), /healthz 503;
//  - once it is back: the redelivered events (the same bodies, posted again
//    as LINE would) are stored once, the conversation goes on from the same
//    step, and nothing is lost or answered twice.
// The turn is caught mid-way by holding its user's conversation row locked
// from the test's own connection: the turn waits on the lock inside its
// transaction when the cut comes.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { POSTGRES_ADMIN_URL } from "../support/database.ts";
import { newEventId, sign, textOf, type Event } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";
import { TcpProxy, urlThrough } from "../support/tcp-proxy.ts";

const TWO_MINUTES = 2 * 60_000;
/**
 * A hang catcher: the sweep runs every 2 s, the pools reconnect on their own,
 * the gateway times out after 10 s; but a retry waits out its backoff (up to
 * 5 minutes), which grows with every failed try while the database is away.
 */
const BACK_WITHIN_MS = 360_000;

describe("PostgreSQL restarting mid-flow, shipped process", () => {
  let proxy: TcpProxy;
  let bot: ShippedBot;
  let direct: Database;

  beforeAll(async () => {
    const server = new URL(POSTGRES_ADMIN_URL);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    bot = await ShippedBot.start({ db: "postgres" });
    // Started again with its database reached through the proxy (the database exists now).
    await bot.restart({ DATABASE_URL: urlThrough(bot.database.url!, proxy) });
    direct = await openDatabase({ kind: "postgres", url: bot.database.url! });
  });

  afterAll(async () => {
    await bot?.stop().catch(() => undefined);
    await direct?.close();
    await proxy?.close();
  });

  const healthz = async () => (await fetch(`${bot.url}/healthz`)).status;
  /** One delivery's body, kept to be posted again as LINE's redelivery would. */
  const bodyOf = (events: Event[]) => JSON.stringify({ destination: "Ubot", events });
  const post = async (body: string) => {
    const res = await bot.post(body, sign(body));
    await res.arrayBuffer();
    return res.status;
  };
  const text = (userId: string, t: string, options: { ageMs?: number } = {}) =>
    bot.event(userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: t } }, options);
  const statusOf = async (id: unknown) => (await direct.prisma.webhookEvent.findUnique({ where: { id: String(id) } }))?.status;

  it("retries a turn the cut broke, delivers the answer that was on its way, answers 503 meanwhile, then stores redeliveries once", async () => {
    const somying = bot.user(lineUserId(0xb001));
    const somchai = bot.user(lineUserId(0xb002));
    for (const u of [somying, somchai]) {
      await u.follow();
      await u.tap("ยินยอม");
      expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
    }
    expect(await healthz()).toBe(200);

    // Somchai's name arrives late (its reply token too old: the answer is
    // pushed); LINE does not answer that push (and does not take it).
    const late = text(somchai.id, "สมชาย ใจดี", { ageMs: TWO_MINUTES });
    const pushKey = retryKeyFor(String(late.webhookEventId));
    let offers = 0;
    bot.line.policy = (r) => (r.retryKey === pushKey && ++offers === 1 ? { kind: "hang" } : { kind: "accept" });
    expect(await post(bodyOf([late]))).toBe(200);
    await waitUntil(() => bot.line.requests.some((r) => r.retryKey === pushKey), { what: "the push reached LINE" });

    // Somying's name: her turn waits for her conversation row, which the test holds.
    const holder = new pg.Client({ connectionString: bot.database.url! });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM conversation WHERE "lineUserId" = $1 FOR UPDATE`, [somying.id]);
    const name = text(somying.id, "สมหญิง ใจงาม");
    const nameBody = bodyOf([name]);
    expect(await post(nameBody)).toBe(200);
    await waitUntil(
      async () =>
        (
          await holder.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          )
        ).rowCount! > 0,
      { what: "the turn waiting on the conversation lock" },
    );

    // The database goes away mid-turn.
    proxy.cut();
    // While it is away: nothing can be stored, and LINE is told so.
    const phone = text(somying.id, "0812345678");
    const phoneBody = bodyOf([phone]);
    expect(await post(phoneBody)).toBe(503);
    expect(await healthz()).toBe(503);
    await holder.query("ROLLBACK");
    await holder.end();
    // The broken turn was rolled back: the event waits, unanswered.
    expect(await statusOf(name.webhookEventId)).toBe("RECEIVED");
    const answersBefore = somying.accepted().length;

    // Back again. The pools reconnect by themselves; nobody writes meanwhile.
    proxy.restore();
    await waitUntil(async () => (await healthz()) === 200, { timeoutMs: BACK_WITHIN_MS, what: "/healthz 200" });
    // The turn is tried again by the process itself (no new event, no kick).
    await waitUntil(() => somying.accepted().length > answersBefore, {
      timeoutMs: BACK_WITHIN_MS,
      what: "the broken turn retried and answered",
    });
    expect(somying.lastText()).toMatch(/เบอร์โทรศัพท์/);
    await waitUntil(async () => (await statusOf(name.webhookEventId)) === "DONE", { what: "the retried turn's answer recorded" });
    // The push that was on its way when the cut came reaches LINE once.
    await waitUntil(() => bot.line.accepted().some((r) => r.retryKey === pushKey), {
      timeoutMs: BACK_WITHIN_MS,
      what: "the push on its way at the cut accepted",
    });
    expect(textOf(somchai.last())).toMatch(/เบอร์โทรศัพท์/);
    expect(await statusOf(phone.webhookEventId)).toBeUndefined(); // never stored: LINE has it

    // LINE redelivers what got a 503 (and, for good measure, what got a 200).
    const beforeRedelivery = somying.accepted().length;
    expect(await post(phoneBody)).toBe(200);
    expect(await post(nameBody)).toBe(200);
    await waitUntil(() => somying.accepted().length > beforeRedelivery, { timeoutMs: BACK_WITHIN_MS, what: "the phone answered" });
    expect(somying.lastText()).toMatch(/อำเภอใด/);
    // Nothing more comes: each event answered once.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(somying.accepted()).toHaveLength(beforeRedelivery + 1);
    expect(bot.line.accepted().filter((r) => r.retryKey === pushKey)).toHaveLength(1);

    const rows = await direct.prisma.webhookEvent.findMany({ where: { sourceKey: somying.id }, orderBy: { occurredAt: "asc" } });
    expect(rows).toHaveLength(4); // follow, consent, name, phone
    expect(rows.map((r) => r.status)).toEqual(["DONE", "DONE", "DONE", "DONE"]);
    expect(await direct.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: somying.id } })).toMatchObject({
      flowId: "signup",
      stepId: "district",
      turn: 4, // each message handled once
      attempts: 0,
      data: { consent: "yes", fullName: "สมหญิง ใจงาม", phone: "0812345678" },
    });

    // And the conversation simply goes on.
    await somying.say("กันทรลักษ์");
    expect(somying.lastText()).toMatch(/ตำบลใดในอำเภอกันทรลักษ์/);
  });
});
