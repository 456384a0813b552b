// When background jobs look for work: an idle bot must cost (almost) no
// statements, and work a turn queues must go out at once. The scheduler's
// clock is moved by hand: nothing here waits on real time.
import { describe, expect, it } from "vitest";
import { JobScheduler } from "../../src/jobs/scheduler.ts";
import { silentLogger } from "../../src/log.ts";

function counting(name: string, work: number[] = []) {
  const job = {
    name,
    runs: 0,
    async runOnce() {
      job.runs += 1;
      return work.shift() ?? 0;
    },
  };
  return job;
}

function scheduler() {
  let ms = 0;
  const s = new JobScheduler({ logger: silentLogger, intervalMs: 1_000, clock: () => ms });
  return { s, advance: (by: number) => (ms += by) };
}

describe("job scheduler", () => {
  it("looks for work every `every` intervals when nothing wakes a job", async () => {
    const { s, advance } = scheduler();
    const outbox = counting("outbox");
    const reminders = counting("reminders");
    s.add(outbox, { every: 5, wakeOn: ["turn"] });
    s.add(reminders, { every: 60 });
    s.tick(); // both look once at start
    await s.settled();
    expect([outbox.runs, reminders.runs]).toEqual([1, 1]);
    for (let second = 1; second <= 120; second++) {
      advance(1_000);
      s.tick();
      await s.settled();
    }
    // Two idle minutes: the outbox every 5 s, the reminders every minute.
    expect(outbox.runs).toBe(1 + 24);
    expect(reminders.runs).toBe(1 + 2);
  });

  it("a signal wakes only the jobs that listen to it; kick() with none wakes all", async () => {
    const { s } = scheduler();
    const outbox = counting("outbox");
    const reminders = counting("reminders");
    s.add(outbox, { every: 5, wakeOn: ["turn"] });
    s.add(reminders, { every: 60 });
    s.tick();
    await s.settled();
    s.kick("turn");
    await s.settled();
    expect([outbox.runs, reminders.runs]).toEqual([2, 1]);
    s.kick();
    await s.settled();
    expect([outbox.runs, reminders.runs]).toEqual([3, 2]);
  });

  it("kicks soon after a round share one round after a short gap (turns under load do not run the jobs back to back)", async () => {
    const { s, advance } = scheduler();
    const outbox = counting("outbox");
    s.add(outbox, { every: 5, wakeOn: ["turn"] });
    s.kick("turn");
    await s.settled();
    expect(outbox.runs).toBe(1);
    // Ten turns commit at once after that round (the clock has not moved): one more round, not ten.
    for (let turn = 0; turn < 10; turn++) {
      s.kick("turn");
      await Promise.resolve();
    }
    expect(outbox.runs).toBe(1);
    await s.settled();
    expect(outbox.runs).toBe(2);
    // Long after the last round, a kick runs the job at once (no wait before a push leaves).
    advance(1_000);
    s.kick("turn");
    expect(outbox.runs).toBe(3);
    await s.settled();
  });

  it("a job that found work looks again until it finds none", async () => {
    const { s } = scheduler();
    const outbox = counting("outbox", [3, 2]);
    s.add(outbox, { every: 5, wakeOn: ["turn"] });
    s.kick("turn");
    // The follow-up rounds come after a short gap (setTimeout), not the 5 s look.
    await expect.poll(() => outbox.runs, { timeout: 60_000 }).toBe(3);
    await s.settled();
    expect(outbox.runs).toBe(3);
  });

  it("a job's own retry time brings its next look forward (nothing polls for it)", async () => {
    let ms = 0;
    const s = new JobScheduler({ logger: silentLogger, intervalMs: 1_000, clock: () => ms, now: () => new Date(ms) });
    const outbox = Object.assign(counting("outbox"), { nextWake: () => (outbox.runs === 1 ? new Date(3_000) : null) });
    s.add(outbox, { every: 15 });
    for (let second = 0; second <= 10; second++) {
      ms = second * 1_000;
      s.tick();
      await s.settled();
    }
    // At start, then at the retry (3 s); the next idle look is 15 s after that.
    expect(outbox.runs).toBe(2);
  });

  it("with interval 0 (tests) only runAll runs jobs", async () => {
    const s = new JobScheduler({ logger: silentLogger, intervalMs: 0 });
    const outbox = counting("outbox", [1]);
    s.add(outbox, { wakeOn: ["turn"] });
    s.kick("turn");
    await s.settled();
    expect(outbox.runs).toBe(0);
    await s.runAll();
    expect(outbox.runs).toBe(2);
  });
});
