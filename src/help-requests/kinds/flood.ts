// Flood (น้ำท่วม): someone's household in the water. Urgent: the council's
// secretaries are pushed at once, and a critical one escalates (the
// escalation job). Its flow is flood-flow.ts; its priority priority.ts.
import { entryRef } from "../../engine/refs.ts";
import { CASE_TEXT } from "../case-texts.ts";
import { floodFlow } from "../flood-flow.ts";
import { HELP_TEXT } from "../texts.ts";
import { labelList, labelOf, labelsOf, type CardRow, type RequestKindDef } from "./kind.ts";

/** Also the bot's emergency entry: "ช่วยด้วย", "น้ำท่วม" open it from any step (bot.ts). */
export const FLOOD_ENTRY = entryRef("flood-help");

export const FLOOD = {
  kind: "FLOOD",
  letter: "F",
  names: HELP_TEXT.kindNames,
  urgent: true,
  entry: {
    ref: FLOOD_ENTRY,
    label: HELP_TEXT.menu.flood,
    // "ช่วยด้วย" (help me!) from someone in a flood means this, not the usage help.
    keywords: ["ขอความช่วยเหลือน้ำท่วม", "ขอช่วยเหลือน้ำท่วม", "น้ำท่วม", "ช่วยด้วย", "flood"],
    intro: HELP_TEXT.intro,
  },
  flow: floodFlow,
  cardRows(r) {
    const F = CASE_TEXT.fields;
    const rows: CardRow[] = [];
    if (r.forSomeoneElse && r.householdName) rows.push([F.household, r.householdName]);
    if (r.peopleCount !== null) rows.push([F.people, CASE_TEXT.people(r.peopleCount)]);
    const vulnerable = labelsOf(r.vulnerable, HELP_TEXT.vulnerable);
    rows.push([F.vulnerable, vulnerable.length > 0 ? vulnerable.join(", ") : CASE_TEXT.none]);
    rows.push([F.water, labelOf(r.waterLevel, HELP_TEXT.water)]);
    rows.push([F.needs, labelList(r.needs, HELP_TEXT.needs)]);
    return rows;
  },
} as const satisfies RequestKindDef<"FLOOD">;
