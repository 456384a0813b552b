// A photo announcement in the demo (issue 11 §4), on the shipped entry point
// without LINE credentials: PUBLIC_BASE_URL is http://localhost there, LINE
// (and its stand-in) refuse http image URLs, and the stand-in takes the
// bot's own /media URLs in local mode. The district coordinator persona
// composes an announcement with a photo on the chat page's API; it arrives,
// from the coordinator's area, with the photo the page can load.
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import type { ChatEntry } from "../../src/simulator/line-platform.ts";
import { createPostgresDatabase } from "../support/database.ts";
import { waitUntil } from "../support/line-server.ts";

const coordinator = DEMO_PERSONAS.find((p) => p.about.includes("อำเภอ"))!;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("demo announcement photo")]);

describe("a photo announcement in the demo", () => {
  let pg: Awaited<ReturnType<typeof createPostgresDatabase>>;
  beforeAll(async () => {
    pg = await createPostgresDatabase();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it("is sent with its photo at the bot's own http://localhost address, and says who sent it", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", LOG_LEVEL: "warn", DATABASE_URL: pg.url };
    for (const name of ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "DATA_DIR", "HOST", "PUBLIC_BASE_URL"]) delete env[name];
    const child = spawn(process.execPath, [...SHIPPED_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      let port = 0;
      await waitUntil(
        () => {
          port = Number(/is up: http:\/\/localhost:(\d+)\//.exec(out)?.[1] ?? 0);
          return port > 0 && /Demo chat:/.test(out);
        },
        { timeoutMs: 120_000, what: `the demo's address:\n${out}` },
      );
      const api = `http://127.0.0.1:${port}/simulator/api`;
      const post = async (path: string, body: unknown) =>
        (
          await fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        ).json() as Promise<unknown>;
      const chat = async () => ((await (await fetch(`${api}/chats/${coordinator.userId}`)).json()) as { entries: ChatEntry[] }).entries;
      const botCount = async () => (await chat()).filter((e) => e.from === "bot").length;
      /** Does something on the page and waits until the bot has answered. */
      const act = async (work: () => Promise<unknown>) => {
        const before = await botCount();
        await work();
        await waitUntil(async () => (await botCount()) > before, { what: "the bot's answer" });
      };
      const say = (text: string) => act(() => post("/send", { userId: coordinator.userId, action: { type: "text", text } }));
      /** Taps a quick-reply button of the bot's last message, as the page does. */
      const tap = async (label: string | RegExp) => {
        const last = (await chat()).filter((e) => e.from === "bot").at(-1)!;
        const items = ((last.message.quickReply as { items?: { action: Record<string, string> }[] } | undefined)?.items ?? []).map(
          (i) => i.action,
        );
        const action = items.find((a) => (typeof label === "string" ? a.label === label : label.test(a.label ?? "")));
        if (!action) throw new Error(`no button ${label} in ${items.map((a) => a.label).join(" | ")}`);
        const sent =
          action.type === "postback"
            ? { type: "postback", data: action.data, displayText: action.displayText }
            : { type: "text", text: action.text };
        await act(() => post("/send", { userId: coordinator.userId, action: sent }));
      };

      await act(() => post("/open", { userId: coordinator.userId }));
      await say("ส่งประกาศ");
      await say("ขอเชิญร่วมประชุมประจำเดือน");
      await act(() =>
        fetch(`${api}/image?userId=${coordinator.userId}`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: JPEG }),
      );
      await tap("ไม่แนบการประชุม");
      await tap(/^ทั้งอำเภอ/);
      await tap("เลือกเสร็จแล้ว");
      await tap("ทุกคน");
      await tap("ส่งทันที");

      // The coordinator is one of the recipients: the multicast reaches their chat.
      let image: { originalContentUrl: string } | undefined;
      await waitUntil(
        async () => {
          const got = (await chat()).filter((e) => e.via === "multicast");
          image = got.find((e) => e.message.type === "image")?.message as { originalContentUrl: string } | undefined;
          return image !== undefined;
        },
        { what: "the announcement with its photo" },
      );
      const texts = (await chat()).filter((e) => e.via === "multicast" && e.message.type === "text").map((e) => String(e.message.text));
      expect(texts.join("\n")).toContain("จาก ผู้ประสานงานอำเภอเมืองศรีสะเกษ");
      expect(image!.originalContentUrl).toMatch(new RegExp(`^http://localhost:${port}/media/\\d+-[A-Za-z0-9_-]{43}\\.jpg$`));
      const photo = await fetch(image!.originalContentUrl.replace("localhost", "127.0.0.1"));
      expect(photo.status).toBe(200);
      expect(Buffer.from(await photo.arrayBuffer())).toEqual(JPEG);
    } finally {
      child.kill("SIGTERM");
      expect(await exited, out).toBe(0);
    }
  });
});
