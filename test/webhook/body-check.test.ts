// The webhook's hand-written body check (webhookEventsOf, src/http/webhook.ts)
// against the zod schema it stands in for (webhookBodySchema,
// src/line/events.ts): the same bodies accepted, the same refused, and the
// same events stored (zod's parse copied them, the check does not).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { webhookEventsOf } from "../../src/http/webhook.ts";
import { MAX_EVENT_TIMESTAMP, webhookBodySchema } from "../../src/line/events.ts";

/** JSON with keys sorted at every level: what jsonb keeps of a payload. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** Both checks on one body: the same verdict, and the same events when accepted. */
function agree(body: unknown): void {
  const zod = webhookBodySchema.safeParse(body);
  const events = webhookEventsOf(body);
  expect(events !== null, JSON.stringify(body)?.slice(0, 300)).toBe(zod.success);
  if (zod.success && events) {
    // The strings the inbox writes (JSON.stringify of each event), up to key order.
    expect(events.map((e) => canonical(JSON.parse(JSON.stringify(e))))).toEqual(
      zod.data.events.map((e) => canonical(JSON.parse(JSON.stringify(e)))),
    );
  }
}

const LENGTHS = [0, 1, 49, 50, 51, 99, 100, 101, 199, 200, 201];
/** Strings at and around the schema's limits. */
const stringUpTo = (min: number, max: number) =>
  fc.constantFrom(...LENGTHS.filter((n) => n >= min && n <= max), min, max).map((n) => "ก".repeat(n));
const edgeNumber = fc.constantFrom(
  0,
  -0,
  -1,
  1.5,
  MAX_EVENT_TIMESTAMP,
  MAX_EVENT_TIMESTAMP + 1,
  2 ** 53,
  Number.MAX_VALUE,
  Number.POSITIVE_INFINITY,
  Number.NaN,
);
const anything = fc.oneof(
  { weight: 4, arbitrary: stringUpTo(0, 201) },
  { weight: 3, arbitrary: edgeNumber },
  fc.string({ maxLength: 5 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Events webhookEventSchema accepts, at its limits. */
const validSource = fc.record(
  {
    type: fc.constantFrom("user", "group", "room", ""),
    userId: stringUpTo(0, 100),
    groupId: stringUpTo(0, 100),
    roomId: stringUpTo(0, 100),
    extra: anything,
  },
  { requiredKeys: ["type"] },
);
const validEvent = fc.record(
  {
    type: stringUpTo(1, 50),
    webhookEventId: stringUpTo(1, 100),
    timestamp: fc.oneof(fc.constantFrom(0, -0, MAX_EVENT_TIMESTAMP), fc.integer({ min: 0, max: MAX_EVENT_TIMESTAMP })),
    mode: fc.string({ maxLength: 8 }),
    source: validSource,
    replyToken: stringUpTo(0, 200),
    deliveryContext: fc.record({ isRedelivery: fc.boolean(), extra: anything }, { requiredKeys: ["isRedelivery"] }),
    message: fc.oneof(fc.constant({ type: "text", id: "1", text: "สวัสดี" }), anything),
  },
  { requiredKeys: ["type", "webhookEventId", "timestamp"] },
);
const EVENT_FIELDS = ["type", "webhookEventId", "timestamp", "mode", "source", "replyToken", "deliveryContext"] as const;
const NESTED_FIELDS = [
  ["source", "type"],
  ["source", "userId"],
  ["source", "groupId"],
  ["source", "roomId"],
  ["deliveryContext", "isRedelivery"],
] as const;
/** A valid event with one field, or one field of source / deliveryContext, replaced by anything (or dropped). */
const nearEvent = fc.oneof(
  validEvent,
  fc.tuple(validEvent, fc.constantFrom(...EVENT_FIELDS), anything, fc.boolean()).map(([e, key, value, drop]) => {
    const copy: Record<string, unknown> = { ...e };
    if (drop) delete copy[key];
    else copy[key] = value;
    return copy;
  }),
  fc.tuple(validEvent, fc.constantFrom(...NESTED_FIELDS), anything).map(([e, [outer, inner], value]) => ({
    ...e,
    [outer]: {
      ...((e as unknown as Record<string, Record<string, unknown> | undefined>)[outer] ?? { type: "user", isRedelivery: true }),
      [inner]: value,
    },
  })),
);
const body = fc.oneof(
  { weight: 1, arbitrary: anything },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        destination: fc.oneof({ weight: 4, arbitrary: fc.constant("Ubot") }, anything),
        events: fc.oneof({ weight: 8, arbitrary: fc.array(nearEvent, { maxLength: 3 }) }, anything),
      },
      { requiredKeys: [] },
    ),
  },
);

describe("the webhook's body check", () => {
  it("agrees with webhookBodySchema on bodies of any shape, field by field at the limits", () => {
    fc.assert(
      fc.property(body, (b) => agree(b)),
      { numRuns: 3_000, seed: 20261202 },
    );
  });

  it("agrees on the same bodies after a JSON round trip (what the webhook parses)", () => {
    fc.assert(
      fc.property(body, (b) => {
        const text = JSON.stringify(b);
        if (text !== undefined) agree(JSON.parse(text));
      }),
      { numRuns: 2_000, seed: 20261203 },
    );
  });

  it("accepts a LINE delivery as it comes and refuses the limits' next step", () => {
    const ok = {
      type: "message",
      webhookEventId: "01JCHECK0000000000000000001",
      timestamp: Date.UTC(2026, 10, 28),
      mode: "active",
      source: { type: "user", userId: "U0123456789abcdef0123456789abcdef" },
      replyToken: "0f3779fba3b349968c5d07db31eab56f",
      deliveryContext: { isRedelivery: false },
      message: { type: "text", id: "1", quoteToken: "q", text: "สวัสดี" },
    };
    const cases: unknown[] = [
      { destination: "Ubot", events: [ok] },
      { events: [] },
      { events: Array.from({ length: 1_000 }, () => ok) },
      { events: Array.from({ length: 1_001 }, () => ok) },
      { events: [{ ...ok, timestamp: MAX_EVENT_TIMESTAMP }] },
      { events: [{ ...ok, timestamp: MAX_EVENT_TIMESTAMP + 1 }] },
      { events: [{ ...ok, type: "" }] },
      { events: [{ ...ok, webhookEventId: "" }] },
      { events: [{ ...ok, source: { type: "group", groupId: "C".repeat(101) } }] },
      { events: [{ ...ok, deliveryContext: { isRedelivery: "false" } }] },
      { events: [{ ...ok, replyToken: null }] },
      { destination: null, events: [] },
      [],
      null,
    ];
    for (const c of cases) agree(c);
    expect(webhookEventsOf({ destination: "Ubot", events: [ok] })).toEqual([ok]);
  });

  it("leaves out an own __proto__ key where zod's copy did, and keeps it deeper, as zod did", () => {
    const text = JSON.stringify({
      events: [
        {
          type: "follow",
          webhookEventId: "01JPROTO",
          timestamp: 1,
          source: { type: "user", userId: "U1", __proto__x: 1 },
          deliveryContext: { isRedelivery: false },
          message: { __proto__x: { a: 1 } },
          __proto__x: { type: "x" },
        },
      ],
    }).replaceAll("__proto__x", "__proto__");
    const parsed = JSON.parse(text);
    agree(parsed);
    const [stored] = webhookEventsOf(parsed)!;
    const written = JSON.stringify(stored);
    expect(written).not.toMatch(/"__proto__":\{"type"/);
    expect(written).not.toMatch(/"__proto__":1/);
    expect(written).toContain('"message":{"__proto__":{"a":1}}');
    // A __proto__ object with the required fields is not a way past the check.
    agree(JSON.parse('{"events":[{"__proto__":{"type":"follow","webhookEventId":"x","timestamp":1}}]}'));
    agree(
      JSON.parse('{"events":[{"type":"follow","webhookEventId":"x","timestamp":1,"deliveryContext":{"__proto__":{"isRedelivery":true}}}]}'),
    );
  });
});
