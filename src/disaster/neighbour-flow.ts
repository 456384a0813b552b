// "ตอบแทนคนอื่น": a member's word about a neighbour (who may not use LINE):
// their name (optional), their status, their council (the reporter's, or
// another chosen with the sign-up's district → council buttons). Needs help:
// the flood request for someone else opens with what is known, and the
// filed request is linked to the report (answer-store.ts, linkFloodRequest).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { showMenu, startFlow, withMenu } from "../engine/outcome.ts";
import { flowRef } from "../engine/refs.ts";
import { END, type ParseResult } from "../engine/types.ts";
import { councilStep, districtStep } from "../geography/council-steps.ts";
import { getCouncilWithPlace, listDistricts } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { ANSWER_TEXT } from "./answer-texts.ts";
import { createNeighbourReport, neighbourLink } from "./answer-store.ts";
import { situationById } from "./situation-store.ts";

const T = ANSWER_TEXT.neighbour;
const text = (t: string) => ({ kind: "text" as const, text: t });

/** The flood request's flow (src/help-requests/flood-flow.ts, FLOOD_FLOW): disaster may not import help-requests. */
export const FLOOD_REQUEST_FLOW = flowRef("flood-help");

const NO_NAME = "~no-name";
const OTHER_COUNCIL = "~other";

function parseName(typed: string): ParseResult {
  if (typed === NO_NAME) return { ok: true, value: "" };
  const t = typed.trim();
  return /\p{L}/u.test(t) && [...t].length >= 2 && [...t].length <= 100 ? { ok: true, value: t } : { ok: false, message: T.nameInvalid };
}

const NEIGHBOUR_SCHEMA = z.object({
  situationId: z.number().int(),
  reporterCouncilId: z.number().int(),
  name: z.string(),
  status: z.enum(["SAFE", "NEEDS_HELP"]),
  where: z.string(),
  districtId: z.coerce.number().int().optional(),
  councilId: z.coerce.number().int().optional(),
});

export function neighbourFlow(provinceCode: number) {
  return defineFlow({
    id: "disaster-neighbour",
    version: 1,
    title: T.title,
    schema: NEIGHBOUR_SCHEMA,
    steps: [
      {
        id: "name",
        slot: "name",
        prompt: () => [text(T.askName)],
        expects: T.nameExpects,
        input: { kind: "text", parse: parseName, suggestions: () => [{ label: T.noName, value: NO_NAME }] },
      },
      {
        id: "status",
        slot: "status",
        prompt: () => [text(T.askStatus)],
        expects: T.statusExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: ANSWER_TEXT.buttons.safe, value: "SAFE" },
            { label: ANSWER_TEXT.buttons.help, value: "NEEDS_HELP" },
          ],
        },
      },
      {
        id: "where",
        slot: "where",
        clears: ["districtId", "councilId"],
        prompt: () => [text(T.askWhere)],
        expects: T.whereExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => {
            const council = await getCouncilWithPlace(ctx.tx, Number(ctx.state.data.reporterCouncilId));
            return [
              ...(council ? [{ label: T.sameCouncil(council.tambonNameTh), value: "same" }] : []),
              { label: T.otherCouncil, value: OTHER_COUNCIL },
            ];
          },
        },
        next: (data) => (data.where === OTHER_COUNCIL ? "district" : END),
      },
      districtStep({
        prompt: () => [text(T.askDistrict)],
        expects: T.districtExpects,
        districts: (ctx) => listDistricts(ctx.tx, provinceCode),
        typedForms: true,
      }),
      councilStep({
        prompt: (district) => [text(T.askCouncil(district))],
        expects: T.councilExpects,
        typedForms: true,
      }),
    ],
    async complete(ctx, data) {
      const member = await activeMember(ctx.tx, ctx.userId);
      const situation = await situationById(ctx.tx, data.situationId);
      if (!member || situation?.status !== "ACTIVE") return { say: [text(ANSWER_TEXT.notActive)], next: showMenu() };
      const councilId = data.where === OTHER_COUNCIL && data.councilId ? data.councilId : data.reporterCouncilId;
      const reportId = await createNeighbourReport(ctx.tx, {
        situationId: situation.id,
        reportedBy: ctx.userId,
        councilId,
        name: data.name || null,
        status: data.status,
        at: ctx.now,
      });
      if (data.status === "SAFE") return { say: [text(T.thanks)], next: withMenu() };
      // The flood request for someone else, council known (the reporter's phone, as when a member files for a neighbour).
      return {
        say: [text(T.helpIntro)],
        next: startFlow(FLOOD_REQUEST_FLOW, {
          data: {
            viaMember: true,
            councilId: String(councilId),
            whose: "other",
            ...(data.name ? { householdName: data.name } : {}),
            safetyLink: neighbourLink(reportId),
          },
          at: data.name ? "location" : "household",
        }),
      };
    },
  });
}
