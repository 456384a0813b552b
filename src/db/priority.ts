// On the embedded database one session serves everything, so work nobody
// is waiting for in the chat (the jobs: a province's check-in batches, the
// menu links, the outbox's claims, the sweeps) yields to work somebody is
// (a webhook's insert, a turn). Measured on a province-wide check-in with
// members answering while it went out: without this, answers queued behind
// the send and the links for up to 23 s (docs/performance.md §6).
//
// The jobs run inside `asBackground` (src/jobs/scheduler.ts); the PGlite
// thread (pglite-thread.ts) and the embedded transaction queue
// (database.ts) hold a background statement or transaction while
// foreground work is in progress, letting at most MAX_PASSED foreground
// items go first each time, so the background never starves under a steady
// load. A statement inside an open
// transaction is never held (the transaction holds the session already).
// PostgreSQL has sessions enough: nothing is held there.
import { AsyncLocalStorage } from "node:async_hooks";

/** "admitted": background work the transaction queue already let through (not held twice). */
const lane = new AsyncLocalStorage<"background" | "admitted">();

/** Runs `work` (and everything it starts) as background work. */
export function asBackground<T>(work: () => Promise<T>): Promise<T> {
  return lane.run("background", work);
}

export function inBackground(): boolean {
  return lane.getStore() !== undefined;
}

/** Runs background work a queue has let through: its transaction is not held again at the thread. */
export function asAdmitted<T>(work: () => Promise<T>): Promise<T> {
  return inBackground() ? lane.run("admitted", work) : work();
}

/**
 * How much foreground work background work lets go first, at most, each
 * time it waits: counted, not timed, so a steady load never starves the
 * background and the order never depends on how busy the machine is.
 */
export const MAX_PASSED = 8;

/** Foreground work in progress, and background work waiting for it to end. */
export class ForegroundGate {
  private active = 0;
  private left = 0;
  private waiters = new Set<{ since: number; go: () => void }>();

  constructor(private readonly maxPassed = MAX_PASSED) {}

  /** Foreground work begins; the returned function ends it (once). */
  enter(): () => void {
    this.active += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active -= 1;
      this.left += 1;
      for (const w of [...this.waiters]) if (this.active === 0 || this.left - w.since >= this.maxPassed) w.go();
    };
  }

  /** Resolves once no foreground work is in progress, or maxPassed of it has ended meanwhile. */
  clear(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w = {
        since: this.left,
        go: () => {
          this.waiters.delete(w);
          resolve();
        },
      };
      this.waiters.add(w);
    });
  }

  /** Foreground work takes its turn, background work waits: what the caller's lane asks. */
  async admit(): Promise<() => void> {
    if (!inBackground()) return this.enter();
    if (lane.getStore() !== "admitted") await this.clear();
    return () => undefined;
  }
}
