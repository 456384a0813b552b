import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, missingLineCredentials } from "../src/config.ts";

describe("configuration", () => {
  it("has working defaults: embedded database, LINE's hosts, port 3000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      database: { kind: "pglite", dataDir: "./data" },
      line: { apiBaseUrl: "https://api.line.me", dataApiBaseUrl: "https://api-data.line.me" },
      provinceCode: 33,
      conversationTimeoutMinutes: 30,
    });
    expect(missingLineCredentials(config)).toEqual(["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"]);
  });

  it("uses PostgreSQL when DATABASE_URL is a postgresql:// URL", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://bot@db:5432/council", DATA_DIR: "/var/lib/bot" });
    expect(config.database).toEqual({ kind: "postgres", url: "postgresql://bot@db:5432/council" });
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: " " }).database.kind).toBe("pglite");
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://x@y/z"],
    ["LINE_API_BASE_URL", "not a url"],
    ["CONVERSATION_TIMEOUT_MINUTES", "0"],
    ["LOG_LEVEL", "loud"],
  ])("stops on a bad %s and names it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect((error as ConfigError).message).toContain(name);
    }
  });

  it("is frozen", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });
});
