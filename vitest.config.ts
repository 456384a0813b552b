import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Migrated template databases, built once per run (or found from an earlier run).
    globalSetup: ["test/support/global-setup.ts"],
    // Each file builds its own app and databases; two cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
