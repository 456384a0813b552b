// The three stand-ins for LINE (the local-mode simulator, the nock fake of
// in-process tests, the HTTP fake of shipped-process tests) answer a corpus
// of requests as LINE would: every request of test/line/line-corpus.ts that
// LINE refuses gets 400 with LINE's `{ message, details }`, every one it
// accepts (every Flex template sample included, rendered as the bot sends
// it) is accepted; plus single-use reply tokens, 409 on a repeated retry
// key, LINE's two 429 bodies and an X-Line-Request-Id on every answer.
import { readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINE_ANSWERS } from "../../src/line/openapi/platform.ts";
import { LinePlatform, newLineUserId } from "../../src/simulator/line-platform.ts";
import { renderFlexTemplate, TEMPLATES_DIR } from "../../src/templates/flex.ts";
import { FakeLine } from "../support/fake-line.ts";
import { LineServer } from "../support/line-server.ts";
import { ACCEPTED, flexReply, push, REFUSED, reply, type CorpusRequest } from "./line-corpus.ts";

const TOKEN = "fakes-test-token";

interface Answer {
  status: number;
  body: Record<string, unknown>;
  requestId: string | null;
}

interface StandIn {
  name: string;
  /** A reply token LINE issued with a webhook event, not used yet. */
  replyToken(): Promise<string>;
  send(request: CorpusRequest, token?: string): Promise<Answer>;
  close(): Promise<void>;
  /** Requests this stand-in cannot be sent (none but the nock fake's one). */
  cannotSend?: (request: CorpusRequest) => boolean;
}

async function call(baseUrl: string, request: CorpusRequest, token: string | undefined): Promise<Answer> {
  const body =
    request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body).replaceAll("$TOKEN", token ?? "unused"));
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...request.headers,
    },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, requestId: res.headers.get("x-line-request-id") };
}

let tokens = 0;
const freshToken = async () => `corpus-token-${process.pid}-${++tokens}`;

async function simulator(): Promise<StandIn> {
  const app = express();
  const issued: string[] = [];
  // The bot's webhook, here only to collect the reply tokens LINE issues.
  app.post("/webhook", express.json(), (req, res) => {
    for (const e of (req.body as { events: { replyToken?: string }[] }).events) if (e.replyToken) issued.push(e.replyToken);
    res.json({});
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const userId = newLineUserId();
  const platform = new LinePlatform({
    channelSecret: "fakes-secret",
    channelAccessToken: TOKEN,
    webhookUrl: `${base}/webhook`,
    profileOf: (id) => ({ userId: id, displayName: "ทดสอบ" }),
  });
  app.use("/v2/bot", platform.router());
  return {
    name: "simulator (src/simulator/line-platform.ts)",
    async replyToken() {
      await platform.send(userId, { type: "text", text: "สวัสดี" });
      return issued.pop()!;
    },
    send: (request, token) => call(base, request, token),
    close: async () => {
      platform.closeStreams();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function nockFake(): Promise<StandIn> {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
  const fake = new FakeLine();
  return {
    name: "nock fake (test/support/fake-line.ts)",
    replyToken: freshToken,
    send: (request, token) => call(fake.baseUrl, request, token),
    close: async () => fake.close(),
    // nock parses a JSON request body itself, before any reply function, and
    // throws on a broken one; the SDK the bot uses cannot send one.
    cannotSend: (request) => request.rawBody !== undefined,
  };
}

async function httpFake(): Promise<StandIn> {
  const fake = await LineServer.start();
  return {
    name: "HTTP fake (test/support/line-server.ts)",
    replyToken: freshToken,
    send: (request, token) => call(fake.baseUrl, request, token),
    close: () => fake.close(),
  };
}

/** Every Flex card sample of test/templates/samples, rendered as the bot sends it: a reply of one Flex message. */
function templateSamples(): { what: string; request: CorpusRequest }[] {
  const dir = fileURLToPath(new URL("../templates/samples/", import.meta.url));
  type Sample = {
    vars: Record<string, string>;
    lists?: Record<string, { template: string; max?: number; items: Record<string, string>[] }>;
  };
  const out: { what: string; request: CorpusRequest }[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const name = file.replace(/\.json$/, "");
    const root = (JSON.parse(readFileSync(`${TEMPLATES_DIR}${name}.json`, "utf8")) as { type?: string }).type;
    if (root !== "bubble" && root !== "carousel") continue; // a part, sent only inside a card
    const sample = JSON.parse(readFileSync(`${dir}${file}`, "utf8")) as Sample;
    // With every list at the longest the code ever splices.
    const lists = Object.fromEntries(
      Object.entries(sample.lists ?? {}).map(([key, list]) => {
        const n = list.max ?? list.items.length;
        return [key, Array.from({ length: n }, (_, i) => renderFlexTemplate(list.template, list.items[i % list.items.length]!))];
      }),
    );
    out.push({ what: `Flex template ${name}`, request: flexReply(renderFlexTemplate(name, sample.vars, lists), `การ์ด ${name}`) });
  }
  return out;
}

const SAMPLES = templateSamples();

describe.each([
  ["simulator", simulator],
  ["nock fake", nockFake],
  ["HTTP fake", httpFake],
] as const)("%s", (_name, start) => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await start();
  });
  afterAll(async () => {
    await standIn.close();
  });

  const needsToken = (request: CorpusRequest) => JSON.stringify(request.body ?? "").includes("$TOKEN");

  it(`refuses each of the ${REFUSED.length} requests LINE refuses with 400 and LINE's { message, details }`, async () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(45);
    const wrong: string[] = [];
    for (const refused of REFUSED) {
      if (standIn.cannotSend?.(refused)) continue;
      const answer = await standIn.send(refused, needsToken(refused) ? await standIn.replyToken() : undefined);
      const details = answer.body.details as { message: string; property: string }[] | undefined;
      const ok =
        answer.status === 400 &&
        typeof answer.body.message === "string" &&
        Array.isArray(details) &&
        details.every((d) => typeof d.message === "string" && typeof d.property === "string") &&
        (!refused.property || details.some((d) => d.property.includes(refused.property!))) &&
        answer.requestId !== null;
      if (!ok) wrong.push(`${refused.why}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    expect(wrong).toEqual([]);
  });

  it(`accepts the ${ACCEPTED.length} valid requests and the ${SAMPLES.length} Flex template samples`, async () => {
    expect(SAMPLES.length).toBeGreaterThan(15);
    const wrong: string[] = [];
    for (const { what, request: listed } of [...ACCEPTED, ...SAMPLES]) {
      // A retry key is spent once accepted: each stand-in needs its own.
      const request = listed.headers?.["X-Line-Retry-Key"]
        ? { ...listed, headers: { ...listed.headers, "X-Line-Retry-Key": crypto.randomUUID() } }
        : listed;
      const answer = await standIn.send(request, needsToken(request) ? await standIn.replyToken() : undefined);
      if (answer.status < 200 || answer.status > 299 || answer.requestId === null)
        wrong.push(`${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("takes a reply token once: the second reply with it gets LINE's 400", async () => {
    const token = await standIn.replyToken();
    const first = await standIn.send(reply([{ type: "text", text: "หนึ่ง" }]), token);
    expect(first.status).toBe(200);
    expect((first.body.sentMessages as unknown[]).length).toBe(1);
    const again = await standIn.send(reply([{ type: "text", text: "สอง" }]), token);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(LINE_ANSWERS.invalidReplyToken.body);
    expect(again.requestId).not.toBeNull();
  });

  it("answers 409 to a retry key already accepted, naming the accepted request", async () => {
    const key = crypto.randomUUID();
    const request = push([{ type: "text", text: "แจ้งเตือน" }], {}, { "X-Line-Retry-Key": key });
    const first = await standIn.send(request);
    expect(first.status).toBe(200);
    const again = await standIn.send(request);
    expect(again.status).toBe(409);
    expect(again.body).toEqual(LINE_ANSWERS.retryKeyAccepted.body);
  });

  it("answers 404 with LINE's body to an endpoint LINE does not have", async () => {
    const answer = await standIn.send({ method: "POST", path: "/v2/bot/message/shout", body: {} });
    expect(answer.status).toBe(404);
    expect(answer.requestId).not.toBeNull();
  });
});

describe("LINE's two 429s", () => {
  it("the nock fake answers 429 with the rate-limit body by default, and the quota body when told", async () => {
    const fake = new FakeLine();
    try {
      fake.failNext("push", 429);
      fake.failNext("push", 429, 1, LINE_ANSWERS.monthlyLimit.body);
      const first = await call(fake.baseUrl, push([{ type: "text", text: "x" }]), undefined);
      const second = await call(fake.baseUrl, push([{ type: "text", text: "x" }]), undefined);
      expect([first.status, first.body]).toEqual([429, { message: "The API rate limit has been exceeded. Try again later." }]);
      expect([second.status, second.body]).toEqual([429, { message: "You have reached your monthly limit." }]);
      expect(first.requestId).not.toBeNull();
    } finally {
      fake.close();
    }
  });

  it("the HTTP fake does the same through its policy", async () => {
    const fake = await LineServer.start();
    try {
      fake.policy = () => ({ kind: "status", status: 429 });
      const first = await call(fake.baseUrl, push([{ type: "text", text: "x" }]), undefined);
      fake.policy = () => ({ kind: "status", status: 429, body: LINE_ANSWERS.monthlyLimit.body });
      const second = await call(fake.baseUrl, push([{ type: "text", text: "x" }]), undefined);
      expect([first.status, first.body]).toEqual([429, { message: "The API rate limit has been exceeded. Try again later." }]);
      expect([second.status, second.body]).toEqual([429, { message: "You have reached your monthly limit." }]);
      expect(second.requestId).not.toBeNull();
    } finally {
      await fake.close();
    }
  });
});
