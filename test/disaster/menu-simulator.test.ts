// Local mode's LINE stand-in (src/simulator/line-platform.ts) takes bulk rich
// menu links and unlinks as LINE does: each user's menu changes (the demo's
// chat page shows the flood-first menu, then the default again, and is told
// so), and a body LINE's OpenAPI file refuses (501 user ids) changes nothing.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { messagingApi } from "@line/bot-sdk";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineGateway } from "../../src/line/gateway.ts";
import { FLOOD_MENU, FLOOD_PNG, floodRichMenu } from "../../src/line/rich-menu/flood-menu.ts";
import { installRichMenu } from "../../src/line/rich-menu/setup.ts";
import { VILLAGER_PNG, villagerRichMenu } from "../../src/line/rich-menu/villager-menu.ts";
import { LinePlatform, newLineUserId, type PlatformUpdate } from "../../src/simulator/line-platform.ts";

const TOKEN = "simulator-menu-token";

describe("the simulator's bulk rich menu links", () => {
  let server: Server;
  let platform: LinePlatform;
  let gateway: LineGateway;
  let base: string;
  let villagerId: string;
  let floodId: string;
  const updates: PlatformUpdate[] = [];

  beforeAll(async () => {
    const app = express();
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    platform = new LinePlatform({ channelSecret: "s", channelAccessToken: TOKEN, webhookUrl: `${base}/webhook`, profileOf: () => null });
    app.use("/v2/bot", platform.router());
    platform.subscribe((u) => updates.push(u));
    gateway = new LineGateway({ channelAccessToken: TOKEN, apiBaseUrl: base, dataApiBaseUrl: base, timeoutMs: 60_000 });
    ({ richMenuId: villagerId } = await installRichMenu(gateway, villagerRichMenu(), readFileSync(VILLAGER_PNG)));
    ({ richMenuId: floodId } = await installRichMenu(gateway, floodRichMenu(), readFileSync(FLOOD_PNG), undefined, {
      makeDefault: false,
      alias: FLOOD_MENU.alias,
    }));
  });
  afterAll(async () => {
    platform.closeStreams();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("shows each linked user the flood-first menu, then the default again after the unlink", async () => {
    const users = Array.from({ length: 3 }, newLineUserId);
    const bystander = newLineUserId();
    expect(await gateway.getRichMenuAlias(FLOOD_MENU.alias)).toBe(floodId);
    updates.length = 0;
    await gateway.linkRichMenuToUsers(users, floodId);
    for (const id of users) expect(platform.richMenuOf(id)?.id).toBe(floodId);
    expect(platform.richMenuOf(bystander)?.id).toBe(villagerId);
    expect(updates).toEqual(users.map((userId) => ({ type: "richmenu", userId })));

    await gateway.unlinkRichMenuFromUsers(users.slice(0, 2));
    expect(users.map((id) => platform.richMenuOf(id)?.id)).toEqual([villagerId, villagerId, floodId]);
    expect(platform.refused).toEqual([]);
  });

  it("refuses 501 user ids by LINE's schema, and a menu that does not exist, changing nobody's menu", async () => {
    const users = Array.from({ length: 501 }, newLineUserId);
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: base });
    await expect(client.linkRichMenuIdToUsers({ richMenuId: floodId, userIds: users })).rejects.toMatchObject({ status: 400 });
    expect(platform.refused.at(-1)!.join(" ")).toMatch(/userIds/);
    await expect(gateway.linkRichMenuToUsers(users.slice(0, 2), "richmenu-none")).rejects.toMatchObject({ status: 404 });
    expect(users.some((id) => platform.userRichMenus.has(id))).toBe(false);
  });
});
