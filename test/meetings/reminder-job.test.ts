// The day-before meeting reminder, on both databases: nothing before the
// configured time (09:00 Bangkok by default), then one outbox row per
// REGISTERED party of a meeting starting the next Bangkok day, however often
// the job runs, after a restart and with two instances at once; a late
// registration the day before still gets one; waitlisted, cancelled,
// cancelled meetings and meetings on other days get none.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { meetingReminderJob, reminderKey } from "../../src/meetings/reminder-job.ts";
import { bangkokInstant } from "../../src/thai/format.ts";
import { STORE_DATABASES } from "../support/database.ts";
import { Clock, Harness } from "../support/harness.ts";

type Status = "REGISTERED" | "WAITLISTED" | "CANCELLED";

describe.each(STORE_DATABASES)("meeting reminders on %s", (kind) => {
  let h: Harness;
  let seq = 0;

  const reminders = () => h.db.prisma.outboxMessage.findMany({ where: { purpose: "meeting.reminder" }, orderBy: { id: "asc" } });

  async function meeting(day: string, from = "09:30", status: "SCHEDULED" | "CANCELLED" = "SCHEDULED") {
    return h.db.prisma.meeting.create({
      data: {
        title: `ประชุมสภาองค์กรชุมชนตำบลเมืองเหนือ ครั้งที่ ${++seq}`,
        startsAt: bangkokInstant(day, from),
        endsAt: bangkokInstant(day, "12:00"),
        placeName: "ศาลาประชาคมบ้านหนองแวง",
        latitude: 15.1186,
        longitude: 104.322,
        capacity: 50,
        status,
        audience: { create: [{ level: "PROVINCE", areaId: 33 }] },
      },
    });
  }

  async function registration(meetingId: number, status: Status, people = 1) {
    return h.db.prisma.meetingRegistration.create({
      data: { meetingId, lineUserId: `U-remind-${++seq}`, people, status, registeredAt: h.clock.now },
    });
  }

  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("queues one reminder per registration from 09:00 the day before, never twice", async () => {
    h.clock.now = bangkokInstant("2026-11-28", "08:59");
    const tomorrow = await meeting("2026-11-29");
    const a = await registration(tomorrow.id, "REGISTERED", 3);
    const b = await registration(tomorrow.id, "REGISTERED");
    await registration(tomorrow.id, "WAITLISTED");
    await registration(tomorrow.id, "CANCELLED");
    // Other days, and a cancelled meeting: no reminder.
    const dayAfter = await registration((await meeting("2026-11-30")).id, "REGISTERED");
    await registration((await meeting("2026-11-28", "16:00")).id, "REGISTERED");
    await registration((await meeting("2026-11-29", "10:00", "CANCELLED")).id, "REGISTERED");

    await h.runJobs();
    expect(await reminders()).toEqual([]);

    h.clock.now = bangkokInstant("2026-11-28", "09:00");
    // Run on its own first: the outbox worker empties a row's messages once LINE has it.
    const job = meetingReminderJob({ db: h.db, reminderTime: "09:00" });
    expect(await job.runOnce(h.clock.now)).toBe(2);
    expect(await job.runOnce(h.clock.now)).toBe(0);
    const rows = await reminders();
    expect(rows.map((r) => [r.recipients, r.dedupeKey])).toEqual([
      [[a.lineUserId], reminderKey(a.id)],
      [[b.lineUserId], reminderKey(b.id)],
    ]);
    const text = JSON.stringify(rows[0]!.messages);
    expect(text).toContain(`พรุ่งนี้มีประชุม “${tomorrow.title}”`);
    expect(text).toContain("วันอาทิตย์ที่ 29 พ.ย. 2569 เวลา 09:30–12:00 น.");
    expect(text).toContain("https://www.google.com/maps/search/?api=1&query=15.1186,104.322");
    expect(text).toContain("ลงทะเบียนไว้ 3 คน");
    expect(rows[0]!.notBefore).toEqual(h.clock.now);
    // The app runs it too (with the outbox worker, which sends them): still one each.
    await h.runJobs();
    await h.runJobs();
    expect((await reminders()).map((r) => r.dedupeKey)).toEqual([reminderKey(a.id), reminderKey(b.id)]);
    expect(h.line.calls.filter((c) => c.kind === "push").map((c) => (c as { to: string }).to)).toEqual([a.lineUserId, b.lineUserId]);

    // Later that day: a new registration (or a promotion) gets its own; the others are not repeated.
    h.clock.now = bangkokInstant("2026-11-28", "20:15");
    const late = await registration(tomorrow.id, "REGISTERED");
    await h.runJobs();
    expect((await reminders()).map((r) => r.dedupeKey)).toEqual([reminderKey(a.id), reminderKey(b.id), reminderKey(late.id)]);

    // On the meeting day itself a new registration gets none; the next day's meeting gets its turn.
    h.clock.now = bangkokInstant("2026-11-29", "09:05");
    const sameDay = await registration(tomorrow.id, "REGISTERED");
    await h.runJobs();
    const keys = (await reminders()).map((r) => r.dedupeKey);
    expect(keys).not.toContain(reminderKey(sameDay.id));
    expect(keys).toEqual([reminderKey(a.id), reminderKey(b.id), reminderKey(late.id), reminderKey(dayAfter.id)]);
  });

  it("is queued once across a restart and with two instances running at once", async () => {
    h.clock.now = bangkokInstant("2026-12-01", "09:30");
    const m = await meeting("2026-12-02");
    const regs = [await registration(m.id, "REGISTERED"), await registration(m.id, "REGISTERED")];
    const clock = new Clock(h.clock.now);
    const other = await Harness.start({ kind, db: h.db, clock });
    try {
      await Promise.all([h.runJobs(), other.runJobs()]);
      await h.runJobs();
      const rows = (await reminders()).filter((r) => regs.some((x) => r.dedupeKey === reminderKey(x.id)));
      expect(rows).toHaveLength(2);
    } finally {
      await other.stop();
    }
    // A restart: a fresh app on the same database finds nothing new to queue.
    const restarted = await Harness.start({ kind, db: h.db, clock });
    try {
      const before = (await reminders()).length;
      await restarted.runJobs();
      expect(await reminders()).toHaveLength(before);
    } finally {
      await restarted.stop();
    }
  });

  it("follows MEETING_REMINDER_TIME", async () => {
    const clock = new Clock(bangkokInstant("2026-12-05", "10:00"));
    const evening = await Harness.start({ kind, db: h.db, clock, env: { MEETING_REMINDER_TIME: "18:00" } });
    try {
      h.clock.now = clock.now;
      const r = await registration((await meeting("2026-12-06")).id, "REGISTERED");
      await evening.runJobs();
      expect((await reminders()).filter((x) => x.dedupeKey === reminderKey(r.id))).toEqual([]);
      clock.now = bangkokInstant("2026-12-05", "18:00");
      await evening.runJobs();
      expect((await reminders()).filter((x) => x.dedupeKey === reminderKey(r.id))).toHaveLength(1);
    } finally {
      await evening.stop();
    }
  });
});
