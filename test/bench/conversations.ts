// The conversation load driver of the scenario benchmarks (run-all.ts):
// villagers who each file a flood-help request through the real flow, and
// secretaries who accept the cases as their notices arrive, against one or
// more bot instances. HTTP load comes from autocannon; this file only decides
// what each request carries.
//
// How it works. Every user is a little state machine: it sends one event,
// and only when the fake LINE API (fake-line-api.ts) receives the bot's reply
// for that event (matched by its reply token) does it check the answer (the
// question the flow should ask next), wait a compressed think time, and put
// its next event on the ready queue of the instance it goes to (event k of
// user u goes to instance (u + k) mod instances, so with two instances every
// conversation alternates between them). Per instance, `slots` autocannon
// instances of one connection each, started 1000/slots ms apart, send at a
// fixed rate; each request takes the oldest ready event, or — when none is
// ready — an empty delivery (`events: []`, what LINE's "Verify" sends, which
// the bot answers after the signature check without touching the database).
// Spreading the slots over the second keeps the arrivals smooth (autocannon
// sends each connection's per-second quota back to back).
//
// Measured: webhook sent → reply received at the fake LINE API, per event;
// the time each ready event waited for a free slot (the driver's own delay,
// not counted in the latency); lost events (no reply by the end), duplicated
// replies (a second reply call with the same token, which LINE refuses),
// wrong replies (not the question the flow should ask), HTTP errors.
import { createHash, createHmac } from "node:crypto";
import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import type { messagingApi } from "@line/bot-sdk";
import { HELP_TEXT as T } from "../../src/help-requests/texts.ts";
import { actionsOf, textOf, type FakeLineApi } from "./fake-line-api.ts";

// --- autocannon (CommonJS, no type declarations in the project) ----------------
interface RequestData {
  headers: Record<string, string>;
  body: Buffer | string;
  [key: string]: unknown;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
}
interface AutocannonInstance extends EventEmitter {
  stop(): void;
}
type Autocannon = (
  opts: Record<string, unknown> & { requests: { method: "POST"; path: string; setupRequest: (req: RequestData) => RequestData }[] },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;
export const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export const userId = (prefix: string, i: number) => `U${createHash("md5").update(`${prefix}${i}`).digest("hex")}`;

// --- the villager's flow ---------------------------------------------------------
type Send = { kind: "text"; text: string } | { kind: "postback"; data: string } | { kind: "location" };
/** A step: what to send, given the previous reply; what the reply to it must look like. */
interface Step {
  name: string;
  send(prev: messagingApi.Message[]): Send | string;
  expect(reply: messagingApi.Message[]): boolean;
}

function tap(prev: messagingApi.Message[], label: string): Send | string {
  const a = actionsOf(prev).find((x) => x.label === label);
  if (!a)
    return `no button "${label}" in: ${actionsOf(prev)
      .map((x) => x.label)
      .join(" | ")}`;
  return a.data ? { kind: "postback", data: a.data } : { kind: "text", text: a.text ?? label };
}
const has = (label: string) => (m: messagingApi.Message[]) => actionsOf(m).some((a) => a.label === label);
const says = (pattern: RegExp | string) => (m: messagingApi.Message[]) =>
  typeof pattern === "string" ? textOf(m).includes(pattern) : pattern.test(textOf(m));
const WATER = ["ข้อเท้า", "หัวเข่า", "เอว"];
const NEEDS = ["น้ำดื่ม", "อาหาร", "ยา"];

/** A member filing for their own household: 12 events from the keyword to the confirmation. */
export function villagerSteps(i: number): Step[] {
  return [
    { name: "keyword", send: () => ({ kind: "text", text: "น้ำท่วม" }), expect: says(T.askWhose) },
    { name: "whose", send: (p) => tap(p, T.mine), expect: says(/บ้านอยู่ที่ไหน/) },
    { name: "location", send: () => ({ kind: "location" }), expect: says(/กี่คน/) },
    { name: "people", send: () => ({ kind: "text", text: String(1 + (i % 7)) }), expect: has(T.none) },
    { name: "vulnerable", send: (p) => tap(p, T.none), expect: has(T.done) },
    { name: "vulnerable-done", send: (p) => tap(p, T.done), expect: says(/น้ำสูงแค่ไหน/) },
    { name: "water", send: (p) => tap(p, WATER[i % WATER.length]!), expect: has(NEEDS[i % NEEDS.length]!) },
    { name: "needs", send: (p) => tap(p, NEEDS[i % NEEDS.length]!), expect: has(T.done) },
    { name: "needs-done", send: (p) => tap(p, T.done), expect: says(/ส่งรูป/) },
    { name: "photo-skip", send: (p) => tap(p, T.skip), expect: says(/บอกเพิ่ม/) },
    { name: "note-skip", send: (p) => tap(p, T.skip), expect: says(/ตรวจสอบคำขอก่อนส่ง/) },
    { name: "confirm", send: (p) => tap(p, T.confirm), expect: says(/เลขที่คำขอ/) },
  ];
}
export const VILLAGER_EVENTS = villagerSteps(0).length;

// --- the driver -----------------------------------------------------------------
export interface DriverOptions {
  line: FakeLineApi;
  /** Base URLs of the bot instances. */
  targets: string[];
  channelSecret: string;
  villagers: string[];
  /** Secretaries accept the cases whose notices (pushes with a "รับเรื่อง" button) reach them. */
  secretaries?: string[];
  /** Villagers start evenly spread over this window. */
  arrivalWindowMs: number;
  /** Think time between a reply and the user's next event: uniform in [min, max]. */
  thinkMs: [number, number];
  /** Webhook requests per second per instance (events plus empty deliveries). */
  ratePerTarget: number;
  /** autocannon instances (one connection each) per bot instance. */
  slots: number;
  /** Give up this long after the last villager's start (the run's bound). */
  graceMs: number;
  /** Called once, this long after the start (the province announcement). */
  midway?: { atMs: number; run: () => Promise<void> };
  /** A tag kept in every event id, so runs never collide. */
  runTag: string;
  log?: (line: string) => void;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface DriverResult {
  durationS: number;
  /** Events sent (not counting empty deliveries) and answered per second, first send to last reply. */
  eventsSent: number;
  eventsPerSec: number;
  emptyDeliveries: number;
  villagerLatency: LatencySummary;
  secretaryLatency: LatencySummary;
  allLatency: LatencySummary;
  /** How long ready events waited for a free request slot (driver delay, not in the latency). */
  slotWait: LatencySummary;
  flowsCompleted: number;
  flowsStarted: number;
  casesAccepted: number;
  lost: number;
  duplicated: number;
  wrong: number;
  wrongSamples: string[];
  httpErrors: number;
  /** Villager status pushes (case accepted) received, and villagers who got more than one. */
  statusPushes: number;
  statusPushDuplicates: number;
  /** Multicast deliveries per user: users reached, and users reached more than once. */
  multicast: { recipients: number; duplicates: number; firstAtMs: number | null; lastAtMs: number | null; chunks: number };
  /** Replies per second over time (1-s buckets from the start) and latency p99 per 10-s bucket. */
  timeline: { second: number; sent: number; replied: number }[];
}

interface Pending {
  user: number; // index: villagers first, then secretaries
  step: number; // villager step, or -1 for a secretary accept
  target: number;
  sentAt: number;
  readyAt: number;
  replies: number;
}

interface Ready {
  user: number;
  step: number;
  send: Send;
  readyAt: number;
}

export function percentiles(values: number[]): LatencySummary {
  const s = Float64Array.from(values).sort();
  const at = (p: number) => (s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!);
  return { count: s.length, p50: at(50), p95: at(95), p99: at(99), max: s.length ? s[s.length - 1]! : Number.NaN };
}

export async function driveConversations(o: DriverOptions): Promise<DriverResult> {
  const log = o.log ?? (() => undefined);
  const nV = o.villagers.length;
  const secretaries = o.secretaries ?? [];
  const ids = [...o.villagers, ...secretaries];
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const steps = o.villagers.map((_, i) => villagerSteps(i));
  const queues: Ready[][] = o.targets.map(() => []);
  const pending = new Map<string, Pending>();
  const answered = new Map<string, Pending>();
  const villagerLat: number[] = [];
  const secretaryLat: number[] = [];
  const slotWait: number[] = [];
  const nextTarget = new Array<number>(ids.length).fill(0);
  const secretaryBacklog: Send[][] = secretaries.map(() => []);
  const secretaryBusy = new Array<boolean>(secretaries.length).fill(false);
  const statusPushes = new Map<string, number>();
  const multicastSeen = new Map<string, number>();
  const timeline: { sent: number; replied: number }[] = [];
  let multicastChunks = 0;
  let firstMulticast: number | null = null;
  let lastMulticast: number | null = null;
  let completed = 0;
  let started = 0;
  let failedFlows = 0;
  let accepted = 0;
  let wrong = 0;
  let duplicated = 0;
  let sentEvents = 0;
  let empty = 0;
  let seq = 0;
  let firstSend = Number.NaN;
  let lastReply = Number.NaN;
  const wrongSamples: string[] = [];
  const t0 = performance.now();
  const bucket = (at: number) => {
    const s = Math.max(0, Math.floor((at - t0) / 1000));
    while (timeline.length <= s) timeline.push({ sent: 0, replied: 0 });
    return timeline[s]!;
  };
  const think = () => o.thinkMs[0] + Math.random() * (o.thinkMs[1] - o.thinkMs[0]);

  const enqueue = (user: number, step: number, send: Send) => {
    const target = (user + nextTarget[user]!++) % o.targets.length;
    queues[target]!.push({ user, step, send, readyAt: performance.now() });
  };
  const fail = (what: string) => {
    wrong += 1;
    if (wrongSamples.length < 5) wrongSamples.push(what.slice(0, 300));
  };
  const villagerNext = (user: number, step: number, prev: messagingApi.Message[]) => {
    const send = steps[user]![step]!.send(prev);
    if (typeof send === "string") {
      fail(`villager ${user} step ${steps[user]![step]!.name}: ${send}`);
      failedFlows += 1;
      return;
    }
    enqueue(user, step, send);
  };
  const secretaryNext = (s: number) => {
    const send = secretaryBacklog[s]!.shift();
    secretaryBusy[s] = send !== undefined;
    if (send) setTimeout(() => enqueue(nV + s, -1, send), think());
  };

  o.line.hooks = {
    onReply(token, messages, at, firstUse) {
      const p = pending.get(token) ?? answered.get(token);
      if (!p) return;
      if (!firstUse || p.replies > 0) {
        duplicated += 1;
        return;
      }
      p.replies = 1;
      pending.delete(token);
      answered.set(token, p);
      lastReply = at;
      bucket(at).replied += 1;
      const ms = at - p.sentAt;
      if (p.step >= 0) {
        villagerLat.push(ms);
        const step = steps[p.user]![p.step]!;
        if (!step.expect(messages)) {
          fail(
            `villager ${p.user} after ${step.name}: ${textOf(messages).slice(0, 120)} [${actionsOf(messages)
              .map((a) => a.label)
              .join("|")}]`,
          );
          failedFlows += 1;
          return;
        }
        if (p.step + 1 >= steps[p.user]!.length) {
          completed += 1;
          return;
        }
        setTimeout(() => villagerNext(p.user, p.step + 1, messages), think());
      } else {
        secretaryLat.push(ms);
        const s = p.user - nV;
        if (/รับเรื่องคำขอ .+ แล้ว/.test(textOf(messages))) accepted += 1;
        else fail(`secretary ${s} accept: ${textOf(messages).slice(0, 120)}`);
        secretaryNext(s);
      }
    },
    onPush(to, messages) {
      const i = indexOf.get(to);
      if (i === undefined) return;
      if (i >= nV) {
        // A notice: accept the case from its card.
        const s = i - nV;
        const send = tap(messages, "รับเรื่อง");
        if (typeof send === "string") return; // another kind of notice (escalation, digest…)
        secretaryBacklog[s]!.push(send);
        if (!secretaryBusy[s]) secretaryNext(s);
      } else {
        statusPushes.set(to, (statusPushes.get(to) ?? 0) + 1);
      }
    },
    onMulticast(to, _messages, at) {
      multicastChunks += 1;
      firstMulticast ??= at - t0;
      lastMulticast = at - t0;
      for (const id of to) multicastSeen.set(id, (multicastSeen.get(id) ?? 0) + 1);
    },
  };

  // One signed body per request.
  const emptyBody = Buffer.from(JSON.stringify({ destination: "Ubench", events: [] }));
  const sign = (b: Buffer) => createHmac("sha256", o.channelSecret).update(b).digest("base64");
  const emptySig = sign(emptyBody);
  const setupFor =
    (target: number) =>
    (req: RequestData): RequestData => {
      const item = queues[target]!.shift();
      let body = emptyBody;
      let signature = emptySig;
      if (!item) empty += 1;
      else {
        seq += 1;
        const now = performance.now();
        const id = `01BENCH${o.runTag}${String(seq).padStart(12, "0")}`.slice(0, 26).padEnd(26, "0");
        const token = `rt${o.runTag}${seq}`;
        const base = {
          webhookEventId: id,
          timestamp: Date.now(),
          mode: "active",
          source: { type: "user", userId: ids[item.user] },
          replyToken: token,
          deliveryContext: { isRedelivery: false },
        };
        const s = item.send;
        const event =
          s.kind === "postback"
            ? { ...base, type: "postback", postback: { data: s.data } }
            : s.kind === "location"
              ? {
                  ...base,
                  type: "message",
                  message: { type: "location", id: `m${seq}`, latitude: 15.1186, longitude: 104.322, address: "ศรีสะเกษ" },
                }
              : { ...base, type: "message", message: { type: "text", id: `m${seq}`, quoteToken: `q${seq}`, text: s.text } };
        body = Buffer.from(JSON.stringify({ destination: "Ubench", events: [event] }));
        signature = sign(body);
        pending.set(token, { user: item.user, step: item.step, target, sentAt: now, readyAt: item.readyAt, replies: 0 });
        slotWait.push(now - item.readyAt);
        sentEvents += 1;
        if (Number.isNaN(firstSend)) firstSend = now;
        bucket(now).sent += 1;
      }
      req.body = body;
      req.headers = { ...req.headers, "content-type": "application/json; charset=utf-8", "x-line-signature": signature };
      return req;
    };

  // Villagers arrive evenly over the window.
  const timers: NodeJS.Timeout[] = [];
  o.villagers.forEach((_, i) => {
    timers.push(
      setTimeout(
        () => {
          started += 1;
          villagerNext(i, 0, []);
        },
        (i / Math.max(1, nV)) * o.arrivalWindowMs,
      ),
    );
  });
  if (o.midway) {
    const m = o.midway;
    timers.push(setTimeout(() => void m.run().catch((e: unknown) => log(`midway action failed: ${String(e)}`)), m.atMs));
  }

  // The load: `slots` one-connection autocannon instances per target, staggered.
  const perSlot = Math.max(1, Math.ceil(o.ratePerTarget / o.slots));
  const instances: AutocannonInstance[] = [];
  const results: Promise<AutocannonResult>[] = [];
  let httpErrors = 0;
  let stopped = false;
  for (let t = 0; t < o.targets.length; t++) {
    for (let k = 0; k < o.slots; k++) {
      results.push(
        new Promise<AutocannonResult>((resolve, reject) => {
          const start = () => {
            if (stopped) return resolve({ errors: 0, timeouts: 0, non2xx: 0, requests: { total: 0 } });
            const inst = autocannon(
              {
                url: o.targets[t]!,
                connections: 1,
                connectionRate: perSlot,
                duration: 24 * 3600,
                timeout: 10,
                requests: [{ method: "POST", path: "/webhook", setupRequest: setupFor(t) }],
              },
              (error, res) => (error ? reject(error) : resolve(res)),
            );
            inst.on("response", (_c: unknown, status: number) => {
              if (status < 200 || status >= 300) httpErrors += 1;
            });
            instances.push(inst);
          };
          timers.push(setTimeout(start, (k * 1000) / o.slots));
        }),
      );
    }
  }

  // Wait until every villager finished (or failed) and every secretary is idle, or the bound.
  const bound = t0 + o.arrivalWindowMs + o.graceMs;
  let lastLog = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = performance.now();
    const secretariesIdle = secretaryBusy.every((b) => !b) && queues.every((q) => q.length === 0);
    const done = started === nV && completed + failedFlows >= nV && pending.size === 0 && secretariesIdle;
    if (now - lastLog > 15_000) {
      lastLog = now;
      log(
        `  ${((now - t0) / 1000).toFixed(0)} s: started ${started}/${nV}, completed ${completed}, in flight ${pending.size}, ` +
          `sent ${sentEvents}, accepted ${accepted}, wrong ${wrong}, http errors ${httpErrors}`,
      );
    }
    if (done) {
      // Secretaries may still get notices of the last cases: give the outbox a moment.
      const quietSince = Math.max(lastReply, ...[lastMulticast ?? 0].map((x) => x + t0));
      if (now - quietSince > 3_000) break;
    }
    if (now > bound) {
      log(
        `  the run's bound was reached: stopping with ${pending.size} events unanswered, ${nV - completed - failedFlows} flows unfinished`,
      );
      break;
    }
  }
  stopped = true;
  for (const t of timers) clearTimeout(t);
  for (const inst of instances) inst.stop();
  const finals = await Promise.all(results);
  for (const r of finals) httpErrors += r.errors + r.timeouts;
  // A last chance for replies already on their way.
  const drainUntil = performance.now() + 5_000;
  while (pending.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
  o.line.hooks = {};

  const activeS = (lastReply - firstSend) / 1000;
  let dupPushes = 0;
  let pushes = 0;
  for (const n of statusPushes.values()) {
    pushes += n;
    if (n > 1) dupPushes += 1;
  }
  let mDup = 0;
  for (const n of multicastSeen.values()) if (n > 1) mDup += 1;
  return {
    durationS: (performance.now() - t0) / 1000,
    eventsSent: sentEvents,
    eventsPerSec: activeS > 0 ? answered.size / activeS : Number.NaN,
    emptyDeliveries: empty,
    villagerLatency: percentiles(villagerLat),
    secretaryLatency: percentiles(secretaryLat),
    allLatency: percentiles([...villagerLat, ...secretaryLat]),
    slotWait: percentiles(slotWait),
    flowsCompleted: completed,
    flowsStarted: started,
    casesAccepted: accepted,
    lost: pending.size,
    duplicated,
    wrong,
    wrongSamples,
    httpErrors,
    statusPushes: pushes,
    statusPushDuplicates: dupPushes,
    multicast: {
      recipients: multicastSeen.size,
      duplicates: mDup,
      firstAtMs: firstMulticast,
      lastAtMs: lastMulticast,
      chunks: multicastChunks,
    },
    timeline: timeline.map((b, second) => ({ second, ...b })),
  };
}
