// The custom period of the requests report: a start and an end date, typed
// as 1/11/2569 (พ.ศ.) or 2026-11-01, Thai digits too. An end before the start
// is read as the two swapped; an end after today as today.
import type { FlowDef, Outgoing, Reply, TurnContext } from "../engine/types.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { parseTypedDate, type Period } from "./period.ts";
import { REPORT_TEXT as T } from "./texts.ts";

export const REPORT_PERIOD_FLOW = "report-period";

const text = (t: string): Reply => ({ kind: "text", text: t });
const parseDate = (typed: string) => {
  const iso = parseTypedDate(typed);
  return iso ? { ok: true as const, value: iso } : { ok: false as const, message: T.badDate };
};

export function reportPeriodFlow(hooks: {
  complete: (ctx: TurnContext, period: Period, lead: Reply[]) => Promise<Outgoing>;
  restart: (ctx: TurnContext, lead: Reply[]) => Promise<Outgoing>;
}): FlowDef {
  return {
    id: REPORT_PERIOD_FLOW,
    version: 1,
    title: T.flowTitle,
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
    async complete(ctx, data) {
      const today = bangkokIsoDate(ctx.now);
      let from = String(data.from);
      let to = String(data.to);
      if (from > today) return hooks.restart(ctx, [text(T.futureDate)]);
      if (to > today) to = today;
      if (from > to) [from, to] = [to, from];
      return hooks.complete(ctx, { from, to }, []);
    },
  };
}
