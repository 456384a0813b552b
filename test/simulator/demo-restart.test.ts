// The demo as a newcomer meets it, on the shipped entry point without LINE
// credentials (issue 11 §4): staff personas get the staff rich menu (through
// the stand-in's alias and per-user link endpoints); a restart keeps the
// personas made on the page, greets nobody again, and gives chat entries new
// keys that cannot collide with what the page holds; the time panel runs the
// evening digest, the day-before reminders and the escalations now.
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import type { ChatEntry } from "../../src/simulator/line-platform.ts";
import { createPostgresDatabase } from "../support/database.ts";
import { waitUntil } from "../support/line-server.ts";

interface Run {
  port: number;
  out: () => string;
  stop: () => Promise<number | null>;
}

async function startLocal(databaseUrl: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    // The bot's own timers wait for these Bangkok times: at the defaults
    // (18:00, 09:00) a run in the evening had the digest job send the test's
    // item before the time panel could, and the panel queued nothing.
    DIGEST_TIME: "23:59",
    MEETING_REMINDER_TIME: "23:59",
  };
  for (const name of ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "DATA_DIR", "HOST", "PUBLIC_BASE_URL"]) delete env[name];
  const child = spawn(process.execPath, [...SHIPPED_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let port = 0;
  await Promise.race([
    waitUntil(
      () => {
        port = Number(/is up: http:\/\/localhost:(\d+)\//.exec(out)?.[1] ?? 0);
        return port > 0 && /Demo chat:/.test(out);
      },
      { timeoutMs: 120_000, what: "the demo's address" },
    ),
    exited.then((code) => {
      throw new Error(`exited ${code}:\n${out}`);
    }),
  ]);
  return {
    port,
    out: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

const [villager, secretary, districtCoordinator] = [
  DEMO_PERSONAS.find((p) => p.role === "villager")!,
  DEMO_PERSONAS.find((p) => p.role === "secretary")!,
  DEMO_PERSONAS.find((p) => p.about.includes("อำเภอ"))!,
];

describe("the demo for every role, across a restart", () => {
  let pg: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let db: Database;
  beforeAll(async () => {
    pg = await createPostgresDatabase();
  });
  afterAll(async () => {
    await db?.close();
    await pg?.drop();
  });

  /** The simulator API's answers: each endpoint fills the fields it is about. */
  interface SimulatorAnswer {
    name: string;
    userId: string;
    webhookStatus: number;
    followed: boolean;
    personas: { userId: string }[];
    entries: ChatEntry[];
    queued: number;
  }

  it("staff see the staff menu; made personas, friendships and the page's entries survive a restart; the time panel runs now", async () => {
    let bot = await startLocal(pg.url);
    const call = async (path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${bot.port}/simulator/api${path}`, {
        method: body === undefined ? "GET" : "POST",
        ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
      return (await res.json()) as SimulatorAnswer;
    };
    const chat = async (userId: string) => ((await call(`/chats/${userId}`)) as { entries: ChatEntry[] }).entries;
    const menuName = async (userId: string) => (await call(`/richmenu?userId=${userId}`)).name as string;
    try {
      // The link job links the seeded staff to the menu their alias names.
      await waitUntil(async () => (await menuName(secretary.userId)) === "council-staff-menu", {
        what: "the secretary's staff menu",
      });
      expect(await menuName(villager.userId)).toBe("council-villager-menu");

      const made = await call("/personas", { displayName: "ทดลองรีสตาร์ต" });
      expect((await call("/open", { userId: made.userId })).webhookStatus).toBe(200);
      await waitUntil(async () => (await chat(made.userId)).some((e) => e.from === "bot"), { what: "the greeting" });
      const before = new Set((await chat(made.userId)).map((e) => e.key));

      expect(await bot.stop(), bot.out()).toBe(0);
      bot = await startLocal(pg.url);

      expect((await call("/state")).personas.map((p: { userId: string }) => p.userId)).toContain(made.userId);
      // A friend already: opening the chat again is no new "add friend", so no second greeting.
      expect(await call("/open", { userId: made.userId })).toEqual({ followed: false });
      expect(await chat(made.userId)).toEqual([]);
      expect((await call("/send", { userId: made.userId, action: { type: "text", text: "เมนู" } })).webhookStatus).toBe(200);
      await waitUntil(async () => (await chat(made.userId)).some((e) => e.from === "bot"), { what: "the answer after the restart" });
      const after = await chat(made.userId);
      expect(after.filter((e) => before.has(e.key))).toEqual([]);
      // The new stand-in has new menus: the staff are linked again.
      await waitUntil(async () => (await menuName(secretary.userId)) === "council-staff-menu", {
        what: "the staff menu after the restart",
      });

      // The time panel: what waits for a time of day, or for time to pass, now.
      db = await openDatabase({ kind: "postgres", url: pg.url });
      const role = await db.prisma.staffRole.findFirstOrThrow({ where: { lineUserId: secretary.userId, level: "COUNCIL" } });
      const meeting = await db.prisma.meeting.findFirstOrThrow({
        where: { status: "SCHEDULED", startsAt: { gt: new Date() } },
        orderBy: { startsAt: "asc" },
      });
      await db.prisma.meetingRegistration.create({
        data: { meetingId: meeting.id, lineUserId: villager.userId, people: 1, status: "REGISTERED", registeredAt: new Date() },
      });
      await db.prisma.staffDigestItem.create({
        data: { lineUserId: secretary.userId, text: "รายการทดสอบสรุปประจำวัน", createdAt: new Date() },
      });
      await db.prisma.helpRequest.create({
        data: {
          kind: "FLOOD",
          caseNumber: "SSK-F-0000-9999",
          councilId: role.areaId,
          lineUserId: villager.userId,
          priority: "CRITICAL",
          status: "PENDING",
          village: "บ้านทดสอบ",
        },
      });
      const pushedTo = async (userId: string, pattern: RegExp) =>
        (await chat(userId)).some((e) => e.from === "bot" && e.via === "push" && pattern.test(JSON.stringify(e.message)));

      expect((await call("/time/reminders", {})).queued).toBe(1);
      await waitUntil(() => pushedTo(villager.userId, new RegExp(meeting.title)), { what: "the meeting reminder" });
      const digestItem = () => db.prisma.staffDigestItem.findFirstOrThrow({ where: { text: "รายการทดสอบสรุปประจำวัน" } });
      // Sent already only if the bot's own job ran at 23:59 Bangkok, in the minute before the call.
      const sentBefore = (await digestItem()).sentAt !== null;
      const digested = (await call("/time/digest", {})).queued;
      expect(digested >= 1 || sentBefore, `time panel queued ${digested}`).toBe(true);
      await waitUntil(() => pushedTo(secretary.userId, /รายการทดสอบสรุปประจำวัน/), { what: "the evening digest" });
      expect((await call("/time/escalations", {})).queued).toBeGreaterThanOrEqual(1);
      await waitUntil(() => pushedTo(districtCoordinator.userId, /SSK-F-0000-9999/), { what: "the escalation" });
    } finally {
      expect(await bot.stop(), bot.out()).toBe(0);
    }
  });
});
