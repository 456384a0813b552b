// The council choice, as two flow steps: a district of a list, then an
// active council of that district. Sign-up and the profile edit
// (src/members/signup-flow.ts) and the invite flow (src/staff/invite-flow.ts)
// ask it with these; so can any flow that needs a council.
//
// Both steps store ids as strings (a choice's value): the district's DOPA
// code in `districtId`, the council's id in `councilId`. A flow's schema
// reads them back with z.coerce.number(). Choosing another district clears
// the council. Only offered choices are accepted (the engine checks a
// tapped or typed answer against the list), so a forged id never lands in
// the data; `districts` and `districtAllowed` decide what is offered.
//
// Used like this (the case handover of src/help-requests/case-module.ts,
// which still writes both steps out, would read):
//
//   districtStep({
//     prompt: (ctx) => [text(T.askHandoverDistrict(caseOf(ctx)))],
//     expects: T.handoverDistrictExpects,
//     districts: (ctx) => listDistricts(ctx.tx, Number(ctx.state.data.provinceId)),
//   }),
//   councilStep({
//     prompt: (district) => [text(T.askHandoverCouncil(district ?? "อำเภอที่เลือก"))],
//     expects: T.handoverCouncilExpects,
//     // The case's own council is no place to hand it over to.
//     filter: (council, ctx) => council.id !== Number(ctx.state.data.fromCouncilId),
//   }),
//
// Villagers' flows (sign-up; the flood and housing requests take sign-up's
// two steps from signupSteps()) pass `typedForms: true`: "อ.กันทรลักษ์",
// "ต.กำแพง" typed the way addresses are written match too.
import type { Choice, Reply, StepDef, TurnContext } from "../engine/types.ts";
import { type CouncilOption, type DistrictOption, getDistrict, listCouncilsInDistrict } from "./councils.ts";

/** The geography data names districts without "อำเภอ" (Bangkok's start with "เขต"). */
export const districtTitle = (name: string) => (/^(อำเภอ|เขต)/.test(name) ? name : `อำเภอ${name}`);

export const DISTRICT_STEP = "district";
export const COUNCIL_STEP = "council";
export const DISTRICT_SLOT = "districtId";
export const COUNCIL_SLOT = "councilId";

export interface DistrictStepOptions {
  /** Default "district". */
  id?: string;
  /** Where the district's id goes; default "districtId". */
  slot?: string;
  /** Slots a new district empties; default ["councilId"] (a council of the old district no longer fits). */
  clears?: string[];
  prompt: StepDef["prompt"];
  /** What a re-prompt asks for ("เลือกอำเภอ"). */
  expects: string;
  /**
   * The districts offered, in the order shown: the province's
   * (`(ctx) => listDistricts(ctx.tx, provinceCode)`), or only those of the
   * user's area (an inviter's). Read each time the step is shown or answered.
   */
  districts: (ctx: TurnContext) => Promise<DistrictOption[]>;
  /** Also match "อ.<name>" and "อำเภอ<name>" typed. */
  typedForms?: boolean;
  /** Where to go next (default: the following step). */
  next?: StepDef["next"];
}

/** "Which district?": one button per district, its DOPA code as the answer. */
export function districtStep(o: DistrictStepOptions): StepDef {
  return {
    id: o.id ?? DISTRICT_STEP,
    slot: o.slot ?? DISTRICT_SLOT,
    clears: o.clears ?? [COUNCIL_SLOT],
    prompt: o.prompt,
    expects: o.expects,
    input: {
      kind: "choice",
      choices: async (ctx) =>
        (await o.districts(ctx)).map(
          (d): Choice => ({
            label: d.nameTh,
            value: String(d.id),
            ...(o.typedForms ? { aliases: [`อ.${d.nameTh}`, `อำเภอ${d.nameTh}`] } : {}),
          }),
        ),
    },
    ...(o.next ? { next: o.next } : {}),
  };
}

export interface CouncilStepOptions {
  /** Default "council". */
  id?: string;
  /** Where the council's id goes; default "councilId". */
  slot?: string;
  /** Where the district step put the district's id; default "districtId". */
  districtSlot?: string;
  /**
   * Asks for the council. `district` is the chosen district's title
   * ("อำเภอกันทรลักษ์"), or null when its id names no district: say
   * something general then ("อำเภอที่เลือก").
   */
  prompt: (district: string | null, ctx: TurnContext) => Reply[] | Promise<Reply[]>;
  /** What a re-prompt asks for ("เลือกตำบล"). */
  expects: string;
  /**
   * Whether councils of this district may be offered at all, asked before
   * they are read (an inviter's own area): no, and nothing can be chosen.
   */
  districtAllowed?: (districtId: number, ctx: TurnContext) => Promise<boolean>;
  /** Leaves councils out of the list; labels are made from what remains. */
  filter?: (council: CouncilOption, ctx: TurnContext) => boolean;
  /** Also match "ต.<tambon>" and "ตำบล<tambon>" typed (for a tambon with one council). */
  typedForms?: boolean;
}

/**
 * "Which council in <district>?": the district's active councils, each
 * labelled by its tambon, or by its own name where a tambon has several
 * (municipal areas); the council's id as the answer.
 */
export function councilStep(o: CouncilStepOptions): StepDef {
  const districtSlot = o.districtSlot ?? DISTRICT_SLOT;
  return {
    id: o.id ?? COUNCIL_STEP,
    slot: o.slot ?? COUNCIL_SLOT,
    prompt: async (ctx) => {
      const district = await getDistrict(ctx.tx, Number(ctx.state.data[districtSlot]));
      return o.prompt(district ? districtTitle(district.nameTh) : null, ctx);
    },
    expects: o.expects,
    input: {
      kind: "choice",
      choices: async (ctx) => {
        const districtId = Number(ctx.state.data[districtSlot]);
        if (o.districtAllowed && !(await o.districtAllowed(districtId, ctx))) return [];
        const all = await listCouncilsInDistrict(ctx.tx, districtId);
        const councils = o.filter ? all.filter((c) => o.filter!(c, ctx)) : all;
        // Several councils in one tambon are told apart by their full name.
        const perTambon = new Map<string, number>();
        for (const c of councils) perTambon.set(c.tambonNameTh, (perTambon.get(c.tambonNameTh) ?? 0) + 1);
        return councils.map((c): Choice => {
          const shared = perTambon.get(c.tambonNameTh)! > 1;
          return {
            label: shared ? c.name : c.tambonNameTh,
            value: String(c.id),
            ...(o.typedForms && !shared ? { aliases: [`ต.${c.tambonNameTh}`, `ตำบล${c.tambonNameTh}`] } : {}),
          };
        });
      },
    },
  };
}
