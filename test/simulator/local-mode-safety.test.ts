// Local mode is a demo, not a production mode (issue 10, §8), checked on the
// shipped entry point started with environment only: without LINE
// credentials it listens on 127.0.0.1 unless HOST says otherwise and warns
// what it exposes; it refuses to seed demo data into a database holding real
// members (so does `npm run demo:seed`); with credentials it still listens on
// every interface; METRICS_TOKEN guards /metrics.
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { spawn } from "node:child_process";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import { createPostgresDatabase } from "../support/database.ts";
import { waitUntil } from "../support/line-server.ts";
import { ShippedBot } from "../support/shipped.ts";

/** An address of this machine that is not loopback: what another machine would connect to. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

const reachable = async (url: string) => {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(60_000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
};

interface Run {
  io: { out: string };
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

function run(script: string, env: Record<string, string>): Run {
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env };
  for (const name of ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "DATA_DIR", "HOST", "METRICS_TOKEN"])
    if (!env[name]) delete full[name];
  // The bot as it ships (dist/main.js); the CLI scripts run through tsx as npm runs them.
  const args = script === "src/main.ts" ? [...SHIPPED_MAIN] : ["--import", "tsx", script];
  const child = spawn(process.execPath, args, { env: full, stdio: ["ignore", "pipe", "pipe"] });
  const io = { out: "" };
  child.stdout.on("data", (d) => (io.out += d));
  child.stderr.on("data", (d) => (io.out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    io,
    exited,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** main.ts without credentials; resolves once the local-mode warning is out. */
async function startLocal(env: Record<string, string>): Promise<Run & { port: number }> {
  const r = run("src/main.ts", env);
  let port = 0;
  await Promise.race([
    waitUntil(
      () => {
        port = Number(/is up: http:\/\/localhost:(\d+)\//.exec(r.io.out)?.[1] ?? 0);
        return port > 0 && /WARNING: local mode/.test(r.io.out) && /Database:/.test(r.io.out);
      },
      { timeoutMs: 120_000, what: "the local-mode warning" },
    ),
    r.exited.then((code) => {
      throw new Error(`exited ${code}:\n${r.io.out}`);
    }),
  ]);
  return { ...r, port };
}

describe("local mode, started as npm start starts it", () => {
  let pg: Awaited<ReturnType<typeof createPostgresDatabase>>;
  beforeAll(async () => {
    pg = await createPostgresDatabase();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it("listens on 127.0.0.1 only and warns what is open there and on which database", async () => {
    const local = await startLocal({ DATABASE_URL: pg.url });
    try {
      const warning = local.io.out.slice(local.io.out.indexOf("WARNING: local mode"));
      expect(warning).toContain(`127.0.0.1:${local.port} (this machine only)`);
      expect(warning).toMatch(/\/simulator/);
      expect(warning).toMatch(/staff included/);
      expect(warning).toMatch(/LINE stand-in \/v2\/bot/);
      expect(warning).toMatch(new RegExp(`Database: PostgreSQL 127\\.0\\.0\\.1:5432/${pg.name}`));
      expect(warning).not.toMatch(/postgres@|password/);
      expect(await reachable(`http://127.0.0.1:${local.port}/healthz`)).toBe(true);
      expect(outside, "a non-loopback IPv4 address on this machine").toBeTruthy();
      expect(await reachable(`http://${outside}:${local.port}/simulator`)).toBe(false);
    } finally {
      expect(await local.stop()).toBe(0);
    }
  });

  it("listens where HOST says, and then warns that other machines reach it", async () => {
    const local = await startLocal({ DATABASE_URL: pg.url, HOST: "0.0.0.0" });
    try {
      expect(local.io.out).toMatch(/REACHABLE FROM OTHER MACHINES/);
      expect(await reachable(`http://${outside}:${local.port}/simulator`)).toBe(true);
      // The bot still reaches its stand-in: a persona opening the chat is greeted.
      const somsri = DEMO_PERSONAS[0]!.userId;
      const open = await fetch(`http://127.0.0.1:${local.port}/simulator/api/open`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: somsri }),
      });
      expect(open.status).toBe(200);
      await waitUntil(
        async () => {
          const chat = (await (await fetch(`http://127.0.0.1:${local.port}/simulator/api/chats/${somsri}`)).json()) as {
            entries: unknown[];
          };
          // The consent notice: "PDPA" before issue 11 §3's plainer words, "ข้อมูลส่วนตัว" after.
          return /PDPA|ข้อมูลส่วนตัว/.test(JSON.stringify(chat.entries));
        },
        { what: "the greeting on the chat page" },
      );
    } finally {
      expect(await local.stop()).toBe(0);
    }
  });

  it("demo:seed runs again on its own demo database, sign-ups made in the demo included", async () => {
    const db = await openDatabase({ kind: "postgres", url: pg.url });
    try {
      await db.prisma.lineUser.create({
        data: { id: `U${"d".repeat(32)}`, member: { create: { fullName: "ผู้ใช้หน้าเดโม", phone: "0812345678" } } },
      });
    } finally {
      await db.close();
    }
    const seed = run("src/cli/seed-demo.ts", { DATABASE_URL: pg.url });
    expect(await seed.exited, seed.io.out).toBe(0);
    expect(seed.io.out).toMatch(/members, .* added/);
  });

  it("refuses to seed demo data into a database with real members: local start and demo:seed exit non-zero", async () => {
    const real = await createPostgresDatabase();
    try {
      const db = await openDatabase({ kind: "postgres", url: real.url });
      try {
        await db.migrate();
        // A real sign-up, no welfare fund yet: the first local start would seed.
        await db.prisma.lineUser.create({
          data: { id: `U${"a".repeat(32)}`, member: { create: { fullName: "สมชาย จริงใจ", phone: "0899999999" } } },
        });
      } finally {
        await db.close();
      }
      const start = run("src/main.ts", { DATABASE_URL: real.url });
      const code = await Promise.race([start.exited, new Promise<"running">((r) => setTimeout(() => r("running"), 90_000))]);
      if (code === "running") await start.stop();
      expect(code, start.io.out).toBe(1);
      expect(start.io.out).toMatch(
        /Refusing to seed demo data: this database already holds real members \(0 welfare-fund members and 1 LINE sign-ups/,
      );
      expect(start.io.out).not.toMatch(/is up/);

      const seed = run("src/cli/seed-demo.ts", { DATABASE_URL: real.url });
      expect(await seed.exited).toBe(1);
      expect(seed.io.out).toMatch(/Refusing to seed demo data/);

      const after = await openDatabase({ kind: "postgres", url: real.url });
      try {
        expect(await after.prisma.welfareFund.count()).toBe(0);
        expect(await after.prisma.staffRole.count()).toBe(0);
      } finally {
        await after.close();
      }
    } finally {
      await real.drop();
    }
  });
});

describe("with LINE credentials", () => {
  const TOKEN = "metrics-token-0123456789abcdef";
  let bot: ShippedBot;
  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres", env: { METRICS_TOKEN: TOKEN, HOST: "" } });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it("still listens on every interface by default (LINE must reach /webhook)", async () => {
    const port = new URL(bot.url).port;
    expect(await reachable(`http://${outside}:${port}/healthz`)).toBe(true);
    expect(bot.log).not.toMatch(/WARNING: local mode/);
  });

  it("answers /metrics only with METRICS_TOKEN as a bearer token", async () => {
    const get = (authorization?: string) => fetch(`${bot.url}/metrics`, { headers: authorization ? { authorization } : {} });
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.text()).not.toMatch(/line_events/);
    expect((await get(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await get(`Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`)).status).toBe(401);
    const ok = await get(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/line_events_received_total/);
  });
});
