// Housing (บ้านพอเพียง): a poor household's unsafe house, for the council
// to choose whom to repair. Not urgent: secretaries who chose the evening
// digest read it there, and an idle one is reminded (the escalation job).
// Its flow is housing-flow.ts.
import { entryRef } from "../../engine/refs.ts";
import { CASE_TEXT } from "../case-texts.ts";
import { housingFlow } from "../housing-flow.ts";
import { HELP_TEXT, HOUSING_TEXT } from "../texts.ts";
import { labelList, labelOf, type CardRow, type RequestKindDef } from "./kind.ts";

export const HOUSING = {
  kind: "HOUSING",
  letter: "H",
  names: HOUSING_TEXT.kindNames,
  urgent: false,
  entry: {
    ref: entryRef("housing-help"),
    label: HELP_TEXT.menu.housing,
    keywords: ["บ้านพอเพียง", "ซ่อมบ้าน", "บ้านชำรุด", "บ้านทรุดโทรม", "housing"],
    intro: HOUSING_TEXT.intro,
  },
  flow: housingFlow,
  cardRows(r) {
    const F = CASE_TEXT.fields;
    const rows: CardRow[] = [];
    if (r.householdHead) rows.push([F.head, r.householdHead]);
    if (r.peopleCount !== null) rows.push([F.people, CASE_TEXT.people(r.peopleCount)]);
    rows.push([F.unsafe, labelList(r.unsafeParts, HOUSING_TEXT.unsafe)]);
    rows.push([F.income, labelOf(r.incomeBand, HOUSING_TEXT.income)]);
    rows.push([F.land, labelOf(r.landStatus, HOUSING_TEXT.land)]);
    return rows;
  },
} as const satisfies RequestKindDef<"HOUSING">;
