// Structured one-line JSON logs (pino). Callers pass ids and counts, never
// message text, names, phone numbers or national ids (PDPA). Two nets catch
// a call that forgets this: known personal keys are censored wherever they
// appear, and every finished line is scrubbed of anything shaped like a
// national id or a Thai phone number before it is written.
import pino from "pino";
import { redactNationalIds } from "./thai/national-id.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Field names that hold personal data in this code base, at any of the first two levels. */
const PERSONAL_KEYS = [
  "phone",
  "nationalId",
  "fullName",
  "displayName",
  "firstName",
  "lastName",
  "name",
  "householdName",
  "householdHead",
  "text",
  "note",
  "address",
  "village",
  "birthDate",
  "latitude",
  "longitude",
  "messages",
  "payload",
];
const REDACT_PATHS = PERSONAL_KEYS.flatMap((k) => [k, `*.${k}`]);
export const REDACTED = "[redacted]";

// Thai phone numbers as people type them: 0XX-XXX-XXXX, 0X XXX XXXX,
// +66 XX XXX XXXX, in Arabic or Thai digits. Lookarounds keep longer digit
// runs (ids, timestamps) out.
const D = "[0-9๐-๙]";
const THAI_PHONE = new RegExp(`(?<![0-9๐-๙])(?:\\+?66[\\s-]?|[0๐])${D}(?:[\\s-]?${D}){7,8}(?![0-9๐-๙])`, "g");

/** Each Thai phone number in free text, as typed (spaces, dashes, +66, Thai digits), replaced by `replace(found)`. */
export function replaceThaiPhones(text: string, replace: (found: string) => string): string {
  return text.replace(THAI_PHONE, replace);
}

/** The last pass over a finished line: anything shaped like a national id or a phone number goes. */
export function scrubLine(line: string): string {
  return redactNationalIds(line).replace(THAI_PHONE, "[phone]");
}

/** An Error becomes "Name: message" (no stack: it can quote values). */
function serialise(fields: Record<string, unknown>): Record<string, unknown> {
  const error = fields.error;
  return error instanceof Error ? { ...fields, error: `${error.name}: ${error.message}` } : fields;
}

export function createLogger(level: LogLevel = "info", write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const base = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrubLine },
    },
    // A plain object with write(): pino writes each line to it synchronously,
    // so a crash right after a log call still has the line on stdout.
    { write },
  );
  const at =
    (lvl: Exclude<LogLevel, "silent">) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (!base.isLevelEnabled(lvl)) return;
      base[lvl](serialise(fields), msg);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentLogger: Logger = createLogger("silent");
