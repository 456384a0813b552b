import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Migrated template databases, built once per run (or found from an earlier run).
    globalSetup: ["test/support/global-setup.ts"],
    // Each file builds its own app and databases. Three files at a time on
    // two cores: the slowest files (the shipped process killed, LINE failing
    // and recovering, the outbox's retries) mostly wait on real processes and
    // backoffs, not the CPU. Measured: 8:08 with two, 5:50 with three.
    fileParallelism: true,
    maxWorkers: 3,
    // Timeouts only catch hangs: a test on a busy machine may take many times
    // its usual time and must not fail for it. Tests give no shorter ones.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
