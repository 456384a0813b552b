// A reason in two steps, as cancelling a request and rejecting a case ask
// it: tap one of the reasons or type your own; "อื่น ๆ" tapped without
// words asks for them.
import { z } from "zod";
import type { ParseResult, Reply, StepDef, TurnContext } from "../engine/types.ts";

const REASON_MAX = 200;
const SKIP = "~skip";

export interface ReasonStepsOptions<C extends string> {
  /** The reasons' codes; "other" is the one typed words stand for. */
  codes: readonly [C, ...C[]];
  /** Their button labels (≤ 20 characters). */
  labels: Record<C, string>;
  /** Their names in the stored reason, when no words were typed. */
  names: Record<C, string>;
  invalid: string;
  prompt: (ctx: TurnContext) => Reply[];
  expects: string;
  detailPrompt: string;
  detailExpects: string;
  /** A button that leaves the words out (the detail is then optional). */
  skipLabel?: string;
}

export function reasonSteps<C extends string>(o: ReasonStepsOptions<C>) {
  const worded = (typed: string) => {
    const t = typed.trim();
    return /[\p{L}\p{N}]/u.test(t) && [...t].length <= REASON_MAX ? t : null;
  };
  /** A tapped reason is its code; anything typed is the person's own reason. */
  const parseReason = (typed: string): ParseResult => {
    if ((o.codes as readonly string[]).includes(typed)) return { ok: true, value: { code: typed } };
    const t = worded(typed);
    return t === null ? { ok: false, message: o.invalid } : { ok: true, value: { code: "other", text: t } };
  };
  const parseDetail = (typed: string): ParseResult => {
    if (o.skipLabel !== undefined && typed === SKIP) return { ok: true, value: "" };
    const t = worded(typed);
    return t === null ? { ok: false, message: o.invalid } : { ok: true, value: t };
  };
  const schema = z.object({ code: z.enum(o.codes), text: z.string().optional() });

  const steps: StepDef[] = [
    {
      id: "reason",
      slot: "reason",
      clears: ["reasonDetail"],
      prompt: o.prompt,
      expects: o.expects,
      input: {
        kind: "text",
        parse: parseReason,
        suggestions: () => o.codes.map((code) => ({ label: o.labels[code], value: code })),
        prose: true,
      },
      next: (data) => {
        const r = schema.safeParse(data.reason);
        return r.success && r.data.code === "other" && r.data.text === undefined ? "detail" : "confirm";
      },
    },
    {
      id: "detail",
      slot: "reasonDetail",
      prompt: () => [{ kind: "text", text: o.detailPrompt }],
      expects: o.detailExpects,
      input: {
        kind: "text",
        parse: parseDetail,
        ...(o.skipLabel !== undefined ? { suggestions: () => [{ label: o.skipLabel!, value: SKIP }] } : {}),
        prose: true,
      },
    },
  ];

  /** The reason as stored and told: the typed words, else the chosen reason's name. */
  const reasonText = (data: { reason?: unknown; reasonDetail?: unknown }): string => {
    const parsed = schema.safeParse(data.reason);
    const detail = typeof data.reasonDetail === "string" && data.reasonDetail ? data.reasonDetail : undefined;
    if (!parsed.success) return detail ?? o.names["other" as C];
    return parsed.data.text ?? detail ?? o.names[parsed.data.code as C];
  };

  return { steps, schema, reasonText };
}
