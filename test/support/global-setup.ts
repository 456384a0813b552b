// Runs once before any test file (vitest.config.ts `globalSetup`): compiles
// the shipped dist/ (shipped-command.ts), and builds or finds the migrated template databases (test/support/templates.ts) and hands
// their names to the test workers, where test/support/database.ts copies them.
import type { TestProject } from "vitest/node";
import { buildShipped } from "./shipped-command.ts";
import { ensureTemplates, type TestTemplates } from "./templates.ts";

declare module "vitest" {
  export interface ProvidedContext {
    testTemplates: TestTemplates;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const started = performance.now();
  // Tests that start the real process run dist/main.js, as npm start does: built from these sources.
  buildShipped();
  const templates = await ensureTemplates();
  project.provide("testTemplates", templates);
  if (process.env.TEST_LOG) {
    console.log(`test templates ${templates.key} ready in ${Math.round(performance.now() - started)} ms`);
  }
}
