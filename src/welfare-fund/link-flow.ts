// The fund-link flow: national ID → birth date → summary (ID masked) →
// confirm. Its answers live in the conversation state only while the flow
// runs: the engine clears the state's data when the flow completes, is
// cancelled, left for the menu, or found expired.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import type { Outcome } from "../engine/outcome.ts";
import { confirmStep, YES } from "../engine/steps.ts";
import { END, type TurnContext } from "../engine/types.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { maskNationalId, parseNationalId } from "../thai/national-id.ts";
import { FUND_TEXT as T, thaiLongDate } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const pad = (n: number) => String(n).padStart(2, "0");

type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

export function parseNationalIdAnswer(typed: string): ParseResult {
  const r = parseNationalId(typed);
  return r.ok ? { ok: true, value: r.id } : { ok: false, message: T.nationalIdInvalid[r.reason] };
}

/**
 * A birth date as typed: dd/mm/yyyy (also d/m/yyyy, "." or "-" between),
 * the year Buddhist-era (above 2400) or CE; also yyyy-mm-dd. Gives "yyyy-mm-dd" (CE).
 */
export function parseBirthDate(typed: string, now: Date = new Date()): ParseResult {
  const t = typed.trim().replace(/\s*([/.-])\s*/g, "$1");
  let y: number, m: number, d: number;
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const ymd = dmy ? null : /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (dmy) [d, m, y] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else if (ymd) [y, m, d] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  else return { ok: false, message: T.birthDateFormat };
  if (y > 2400) y -= 543; // พ.ศ. → ค.ศ.
  if (y < 1900) return { ok: false, message: T.birthDateTooEarly };
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { ok: false, message: T.birthDateImpossible };
  }
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  if (iso > bangkokIsoDate(now)) return { ok: false, message: T.birthDateFuture };
  return { ok: true, value: iso };
}

export const FUND_LINK_FLOW = "fund-link";

/** What the flow collects: the steps' parsers give exactly these shapes. */
const LINK_SCHEMA = z.object({
  nationalId: z.string().regex(/^\d{13}$/),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), // yyyy-mm-dd (CE), checked by parseBirthDate
  confirmed: z.literal(YES),
});

export type LinkAnswers = z.output<typeof LINK_SCHEMA>;

export function fundLinkFlow(complete: (ctx: TurnContext, answers: LinkAnswers) => Promise<Outcome>) {
  return defineFlow({
    id: FUND_LINK_FLOW,
    version: 1,
    title: T.flowTitles.link,
    schema: LINK_SCHEMA,
    steps: [
      {
        id: "national-id",
        slot: "nationalId",
        prompt: () => [text(T.askNationalId)],
        expects: T.nationalIdExpects,
        input: { kind: "text", parse: parseNationalIdAnswer },
      },
      {
        id: "birth-date",
        slot: "birthDate",
        prompt: () => [text(T.askBirthDate)],
        expects: T.birthDateExpects,
        input: { kind: "text", parse: (typed) => parseBirthDate(typed) },
      },
      confirmStep({
        slow: true,
        prompt: (ctx) => [
          text(T.summary(maskNationalId(String(ctx.state.data.nationalId ?? "")), thaiLongDate(String(ctx.state.data.birthDate)))),
        ],
        expects: T.confirmExpects,
        yes: T.confirm,
        edits: [
          { label: T.editId, step: "national-id" },
          { label: T.editBirthDate, step: "birth-date" },
        ],
        next: () => END,
      }),
    ],
    complete,
  });
}
