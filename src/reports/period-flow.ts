// The custom period of the requests report: a start and an end date, typed
// as 1/11/2569 (พ.ศ.) or 2026-11-01, Thai digits too. An end before the start
// is read as the two swapped; an end after today as today; a start after
// today asks again.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { type Outcome, startFlow } from "../engine/outcome.ts";
import type { Reply, TurnContext } from "../engine/types.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { parseTypedDate, type Period } from "./period.ts";
import { REPORT_TEXT as T } from "./texts.ts";

export const REPORT_PERIOD_FLOW = "report-period";

const text = (t: string): Reply => ({ kind: "text", text: t });
const parseDate = (typed: string) => {
  const iso = parseTypedDate(typed);
  return iso ? { ok: true as const, value: iso } : { ok: false as const, message: T.badDate };
};

/** `report`: the requests report for the period, its scope checked again (roles can change while the dates are typed). */
export function reportPeriodFlow(report: (ctx: TurnContext, period: Period) => Promise<Outcome>) {
  const flow = defineFlow({
    id: REPORT_PERIOD_FLOW,
    version: 1,
    title: T.flowTitle,
    // Typed dates, read as ISO dates by parseTypedDate.
    schema: z.object({ from: z.string(), to: z.string() }),
    steps: [
      { id: "from", slot: "from", prompt: () => [text(T.askFrom)], expects: T.expectsDate, input: { kind: "text", parse: parseDate } },
      {
        id: "to",
        slot: "to",
        prompt: () => [text(T.askTo)],
        expects: T.expectsDate,
        input: {
          kind: "text",
          parse: parseDate,
          suggestions: (ctx) => [{ label: T.buttons.todayDate, value: bangkokIsoDate(ctx.now) }],
        },
      },
    ],
    async complete(ctx, data): Promise<Outcome> {
      const today = bangkokIsoDate(ctx.now);
      let { from, to } = data;
      if (from > today) return { say: [text(T.futureDate)], next: startFlow(flow) };
      if (to > today) to = today;
      if (from > to) [from, to] = [to, from];
      return report(ctx, { from, to });
    },
  });
  return flow;
}
