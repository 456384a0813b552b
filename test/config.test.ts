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

  it("runs the embedded database in a worker thread unless PGLITE_THREAD=0", () => {
    expect(loadConfig({}).database).toEqual({ kind: "pglite", dataDir: "./data", thread: true, sharedBuffers: "32MB" });
    expect(loadConfig({ PGLITE_THREAD: "0" }).database).toEqual({
      kind: "pglite",
      dataDir: "./data",
      thread: false,
      sharedBuffers: "32MB",
    });
  });

  it("sizes the embedded database's page cache from PGLITE_SHARED_BUFFERS", () => {
    expect(loadConfig({ PGLITE_SHARED_BUFFERS: "256MB" }).database).toMatchObject({ kind: "pglite", sharedBuffers: "256MB" });
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
    ["PGLITE_THREAD", "yes"],
    ["PGLITE_SHARED_BUFFERS", "lots"],
    ["PGLITE_SHARED_BUFFERS", "32"],
  ])("stops on a bad %s and names it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect((error as ConfigError).message).toContain(name);
    }
  });

  it("invite codes last 72 hours unless INVITE_CODE_HOURS says otherwise (1 to 720)", () => {
    expect(loadConfig({}).inviteCodeHours).toBe(72);
    expect(loadConfig({ INVITE_CODE_HOURS: "24" }).inviteCodeHours).toBe(24);
    for (const bad of ["0", "721", "1.5", "สามวัน"]) {
      expect(() => loadConfig({ INVITE_CODE_HOURS: bad })).toThrow(/INVITE_CODE_HOURS/);
    }
  });

  it("sends meeting reminders at 09:00 Bangkok unless MEETING_REMINDER_TIME (HH:mm) says otherwise", () => {
    expect(loadConfig({}).meetingReminderTime).toBe("09:00");
    expect(loadConfig({ MEETING_REMINDER_TIME: " 18:30 " }).meetingReminderTime).toBe("18:30");
    for (const bad of ["9:00", "24:00", "09:60", "9am", "0900"]) {
      expect(() => loadConfig({ MEETING_REMINDER_TIME: bad })).toThrow(/MEETING_REMINDER_TIME/);
    }
  });

  it("watches LINE's monthly push quota: 300 messages (the Thai free plan), warning at 80%, 0 turns it off", () => {
    expect(loadConfig({}).pushQuota).toEqual({ monthly: 300, warnPercent: 80 });
    expect(loadConfig({ PUSH_QUOTA_MONTHLY: "15000", PUSH_QUOTA_WARN_PERCENT: "90" }).pushQuota).toEqual({
      monthly: 15_000,
      warnPercent: 90,
    });
    expect(loadConfig({ PUSH_QUOTA_MONTHLY: "0" }).pushQuota.monthly).toBe(0);
    for (const [name, bad] of [
      ["PUSH_QUOTA_MONTHLY", "-1"],
      ["PUSH_QUOTA_MONTHLY", "many"],
      ["PUSH_QUOTA_WARN_PERCENT", "0"],
      ["PUSH_QUOTA_WARN_PERCENT", "101"],
    ]) {
      expect(() => loadConfig({ [name!]: bad })).toThrow(new RegExp(name!));
    }
  });

  it("reads ADMIN_LINE_USER_IDS as comma-separated LINE user ids", () => {
    const a = `U${"a".repeat(32)}`;
    const b = `U${"0123456789abcdef".repeat(2)}`;
    expect(loadConfig({}).adminLineUserIds).toEqual([]);
    expect(loadConfig({ ADMIN_LINE_USER_IDS: ` ${a}, ${b} ,` }).adminLineUserIds).toEqual([a, b]);
    for (const bad of ["admin", `${a};${b}`, `u${"a".repeat(32)}`, `${a},Uxyz`]) {
      expect(() => loadConfig({ ADMIN_LINE_USER_IDS: bad })).toThrow(/ADMIN_LINE_USER_IDS/);
    }
  });

  it("report links: PUBLIC_BASE_URL defaults to localhost and the port; the signing secret is optional", () => {
    expect(loadConfig({ PORT: "8080" })).toMatchObject({ publicBaseUrl: "http://localhost:8080", exportSigningSecret: undefined });
    const config = loadConfig({ PUBLIC_BASE_URL: "https://bot.example.org/", EXPORT_SIGNING_SECRET: "0123456789abcdef0123" });
    expect(config).toMatchObject({ publicBaseUrl: "https://bot.example.org", exportSigningSecret: "0123456789abcdef0123" });
    expect(() => loadConfig({ PUBLIC_BASE_URL: "javascript:alert(1)" })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => loadConfig({ EXPORT_SIGNING_SECRET: "short" })).toThrow(/EXPORT_SIGNING_SECRET/);
  });

  it("with LINE credentials, refuses to start unless PUBLIC_BASE_URL is https:// (LINE fetches images only over HTTPS)", () => {
    const live = { LINE_CHANNEL_SECRET: "secret", LINE_CHANNEL_ACCESS_TOKEN: "token" };
    for (const env of [live, { ...live, PUBLIC_BASE_URL: "http://bot.example.org" }, { ...live, PUBLIC_BASE_URL: " " }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/PUBLIC_BASE_URL.*https:\/\//);
    }
    expect(loadConfig({ ...live, PUBLIC_BASE_URL: "https://bot.example.org/" }).publicBaseUrl).toBe("https://bot.example.org");
    // Local mode (no credentials) keeps its http default.
    expect(loadConfig({ PORT: "3000" }).publicBaseUrl).toBe("http://localhost:3000");
  });

  it("escalates after 30 minutes, reminds of idle housing after 14 days and sends the digest at 18:00 unless told otherwise", () => {
    expect(loadConfig({})).toMatchObject({ escalateCriticalAfterMinutes: 30, housingIdleReminderDays: 14, digestTime: "18:00" });
    const config = loadConfig({ ESCALATE_CRITICAL_AFTER_MINUTES: "15", HOUSING_IDLE_REMINDER_DAYS: "7", DIGEST_TIME: "19:30" });
    expect(config).toMatchObject({ escalateCriticalAfterMinutes: 15, housingIdleReminderDays: 7, digestTime: "19:30" });
    expect(() => loadConfig({ ESCALATE_CRITICAL_AFTER_MINUTES: "0" })).toThrow(/ESCALATE_CRITICAL_AFTER_MINUTES/);
    expect(() => loadConfig({ HOUSING_IDLE_REMINDER_DAYS: "สิบสี่" })).toThrow(/HOUSING_IDLE_REMINDER_DAYS/);
    for (const bad of ["6pm", "24:00", "18.00"]) expect(() => loadConfig({ DIGEST_TIME: bad })).toThrow(/DIGEST_TIME/);
  });

  it("is frozen", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });
});
