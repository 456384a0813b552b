// Disaster mode in the demo (issue 14, "Done when"), on the shipped entry
// point without LINE credentials: the time panel's "จำลองน้ำท่วม" declares a
// flood over ตำบลเมืองเหนือ as the district coordinator persona, in one tap;
// the signed-up demo villagers get the check-in and the flood-first rich
// menu (the stand-in's bulk link); one answers; "เลื่อนเวลาไป 3 ชั่วโมง"
// brings the secretary the unanswered notice and the coordinator the
// periodic summary with its chart, at an address the page can load.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import type { ChatEntry } from "../../src/simulator/line-platform.ts";
import { createPostgresDatabase } from "../support/database.ts";
import { waitUntil } from "../support/line-server.ts";
import { SHIPPED_MAIN } from "../support/shipped-command.ts";

const coordinator = DEMO_PERSONAS.find((p) => p.about.includes("อำเภอ"))!;
const secretary = DEMO_PERSONAS.find((p) => p.role === "secretary")!;
const khampun = DEMO_PERSONAS.find((p) => p.displayName === "ลุงคำปุ่น")!;
const buaphan = DEMO_PERSONAS.find((p) => p.displayName === "ป้าบัวผัน")!;

type Action = Record<string, string>;

/** Every action in a message (a Flex bubble's buttons, quick replies). */
function actionsIn(value: unknown): Action[] {
  if (!value || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap(actionsIn);
  const o = value as Record<string, unknown>;
  const own = o.action && typeof o.action === "object" ? [o.action as Action] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => (k === "action" ? [] : actionsIn(v)))];
}

describe("disaster mode in the demo", () => {
  let pg: Awaited<ReturnType<typeof createPostgresDatabase>>;
  beforeAll(async () => {
    pg = await createPostgresDatabase();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it("one tap declares; villagers get the check-in and the flood menu; 3 hours later the unanswered notice and the chart", async () => {
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
        ).json() as Promise<Record<string, unknown>>;
      const chat = async (userId: string) => ((await (await fetch(`${api}/chats/${userId}`)).json()) as { entries: ChatEntry[] }).entries;
      const menuOf = async (userId: string) => (await (await fetch(`${api}/richmenu?userId=${userId}`)).json()) as { name: string };

      // The signed-up villagers are friends of the bot already: no greeting.
      expect(await post("/open", { userId: khampun.userId })).toEqual({ followed: false });
      expect((await menuOf(khampun.userId)).name).toBe("council-villager-menu");

      expect(await post("/time/flood", {})).toEqual({ action: "flood", queued: 3 });
      // A second tap declares nothing more.
      expect(await post("/time/flood", {})).toEqual({ action: "flood", queued: 0 });

      await waitUntil(
        async () => (await chat(coordinator.userId)).some((e) => String(e.message.text ?? "").includes("ประกาศสถานการณ์น้ำท่วม")),
        {
          what: "the coordinator's confirmation",
        },
      );
      let checkIn: ChatEntry | undefined;
      await waitUntil(
        async () => {
          checkIn = (await chat(khampun.userId)).find((e) => e.via === "multicast" && e.message.type === "flex");
          return checkIn !== undefined;
        },
        { what: "the check-in" },
      );
      await waitUntil(async () => (await menuOf(khampun.userId)).name === "council-flood-menu", { what: "the flood-first menu" });
      await waitUntil(async () => (await menuOf(buaphan.userId)).name === "council-flood-menu", { what: "the flood-first menu" });
      // Staff keep theirs.
      expect((await menuOf(secretary.userId)).name).not.toBe("council-flood-menu");

      const safe = actionsIn(checkIn!.message).find((a) => a.label === "ปลอดภัย")!;
      expect(safe.type).toBe("postback");
      await post("/send", { userId: khampun.userId, action: { type: "postback", data: safe.data, displayText: safe.displayText } });
      await waitUntil(async () => (await chat(khampun.userId)).filter((e) => e.from === "bot").length >= 2, { what: "the answer's reply" });

      const moved = await post("/time/later3h", {});
      expect(moved).toEqual({ action: "later3h", queued: 3 });

      let notice: ChatEntry | undefined;
      await waitUntil(
        async () => {
          notice = (await chat(secretary.userId)).find((e) => String(e.message.text ?? "").includes("ยังไม่ตอบ"));
          return notice !== undefined;
        },
        { what: "the secretary's unanswered notice" },
      );
      expect(String(notice!.message.text)).toContain("สมาชิก 2 คน");

      let chart: { originalContentUrl: string } | undefined;
      await waitUntil(
        async () => {
          chart = (await chat(coordinator.userId)).find((e) => e.message.type === "image")?.message as typeof chart;
          return chart !== undefined;
        },
        { what: "the coordinator's summary chart" },
      );
      expect(chart!.originalContentUrl).toMatch(new RegExp(`^http://localhost:${port}/media/`));
      const png = await fetch(chart!.originalContentUrl.replace("localhost", "127.0.0.1"));
      expect(png.status).toBe(200);
      expect(png.headers.get("content-type")).toBe("image/png");
    } finally {
      child.kill("SIGTERM");
      expect(await exited, out).toBe(0);
    }
  });
});
