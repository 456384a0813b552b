// The real entry point, as `npm start` runs it: with no LINE credentials it
// starts the local demo (the LINE stand-in and the chat page) on the
// embedded database; with one credential missing it says what is missing;
// it serves /healthz and exits cleanly on SIGTERM.
import { SHIPPED_MAIN } from "./support/shipped-command.ts";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

describe("npm start", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function start(extra: NodeJS.ProcessEnv, drop: string[]) {
    const dataDir = await mkdtemp(path.join(tmpdir(), "clb-main-"));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "warn", ...extra };
    for (const name of ["DATABASE_URL", ...drop]) delete env[name];
    const child = spawn(process.execPath, [...SHIPPED_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    const io = { stdout: "", stderr: "" };
    child.stderr.on("data", (d) => (io.stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        io.stdout += d;
        const m = /is up: (http:\/\/localhost:\d+)\/healthz/.exec(io.stdout);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${io.stderr}`)));
    });
    const stop = async () => {
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      return exit;
    };
    return { url, io, stop };
  }

  it("without LINE credentials runs the local demo: chat page, healthz, SIGTERM", async () => {
    const { url, io, stop } = await start({}, ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"]);
    // The demo line is printed once the simulator is mounted.
    await expect.poll(() => io.stdout, { timeout: 300_000 }).toMatch(/Demo chat: http:\/\/localhost:\d+\/simulator/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/simulator`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect(await stop()).toBe(0);
  });

  it("with only one credential says which is missing and how to get it, and mounts no simulator", async () => {
    const { url, io, stop } = await start({ LINE_CHANNEL_SECRET: "only-the-secret" }, ["LINE_CHANNEL_ACCESS_TOKEN"]);
    expect(io.stderr).toMatch(/LINE_CHANNEL_ACCESS_TOKEN/);
    expect(io.stderr).toMatch(/developers\.line\.biz/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/simulator`)).status).toBe(404);
    expect(await stop()).toBe(0);
  });

  it("refuses to start on a bad variable and names it", async () => {
    const env = { ...process.env, PORT: "not-a-port" };
    const child = spawn(process.execPath, [...SHIPPED_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT/);
  });

  it("is the command the Docker image runs, V8's flags included", () => {
    const dockerfile = readFileSync(path.join(import.meta.dirname, "..", "Dockerfile"), "utf8");
    const cmd = [...dockerfile.matchAll(/^CMD (\[.*\])$/gm)].map((m) => JSON.parse(m[1]!) as string[]);
    expect(cmd).toEqual([["node", ...SHIPPED_MAIN]]);
    expect(SHIPPED_MAIN).toContain("dist/main.js");
  });
});
