// LineGateway's hot calls (reply, push, multicast, loading) go over
// node:http on a keep-alive agent (src/line/line-http.ts), not the SDK's
// fetch: nock, which the in-process tests fake LINE with, must still see
// them all and answer them (gateway-transport.test.ts has the rest).
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LineApiError, LineGateway, retryKeyFor } from "../../src/line/gateway.ts";
import { FakeLine } from "../support/fake-line.ts";

describe("LineGateway under nock (the fake the other tests use)", () => {
  let line: FakeLine;
  beforeAll(() => {
    nock.disableNetConnect();
    line = new FakeLine();
  });
  afterAll(() => {
    line.close();
    nock.enableNetConnect();
  });

  it("is intercepted on all four calls, and gets the fake's answers", async () => {
    const g = new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: line.baseUrl, timeoutMs: 2_000 });
    const key = retryKeyFor("nock-1");
    await g.reply("rt-nock", [{ type: "text", text: "ตอบ" }]);
    expect(await g.push("U1", [{ type: "text", text: "แจ้ง" }], key)).toBe("sent");
    expect(await g.push("U1", [{ type: "text", text: "แจ้ง" }], key)).toBe("duplicate");
    expect(await g.multicast(["U1", "U2"], [{ type: "text", text: "ประกาศ" }], retryKeyFor("nock-2"))).toBe("sent");
    await g.showLoading("U1");
    expect(line.calls.map((c) => c.kind)).toEqual(["reply", "push", "multicast", "loading"]);
    line.failNext("reply", 429);
    const e = await g.reply("rt-nock-2", [{ type: "text", text: "x" }]).then(
      () => expect.unreachable("should have failed"),
      (error: unknown) => error as LineApiError,
    );
    expect([e.status, e.retriable]).toEqual([429, true]);
    expect(line.limitProblems).toEqual([]);
  });
});
