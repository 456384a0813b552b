// The per-user rate limit (issue 10, §4), with the harness's clock standing
// still (every event in the same minute):
//  - a user whose messages are each answered before the next comes is never
//    limited, however many there are (replies are free);
//  - more than 20 in a minute piling up: one notice, only the latest of each
//    step handled, the rest closed unanswered, nothing pushed for them;
//  - a standby event is stored and closed, never handled or answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INBOX_TEXT } from "../../src/inbox/texts.ts";
import { STORE_DATABASES } from "../support/database.ts";
import type { LineCall } from "../support/fake-line.ts";
import { Harness, newEventId, textOf, type Event } from "../support/harness.ts";

type Reply = Extract<LineCall, { kind: "reply" }>;

describe.each(STORE_DATABASES)("rate limit and standby on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => h?.stop());

  const text = (userId: string, t: string, fields: Event = {}) =>
    h.event(userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: t }, ...fields });
  const repliesTo = (events: Event[]) => {
    const tokens = new Set(events.map((e) => String(e.replyToken)));
    return h.line.calls.filter((c): c is Reply => c.kind === "reply" && tokens.has(c.replyToken));
  };
  const pushesTo = (userId: string) => h.line.calls.filter((c) => c.kind === "push" && c.to === userId);

  it("answers every message of a user who waits for each answer, past twenty a minute", async () => {
    const events: Event[] = [];
    for (let i = 0; i < 25; i++) {
      const e = text("U-steady", `ข้อความ ${i}`);
      events.push(e);
      await h.deliver([e]);
    }
    expect(repliesTo(events)).toHaveLength(25);
    expect(repliesTo(events).filter((r) => textOf(r.messages).includes(INBOX_TEXT.slowDown))).toEqual([]);
  });

  it("answers a pile of messages beyond twenty a minute once with a notice, the latest only, and pushes nothing", async () => {
    const user = "U-flood";
    const pile = Array.from({ length: 60 }, (_, i) => text(user, `ข้อความ ${i}`, { timestamp: h.clock.now.getTime() + i }));
    await h.deliver(pile.slice(0, 30));
    await h.deliver(pile.slice(30));
    const answers = repliesTo(pile);
    // Twenty, then the latest of each step: never the whole pile.
    expect(answers.length).toBeGreaterThanOrEqual(21);
    expect(answers.length).toBeLessThanOrEqual(23);
    expect(answers.filter((r) => textOf(r.messages).includes(INBOX_TEXT.slowDown))).toHaveLength(1);
    expect(repliesTo([pile.at(-1)!])).toHaveLength(1);
    expect(pushesTo(user)).toEqual([]);
    const rows = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: user } });
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => "DONE"));
    expect(rows.filter((r) => r.throttled).length).toBeGreaterThanOrEqual(60 - 23);
    expect(rows.filter((r) => r.payload !== null && JSON.stringify(r.payload).includes("ข้อความ"))).toEqual([]);
  });

  it("keeps standby events without handling or answering them", async () => {
    const user = "U-standby";
    const events = [
      h.event(user, { type: "follow", follow: { isUnblocked: false }, mode: "standby" }),
      text(user, "เมนู", { mode: "standby" }),
      h.event(user, { type: "postback", postback: { data: "menu" }, mode: "standby" }),
    ];
    await h.deliver(events);
    expect(
      h.line.calls.filter((c) => ("replyToken" in c && events.some((e) => e.replyToken === c.replyToken)) || ("to" in c && c.to === user)),
    ).toEqual([]);
    const rows = await h.db.prisma.webhookEvent.findMany({ where: { sourceKey: user } });
    expect(rows.map((r) => r.status)).toEqual(["DONE", "DONE", "DONE"]);
    expect(await h.db.prisma.conversation.findUnique({ where: { lineUserId: user } })).toMatchObject({ turn: 0, flowId: null });
  });
});
