// How the bot ships: `npm start` runs `node <V8 flags> dist/main.js`
// (compiled by `npm run build`), read here from package.json so the tests
// and the benches run the same command, flags included (they set how much
// memory V8 keeps, which the benches measure). Tests that start the real
// process use this, and the test run's global setup (global-setup.ts)
// builds dist/ from the sources first, so a test never runs a stale build.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `npm start`'s arguments to `node`: V8's flags, then the entry. */
function startArguments(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (node !== "node" || args.at(-1) !== "dist/main.js" || args.slice(0, -1).some((a) => !a.startsWith("--"))) {
    throw new Error(`package.json's start script is not "node [--flags] dist/main.js": ${pkg.scripts.start}`);
  }
  return args;
}

/** Arguments to `node` that start the shipped bot (cwd: the repository root). */
export const SHIPPED_MAIN: readonly string[] = startArguments();

/** The V8 flags `npm start` gives node (for a process that runs the bot another way, as the bench's server). */
export const SHIPPED_NODE_FLAGS: readonly string[] = SHIPPED_MAIN.slice(0, -1);

/** What `npm start` does before it runs the bot. */
export function buildShipped(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}
