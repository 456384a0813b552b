// The coordinators' "สถานการณ์น้ำท่วม" entry (id "situation"): with no active
// situation in their areas it starts the declaration; with some, it lists
// them with "เปลี่ยน n" / "ยุติ n" and "ประกาศสถานการณ์ใหม่". Buttons carry
// "change:<id>", "end:<id>" or "new"; a forged id is refused unless the
// coordinator covers every area of that situation now.
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { outcome, startFlow, withMenu, type Outcome } from "../engine/outcome.ts";
import type { Button, MenuEntry, TurnContext } from "../engine/types.ts";
import { areaChoices, areaLabels, areaNames } from "../staff/areas.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { thaiDateTime } from "../thai/format.ts";
import { changeFlow, changeStart, declareFlow, endFlow, reply, SITUATION_ENTRY, text } from "./situation-flow.ts";
import { SITUATION_TEXT as T } from "./situation-texts.ts";
import { manageableSituations } from "./situation-write.ts";
import { LEVEL_NAMES } from "./texts.ts";

export { SITUATION_ENTRY } from "./situation-flow.ts";

/** The staff menu's button for this module (staffModule({ actions })). */
export const SITUATION_ACTIONS: readonly StaffAction[] = [{ entry: SITUATION_ENTRY.id, label: T.menu, roles: ["COORDINATOR"] }];

export function situationModule(options: { pushQuotaMonthly: number }) {
  const coordinator = staffOnly("COORDINATOR");
  const declare = declareFlow(options);
  const change = changeFlow(options);

  async function open(ctx: TurnContext, arg?: string): Promise<Outcome> {
    if ((await areaChoices(ctx.tx, ctx.userId, areaLabels)).length === 0) return reply(T.noArea, []);
    const mine = await manageableSituations(ctx.tx, ctx.userId);
    const m = /^(change|end):(\d{1,9})$/.exec(arg ?? "");
    if (m) {
      const s = mine.find((x) => x.id === Number(m[2]));
      if (!s) return reply(T.notFound);
      return m[1] === "end"
        ? outcome([], startFlow(endFlow, { data: { situationId: s.id } }))
        : outcome([], startFlow(change, { data: changeStart(s), at: "confirm" }));
    }
    if (arg === "new" || mine.length === 0) return outcome([], startFlow(declare));
    const lines: string[] = [T.activeIntro];
    const buttons: Button[] = [];
    for (const [i, s] of mine.entries()) {
      lines.push(T.activeRow(i + 1, await areaNames(ctx.tx, s.areas), LEVEL_NAMES[s.level], thaiDateTime(s.declaredAt)));
      buttons.push(entryButton(SITUATION_ENTRY, T.changeButton(i + 1), `change:${s.id}`));
      buttons.push(entryButton(SITUATION_ENTRY, T.endButton(i + 1), `end:${s.id}`));
    }
    lines.push(T.activeAsk);
    buttons.push(entryButton(SITUATION_ENTRY, T.declareNew, "new"));
    return outcome([text(lines.join("\n\n"))], withMenu(buttons));
  }

  const entries: MenuEntry[] = [
    {
      id: SITUATION_ENTRY.id,
      label: T.menu,
      keywords: ["ประกาศสถานการณ์", "ยุติสถานการณ์", "สถานการณ์"],
      listed: false,
      visible: coordinator,
      open,
    },
  ];

  return defineModule({
    name: "situation",
    entries,
    flows: [declare, change, endFlow],
    /** The staff menu's buttons for this module: bot.ts passes them to staffModule({ actions }). */
    staffActions: SITUATION_ACTIONS,
  });
}
