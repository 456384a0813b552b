// The environment, parsed once at start. A missing or bad value stops the
// start with a message naming the variable (see ConfigError).
import { z } from "zod";

/** The embedded database's page cache when PGLITE_SHARED_BUFFERS is unset (src/db/pglite-settings.ts says why). */
export const PGLITE_SHARED_BUFFERS_DEFAULT = "32MB";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // The address to listen on. Unset: every interface with LINE credentials
  // (LINE must reach /webhook), 127.0.0.1 in local mode (its chat page lets
  // anyone act as the staff personas).
  HOST: z.string().trim().min(1).optional(),
  // Bearer token GET /metrics asks for; unset: /metrics is open.
  METRICS_TOKEN: z.string().trim().min(16, "must be at least 16 characters").optional(),
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
  // 1: the embedded database runs in a worker thread (its CPU on a core of
  // its own); 0: on the event loop's thread, as before issue 13 (for
  // before/after measurements).
  PGLITE_THREAD: z.enum(["0", "1"]).default("1"),
  // The embedded database's page cache (PostgreSQL's shared_buffers). Its
  // default, 128MB, is half of a small server's memory budget before a single
  // row is read; pages it does not hold come from the OS's file cache, which
  // the machine shares and frees under pressure.
  PGLITE_SHARED_BUFFERS: z
    .string()
    .trim()
    .regex(/^\d+(kB|MB|GB)$/, "must be a size such as 32MB")
    .default(PGLITE_SHARED_BUFFERS_DEFAULT),
  // Province whose councils are created from the geography data (DOPA code;
  // 33 = Sisaket, the pilot).
  PROVINCE_CODE: z.coerce.number().int().min(10).max(99).default(33),
  // How long a half-finished conversation waits before it is dropped.
  CONVERSATION_TIMEOUT_MINUTES: positiveInt(30),
  // Users served at once (one user is always serial). Most of a turn is the
  // wait for LINE, so this is well above the core count.
  EVENT_CONCURRENCY: positiveInt(32),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // Disaster mode: the secretaries' unanswered list (and its notice) shows members who have not answered the check-in after this many hours.
  DISASTER_UNANSWERED_HOURS: z.coerce.number().int().min(1).max(72).default(3),
  // How long a staff invite code made in the chat stays valid (at most 30 days).
  INVITE_CODE_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  // Where the bot's HTTP server is reached from outside (report download
  // links); default http://localhost:PORT.
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  // Key of the signed report download links; unset: derived from
  // LINE_CHANNEL_SECRET, or random per start (links then die with the process).
  EXPORT_SIGNING_SECRET: z.string().trim().min(16, "must be at least 16 characters").optional(),
  // Key of the hashes that keep fund-link lock-outs (LINE user, national ID);
  // unset: derived from LINE_CHANNEL_SECRET, or random per start.
  FUND_LINK_HASH_SECRET: z.string().trim().min(16, "must be at least 16 characters").optional(),
  // When the day-before meeting reminders go out, Asia/Bangkok wall clock.
  MEETING_REMINDER_TIME: z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:mm, 24-hour Bangkok time (e.g. 09:00)")
    .default("09:00"),
  // A critical flood case nobody accepted within this many minutes goes to
  // the district's coordinators, after as many again to the province's.
  ESCALATE_CRITICAL_AFTER_MINUTES: positiveInt(30),
  // A housing case with no change for this many days reminds the secretary
  // (again after as many more idle days).
  HOUSING_IDLE_REMINDER_DAYS: positiveInt(14),
  // A declared flood situation's summary goes to its coordinators every this many hours.
  DISASTER_SUMMARY_HOURS: positiveInt(3),
  // The Thai TTF the summary chart is drawn with; missing: drawn without it (labels may not show).
  SUMMARY_CHART_FONT: z.string().default("/usr/share/fonts/truetype/tlwg/Garuda.ttf"),
  // When staff who chose the digest get it, Asia/Bangkok wall clock.
  DIGEST_TIME: z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:mm, 24-hour Bangkok time (e.g. 18:00)")
    .default("18:00"),
  // LINE's monthly message quota of the account's plan: every recipient of a
  // push or multicast counts, replies are free. 300 is the Thai free plan,
  // the plan a new account starts on; 0: no limit known, no warning.
  PUSH_QUOTA_MONTHLY: z.coerce.number().int().min(0).default(300),
  PUSH_QUOTA_WARN_PERCENT: z.coerce.number().int().min(1).max(100).default(80),
  // LINE user ids (comma-separated) told when the quota warning is reached.
  ADMIN_LINE_USER_IDS: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((id) => id.trim())
        .filter((id) => id !== ""),
    )
    .pipe(z.array(z.string().regex(/^U[0-9a-f]{32}$/, "must be LINE user ids (U + 32 hex digits), comma-separated")))
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  /** HOST as given; undefined: the mode's default (see main.ts). */
  host?: string;
  metricsToken?: string;
  line: {
    channelSecret?: string;
    channelAccessToken?: string;
    apiBaseUrl: string;
    dataApiBaseUrl: string;
  };
  /** pglite: `thread` false runs PGlite on the main thread (PGLITE_THREAD=0); default true. */
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string; thread?: boolean; sharedBuffers?: string };
  provinceCode: number;
  conversationTimeoutMinutes: number;
  eventConcurrency: number;
  logLevel: Env["LOG_LEVEL"];
  inviteCodeHours: number;
  /** DISASTER_UNANSWERED_HOURS: members not answering the check-in after this appear in the secretaries' list. */
  disasterUnansweredHours: number;
  publicBaseUrl: string;
  /**
   * Set by local mode only: the LINE stand-in fetches the bot's own media over
   * http://localhost, so request photos and voice notes get links there too.
   * Real LINE fetches only https:// (enforced for PUBLIC_BASE_URL above).
   */
  mediaOverHttp?: boolean;
  exportSigningSecret?: string;
  fundLinkHashSecret?: string;
  /** Day-before meeting reminders: "HH:mm", Asia/Bangkok. */
  meetingReminderTime: string;
  /** Critical flood cases not accepted: minutes before each escalation step. */
  escalateCriticalAfterMinutes: number;
  /** Housing cases with no change: days before the secretary is reminded. */
  housingIdleReminderDays: number;
  /** Hours between a flood situation's periodic summaries to its coordinators. */
  disasterSummaryHours: number;
  /** The Thai font file of the situation summary's chart. */
  summaryChartFont: string;
  /** The staff digest: "HH:mm", Asia/Bangkok. */
  digestTime: string;
  pushQuota: { monthly: number; warnPercent: number };
  adminLineUserIds: readonly string[];
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
  // A real channel: LINE fetches the bot's images (announcement photos) only
  // over HTTPS and refuses a whole multicast with one http:// image in it.
  // Local mode (no credentials) keeps its http://localhost default.
  if (e.LINE_CHANNEL_SECRET && e.LINE_CHANNEL_ACCESS_TOKEN && !e.PUBLIC_BASE_URL?.startsWith("https://")) {
    throw new ConfigError([
      `PUBLIC_BASE_URL: ${e.PUBLIC_BASE_URL ? "must be an https:// URL" : "is not set"} (with LINE credentials set, it must be ` +
        "the bot's public https:// address, e.g. https://bot.example.org: LINE fetches images only over HTTPS and refuses " +
        "a whole message with an http:// image in it)",
    ]);
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    metricsToken: e.METRICS_TOKEN,
    line: {
      channelSecret: e.LINE_CHANNEL_SECRET,
      channelAccessToken: e.LINE_CHANNEL_ACCESS_TOKEN,
      apiBaseUrl: e.LINE_API_BASE_URL.replace(/\/$/, ""),
      dataApiBaseUrl: e.LINE_DATA_API_BASE_URL.replace(/\/$/, ""),
    },
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL }
      : { kind: "pglite", dataDir: e.DATA_DIR, thread: e.PGLITE_THREAD === "1", sharedBuffers: e.PGLITE_SHARED_BUFFERS },
    provinceCode: e.PROVINCE_CODE,
    conversationTimeoutMinutes: e.CONVERSATION_TIMEOUT_MINUTES,
    eventConcurrency: e.EVENT_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    inviteCodeHours: e.INVITE_CODE_HOURS,
    disasterUnansweredHours: e.DISASTER_UNANSWERED_HOURS,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    exportSigningSecret: e.EXPORT_SIGNING_SECRET,
    fundLinkHashSecret: e.FUND_LINK_HASH_SECRET,
    meetingReminderTime: e.MEETING_REMINDER_TIME,
    escalateCriticalAfterMinutes: e.ESCALATE_CRITICAL_AFTER_MINUTES,
    housingIdleReminderDays: e.HOUSING_IDLE_REMINDER_DAYS,
    disasterSummaryHours: e.DISASTER_SUMMARY_HOURS,
    summaryChartFont: e.SUMMARY_CHART_FONT,
    digestTime: e.DIGEST_TIME,
    pushQuota: { monthly: e.PUSH_QUOTA_MONTHLY, warnPercent: e.PUSH_QUOTA_WARN_PERCENT },
    adminLineUserIds: Object.freeze(e.ADMIN_LINE_USER_IDS ?? []),
  } satisfies Config);
}

/** What is missing for a real LINE channel, in words an operator can act on. */
export function missingLineCredentials(config: Config): string[] {
  const missing: string[] = [];
  if (!config.line.channelSecret) missing.push("LINE_CHANNEL_SECRET");
  if (!config.line.channelAccessToken) missing.push("LINE_CHANNEL_ACCESS_TOKEN");
  return missing;
}
