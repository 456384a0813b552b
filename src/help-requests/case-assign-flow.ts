// "มอบหมายงาน" on a case: one of the council's secretaries (the user first,
// as "ตัวฉันเอง"). The case is theirs to act on, and they are told unless
// they took it themselves (case-actions.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { END, type TurnContext } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { secretariesOf } from "../staff/roles.ts";
import { assignCase } from "./case-actions.ts";
import { caseOf, ON_CASE, recheck, showCase, text } from "./case-answers.ts";
import { staffNamesOf } from "./case-card.ts";
import { CASE_TEXT as T } from "./case-texts.ts";

/**
 * Whom a case of the council can be given to: its secretaries (the council's
 * own staff), the user first as "ตัวฉันเอง", each by name (staffNamesOf);
 * labels made unique and ≤ 20 characters (quick replies). None when the
 * user is its only secretary.
 */
export async function assignable(ctx: TurnContext, councilId: number): Promise<{ label: string; value: string }[]> {
  const ids = await secretariesOf(ctx.tx, councilId);
  const others = ids.filter((id) => id !== ctx.userId);
  if (others.length === 0) return [];
  const names = await staffNamesOf(ctx.tx, others);
  const used = new Map<string, number>();
  const choices = others.map((id) => {
    const name = [...(names.get(id) ?? T.history.byStaff).replace(`${T.history.byStaff} `, "")];
    const base = name.length <= 20 ? name.join("") : `${name.slice(0, 19).join("")}…`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const label = n === 1 ? base : `${[...base].slice(0, 16).join("")} (${n})`;
    return { label, value: id };
  });
  return ids.includes(ctx.userId) ? [{ label: T.me, value: ctx.userId }, ...choices] : choices;
}

export function caseAssignFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "case-assign",
    version: 1,
    title: T.flowTitles.assign,
    schema: z.object({ ...ON_CASE, councilId: z.number(), assignee: z.string() }),
    steps: [
      {
        id: "assignee",
        slot: "assignee",
        prompt: (ctx) => [text(T.askAssignee(caseOf(ctx)))],
        expects: T.assigneeExpects,
        input: { kind: "choice", choices: (ctx) => assignable(ctx, Number(ctx.state.data.councilId)) },
        next: () => END,
      },
    ],
    async complete(ctx, data) {
      const checked = await recheck(ctx, data.requestId, "assign", options.media);
      if (!checked.ok) return checked.answer;
      const request = checked.request;
      const to = data.assignee;
      // The colleague may have lost the role, or the case moved to another council, meanwhile.
      if (!(await secretariesOf(ctx.tx, request.councilId)).includes(to)) return showCase(ctx, request.id, options.media, [T.assigneeGone]);
      await assignCase(ctx.tx, request, to, { userId: ctx.userId, now: ctx.now });
      if (to === ctx.userId) return showCase(ctx, request.id, options.media, [T.assignedSelf(request.caseNumber)]);
      const name = (await staffNamesOf(ctx.tx, [to])).get(to) ?? T.history.byStaff;
      return showCase(ctx, request.id, options.media, [T.assigned(request.caseNumber, name)]);
    },
  });
}
