// How the bot ships: `npm start` runs `node dist/main.js` (compiled by `npm
// run build`). Tests that start the real process use this, and the test
// run's global setup (global-setup.ts) builds dist/ from the sources first,
// so a test never runs a stale build.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Arguments to `node` that start the shipped bot (cwd: the repository root). */
export const SHIPPED_MAIN: readonly string[] = ["dist/main.js"];

/** What `npm start` does before it runs the bot. */
export function buildShipped(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
