// Keeps the outbox under LINE's per-channel rate limits (push 2,000
// requests/s, multicast 200/s). A token bucket lets `burst` requests go at
// once and then `perSecond` more each second, so any one-second window holds
// at most burst + perSecond requests: the defaults keep that sum at LINE's
// figure. Time is injectable, so tests check the pacing without waiting.

export interface Pacing {
  /** Milliseconds from any fixed origin (monotonic). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const LINE_RATE_LIMITS: Record<"push" | "multicast", RateLimit> = {
  push: { perSecond: 1_800, burst: 200 },
  multicast: { perSecond: 180, burst: 20 },
};

// The app's clock may be a test's frozen clock: pacing must not wait on it,
// so it runs on the process's own monotonic time.
export const realPacing: Pacing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class TokenBucket {
  private tokens: number;
  private last: number;
  // Takers queue in arrival order, so a waiting request is not overtaken by
  // one that comes later and finds a fresh token.
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: RateLimit,
    private readonly pacing: Pacing = realPacing,
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new Error("a rate limit needs perSecond > 0 and burst ≥ 1");
    this.tokens = limit.burst;
    this.last = pacing.now();
  }

  /** Resolves when one more request may go. */
  take(): Promise<void> {
    const turn = this.tail.then(() => this.takeInTurn());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async takeInTurn(): Promise<void> {
    for (;;) {
      const now = this.pacing.now();
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.perSecond) / 1_000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.pacing.sleep(Math.ceil(((1 - this.tokens) * 1_000) / this.limit.perSecond));
    }
  }
}
