// The webhook deliveries the tests and the demo make up carry every field
// LINE's webhook.yml requires (quoteToken on text/image/video/sticker
// messages, stickerResourceType, mode, deliveryContext, webhookEventId,
// timestamp, a U + 32 hex destination): a bot tested only on events LINE
// never sends, or missing fields LINE always sends, is not tested.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSpec } from "../../src/line/openapi/spec.ts";
import { LinePlatform, newLineUserId } from "../../src/simulator/line-platform.ts";
import { BOT_USER_ID, ChatUser, Clock, Harness, type Event } from "../support/harness.ts";
import { ShippedBot, ShippedUser } from "../support/shipped.ts";

const problemsOf = (delivery: unknown) => webhookSpec().validate("CallbackRequest", delivery);
const delivery = (events: Event[]) => ({ destination: BOT_USER_ID, events });

describe("webhook.yml itself, as the check", () => {
  it("refuses an event without the fields LINE always sends", () => {
    const event = {
      type: "message",
      source: { type: "user", userId: "U1" },
      replyToken: "r",
      message: { type: "sticker", id: "1", packageId: "446", stickerId: "1988" },
    };
    const properties = problemsOf(delivery([event])).map((p) => p.property);
    for (const field of ["timestamp", "mode", "webhookEventId", "deliveryContext", "message.quoteToken", "message.stickerResourceType"]) {
      expect(properties).toContain(`events[0].${field}`);
    }
    expect(problemsOf({ destination: "Ubot", events: [] }).map((p) => p.property)).toContain("destination");
  });
});

describe("the in-process harness (test/support/harness.ts)", () => {
  // ChatUser drives a Harness; this one only keeps what would be delivered.
  const delivered: Event[] = [];
  const clock = new Clock();
  const stub = {
    clock,
    line: { calls: [] },
    event: (userId: string, fields: Event) => Harness.prototype.event.call({ clock } as unknown as Harness, userId, fields),
    rememberToken: () => undefined,
    messagesTo: () => [],
    deliver: async (events: Event[]) => {
      delivered.push(...events);
      return new Response("{}", { status: 200 });
    },
  };
  const user = new ChatUser(stub as unknown as Harness, newLineUserId());

  it("builds every kind of event its users send as webhook.yml requires", async () => {
    await user.follow();
    await user.say("สวัสดี");
    await user.postback("m=menu");
    await user.sticker();
    await user.image();
    await user.image({ imageSet: { id: "set-1", index: 1, total: 2 } });
    await user.audio();
    await user.location();
    await user.unfollow();
    expect(delivered.map((e) => (e.message as { type?: string } | undefined)?.type ?? e.type)).toEqual([
      "follow",
      "text",
      "postback",
      "sticker",
      "image",
      "image",
      "audio",
      "location",
      "unfollow",
    ]);
    expect(problemsOf(delivery(delivered))).toEqual([]);
  });
});

describe("the shipped-process harness (test/support/shipped.ts)", () => {
  const delivered: Event[] = [];
  const state = { tokens: new Map<string, string>(), keys: new Map<string, string>() };
  const stub = {
    event: (userId: string, fields: Event, options?: { ageMs?: number }) =>
      ShippedBot.prototype.event.call(state as unknown as ShippedBot, userId, fields, options),
    deliver: async (events: Event[]) => {
      delivered.push(...events);
      return 200;
    },
    requestsTo: () => [],
  };
  const user = new ShippedUser(stub as unknown as ShippedBot, newLineUserId());

  it("builds every kind of event its users send as webhook.yml requires", async () => {
    await user.follow({ wait: false });
    await user.say("สวัสดี", { wait: false, ageMs: 5_000 });
    await user.postback("m=menu", { wait: false, params: { datetime: "2026-12-05T09:30" } });
    expect(delivered).toHaveLength(3);
    expect(problemsOf(delivery(delivered))).toEqual([]);
  });
});

describe("the simulator (src/simulator/line-platform.ts)", () => {
  const bodies: unknown[] = [];
  let server: Server;
  let platform: LinePlatform;

  beforeAll(async () => {
    const app = express();
    app.post("/webhook", express.json(), (req, res) => {
      bodies.push(req.body);
      res.json({});
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    platform = new LinePlatform({
      channelSecret: "events-secret",
      channelAccessToken: "events-token",
      webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
      profileOf: () => null,
    });
  });
  afterAll(async () => {
    platform.closeStreams();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("delivers everything the chat page can do as webhook.yml requires", async () => {
    const userId = newLineUserId();
    await platform.send(userId, { type: "follow" });
    await platform.send(userId, { type: "text", text: "สวัสดี 🙏" });
    await platform.send(userId, { type: "postback", data: "m=menu", displayText: "เมนู" });
    await platform.send(userId, { type: "postback", data: "m=pick", params: { datetime: "2026-12-05T09:30" } });
    await platform.send(userId, { type: "sticker", packageId: "446", stickerId: "1988" });
    await platform.send(userId, { type: "image", contentType: "image/jpeg", bytes: Buffer.from([0xff, 0xd8, 0xff]) });
    await platform.send(userId, { type: "location", title: "บ้าน", address: "ศรีสะเกษ", latitude: 15.1186, longitude: 104.322 });
    await platform.send(userId, { type: "location", latitude: 15.1186, longitude: 104.322 });
    expect(bodies).toHaveLength(8);
    for (const body of bodies) expect(problemsOf(body)).toEqual([]);
  });
});
