// The real entry point, as `npm start` runs it: starts on the embedded
// database with no LINE credentials, says what is missing, serves /healthz,
// and exits cleanly on SIGTERM.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

describe("npm start", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("starts without LINE credentials, serves /healthz, stops on SIGTERM", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "clb-main-"));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    delete env.DATABASE_URL;
    delete env.LINE_CHANNEL_SECRET;
    delete env.LINE_CHANNEL_ACCESS_TOKEN;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        const m = /is up: (http:\/\/localhost:\d+)\/healthz/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(stderr).toMatch(/LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN/);
    expect(stderr).toMatch(/developers\.line\.biz/);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const webhook = await fetch(`${url}/webhook`, { method: "POST", body: "{}" });
    expect(webhook.status).toBe(503);
    expect(await webhook.text()).toMatch(/LINE_CHANNEL_SECRET/);

    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  }, 60_000);

  it("refuses to start on a bad variable and names it", async () => {
    const env = { ...process.env, PORT: "not-a-port" };
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT/);
  }, 30_000);
});
