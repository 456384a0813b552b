// The environment, parsed once at start. A missing or bad value stops the
// start with a message naming the variable (see ConfigError).
import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LINE_CHANNEL_SECRET: z.string().trim().min(1).optional(),
  LINE_CHANNEL_ACCESS_TOKEN: z.string().trim().min(1).optional(),
  LINE_API_BASE_URL: z.url().default("https://api.line.me"),
  LINE_DATA_API_BASE_URL: z.url().default("https://api-data.line.me"),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL (leave it unset for the embedded database)")
    .optional(),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  // Province whose councils are created from the geography data (DOPA code;
  // 33 = Sisaket, the pilot).
  PROVINCE_CODE: z.coerce.number().int().min(10).max(99).default(33),
  // How long a half-finished conversation waits before it is dropped.
  CONVERSATION_TIMEOUT_MINUTES: positiveInt(30),
  // Users served at once (one user is always serial). Most of a turn is the
  // wait for LINE, so this is well above the core count.
  EVENT_CONCURRENCY: positiveInt(32),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  line: {
    channelSecret?: string;
    channelAccessToken?: string;
    apiBaseUrl: string;
    dataApiBaseUrl: string;
  };
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  provinceCode: number;
  conversationTimeoutMinutes: number;
  eventConcurrency: number;
  logLevel: Env["LOG_LEVEL"];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Empty strings count as unset, as in most deployment tools. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ""),
  );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    line: {
      channelSecret: e.LINE_CHANNEL_SECRET,
      channelAccessToken: e.LINE_CHANNEL_ACCESS_TOKEN,
      apiBaseUrl: e.LINE_API_BASE_URL.replace(/\/$/, ""),
      dataApiBaseUrl: e.LINE_DATA_API_BASE_URL.replace(/\/$/, ""),
    },
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "pglite", dataDir: e.DATA_DIR },
    provinceCode: e.PROVINCE_CODE,
    conversationTimeoutMinutes: e.CONVERSATION_TIMEOUT_MINUTES,
    eventConcurrency: e.EVENT_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
  } satisfies Config);
}

/** What is missing for a real LINE channel, in words an operator can act on. */
export function missingLineCredentials(config: Config): string[] {
  const missing: string[] = [];
  if (!config.line.channelSecret) missing.push("LINE_CHANNEL_SECRET");
  if (!config.line.channelAccessToken) missing.push("LINE_CHANNEL_ACCESS_TOKEN");
  return missing;
}
