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
}

export interface JobSchedulerOptions {
  logger: Logger;
  now?: () => Date;
  /** How often the jobs look for due work; 0: only when kicked or run by a test. */
  intervalMs?: number;
}

export const JOB_DEFAULTS = {
  intervalMs: 1_000,
  now: (): Date => new Date(),
};

export class JobScheduler {
  private readonly jobs: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly options: WithDefaults<typeof JOB_DEFAULTS, JobSchedulerOptions>;

  constructor(options: JobSchedulerOptions) {
    this.options = withDefaults(JOB_DEFAULTS, options);
  }

  add(job: Job): void {
    this.jobs.push(job);
  }

  /** 0 disables the timer; tests call runAll() themselves. */
  start(): void {
    if (this.options.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.kick(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Runs the jobs soon (e.g. after a turn queued a push); never twice at
   * once. With intervalMs 0 (tests) jobs run only through runAll(), so a
   * test decides when a push goes out.
   */
  kick(): void {
    if (this.stopped || this.options.intervalMs <= 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runRound().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        // Every committed turn kicks: under load that would run all the jobs
        // back to back, each taking the database from the turns. A short
        // gap bounds it while a queued push still leaves within a moment.
        setTimeout(() => this.kick(), KICK_GAP_MS).unref();
      }
    });
  }

  private async runRound(): Promise<void> {
    for (const job of this.jobs) {
      try {
        await job.runOnce(this.options.now());
      } catch (error) {
        this.options.logger.error("job failed", { job: job.name, error });
      }
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
      for (const job of this.jobs) done += await job.runOnce(this.options.now());
      if (done === 0) return;
    }
    throw new Error(`jobs still busy after ${maxRounds} rounds`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
