// Background jobs that are not answers to an event: sending the outbox,
// fetching photos from LINE, queueing meeting reminders, escalations. Each
// job keeps its work in the database (rows with leases), so any instance
// may run it and a restart loses nothing; this only decides when to run.
import type { Logger } from "../log.ts";
import { withDefaults, type WithDefaults } from "../options.ts";

/** The least time between two kicked rounds of the jobs. */
const KICK_GAP_MS = 250;

export interface Job {
  name: string;
  /** Does what is due at `now`; resolves how much it did (0: nothing due). */
  runOnce(now: Date): Promise<number>;
  /** Work of its own that falls due later (a retry it set): the scheduler looks then, not only at its next look. */
  nextWake?(): Date | null;
}

/**
 * When a job looks for work by itself. Each look costs statements, so an
 * idle bot must look rarely (issue 13: ≤ 1 query/s with no traffic); work a
 * turn creates wakes its job at once instead (`wakeOn`).
 */
export interface JobSchedule {
  /** Looks every this many scheduler intervals when nothing wakes it (default 1). */
  every?: number;
  /**
   * Signals that run it soon: "turn" after every committed turn, "work"
   * after another job did something (queued a reminder, a digest).
   */
  wakeOn?: readonly string[];
}

export interface JobSchedulerOptions {
  logger: Logger;
  now?: () => Date;
  /** The scheduler's interval; 0: jobs run only when a test calls runAll(). */
  intervalMs?: number;
  /** Monotonic milliseconds (tests move it by hand). */
  clock?: () => number;
}

export const JOB_DEFAULTS = {
  intervalMs: 1_000,
  now: (): Date => new Date(),
  clock: (): number => performance.now(),
};

interface Entry {
  job: Job;
  every: number;
  wakeOn: readonly string[];
  /** Monotonic ms (options.clock) when it looks next by itself. */
  nextLook: number;
  woken: boolean;
}

export class JobScheduler {
  private readonly entries: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Monotonic ms (options.clock) when the last round ended. */
  private lastRoundEnd = Number.NEGATIVE_INFINITY;
  /** A kicked round waiting for the gap after the last one. */
  private gap: { timer: NodeJS.Timeout; done: Promise<void> } | null = null;
  private readonly options: WithDefaults<typeof JOB_DEFAULTS, JobSchedulerOptions>;

  constructor(options: JobSchedulerOptions) {
    this.options = withDefaults(JOB_DEFAULTS, options);
  }

  add(job: Job, schedule: JobSchedule = {}): void {
    this.entries.push({ job, every: Math.max(1, schedule.every ?? 1), wakeOn: schedule.wakeOn ?? [], nextLook: 0, woken: true });
  }

  /** 0 disables the timer; tests call runAll() themselves. */
  start(): void {
    if (this.options.intervalMs > 0 && !this.timer) {
      // The tick itself touches no database: it only runs the jobs whose look is due.
      this.timer = setInterval(() => this.tick(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Runs jobs soon: those woken by `signal`, or every job without one (a
   * start, the demo's clock moved). Never two rounds at once. With
   * intervalMs 0 (tests) jobs run only through runAll(), so a test decides
   * when a push goes out.
   */
  kick(signal?: string): void {
    if (this.stopped || this.options.intervalMs <= 0) return;
    for (const e of this.entries) if (signal === undefined || e.wakeOn.includes(signal)) e.woken = true;
    this.runSoon(true);
  }

  /** The timer's tick: runs the jobs whose look is due. */
  tick(): void {
    this.runSoon();
  }

  /** Resolves when the round in progress (and those it asked for) is done. */
  async settled(): Promise<void> {
    while (this.running || this.gap) await (this.running ?? this.gap?.done);
  }

  /**
   * Every committed turn kicks: under load, a round per kick would run the
   * jobs back to back at the turns' rate (3,700 rounds, 45,000 statements
   * for 5,000 check-in answers), taking the database from the turns. A kick
   * within KICK_GAP_MS of the last round waits for the gap to end, and all
   * kicks in it share that one round; a queued push still leaves within a
   * moment. The timer's ticks keep their own pace.
   */
  private runSoon(kicked = false): void {
    if (this.stopped || this.gap) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastRoundEnd + KICK_GAP_MS - this.options.clock();
    if (kicked && wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      const done = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, wait);
        timer.unref();
      }).then(() => {
        this.gap = null;
        this.startRound();
      });
      this.gap = { timer: timer!, done };
      return;
    }
    this.startRound();
  }

  private startRound(): void {
    if (this.stopped || this.running) return;
    const due = this.due();
    if (due.length === 0) return;
    this.running = this.runRound(due).finally(() => {
      this.running = null;
      this.lastRoundEnd = this.options.clock();
      if (this.again) {
        this.again = false;
        this.runSoon(true);
      }
    });
  }

  private due(): Entry[] {
    const now = this.options.clock();
    return this.entries.filter((e) => e.woken || e.nextLook <= now);
  }

  private async runRound(due: Entry[]): Promise<void> {
    for (const e of due) {
      e.woken = false;
      e.nextLook = this.options.clock() + e.every * this.options.intervalMs;
      try {
        // Work left over (a batch limit) is looked for again at once.
        if ((await e.job.runOnce(this.options.now())) > 0) e.woken = true;
        const wake = e.job.nextWake?.();
        if (wake) e.nextLook = Math.min(e.nextLook, this.options.clock() + Math.max(0, wake.getTime() - this.options.now().getTime()));
      } catch (error) {
        this.options.logger.error("job failed", { job: e.job.name, error });
      }
    }
    // What a job queued (reminders, digests, escalations) goes out now, not at the outbox's next look.
    if (due.some((e) => e.woken)) {
      for (const e of this.entries) if (e.wakeOn.includes("work")) e.woken = true;
      this.again = true;
    }
  }

  /**
   * Runs every job until none has anything due (tests, and the start of a
   * process). Errors propagate, so a test sees them.
   */
  async runAll(maxRounds = 50): Promise<void> {
    await this.running;
    for (let round = 0; round < maxRounds; round++) {
      let done = 0;
      for (const e of this.entries) done += await e.job.runOnce(this.options.now());
      if (done === 0) return;
    }
    throw new Error(`jobs still busy after ${maxRounds} rounds`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.gap) clearTimeout(this.gap.timer);
    this.gap = null;
    await this.running;
  }
}
