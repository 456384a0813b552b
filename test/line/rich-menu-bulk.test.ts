// LINE's bulk rich menu link and unlink (POST /v2/bot/richmenu/bulk/link and
// /bulk/unlink, 202), through the gateway, against both fakes of LINE: each
// checks the body against LINE's OpenAPI file (1 to 500 user ids, a
// richMenuId), not against the bot's own checks, so a request the gateway
// would never send is sent here with the SDK's client itself. Failures end
// in LineApiError as the other calls' do (429 and 5xx retriable, 400 not).
import { readFileSync } from "node:fs";
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LineApiError, LineGateway } from "../../src/line/gateway.ts";
import { FLOOD_PNG, floodRichMenu } from "../../src/line/rich-menu/flood-menu.ts";
import { installRichMenu } from "../../src/line/rich-menu/setup.ts";
import { FakeLine } from "../support/fake-line.ts";
import { LineServer } from "../support/line-server.ts";

const TOKEN = "test-token";
const users = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `U${String(from + i).padStart(32, "0")}`);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("bulk rich menu link and unlink against the nock fake", () => {
  let fake: FakeLine;
  let gateway: LineGateway;
  let client: messagingApi.MessagingApiClient;
  let richMenuId: string;

  beforeAll(async () => {
    fake = new FakeLine();
    gateway = new LineGateway({ channelAccessToken: TOKEN, apiBaseUrl: fake.baseUrl, dataApiBaseUrl: fake.dataBaseUrl });
    client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: fake.baseUrl });
    ({ richMenuId } = await installRichMenu(gateway, floodRichMenu(), readFileSync(FLOOD_PNG), undefined, { makeDefault: false }));
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.limitProblems.length = 0;
  });

  it("links 500 users in one call and unlinks them in another", async () => {
    const ids = users(500);
    await gateway.linkRichMenuToUsers(ids, richMenuId);
    expect(fake.bulkRichMenuRequests.at(-1)).toEqual({ op: "bulk link", richMenuId, userIds: ids, status: 202 });
    expect(ids.every((id) => fake.userRichMenus.get(id) === richMenuId)).toBe(true);
    await gateway.unlinkRichMenuFromUsers(ids.slice(0, 300));
    expect(fake.bulkRichMenuRequests.at(-1)).toMatchObject({ op: "bulk unlink", status: 202 });
    expect(fake.userRichMenus.has(ids[0]!)).toBe(false);
    expect(fake.userRichMenus.get(ids[499]!)).toBe(richMenuId);
    expect(fake.limitProblems).toEqual([]);
  });

  it("refuses, as LINE's schema does, 501 user ids, none, or no richMenuId", async () => {
    const tooMany = await rejection(client.linkRichMenuIdToUsers({ richMenuId, userIds: users(501) }));
    expect(tooMany).toBeInstanceOf(HTTPFetchError);
    expect((tooMany as HTTPFetchError).status).toBe(400);
    expect(await rejection(client.unlinkRichMenuIdFromUsers({ userIds: [] }))).toMatchObject({ status: 400 });
    expect(await rejection(client.linkRichMenuIdToUsers({ userIds: users(1) } as messagingApi.RichMenuBulkLinkRequest))).toMatchObject({
      status: 400,
    });
    expect(fake.limitProblems).toHaveLength(3);
    expect(fake.limitProblems[0]!.join(" ")).toMatch(/userIds/);
    expect(fake.limitProblems[2]!.join(" ")).toMatch(/richMenuId/);
  });

  it("never sends a call of 0 or over 500 users from the gateway", async () => {
    const before = fake.bulkRichMenuRequests.length;
    await expect(gateway.linkRichMenuToUsers(users(501), richMenuId)).rejects.toThrow(RangeError);
    await expect(gateway.unlinkRichMenuFromUsers([])).rejects.toThrow(RangeError);
    expect(fake.bulkRichMenuRequests.length).toBe(before);
  });

  it("ends LINE's refusals in LineApiError: 429 and 500 retriable, 400 for a bad user id and 404 for a missing menu not", async () => {
    fake.failRichMenuNext("bulk link", 429);
    const limited = await rejection(gateway.linkRichMenuToUsers(users(2), richMenuId));
    expect(limited).toBeInstanceOf(LineApiError);
    expect(limited).toMatchObject({ status: 429, retriable: true, operation: "richmenu bulk link" });
    fake.failRichMenuNext("bulk unlink", 500);
    expect(await rejection(gateway.unlinkRichMenuFromUsers(users(2)))).toMatchObject({ status: 500, retriable: true });

    fake.invalidUserIds.add(users(1, 7)[0]!);
    const bad = await rejection(gateway.linkRichMenuToUsers(users(10), richMenuId));
    expect(bad).toMatchObject({ status: 400, retriable: false });
    // All or nothing: the nine good ids (unlinked by the first test) stay unlinked.
    expect(users(10).some((id) => fake.userRichMenus.has(id))).toBe(false);
    expect(await rejection(gateway.linkRichMenuToUsers(users(2), "richmenu-gone"))).toMatchObject({ status: 404, retriable: false });
  });
});

describe("bulk rich menu link and unlink against the HTTP fake", () => {
  let server: LineServer;
  let gateway: LineGateway;

  beforeAll(async () => {
    server = await LineServer.start();
    gateway = new LineGateway({ channelAccessToken: TOKEN, apiBaseUrl: server.baseUrl, dataApiBaseUrl: server.dataBaseUrl });
  });
  afterAll(async () => {
    await server.close();
  });

  it("takes 500 users a call with 202 and refuses 501 by LINE's schema", async () => {
    await gateway.linkRichMenuToUsers(users(500), "richmenu-1");
    await gateway.unlinkRichMenuFromUsers(users(3));
    expect(server.bulkRichMenu.map((b) => [b.richMenuId, b.userIds.length])).toEqual([
      ["richmenu-1", 500],
      [null, 3],
    ]);
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: server.baseUrl });
    expect(await rejection(client.unlinkRichMenuIdFromUsers({ userIds: users(501) }))).toMatchObject({ status: 400 });
    expect(server.refused).toHaveLength(1);
    expect(server.bulkRichMenu).toHaveLength(2);
  });
});
