// The real server (`node dist/main.js`, as `npm start` runs it) killed with SIGKILL while
// it is working, then started again on the same database, against a fake
// LINE API it reaches over HTTP (test/support/line-server.ts):
//  - events: 30 users × 3 messages; LINE takes some answers, then stops
//    answering (replies hang untaken; pushes are taken but never answered),
//    so the server is stuck mid-delivery with events still unhandled. Killed
//    there and restarted: every event is answered exactly once as far as our
//    side can tell (one accepted reply by its token, or one accepted push by
//    the event's retry key; a retried push LINE had already taken gets 409,
//    which is the same delivery), each user's answers in order;
//  - at the same moment, a broadcast to 1,200 users (three multicast chunks)
//    is mid-batch: one chunk taken, one taken without an answer, one
//    hanging; restarted: one accepted request per retry key, every recipient
//    in exactly one.
// One kill for both keeps the file to two server starts per database.
// On PostgreSQL and on the embedded database on disk (PGlite must survive a
// SIGKILL too).
//
// Nothing is aged by hand: the restarted process takes the dead one's event
// leases over at once (their owner holds no instance lock any more, see
// src/db/instance-lock.ts), and every event accepted before the kill must be
// answered within ANSWERED_WITHIN_MS of the restart. The outbox rows it had
// claimed are taken over the same way (outbox_message.leaseOwner).
//
// The second test is the measurement of issue 10 (docs/performance.md): a
// slow LINE (1.5 s a call), 200 acknowledged events in flight, SIGKILL,
// restart; it prints how many of the 200 went unanswered and how many were
// answered twice.
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { retryKeyFor } from "../../src/line/gateway.ts";
import { enqueueMulticast } from "../../src/outbox/outbox.ts";
import { createPostgresDatabase } from "../support/database.ts";
import { ACCESS_TOKEN, CHANNEL_SECRET, newEventId, sign, type Event } from "../support/harness.ts";
import { ACCEPT, LineServer, waitUntil, type LineRequest } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedDatabase } from "../support/shipped.ts";

const USERS = 30;
const TWO_MINUTES = 2 * 60_000;
/**
 * Every event accepted before the kill answered within this long once the
 * restarted process is up (LINE answering at once). The issue asks for 10 s;
 * measured here 4.5–9 s. Waiting out the dead process's 30 s leases took
 * 24 s, and its answers went out of order.
 */
const ANSWERED_WITHIN_MS = 15_000;
/** The same with LINE taking 1.5 s a call: bound by LINE's pace, not by leases (measured 13–16 s). */
const SLOW_ANSWERED_WITHIN_MS = 45_000;
/** An outbox row's lease: the longest a claimed row could wait if the takeover by owner failed (a bound for hangs only). */
const OUTBOX_LEASE_MS = 60_000;
/** LINE-shaped user ids (U + 32 hex digits). */
const uid = (n: number) => `U${n.toString(16).padStart(32, "0")}`;

interface Target {
  env: Record<string, string>;
  /** The database, opened by the test while no server runs (PGlite on disk allows one process). */
  withDb<T>(work: (db: Database) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

async function postgresTarget(): Promise<Target> {
  const created = await createPostgresDatabase();
  return {
    env: { DATABASE_URL: created.url },
    async withDb(work) {
      const db = await openDatabase({ kind: "postgres", url: created.url });
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    },
    cleanup: () => created.drop(),
  };
}

async function pgliteTarget(): Promise<Target> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "clb-sigkill-"));
  return {
    env: { DATA_DIR: dataDir },
    async withDb(work) {
      const db = await openDatabase({ kind: "pglite", dataDir });
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** The bot as `npm start` runs it. */
class Server {
  private output = "";
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly exited: Promise<number | null>,
  ) {}

  static async start(env: Record<string, string>): Promise<Server> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env };
    if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
    const child = spawn(process.execPath, [...SHIPPED_MAIN], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr!.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (d) => {
        output += d;
        const m = /is up: http:\/\/localhost:(\d+)\/healthz/.exec(output);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      void exited.then((code) => reject(new Error(`the server exited (${code}) before it was up:\n${output}`)));
    });
    const server = new Server(child, url, exited);
    child.stdout!.on("data", (d) => (server.output += d));
    child.stderr!.on("data", (d) => (server.output += d));
    return server;
  }

  get log(): string {
    return this.output;
  }

  async kill(signal: "SIGKILL" | "SIGTERM"): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }

  /** Events this process recorded as accepted by LINE (the reply latency histogram's count). */
  async delivered(): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    return Number(/^reply_latency_seconds_count (\d+)/m.exec(text)?.[1] ?? 0);
  }

  async post(events: Event[]): Promise<number> {
    const body = JSON.stringify({ destination: "Ubot", events });
    const res = await fetch(`${this.url}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-line-signature": sign(body) },
      body,
    }).catch((error: unknown) => {
      throw new Error(`POST /webhook failed (${String(error)}); the server's output:\n${this.output}`, { cause: error });
    });
    await res.arrayBuffer();
    return res.status;
  }
}

const kinds = [
  ["PostgreSQL", postgresTarget],
  ["PGlite on disk", pgliteTarget],
] as const;

describe.each(kinds)("SIGKILL on %s", (_name, makeTarget) => {
  let target: Target;
  let line: LineServer;
  const servers: Server[] = [];
  const env = () => ({
    ...target.env,
    LINE_CHANNEL_SECRET: CHANNEL_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: ACCESS_TOKEN,
    LINE_API_BASE_URL: line.baseUrl,
    LINE_DATA_API_BASE_URL: line.dataBaseUrl,
    PUBLIC_BASE_URL: "https://bot.example.test",
  });
  const start = async () => {
    const server = await Server.start(env());
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    line = await LineServer.start();
    target = await makeTarget();
  });
  afterAll(async () => {
    for (const s of servers) await s.kill("SIGKILL");
    await line?.close();
    await target?.cleanup();
  });

  it("answers every event and sends the broadcast to every recipient exactly once after a SIGKILL mid-work and a restart", async () => {
    // A broadcast queued before the start: 1,200 recipients, three multicast chunks.
    const recipients = Array.from({ length: 1_200 }, (_, i) => uid(0x1000 + i));
    const chunks = await target.withDb(async (db) => {
      await db.migrate();
      return db.transaction((tx) =>
        enqueueMulticast(tx, recipients, [{ type: "text", text: "ประกาศ: ประชุมสภาองค์กรชุมชน" }], {
          purpose: "test.broadcast",
          now: new Date(),
        }),
      );
    });
    expect(chunks).toHaveLength(3);

    // LINE takes the first answers, then stops answering: replies hang
    // untaken, pushes are taken and hang (the server never hears back). Of
    // the broadcast, one chunk is taken, one taken without an answer, the
    // last hangs untaken.
    const GATE = 25;
    let taken = 0;
    let chunksArrived = 0;
    line.policy = (r) => {
      if (r.kind === "multicast") {
        chunksArrived += 1;
        return chunksArrived === 1 ? { kind: "accept" } : chunksArrived === 2 ? { kind: "accept-then-hang" } : { kind: "hang" };
      }
      if (taken < GATE) {
        taken += 1;
        return { kind: "accept" };
      }
      return r.kind === "reply" ? { kind: "hang" } : { kind: "accept-then-hang" };
    };

    const first = await start();
    // Every third user's messages arrive late (reply token too old): answered by push, with a retry key.
    const t0 = Date.now();
    const users = Array.from({ length: USERS }, (_, i) => ({ id: `U-kill-${i}`, late: i % 3 === 0 }));
    const script: Event[] = [
      { type: "follow", follow: { isUnblocked: false } },
      { type: "message", message: { type: "text", quoteToken: "q", text: "ยินยอม" } },
      { type: "message", message: { type: "text", quoteToken: "q", text: "สมชาย ใจดี" } },
    ];
    const total = USERS * script.length;
    const sent = new Map<string, Event[]>(users.map((u) => [u.id, []]));
    for (const [step, fields] of script.entries()) {
      const events = users.map(({ id, late }) => {
        const withId = fields.type === "message" ? { ...fields, message: { ...(fields.message as object), id: newEventId() } } : fields;
        const webhookEventId = newEventId();
        const event: Event = {
          webhookEventId,
          timestamp: t0 + step - (late ? TWO_MINUTES : 0),
          mode: "active",
          source: { type: "user", userId: id },
          replyToken: `rt-${webhookEventId}`,
          deliveryContext: { isRedelivery: false },
          ...withId,
        };
        sent.get(id)!.push(event);
        return event;
      });
      const statuses = await Promise.all(events.map((e) => first.post([e])));
      expect(statuses).toEqual(events.map(() => 200));
    }
    const answersTaken = () => line.requests.filter((r) => r.kind !== "multicast" && r.outcome === 200).length;
    const multicasts = () => line.requests.filter((r) => r.kind === "multicast");
    // Stuck mid-work: LINE took its share of answers, the server recorded
    // each one it heard back about (no answer left between LINE's yes and our
    // record: a reply has no retry key), a reply hangs untaken, a push was
    // taken without an answer, and every chunk of the broadcast is on its way.
    await waitUntil(() => answersTaken() === GATE, { what: "LINE took the first answers" });
    await waitUntil(
      async () =>
        (await first.delivered()) >= GATE &&
        line.requests.some((r) => r.kind === "reply" && r.outcome === "hung") &&
        line.requests.some((r) => r.kind === "push" && r.accepted && r.outcome === "hung") &&
        multicasts().length >= 3,
      { what: "the server recorded them and is waiting for LINE" },
    );
    expect(await first.kill("SIGKILL")).toBe(-1);

    await target.withDb(async (db) => {
      // Killed mid-work: answers and chunks not yet sent.
      const events = await db.prisma.webhookEvent.findMany();
      expect(events).toHaveLength(total);
      expect(events.filter((e) => e.status === "DONE").length).toBeLessThan(total);
      const rows = await db.prisma.outboxMessage.findMany({ where: { id: { in: chunks } } });
      // (The chunk taken without an answer may have been settled already, if
      // the server's 10 s timeout passed and its retry got 409.)
      expect(rows.filter((r) => r.status === "PENDING").length).toBeGreaterThanOrEqual(1);
      // The dead process's leases are still in force by time: the restart must take them over itself.
      const leased = await db.sql.query(
        `SELECT id FROM webhook_event WHERE status = 'HANDLED' AND "leaseUntil" > now() AT TIME ZONE 'UTC' AND "leaseOwner" IS NOT NULL`,
      );
      expect(leased.length).toBeGreaterThan(0);
    });

    line.policy = ACCEPT;
    const second = await start();
    const restarted = Date.now();
    const eventOf = new Map<string, string>(); // "reply:<token>" / "key:<retry key>" → event id
    for (const events of sent.values()) {
      for (const e of events) {
        eventOf.set(`reply:${String(e.replyToken)}`, String(e.webhookEventId));
        eventOf.set(`key:${retryKeyFor(String(e.webhookEventId))}`, String(e.webhookEventId));
      }
    }
    const answered = () =>
      line
        .accepted()
        .filter((r) => r.kind !== "multicast")
        .map((r) => ({ request: r, eventId: eventOf.get(r.kind === "reply" ? `reply:${r.replyToken}` : `key:${r.retryKey}`) }));
    // Done when every event has an accepted answer, and each request LINE took
    // without answering was offered again and recognised (409): the server
    // has recorded it too.
    const settled = () =>
      line.requests
        .filter((r) => r.accepted && r.outcome === "hung")
        .every((taken) => line.requests.some((r) => r.seq > taken.seq && r.retryKey === taken.retryKey && r.outcome === 409));
    await waitUntil(() => new Set(answered().map((a) => a.eventId)).size === total, {
      timeoutMs: ANSWERED_WITHIN_MS,
      what: `every event accepted before the kill answered within ${ANSWERED_WITHIN_MS / 1000} s of the restart`,
    });
    console.log(`SIGKILL (${_name}): all ${total} events answered ${Date.now() - restarted} ms after the restarted process was up`);
    await waitUntil(
      () =>
        new Set(
          multicasts()
            .filter((r) => r.accepted)
            .map((r) => r.retryKey),
        ).size === 3 && settled(),
      {
        timeoutMs: OUTBOX_LEASE_MS + 60_000,
        what: "every chunk taken and every hung request settled",
      },
    );
    expect(await second.kill("SIGTERM")).toBe(0);

    // Events: exactly once each, nothing else sent, in order per user.
    const all = answered();
    expect(all.filter((a) => a.eventId === undefined)).toEqual([]);
    expect(all).toHaveLength(total);
    for (const [userId, events] of sent) {
      const mine = all.filter((a) => events.some((e) => e.webhookEventId === a.eventId));
      expect(mine.map((a) => a.eventId)).toEqual(events.map((e) => String(e.webhookEventId)));
      for (const a of mine) if (a.request.kind === "push") expect(a.request.to).toEqual([userId]);
    }
    // Pushes LINE had taken before the kill were offered again and refused as duplicates.
    expect(line.requests.filter((r) => r.kind === "push" && r.outcome === 409).length).toBeGreaterThan(0);

    // The broadcast: one accepted request per retry key, every recipient in exactly one.
    const accepted: LineRequest[] = multicasts().filter((r) => r.accepted);
    const perRecipient = new Map<string, number>();
    for (const r of accepted) for (const to of r.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    expect(perRecipient.size).toBe(recipients.length);
    expect([...perRecipient.values()].filter((n) => n !== 1)).toEqual([]);
    expect(multicasts().some((r) => r.outcome === 409)).toBe(true);

    await target.withDb(async (db) => {
      const rows = await db.prisma.webhookEvent.findMany();
      expect(rows).toHaveLength(total);
      expect(rows.filter((r) => r.status !== "DONE")).toEqual([]);
      // Each message was handled once: three turns, at the phone step.
      const conversations = await db.prisma.conversation.findMany();
      expect(conversations).toHaveLength(USERS);
      for (const c of conversations) expect([c.lineUserId, c.stepId, c.turn]).toEqual([c.lineUserId, "phone", 3]);
      const outbox = await db.prisma.outboxMessage.findMany({ where: { id: { in: chunks } } });
      expect(outbox.map((r) => r.status)).toEqual(["SENT", "SENT", "SENT"]);
      expect(accepted.map((r) => r.retryKey).sort()).toEqual(outbox.map((r) => r.retryKey).sort());
    });
  });
});

// --- the measurement ---------------------------------------------------------

const IN_FLIGHT = 200;
const SLOW_LINE_MS = 1_500;

describe.each([
  ["PostgreSQL", "postgres"],
  ["PGlite on disk", "pglite"],
] as const)("SIGKILL with %s, 200 events in flight and a slow LINE", (name, db: ShippedDatabase) => {
  let bot: ShippedBot | undefined;
  afterAll(async () => bot?.stop());

  it("answers every acknowledged event after the restart, and counts the ones answered twice", async () => {
    bot = await ShippedBot.start({ db });
    const { line } = bot;
    // LINE takes each call at once (a reply token is used from then on) and answers 1.5 s later.
    line.policy = () => ({ kind: "slow", ms: SLOW_LINE_MS });
    const users = Array.from({ length: IN_FLIGHT }, (_, i) => lineUserId(0x5000 + i));
    const events = users.map((u) =>
      bot!.event(u, { type: "message", message: { type: "text", id: newEventId(), quoteToken: "q", text: "สวัสดี" } }),
    );
    const ids = new Set(events.map((e) => String(e.webhookEventId)));
    // Ten deliveries of twenty, all acknowledged (200) before the kill.
    for (let i = 0; i < events.length; i += 20) expect(await bot.deliver(events.slice(i, i + 20))).toBe(200);

    // Killed while LINE is busy with a good share of them.
    await waitUntil(() => line.accepted().length >= 40, { what: "LINE took 40 answers" });
    expect(await bot.kill("SIGKILL")).toBe(-1);
    const inFlight = line.requests.filter((r) => r.accepted && r.outcome === "hung").length;
    const answeredAtKill = new Set(line.accepted().map((r) => bot!.eventIdOf(r))).size;

    await bot.restart();
    const restarted = Date.now();
    const accepted = () =>
      line
        .accepted()
        .map((r) => bot!.eventIdOf(r))
        .filter((id): id is string => id !== undefined && ids.has(id));
    let answeredWithinMs: number | null = null;
    await waitUntil(() => new Set(accepted()).size === IN_FLIGHT, {
      timeoutMs: SLOW_ANSWERED_WITHIN_MS,
      what: "every event answered after the restart",
    }).then(
      () => (answeredWithinMs = Date.now() - restarted),
      () => undefined,
    );
    // Anything sent twice would come within a few LINE calls more.
    await new Promise((resolve) => setTimeout(resolve, 3 * SLOW_LINE_MS));
    expect(await bot.kill("SIGTERM")).toBe(0);

    const perEvent = new Map<string, number>();
    for (const id of accepted()) perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
    const unanswered = IN_FLIGHT - perEvent.size;
    const duplicated = [...perEvent.values()].filter((n) => n > 1).length;
    const pushes = line.requests.filter((r) => r.kind === "push").length;
    const usedTokenRetries = line.requests.filter((r) => r.kind === "reply" && r.outcome === 400).length;
    console.log(
      `SIGKILL measurement (${name}): ${IN_FLIGHT} acknowledged events, LINE ${SLOW_LINE_MS} ms a call; ` +
        `at the kill ${answeredAtKill} answered, ${inFlight} replies in flight; after the restart: ` +
        `${unanswered} unanswered, ${duplicated} answered twice, all answered ${answeredWithinMs ?? "NOT"} ms after the restart, ` +
        `${usedTokenRetries} replies retried and refused as used (counted delivered), ${pushes} pushes`,
    );
    expect(unanswered).toBe(0);
    expect(answeredWithinMs).not.toBeNull();
    // The inherent window: a reply LINE took just before the kill, retried
    // after its token grew old, can only be pushed. Never more than that.
    expect(duplicated).toBeLessThanOrEqual(inFlight);
    await bot.withDb(async (database) => {
      const rows = await database.sql.query<{ status: string; n: number }>(
        `SELECT status::text, count(*)::int AS n FROM webhook_event GROUP BY 1`,
      );
      expect(rows).toEqual([{ status: "DONE", n: IN_FLIGHT }]);
    });
  });
});
