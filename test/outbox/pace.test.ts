// The outbox's pacing against LINE's per-channel rate limits, on a fake
// clock: no test waits for real time.
import { describe, expect, it } from "vitest";
import { LINE_RATE_LIMITS, TokenBucket, type Pacing } from "../../src/outbox/pace.ts";

function fakePacing(): Pacing & { t: number; slept: number[] } {
  const p = {
    t: 0,
    slept: [] as number[],
    now: () => p.t,
    sleep: async (ms: number) => {
      p.slept.push(ms);
      p.t += ms;
    },
  };
  return p;
}

/** The most requests in any window of `ms` (times sorted). */
function busiestWindow(times: number[], ms = 1_000): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

async function takeMany(bucket: TokenBucket, pacing: { now(): number }, n: number): Promise<number[]> {
  const times: number[] = [];
  // All at once, as the worker's concurrent lanes do.
  await Promise.all(Array.from({ length: n }, () => bucket.take().then(() => times.push(pacing.now()))));
  return times.sort((a, b) => a - b);
}

describe("outbox pacing", () => {
  it.each([
    ["multicast", 200, 1_000],
    ["push", 2_000, 6_000],
  ] as const)("keeps %s under %i requests in any second, and close to it", async (kind, limit, n) => {
    const pacing = fakePacing();
    const times = await takeMany(new TokenBucket(LINE_RATE_LIMITS[kind], pacing), pacing, n);
    expect(times).toHaveLength(n);
    expect(busiestWindow(times)).toBeLessThanOrEqual(limit);
    // Not needlessly slow either: at least 90% of LINE's rate over the run.
    expect(n / (times.at(-1)! / 1_000)).toBeGreaterThan(limit * 0.9);
  });

  it("lets a burst go at once, then waits", async () => {
    const pacing = fakePacing();
    const times = await takeMany(new TokenBucket({ perSecond: 10, burst: 3 }, pacing), pacing, 5);
    expect(times).toEqual([0, 0, 0, 100, 200]);
  });

  it("refills while idle, up to the burst", async () => {
    const pacing = fakePacing();
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, pacing);
    await takeMany(bucket, pacing, 2);
    pacing.t += 10_000;
    const times = await takeMany(bucket, pacing, 3);
    expect(times).toEqual([10_000, 10_000, 10_100]);
  });
});
