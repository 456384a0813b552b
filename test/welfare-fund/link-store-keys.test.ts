// The keys of the fund-link attempts' hashes: stable for one secret (so a
// lock-out outlives a restart), never the plain value, and never the key of
// the export links.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { exportSigningSecret } from "../../src/reports/export-links.ts";
import { AttemptKeys, fundLinkHashSecret } from "../../src/welfare-fund/link-store.ts";

const ID = "3000000010015";

describe("fund-link attempt keys", () => {
  it("derive the same key from the channel secret on every start, a key of its own", () => {
    const a = fundLinkHashSecret({ channelSecret: "channel" });
    expect(fundLinkHashSecret({ channelSecret: "channel" }).equals(a)).toBe(true);
    expect(a.equals(exportSigningSecret({ channelSecret: "channel" }))).toBe(false);
    expect(a.equals(Buffer.from("channel"))).toBe(false);
    expect(fundLinkHashSecret({ fundLinkHashSecret: "0123456789abcdef", channelSecret: "channel" }).toString()).toBe("0123456789abcdef");
    // Local mode: random per start.
    expect(fundLinkHashSecret({}).equals(fundLinkHashSecret({}))).toBe(false);
  });

  it("hash user and ID apart, under the key, as 64 hex digits", () => {
    const keys = new AttemptKeys(Buffer.from("k".repeat(32)));
    expect(keys.nationalId(ID)).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.nationalId(ID)).toBe(keys.nationalId(ID));
    expect(keys.nationalId(ID)).not.toBe(keys.user(ID));
    expect(keys.nationalId(ID)).not.toBe(new AttemptKeys(Buffer.from("j".repeat(32))).nationalId(ID));
  });

  it("FUND_LINK_HASH_SECRET: read from the environment, at least 16 characters", () => {
    expect(loadConfig({ FUND_LINK_HASH_SECRET: "0123456789abcdef" }).fundLinkHashSecret).toBe("0123456789abcdef");
    expect(loadConfig({}).fundLinkHashSecret).toBeUndefined();
    expect(() => loadConfig({ FUND_LINK_HASH_SECRET: "short" })).toThrow(/FUND_LINK_HASH_SECRET/);
  });
});
