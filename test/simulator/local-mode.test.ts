// Local mode is configuration only: without LINE credentials the bot is
// built as usual against the stand-in, which is mounted with the chat page;
// with credentials nothing of the simulator is there.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import { prepareLocalMode, wantsLocalMode, type LocalMode } from "../../src/simulator/local-mode.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const listen = (handler: { listen: (port: number, host: string, cb: () => void) => Server }, port = 0) =>
  new Promise<Server>((resolve) => {
    const s = handler.listen(port, "127.0.0.1", () => resolve(s));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe("local mode", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("pglite", { geography: true });
  });
  afterAll(async () => {
    await db.drop();
  });

  it("is chosen only when both credentials are missing", () => {
    expect(wantsLocalMode(loadConfig({}))).toBe(true);
    expect(wantsLocalMode(loadConfig({ LINE_CHANNEL_SECRET: "s" }))).toBe(false);
    expect(
      wantsLocalMode(loadConfig({ LINE_CHANNEL_SECRET: "s", LINE_CHANNEL_ACCESS_TOKEN: "t", PUBLIC_BASE_URL: "https://bot.example.test" })),
    ).toBe(false);
  });

  describe("without credentials", () => {
    let local: LocalMode;
    let app: ReturnType<typeof createApp>;
    let server: Server;
    let base: string;
    beforeAll(async () => {
      local = await prepareLocalMode(loadConfig({ PORT: "0" }), silentLogger);
      app = createApp({ config: local.config, db, logger: silentLogger, sweepIntervalMs: 0, jobIntervalMs: 0 });
      server = await listen(local.wrap(app.http, { db, jobs: app.jobs }), local.config.port);
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      local.close();
      await app.processor.drain();
      await app.jobs.stop();
      await close(server);
    });

    it("points the bot at this server with generated credentials", () => {
      const port = (server.address() as AddressInfo).port;
      expect(local.config.port).toBe(port);
      expect(local.config.line.apiBaseUrl).toBe(`http://127.0.0.1:${port}`);
      expect(local.config.line.dataApiBaseUrl).toBe(`http://127.0.0.1:${port}`);
      expect(local.config.line.channelSecret).toMatch(/^[0-9a-f]{32}$/);
      expect(local.config.line.channelAccessToken).toBeTruthy();
    });

    it("serves the chat page and its state", async () => {
      const page = await fetch(`${base}/simulator`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("/simulator/app.js");
      expect((await fetch(`${base}/simulator/app.js`)).headers.get("content-type")).toMatch(/javascript/);
      const state = (await (await fetch(`${base}/simulator/api/state`)).json()) as {
        personas: { displayName: string }[];
        richMenu: { areas: unknown[] };
      };
      expect(state.personas.map((p) => p.displayName)).toEqual(DEMO_PERSONAS.map((p) => p.displayName));
      expect(state.richMenu.areas.length).toBeGreaterThan(0);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it("delivers a first contact as a signed follow the bot accepts, and shows the bot's answer", async () => {
      const villager = DEMO_PERSONAS[0]!;
      const res = await fetch(`${base}/simulator/api/open`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: villager.userId }),
      });
      expect(await res.json()).toEqual({ webhookStatus: 200 });
      await app.processor.idle();
      const said = local.platform.history(villager.userId).filter((e) => e.from === "bot");
      expect(said.map((e) => e.message.text).join("\n")).toMatch(/ข้อมูลส่วนตัว/);
      expect(said[0]!.via).toBe("reply");
      // A forged delivery is still refused: the webhook checks the signature as always.
      const forged = await fetch(`${base}/webhook`, { method: "POST", headers: { "x-line-signature": "x" }, body: "{}" });
      expect(forged.status).toBe(401);
    });
  });

  it("with credentials, mounts nothing of the simulator", async () => {
    const config = loadConfig({
      LINE_CHANNEL_SECRET: "secret",
      LINE_CHANNEL_ACCESS_TOKEN: "token",
      LINE_API_BASE_URL: "http://127.0.0.1:9",
      PUBLIC_BASE_URL: "https://bot.example.test",
    });
    expect(wantsLocalMode(config)).toBe(false);
    const app = createApp({ config, db, logger: silentLogger, sweepIntervalMs: 0, jobIntervalMs: 0 });
    const server = await listen(app.http);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["/simulator", "/simulator/api/state", "/v2/bot/profile/U1"]) {
        expect((await fetch(`${base}${path}`)).status, path).toBe(404);
      }
    } finally {
      await app.processor.drain();
      await app.jobs.stop();
      await close(server);
    }
  });
});
