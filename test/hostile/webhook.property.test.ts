// Hostile deliveries at POST /webhook (fast-check): random JSON, LINE-shaped
// bodies with wrong types, unknown event types, huge numbers, deep nesting,
// bad signatures. Whatever comes in: never a 5xx, no unhandled rejection,
// nothing stored from a refused body, and every stored event handled without
// the handler throwing (a throw leaves lastError on the row).
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STORE_DATABASES } from "../support/database.ts";
import { Harness, sign } from "../support/harness.ts";

const ALLOWED = [200, 400, 401, 413];
const NUM_RUNS = Number(process.env.HOSTILE_RUNS ?? 60);
// A fixed seed keeps CI deterministic; HOSTILE_SEED=random (or a number) explores further.
const SEED = process.env.HOSTILE_SEED === "random" ? undefined : Number(process.env.HOSTILE_SEED ?? 20261128);

/** Unhandled rejections anywhere in the process while these tests run. */
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

// --- generators -----------------------------------------------------------

const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "\u202e\u200f", "'; DROP TABLE member; --", "ยกเลิก", "🙏🏽", "__proto__", "constructor"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).map((s) => s.repeat(50)),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 8.64e15, 8.64e15 + 1, 1.5),
);
const anyValue = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));

let counter = 0;
const freshId = () => `01HOSTILE${process.pid}${String(++counter).padStart(10, "0")}`;

/**
 * A well-formed event (so the delivery is stored and handled) carrying
 * hostile content where LINE puts the user's input: text, postback data and
 * params, coordinates, image sets, unknown event and message types.
 */
const wellFormedEvent = fc
  .record({
    shape: fc.constantFrom(
      "text",
      "postback",
      "location",
      "image",
      "sticker",
      "video",
      "follow",
      "unfollow",
      "unknown",
      "unknown-message",
      "group",
      "no-source",
    ),
    text: fc.oneof(hostileString, fc.constant("ยกเลิก"), fc.constant("น้ำท่วม"), fc.constant("สมัครสมาชิก")),
    value: anyValue,
    num: hostileNumber,
    user: fc.constantFrom("U-hostile-1", "U-hostile-2", "U-hostile-3"),
  })
  .map(({ shape, text, value, num, user }) => {
    const base: Record<string, unknown> = {
      webhookEventId: freshId(),
      timestamp: Date.UTC(2026, 10, 28, 3),
      mode: "active",
      source: { type: "user", userId: user },
      replyToken: `rt-${freshId()}`,
      deliveryContext: { isRedelivery: false },
    };
    const id = freshId();
    switch (shape) {
      case "text":
        return { ...base, type: "message", message: { type: "text", id, quoteToken: "q", text } };
      case "postback":
        return {
          ...base,
          type: "postback",
          postback: { data: text, params: typeof value === "object" ? value : { datetime: String(value) } },
        };
      case "location":
        return { ...base, type: "message", message: { type: "location", id, latitude: num, longitude: -num, address: text, title: value } };
      case "image":
        return {
          ...base,
          type: "message",
          message: { type: "image", id: text || id, contentProvider: { type: "line" }, imageSet: { id: text, index: num, total: -num } },
        };
      case "sticker":
        return { ...base, type: "message", message: { type: "sticker", id, packageId: text, stickerId: value } };
      case "video":
        return { ...base, type: "message", message: { type: "video", id, duration: num } };
      case "follow":
        return { ...base, type: "follow", follow: { isUnblocked: value } };
      case "unfollow":
        return { ...base, type: "unfollow", replyToken: undefined };
      case "unknown":
        return { ...base, type: text.slice(0, 50) || "x", [text.slice(0, 20) || "k"]: value };
      case "unknown-message":
        return { ...base, type: "message", message: { type: text.slice(0, 20) || "x", id, payload: value } };
      case "group":
        return {
          ...base,
          type: "message",
          source: { type: "group", groupId: `C-${user}`, userId: user },
          message: { type: "text", id, text },
        };
      default:
        return { ...base, type: "message", source: undefined, message: { type: "text", id, text } };
    }
  });

const EVENT_KEYS = [
  "type",
  "webhookEventId",
  "timestamp",
  "mode",
  "source",
  "replyToken",
  "deliveryContext",
  "message",
  "postback",
] as const;

/** A well-formed event with one field replaced by anything. */
const brokenEvent = fc
  .tuple(wellFormedEvent, fc.constantFrom(...EVENT_KEYS), anyValue)
  .map(([event, key, value]) => ({ ...event, [key]: value }));

const hostileBody = fc.oneof(
  { weight: 1, arbitrary: anyValue },
  { weight: 1, arbitrary: fc.record({ destination: anyValue, events: anyValue }, { requiredKeys: [] }) },
  {
    weight: 6,
    arbitrary: fc.record({
      destination: fc.constant("Ubot"),
      events: fc.array(fc.oneof({ weight: 4, arbitrary: wellFormedEvent }, { weight: 1, arbitrary: brokenEvent }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
  },
);

// --- the property ----------------------------------------------------------

describe.each(STORE_DATABASES)("hostile webhook deliveries on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    process.on("unhandledRejection", onRejection);
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => {
    await h?.stop();
    process.off("unhandledRejection", onRejection);
  });
  afterEach(() => {
    expect(rejections).toEqual([]);
    expect(h.line.limitProblems).toEqual([]);
  });

  const stored = () => h.db.prisma.webhookEvent.count();
  /**
   * Events whose handling threw: the row keeps the error. (An answer dropped
   * because its user is rate limited is noted there too; hostile deliveries
   * from three users are a flood, so that note is expected, not a throw.)
   */
  const thrown = () =>
    h.db.prisma.webhookEvent.findMany({
      where: { lastError: { not: null }, NOT: { lastError: { startsWith: "rate limited" } } },
      select: { id: true, type: true, lastError: true },
    });

  it("signed bodies of any shape: 200/400 only, nothing stored when refused, handled without a throw", async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (value) => {
        const body = JSON.stringify(value) ?? "null";
        const before = await stored();
        const res = await h.post(body);
        expect(ALLOWED).toContain(res.status);
        if (res.status !== 200) expect(await stored()).toBe(before);
        // The sweeper's pass too: events with no source are closed by it.
        await h.app.processor.sweep();
        expect(await thrown()).toEqual([]);
        // Every stored event reached an end state or waits for delivery, none is stuck half-handled.
        expect(
          await h.db.prisma.webhookEvent.findMany({ where: { status: "RECEIVED" }, select: { id: true, type: true, attempts: true } }),
        ).toEqual([]);
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  });

  it("any unsigned or wrongly signed body: 401, nothing stored", async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileBody,
        fc.oneof(fc.constant(null), fc.string(), fc.base64String(), fc.constant("sig")),
        fc.boolean(),
        async (value, signature, secretSigned) => {
          const body = JSON.stringify(value) ?? "null";
          // Either junk, or a real HMAC under the wrong secret.
          const sent = secretSigned ? sign(body, "a-guessed-secret") : signature;
          fc.pre(sent !== sign(body));
          const before = await stored();
          const res = await h.post(body, sent);
          expect(res.status).toBe(401);
          expect(await stored()).toBe(before);
        },
      ),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  });

  it("raw bytes that are not JSON, deep nesting, too many events, too big: 400/413, never 5xx", async () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const manyEvents = JSON.stringify({ destination: "Ubot", events: Array.from({ length: 1_001 }, () => ({ type: "follow" })) });
    const bodies = [
      deep(400_000),
      deepObject(150_000),
      JSON.stringify({
        destination: "Ubot",
        events: [{ type: "message", webhookEventId: freshId(), timestamp: 1, message: JSON.parse(deepObject(2_000)) }],
      }),
      manyEvents,
      JSON.stringify({ destination: "Ubot", events: Array.from({ length: 20_000 }, (_, i) => i) }),
      "\u0000\u0001\u0002",
      "\ufeff{}",
      '{"events":[]}garbage',
      "1e999999",
      "x".repeat(1_100_000),
    ];
    for (const body of bodies) {
      const before = await stored();
      const res = await h.post(body);
      expect(ALLOWED, body.slice(0, 60)).toContain(res.status);
      if (res.status !== 200) expect(await stored()).toBe(before);
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        const body = Buffer.from(bytes).toString("latin1");
        const res = await h.post(body);
        expect(ALLOWED).toContain(res.status);
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
    await h.settle();
    expect(await thrown()).toEqual([]);
  });

  it("a replayed signed request: stored once, answered once", async () => {
    const event = h.event("U-replay", { type: "follow", follow: { isUnblocked: false } });
    const body = JSON.stringify({ destination: "Ubot", events: [event] });
    const signature = sign(body);
    const first = await h.post(body, signature);
    await h.settle();
    // An attacker (or a proxy) sends the captured bytes again, at once and later.
    const replays = await Promise.all([h.post(body, signature), h.post(body, signature)]);
    await h.settle();
    h.clock.advance(3_600_000);
    const late = await h.post(body, signature);
    await h.settle();
    expect([first.status, ...replays.map((r) => r.status), late.status]).toEqual([200, 200, 200, 200]);
    expect(await h.db.prisma.webhookEvent.count({ where: { id: String(event.webhookEventId) } })).toBe(1);
    expect(h.line.calls.filter((c) => c.kind === "reply" && c.replyToken === event.replyToken)).toHaveLength(1);
    expect(h.line.calls.filter((c) => c.kind === "push" && c.to === "U-replay")).toHaveLength(0);
  });
});
