// PostgreSQL goes away in the middle of a conversation and comes back. The
// app reaches the server through a TCP proxy the test cuts (every connection
// dropped, new ones refused) and restores; the test keeps its own direct
// connection to look at what was stored.
//  - while it is away: the webhook answers 503 (LINE redelivers), /healthz 503;
//  - an answer on its way to LINE when the cut came is not lost;
//  - once it is back: the redelivered events (the same bodies, posted again
//    as LINE would) are stored once, the conversation goes on from the same
//    step, and nothing is lost or answered twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { loadGeography } from "../../src/geography/load-geography.ts";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import type { LineCall } from "../support/fake-line.ts";
import { Harness, newEventId, sign, textOf, type Event } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { TcpProxy, urlThrough } from "../support/tcp-proxy.ts";

type Sent = Extract<LineCall, { kind: "reply" | "push" }>;
const TWO_MINUTES = 2 * 60_000;

describe("PostgreSQL restarting mid-flow", () => {
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let appDb: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    direct = await createTestDatabase("postgres");
    await loadGeography(direct.prisma, { provinceCode: 33 });
    const target = new URL(direct.url!);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const url = urlThrough(direct.url!, proxy);
    const opened = await openDatabase({ kind: "postgres", url });
    appDb = Object.assign(opened, { kind: "postgres" as const, url, drop: () => opened.close() });
    // Long enough that the cut surely comes while the push waits for LINE.
    h = await Harness.start({ kind: "postgres", db: appDb, lineTimeoutMs: 2_000 });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await appDb?.close();
    await proxy?.close();
    await direct?.drop();
  });

  const healthz = async () => (await fetch(`${h.baseUrl}/healthz`)).status;
  /** One delivery's body, kept to be posted again as LINE's redelivery would. */
  const bodyOf = (events: Event[]) => JSON.stringify({ destination: "Ubot", events });
  const post = (body: string) => h.post(body, sign(body));
  const text = (userId: string, t: string, fields: Event = {}) => {
    const e = h.event(userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: t }, ...fields });
    h.rememberToken(String(e.replyToken), userId);
    return e;
  };
  it("answers 503 while the database is away, then stores the redelivered events once and goes on from the same step", async () => {
    const userId = "U-pg-restart";
    const u = h.user(userId);
    await u.follow();
    await u.tap("ยินยอม");
    expect(u.lastText()).toMatch(/ชื่อ-นามสกุล/);
    expect(await healthz()).toBe(200);
    const callsBefore = h.line.calls.length;

    // The name arrives late (its reply token too old: the answer is pushed);
    // the database goes away while the push waits for LINE's answer.
    const name = text(userId, "สมหญิง ใจงาม", { timestamp: h.clock.now.getTime() - TWO_MINUTES });
    const nameBody = bodyOf([name]);
    h.line.failNext("push", 0); // LINE does not answer this one (and does not take it)
    const pushesBefore = h.line.requests.length;
    expect((await post(nameBody)).status).toBe(200);
    await waitUntil(() => h.line.requests.length > pushesBefore, { what: "the push reached LINE" });
    proxy.cut();

    // While it is away: nothing can be stored, and LINE is told so.
    const phone = text(userId, "0812345678");
    const phoneBody = bodyOf([phone]);
    expect((await post(phoneBody)).status).toBe(503);
    expect(await healthz()).toBe(503);
    // The push's timeout passes; its outcome cannot be written either.
    await h.settle();

    // Back again. The pools reconnect by themselves.
    proxy.restore();
    await waitUntil(async () => (await healthz()) === 200, { timeoutMs: 30_000, what: "/healthz 200" });
    const names = await direct.prisma.webhookEvent.findMany({ where: { sourceKey: userId } });
    expect(names.find((r) => r.id === name.webhookEventId)?.status).toBe("HANDLED");
    expect(names.find((r) => r.id === phone.webhookEventId)).toBeUndefined(); // never stored: LINE has it

    // Time passes (LINE's redelivery is not immediate); the sweeper runs meanwhile.
    h.clock.advance(60_000);
    await h.app.processor.sweep();
    // LINE redelivers what got a 503 (and, for good measure, what got a 200).
    expect((await post(phoneBody)).status).toBe(200);
    expect((await post(nameBody)).status).toBe(200);
    await h.settle();
    await h.app.processor.sweep();

    const after = h.line.calls.slice(callsBefore).filter((c): c is Sent => c.kind === "reply" || c.kind === "push");
    // Exactly two answers, in order: the name's and the phone's, each pushed
    // (their reply tokens have grown old) with the event's own retry key.
    expect(after.map((c) => c.kind)).toEqual(["push", "push"]);
    expect(after[0]).toMatchObject({ to: userId, retryKey: retryKeyFor(String(name.webhookEventId)) });
    expect(textOf(after[0]!.messages)).toMatch(/เบอร์โทรศัพท์/);
    expect(after[1]).toMatchObject({ to: userId, retryKey: retryKeyFor(String(phone.webhookEventId)) });
    expect(textOf(after[1]!.messages)).toMatch(/อำเภอใด/);
    // One row per event, all done.
    const rows = await direct.prisma.webhookEvent.findMany({ where: { sourceKey: userId }, orderBy: { occurredAt: "asc" } });
    expect(rows).toHaveLength(4); // follow, consent, name, phone
    expect(rows.map((r) => r.status)).toEqual(["DONE", "DONE", "DONE", "DONE"]);
    expect(await direct.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: userId } })).toMatchObject({
      flowId: "signup",
      stepId: "district",
      turn: 4, // each message handled once
      attempts: 0,
      data: { consent: "yes", fullName: "สมหญิง ใจงาม", phone: "0812345678" },
    });

    // And the conversation simply goes on.
    u.received.push(after[1]!.messages);
    await u.say("กันทรลักษ์");
    expect(u.lastText()).toMatch(/ตำบลใดในอำเภอกันทรลักษ์/);
  }, 120_000);
});
