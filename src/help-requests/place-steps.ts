// Where a help request is, asked the same way by every kind: a LINE
// location or a typed village, then, for a non-member, the council (the
// nearest tambon's offered first, nearby-council.ts; else district →
// council, the sign-up's own steps). Members file for their own council
// (`viaMember`, set when the flow starts) and skip the council.
import type { FlowData, LocationAnswer, ParseResult, StepDef } from "../engine/types.ts";
import { signupSteps } from "../members/signup-flow.ts";
import { afterLocation, nearbyCouncilStep } from "./nearby-council.ts";
import { HELP_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

/**
 * A half-finished request is kept a day, not the usual half hour: a family
 * in a flood or a villager fetching a land paper may be away for hours.
 * Starting again keeps only what the flow started with (a member's council).
 */
export const KEEP_REQUEST = {
  minutes: 24 * 60,
  restart: (data: FlowData): FlowData => (data.viaMember === true ? { viaMember: true, councilId: data.councilId } : {}),
};

export function parseVillage(typed: string): ParseResult {
  const t = typed.trim();
  const letters = /\p{L}/u.test(t);
  return letters && [...t].length >= 2 && [...t].length <= 100
    ? { ok: true, value: { village: t } }
    : { ok: false, message: T.villageInvalid };
}

/** The location slot in a summary. */
export function locationLine(loc: unknown): string {
  if (loc && typeof loc === "object" && "village" in loc) return `หมู่บ้าน: ${String((loc as { village: unknown }).village)}`;
  const l = loc as LocationAnswer | undefined;
  if (!l) return "ตำแหน่ง: -";
  return `ตำแหน่ง: ส่งตำแหน่งแล้ว${l.address ? ` (${l.address})` : ""}`;
}

/**
 * The location step (slot `location`), then the council's steps (slot
 * `councilId`): put the step they lead to right after them. `members`:
 * where a member goes from the location; `after`: where a non-member goes
 * once the council is known (the step after these).
 */
export function placeSteps(
  provinceCode: number,
  o: { askLocation: string; askDistrict: string; members: string; after: string },
): StepDef[] {
  const geography = signupSteps(provinceCode);
  const district = geography.find((s) => s.id === "district")!;
  const council = geography.find((s) => s.id === "council")!;
  return [
    {
      id: "location",
      slot: "location",
      prompt: () => [text(o.askLocation)],
      expects: T.locationExpects,
      input: { kind: "location", label: T.locationButton, parse: parseVillage },
      next: (data) => (data.viaMember === true ? o.members : afterLocation(provinceCode, data)),
    },
    nearbyCouncilStep(provinceCode, o.after),
    { ...district, prompt: () => [text(o.askDistrict)] },
    council,
  ];
}
