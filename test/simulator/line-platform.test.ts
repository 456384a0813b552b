// The LINE stand-in answers the bot's gateway as LINE does: single-use reply
// tokens, 409 on a repeated retry key, 400 on a payload LINE's OpenAPI file refuses,
// the bytes of an uploaded image, profiles, rich menus; and what a user does
// reaches the webhook signed with the channel secret.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { validateSignature, type messagingApi } from "@line/bot-sdk";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineApiError, LineGateway, retryKeyFor } from "../../src/line/gateway.ts";
import { installRichMenu } from "../../src/line/rich-menu/setup.ts";
import { VILLAGER_PNG, villagerRichMenu } from "../../src/line/rich-menu/villager-menu.ts";
import { STAFF_TILES } from "../../src/bot.ts";
import { STAFF_MENU, STAFF_PNG, staffRichMenu } from "../../src/line/rich-menu/staff-menu.ts";
import { LinePlatform, newLineUserId } from "../../src/simulator/line-platform.ts";
import { readFileSync } from "node:fs";

const SECRET = "simulator-test-secret";
const TOKEN = "simulator-test-token";
const text = (t: string): messagingApi.TextMessage => ({ type: "text", text: t });

/** A webhook event as delivered: the fields these tests read. */
interface DeliveredEvent {
  type: string;
  replyToken?: string;
  message: Record<string, unknown>;
  [key: string]: unknown;
}

describe("LinePlatform", () => {
  const userId = newLineUserId();
  const deliveries: { body: Buffer; signature: string | undefined }[] = [];
  let server: Server;
  let base: string;
  let platform: LinePlatform;
  let gateway: LineGateway;

  beforeAll(async () => {
    const app = express();
    app.post("/webhook", express.raw({ type: () => true }), (req, res) => {
      deliveries.push({ body: req.body as Buffer, signature: req.get("x-line-signature") });
      res.json({});
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    platform = new LinePlatform({
      channelSecret: SECRET,
      channelAccessToken: TOKEN,
      webhookUrl: `${base}/webhook`,
      profileOf: (id) => (id === userId ? { userId, displayName: "ยายสมศรี" } : null),
    });
    app.use("/v2/bot", platform.router());
    gateway = new LineGateway({ channelAccessToken: TOKEN, apiBaseUrl: base, dataApiBaseUrl: base, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    platform.closeStreams();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The last event delivered to the webhook. */
  const lastEvent = () => {
    const body = JSON.parse(deliveries.at(-1)!.body.toString("utf8")) as { events: DeliveredEvent[] };
    return body.events[0]!;
  };

  it("delivers what the user does as a signed webhook event, with a reply token", async () => {
    expect(await platform.send(userId, { type: "text", text: "สวัสดี 🙏" })).toBe(200);
    const { body, signature } = deliveries.at(-1)!;
    expect(validateSignature(body, SECRET, signature!)).toBe(true);
    expect(validateSignature(body, "another secret", signature!)).toBe(false);
    const event = lastEvent();
    expect(event).toMatchObject({ type: "message", source: { type: "user", userId }, message: { type: "text", text: "สวัสดี 🙏" } });
    expect(event.replyToken).toMatch(/^[0-9a-f]{32}$/);
    expect(platform.history(userId).at(-1)).toMatchObject({ from: "user", message: { text: "สวัสดี 🙏" } });
  });

  it("takes each reply token once", async () => {
    await platform.send(userId, { type: "text", text: "เมนู" });
    const token = lastEvent().replyToken as string;
    await gateway.reply(token, [text("ตอบครั้งแรก")]);
    expect(platform.history(userId).at(-1)).toMatchObject({ from: "bot", via: "reply", message: { text: "ตอบครั้งแรก" } });
    const again = await gateway.reply(token, [text("ตอบซ้ำ")]).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(LineApiError);
    expect((again as LineApiError).status).toBe(400);
    const unknown = await gateway.reply("not-a-token", [text("x")]).catch((e: unknown) => e);
    expect((unknown as LineApiError).status).toBe(400);
  });

  it("answers 409 to a repeated retry key, as LINE does", async () => {
    const key = retryKeyFor(`push-${Date.now()}`);
    expect(await gateway.push(userId, [text("แจ้งเตือน")], key)).toBe("sent");
    expect(await gateway.push(userId, [text("แจ้งเตือน")], key)).toBe("duplicate");
    expect(platform.history(userId).filter((e) => e.message.text === "แจ้งเตือน")).toHaveLength(1);
    const other = newLineUserId();
    expect(await gateway.multicast([userId, other], [text("ประกาศ")], retryKeyFor(`mc-${Date.now()}`))).toBe("sent");
    expect(platform.history(other).at(-1)).toMatchObject({ via: "multicast", message: { text: "ประกาศ" } });
  });

  it("refuses a payload LINE's OpenAPI file refuses with 400 and LINE's reasons", async () => {
    const res = await fetch(`${base}/v2/bot/message/push`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ to: userId, messages: Array.from({ length: 6 }, (_, i) => text(`m${i}`)) }),
    });
    expect(res.status).toBe(400);
    // LINE's own wording and property path.
    const body = (await res.json()) as { message: string; details: { message: string; property: string }[] };
    expect(body.message).toBe("The request body has 1 error(s)");
    expect(body.details).toEqual([{ message: "Size must be between 1 and 5", property: "messages" }]);
    expect(platform.refused.length).toBeGreaterThan(0);
  });

  it("refuses a call without the channel access token", async () => {
    const res = await fetch(`${base}/v2/bot/profile/${userId}`, { headers: { authorization: "Bearer wrong" } });
    expect(res.status).toBe(401);
  });

  it("serves an uploaded image's bytes on the data host, and profiles", async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    await platform.send(userId, { type: "image", contentType: "image/jpeg", bytes });
    const event = lastEvent();
    expect(event.message).toMatchObject({ type: "image", contentProvider: { type: "line" } });
    const content = await gateway.messageContent(event.message.id as string);
    expect(content.contentType).toBe("image/jpeg");
    expect(content.bytes.equals(bytes)).toBe(true);
    expect(await gateway.displayName(userId)).toBe("ยายสมศรี");
    const missing = await gateway.displayName(newLineUserId()).catch((e: unknown) => e);
    expect((missing as LineApiError).status).toBe(404);
  });

  it("delivers postbacks with a datetime picker's params, and follows", async () => {
    await platform.send(userId, { type: "postback", data: "v=1&k=meet", displayText: "เลือกวัน", params: { date: "2026-12-01" } });
    expect(lastEvent()).toMatchObject({ type: "postback", postback: { data: "v=1&k=meet", params: { date: "2026-12-01" } } });
    expect(platform.history(userId).at(-1)).toMatchObject({ from: "user", message: { text: "เลือกวัน" } });
    await platform.send(userId, { type: "follow" });
    expect(lastEvent()).toMatchObject({ type: "follow", source: { userId } });
  });

  it("takes the villagers' rich menu through the real setup code", async () => {
    const installed = await installRichMenu(gateway, villagerRichMenu(), readFileSync(VILLAGER_PNG));
    expect(platform.defaultRichMenu()).toMatchObject({ id: installed.richMenuId, menu: { name: "council-villager-menu" } });
    // Installing again replaces the older menu of the same name.
    const again = await installRichMenu(gateway, villagerRichMenu(), readFileSync(VILLAGER_PNG));
    expect(again.deleted).toEqual([installed.richMenuId]);
    expect(platform.richMenus.size).toBe(1);
  });

  it("keeps rich menu aliases and per-user links as LINE's API describes them, bulk ones included", async () => {
    const staff = await installRichMenu(gateway, staffRichMenu(STAFF_TILES), readFileSync(STAFF_PNG), undefined, {
      makeDefault: false,
      alias: STAFF_MENU.alias,
    });
    expect(await gateway.getRichMenuAlias(STAFF_MENU.alias)).toBe(staff.richMenuId);
    expect(await gateway.getRichMenuAlias("no-such-alias")).toBeNull();
    const villagerMenu = platform.defaultRichMenu()!.id;
    expect(platform.richMenuOf(userId)?.id).toBe(villagerMenu);

    await gateway.linkRichMenuToUser(userId, staff.richMenuId);
    expect(platform.richMenuOf(userId)?.id).toBe(staff.richMenuId);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${base}/v2/bot${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect(await (await call("GET", `/user/${userId}/richmenu`)).json()).toEqual({ richMenuId: staff.richMenuId });
    expect(await (await call("GET", "/richmenu/alias/list")).json()).toEqual({
      aliases: [{ richMenuAliasId: STAFF_MENU.alias, richMenuId: staff.richMenuId }],
    });
    await gateway.unlinkRichMenuFromUser(userId);
    expect(platform.richMenuOf(userId)?.id).toBe(villagerMenu);
    expect((await call("GET", `/user/${userId}/richmenu`)).status).toBe(404);

    // Bulk: 202, and checked against the OpenAPI file like the rest (at most 500 users, an alias id LINE allows).
    const others = [newLineUserId(), newLineUserId()];
    expect((await call("POST", "/richmenu/bulk/link", { richMenuId: staff.richMenuId, userIds: others })).status).toBe(202);
    expect(others.map((u) => platform.richMenuOf(u)?.id)).toEqual([staff.richMenuId, staff.richMenuId]);
    expect((await call("POST", "/richmenu/bulk/unlink", { userIds: [others[0]] })).status).toBe(202);
    expect(platform.richMenuOf(others[0]!)?.id).toBe(villagerMenu);
    const tooMany = Array.from({ length: 501 }, () => newLineUserId());
    expect((await call("POST", "/richmenu/bulk/link", { richMenuId: staff.richMenuId, userIds: tooMany })).status).toBe(400);
    expect((await call("POST", "/richmenu/alias", { richMenuAliasId: "Not Allowed", richMenuId: staff.richMenuId })).status).toBe(400);
    expect((await call("POST", "/richmenu/bulk/link", { richMenuId: "richmenu-none", userIds: others })).status).toBe(404);
    await expect(gateway.linkRichMenuToUser(userId, "richmenu-none")).rejects.toMatchObject({ status: 404 });

    // Deleting a menu drops the links to it, as on LINE.
    await gateway.deleteRichMenu(staff.richMenuId);
    expect(platform.richMenuOf(others[1]!)?.id).toBe(villagerMenu);
  });
  it("local mode: takes the bot's own http:// media URLs as LINE takes https://, and refuses any other http image", async () => {
    const own = "http://localhost:7999";
    const local = new LinePlatform({
      channelSecret: SECRET,
      channelAccessToken: TOKEN,
      webhookUrl: `${base}/webhook`,
      profileOf: () => null,
      ownMediaBase: own,
    });
    const app = express().use("/v2/bot", local.router());
    const localServer = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const at = `http://127.0.0.1:${(localServer.address() as AddressInfo).port}`;
      const push = (url: string) =>
        fetch(`${at}/v2/bot/message/push`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ to: userId, messages: [{ type: "image", originalContentUrl: url, previewImageUrl: url }] }),
        });
      expect((await push(`${own}/media/12-${"a".repeat(43)}.jpg`)).status).toBe(200);
      // The page shows it from this server: the URL is kept as sent.
      expect(local.history(userId).at(-1)?.message).toMatchObject({ originalContentUrl: `${own}/media/12-${"a".repeat(43)}.jpg` });
      expect((await push(`http://elsewhere.example/media/12-${"a".repeat(43)}.jpg`)).status).toBe(400);
      expect((await push(`${own}/not-media/x.jpg`)).status).toBe(400);
      // Without the option (a stand-in for a real channel's tests), LINE's rule holds for every http URL.
      const plain = await gateway
        .push(
          userId,
          [{ type: "image", originalContentUrl: `${own}/media/1.jpg`, previewImageUrl: `${own}/media/1.jpg` }],
          "00000000-0000-4000-8000-00000000abcd",
        )
        .catch((e: unknown) => e);
      expect(plain).toBeInstanceOf(LineApiError);
    } finally {
      local.closeStreams();
      await new Promise<void>((resolve) => localServer.close(() => resolve()));
    }
  });
});
