// The webhook's group commit with one delivery PostgreSQL cannot store. The
// webhook refuses such events first (a timestamp past the year 9999 gets 400,
// test/hostile/shipped-input.test.ts); this is the layer behind it, for what
// the schema does not know yet: the writer is handed the event directly, as
// if it had passed, among 40 deliveries of other users sharing its INSERT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InboxWriter } from "../../src/inbox/inbox-writer.ts";
import type { WebhookEvent } from "../../src/line/events.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";
import { newEventId } from "../support/harness.ts";

const event = (userId: string, timestamp = Date.now()): WebhookEvent => {
  const id = newEventId();
  return {
    type: "follow",
    webhookEventId: id,
    timestamp,
    mode: "active",
    source: { type: "user", userId },
    replyToken: `rt-${id}`,
    deliveryContext: { isRedelivery: false },
  };
};

describe.each(STORE_DATABASES)("a poison delivery in a group commit on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => db?.drop());

  it("fails alone: the 40 other deliveries in its INSERT are stored", async () => {
    const writer = new InboxWriter(db);
    const valid = Array.from({ length: 40 }, (_, i) => event(`U-poison-${i}`));
    const poison = event("U-poison-bad", 8.64e15);
    // The first record() starts an INSERT at once; the others queue behind
    // it and go together, the poison one among them.
    const outcomes = await Promise.allSettled([
      ...valid.slice(0, 20).map((e) => writer.record([e])),
      writer.record([poison]),
      ...valid.slice(20).map((e) => writer.record([e])),
    ]);
    expect(outcomes[20]!.status).toBe("rejected");
    const others = outcomes.filter((_, i) => i !== 20);
    expect(others.filter((o) => o.status === "rejected")).toEqual([]);
    expect(others.map((o) => (o as PromiseFulfilledResult<string[]>).value)).toEqual(valid.map((e) => [e.source!.userId]));
    const stored = await db.prisma.webhookEvent.count({ where: { id: { in: valid.map((e) => e.webhookEventId) } } });
    expect(stored).toBe(40);
  });

  it("a repeated event in the retried group is stored once, owned by its first delivery", async () => {
    const writer = new InboxWriter(db);
    const first = event("U-repeat");
    const outcomes = await Promise.allSettled([
      writer.record([event("U-starter")]),
      writer.record([first]),
      writer.record([event("U-bad", 8.64e15)]),
      writer.record([first]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseFulfilledResult<string[]>).value).toEqual(["U-repeat"]);
    expect((outcomes[3] as PromiseFulfilledResult<string[]>).value).toEqual([]);
  });
});
