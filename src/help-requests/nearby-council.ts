// For a non-member who shared a LINE location: the council of the nearest
// tambon centre is offered (ใช่ / เลือกเอง) before the district → council
// choice. A typed village, or a location far from any of the province's
// tambons, goes straight to the district as before.
import { activeCouncilsOfTambon, type CouncilWithPlace } from "../geography/councils.ts";
import { tambonNear } from "../geography/tambon-centres.ts";
import type { FlowData, StepDef, TurnContext } from "../engine/types.ts";
import { HELP_TEXT as T } from "./texts.ts";

export const NEARBY_STEP = "nearby-council";
/** The "เลือกเอง" answer: held in councilId until the district step clears it. */
const CHOOSE = "~choose";

/** The tambon a shared location of the flow's data is near, or null (typed village, too far, another province). */
export function nearbyTambonOf(provinceCode: number, data: FlowData): number | null {
  const loc = data.location as { latitude?: unknown; longitude?: unknown } | undefined;
  if (!loc || typeof loc.latitude !== "number" || typeof loc.longitude !== "number") return null;
  return tambonNear(provinceCode, loc.latitude, loc.longitude);
}

/** Where a non-member goes after the location step. */
export const afterLocation = (provinceCode: number, data: FlowData): string =>
  nearbyTambonOf(provinceCode, data) === null ? "district" : NEARBY_STEP;

/** The one council to offer: a tambon with several (municipal areas) is left to the district list. */
async function offered(ctx: TurnContext, provinceCode: number): Promise<CouncilWithPlace | null> {
  const tambonId = nearbyTambonOf(provinceCode, ctx.state.data);
  if (tambonId === null) return null;
  const councils = await activeCouncilsOfTambon(ctx.tx, tambonId);
  return councils.length === 1 ? councils[0]! : null;
}

/** The suggestion step: "ใช่" stores that council, "เลือกเอง" goes on to the district list. */
export function nearbyCouncilStep(provinceCode: number, after: string): StepDef {
  return {
    id: NEARBY_STEP,
    slot: "councilId",
    prompt: async (ctx) => {
      const council = await offered(ctx, provinceCode);
      return [{ kind: "text", text: council ? T.nearTambon(council.tambonNameTh, council.districtNameTh) : T.nearTambonNoCouncil }];
    },
    expects: T.nearTambonExpects,
    input: {
      kind: "choice",
      choices: async (ctx) => {
        const council = await offered(ctx, provinceCode);
        return [...(council ? [{ label: T.nearYes, value: String(council.id) }] : []), { label: T.nearChoose, value: CHOOSE }];
      },
    },
    next: (data) => (data.councilId === CHOOSE ? "district" : after),
  };
}
