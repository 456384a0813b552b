// POST /webhook and GET /healthz against the real express app: what LINE
// (or anyone else) can send, and what we answer. Every case checks the HTTP
// status and what reached the database.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log.ts";
import { createPostgresDatabase, createTestDatabase, STORE_DATABASES, type DatabaseKind, type TestDatabase } from "../support/database.ts";
import { ACCESS_TOKEN, CHANNEL_SECRET, Harness, newEventId, sign, type Event } from "../support/harness.ts";

const WEBHOOK_LIMIT_BYTES = 1024 * 1024;

function textEvent(h: Harness, userId: string, text: string): Event {
  return h.event(userId, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text } });
}

function followEvent(h: Harness, userId: string): Event {
  return h.event(userId, { type: "follow", follow: { isUnblocked: false } });
}

function bodyOf(events: Event[]): string {
  return JSON.stringify({ destination: "Ubot", events });
}

const rows = (h: Harness) => h.db.prisma.webhookEvent.count();
const replies = (h: Harness, token: unknown) => h.line.calls.filter((c) => c.kind === "reply" && c.replyToken === token).length;

/**
 * A database this test may break (close, cut off). For PostgreSQL it is
 * dropped through the admin connection, so cleanup works however broken the
 * app's own pool is.
 */
async function breakableDatabase(kind: DatabaseKind): Promise<TestDatabase & { cleanup(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await createTestDatabase("pglite");
    return Object.assign(db, { cleanup: () => db.close().catch(() => undefined) });
  }
  const created = await createPostgresDatabase();
  const db = await openDatabase({ kind: "postgres", url: created.url });
  await db.migrate();
  return Object.assign(db, {
    kind: "postgres" as const,
    url: created.url,
    drop: () => created.drop(),
    async cleanup() {
      await db.close().catch(() => undefined);
      await created.drop();
    },
  });
}

describe.each(STORE_DATABASES)("webhook on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe("signature", () => {
    it("refuses a forged or missing signature and stores nothing", async () => {
      const before = await rows(h);
      const body = bodyOf([followEvent(h, "U-forged")]);

      const forged = await h.post(body, sign(body, "not-the-channel-secret"));
      expect(forged.status).toBe(401);
      const missing = await h.post(body, null);
      expect(missing.status).toBe(401);
      const garbage = await h.post(body, "bm90IGEgc2lnbmF0dXJl");
      expect(garbage.status).toBe(401);

      expect(await rows(h)).toBe(before);
      expect(h.line.calls).toHaveLength(0);
    });

    it("checks the signature over the raw bytes, not over re-serialised JSON", async () => {
      const event = textEvent(h, "U-emoji", "สวัสดีค่ะ 🙏😀");
      const raw = bodyOf([event]);
      // What a JSON parser + serializer could send on: same JSON, escaped emoji.
      const reserialised = raw.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
      expect(reserialised).not.toBe(raw);
      expect(JSON.parse(reserialised)).toEqual(JSON.parse(raw));

      const before = await rows(h);
      const wrongBytes = await h.post(raw, sign(reserialised));
      expect(wrongBytes.status).toBe(401);
      expect(await rows(h)).toBe(before);

      // The same bytes LINE signed are accepted (raw body, not re-encoded)…
      const right = await h.post(raw, sign(raw));
      expect(right.status).toBe(200);
      expect(await h.db.prisma.webhookEvent.findUnique({ where: { id: String(event.webhookEventId) } })).not.toBeNull();
      // …in either spelling: LINE may send emoji escaped, and a parse and
      // re-serialise before the check would turn them into raw UTF-8.
      const escapedEvent = textEvent(h, "U-emoji", "ขอบคุณค่ะ 😀");
      const escaped = bodyOf([escapedEvent]).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
      expect(escaped).not.toContain("😀");
      expect((await h.post(escaped, sign(escaped))).status).toBe(200);
      expect(await h.db.prisma.webhookEvent.findUnique({ where: { id: String(escapedEvent.webhookEventId) } })).not.toBeNull();
      await h.settle();
    });
  });

  describe("body", () => {
    it("answers 413 to a body over 1 MB and stores nothing", async () => {
      const before = await rows(h);
      const event = textEvent(h, "U-big", "ก".repeat(WEBHOOK_LIMIT_BYTES / 3 + 10)); // 3 bytes each in UTF-8
      const body = bodyOf([event]);
      expect(Buffer.byteLength(body)).toBeGreaterThan(WEBHOOK_LIMIT_BYTES);
      const res = await h.post(body);
      expect(res.status).toBe(413);
      expect(await rows(h)).toBe(before);
    });

    it("accepts a large delivery under 1 MB", async () => {
      // A group event (not answered) carrying ~900 KB: the limit is 1 MB, not a parser default.
      const event = h.event("U-large", {
        type: "message",
        source: { type: "group", groupId: "C-large", userId: "U-large" },
        message: { type: "text", id: newEventId(), quoteToken: "q", text: "x".repeat(900_000) },
      });
      const body = bodyOf([event]);
      expect(Buffer.byteLength(body)).toBeLessThan(WEBHOOK_LIMIT_BYTES);
      const res = await h.post(body);
      expect(res.status).toBe(200);
      await h.settle();
      const row = await h.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: String(event.webhookEventId) } });
      expect(row.status).toBe("DONE");
    });

    it("answers 400 to malformed JSON", async () => {
      const before = await rows(h);
      const res = await h.post('{"destination":"Ubot","events":[{"type":');
      expect(res.status).toBe(400);
      expect(await rows(h)).toBe(before);
    });

    it("answers 400 to JSON that is not a LINE webhook body", async () => {
      const before = await rows(h);
      const { webhookEventId: _dropped, ...noId } = followEvent(h, "U-noid");
      const bodies = [
        JSON.stringify({ destination: "Ubot" }), // no events array
        JSON.stringify({ destination: "Ubot", events: {} }),
        JSON.stringify([]),
        JSON.stringify("events"),
        JSON.stringify({ destination: "Ubot", events: [noId] }), // event without webhookEventId
        JSON.stringify({ destination: "Ubot", events: [{ ...followEvent(h, "U-badts"), timestamp: "yesterday" }] }),
      ];
      for (const body of bodies) {
        const res = await h.post(body);
        expect(res.status, body).toBe(400);
      }
      expect(await rows(h)).toBe(before);
    });

    it("answers the LINE console's Verify (no events) with 200 and stores nothing", async () => {
      const before = await rows(h);
      const calls = h.line.calls.length;
      const res = await h.post(JSON.stringify({ destination: "U0123456789abcdef0123456789abcdef", events: [] }));
      expect(res.status).toBe(200);
      await h.settle();
      expect(await rows(h)).toBe(before);
      expect(h.line.calls.length).toBe(calls);
    });
  });

  describe("storage", () => {
    it("has the events in the database when the 200 arrives", async () => {
      const events = [followEvent(h, "U-stored-1"), followEvent(h, "U-stored-2")];
      const res = await h.deliver(events, { wait: false });
      expect(res.status).toBe(200);
      // Read straight after the answer, before the processor is waited for.
      const stored = await h.db.prisma.webhookEvent.findMany({
        where: { id: { in: events.map((e) => String(e.webhookEventId)) } },
      });
      expect(stored).toHaveLength(2);
      for (const row of stored) expect(["RECEIVED", "HANDLED", "DONE"]).toContain(row.status);
      await h.settle();
      for (const e of events) expect(replies(h, e.replyToken)).toBe(1);
    });

    it("answers a redelivered event and a repeated id exactly once", async () => {
      const event = followEvent(h, "U-redelivered");
      const id = String(event.webhookEventId);
      expect((await h.deliver([event])).status).toBe(200);
      expect(replies(h, event.replyToken)).toBe(1);

      const redelivery = { ...event, deliveryContext: { isRedelivery: true } };
      expect((await h.deliver([redelivery])).status).toBe(200);
      expect((await h.deliver([event])).status).toBe(200);
      expect((await h.deliver([event, redelivery])).status).toBe(200);

      expect(replies(h, event.replyToken)).toBe(1);
      expect(await h.db.prisma.webhookEvent.count({ where: { id } })).toBe(1);
      const conversation = await h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: "U-redelivered" } });
      expect(conversation).toMatchObject({ stepId: "consent", turn: 1 });
    });

    it("answers an event delivered twice at the same time exactly once", async () => {
      const event = followEvent(h, "U-twice");
      const redelivery = { ...event, deliveryContext: { isRedelivery: true } };
      const [a, b] = await Promise.all([h.deliver([event], { wait: false }), h.deliver([redelivery], { wait: false })]);
      expect([a.status, b.status]).toEqual([200, 200]);
      await h.settle();
      expect(replies(h, event.replyToken)).toBe(1);
      expect(await h.db.prisma.webhookEvent.count({ where: { id: String(event.webhookEventId) } })).toBe(1);
    });
  });

  describe("health", () => {
    it("reports 200 while the database is reachable and migrated", async () => {
      const res = await fetch(`${h.baseUrl}/healthz`);
      expect(res.status).toBe(200);
    });

    it("reports 503 on a reachable database that is not migrated, 200 once migrated", async () => {
      const db = await createTestDatabase(kind, { migrate: false });
      const unready = await Harness.start({ kind, db, geography: false });
      try {
        expect((await fetch(`${unready.baseUrl}/healthz`)).status).toBe(503);
        // Nothing can be stored either: never a 200 for events we cannot keep.
        const res = await unready.deliver([followEvent(unready, "U-unmigrated")]);
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(unready.line.calls).toHaveLength(0);

        await db.migrate();
        expect((await fetch(`${unready.baseUrl}/healthz`)).status).toBe(200);
      } finally {
        await unready.stop();
        await db.drop();
      }
    });
  });

  describe("database down", () => {
    it("answers 5xx, never 200, when the events cannot be stored; healthz 503", async () => {
      const db = await breakableDatabase(kind);
      const down = await Harness.start({ kind, db, geography: false });
      try {
        expect((await fetch(`${down.baseUrl}/healthz`)).status).toBe(200);
        await db.close();

        const res = await down.deliver([followEvent(down, "U-down")]);
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.status).toBeLessThan(600);
        expect((await fetch(`${down.baseUrl}/healthz`)).status).toBe(503);
        expect(down.line.calls).toHaveLength(0);
      } finally {
        await down.stop();
        await db.cleanup();
      }
    });
  });

  describe("no channel secret", () => {
    it("answers 503 naming LINE_CHANNEL_SECRET and stores nothing", async () => {
      const config = loadConfig({ LINE_CHANNEL_ACCESS_TOKEN: ACCESS_TOKEN, LINE_API_BASE_URL: h.line.baseUrl });
      expect(config.line.channelSecret).toBeUndefined();
      const app = createApp({ config, db: h.db, logger: silentLogger, now: () => h.clock.now, sweepIntervalMs: 0 });
      const server = await new Promise<Server>((resolve) => {
        const s = app.http.listen(0, "127.0.0.1", () => resolve(s));
      });
      try {
        const { port } = server.address() as AddressInfo;
        const before = await rows(h);
        const body = bodyOf([followEvent(h, "U-nosecret")]);
        for (const signature of [sign(body, CHANNEL_SECRET), null]) {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (signature) headers["x-line-signature"] = signature;
          const res = await fetch(`http://127.0.0.1:${port}/webhook`, { method: "POST", headers, body });
          expect(res.status).toBe(503);
          expect(JSON.stringify(await res.json())).toContain("LINE_CHANNEL_SECRET");
        }
        expect(await rows(h)).toBe(before);
      } finally {
        await app.processor.drain();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});

describe("webhook on postgres only", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind: "postgres", geography: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("does not answer until the insert has committed", async () => {
    const locker = new pg.Client({ connectionString: h.db.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE webhook_event IN ACCESS EXCLUSIVE MODE");
      const event = followEvent(h, "U-locked");
      let answered = false;
      const pending = h.deliver([event], { wait: false }).then((res) => {
        answered = true;
        return res;
      });
      // Wait until the webhook's insert is queued behind our lock…
      await vi.waitFor(
        async () => {
          const [row] = await locker
            .query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              WHERE c.relname = 'webhook_event' AND NOT l.granted`,
            )
            .then((r) => r.rows);
          expect(row!.n).toBeGreaterThan(0);
        },
        { timeout: 180_000, interval: 10 },
      );
      await new Promise((r) => setImmediate(r));
      // …and LINE has no answer yet: the 200 waits for the row.
      expect(answered).toBe(false);
      await locker.query("ROLLBACK");
      const res = await pending;
      expect(res.status).toBe(200);
      const row = await h.db.prisma.webhookEvent.findUnique({ where: { id: String(event.webhookEventId) } });
      expect(row).not.toBeNull();
      await h.settle();
      expect(replies(h, event.replyToken)).toBe(1);
    } finally {
      await locker.end();
    }
  });

  it("answers 503 while the server refuses connections, and recovers", async () => {
    const db = await breakableDatabase("postgres");
    const name = new URL(db.url!).pathname.slice(1);
    const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const down = await Harness.start({ kind: "postgres", db, geography: false });
    try {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);

      const event = followEvent(down, "U-cut-off");
      const res = await down.deliver([event]);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.status).toBeLessThan(600);
      expect((await fetch(`${down.baseUrl}/healthz`)).status).toBe(503);

      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
      expect((await fetch(`${down.baseUrl}/healthz`)).status).toBe(200);
      // LINE's redelivery of the refused event is stored and answered once.
      const again = await down.deliver([{ ...event, deliveryContext: { isRedelivery: true } }]);
      expect(again.status).toBe(200);
      expect(down.line.calls.filter((c) => c.kind === "reply" && c.replyToken === event.replyToken)).toHaveLength(1);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await down.stop();
      await db.cleanup();
    }
  });
});
