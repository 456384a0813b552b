// "ส่งต่อสภาอื่น" on a case: the district, the council (of the same
// province, not this one), then yes or no. The case starts again at the
// new council as PENDING; its secretaries and the villager are told
// (case-actions.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END } from "../engine/types.ts";
import { getCouncilWithPlace, listCouncilsInDistrict, listDistricts } from "../geography/councils.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { districtTitle } from "../members/signup-flow.ts";
import { handOver } from "./case-actions.ts";
import { caseOf, ON_CASE, recheck, showCase, text } from "./case-answers.ts";
import { CASE_TEXT as T } from "./case-texts.ts";

export function caseHandoverFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "case-handover",
    version: 1,
    title: T.flowTitles.handover,
    schema: z.object({
      ...ON_CASE,
      fromCouncilId: z.number(),
      fromCouncil: z.string(),
      provinceId: z.number(),
      districtId: z.string(),
      councilId: z.coerce.number(),
      confirmed: z.enum([YES, NO]),
    }),
    steps: [
      {
        id: "district",
        slot: "districtId",
        clears: ["councilId"],
        prompt: (ctx) => [text(T.askHandoverDistrict(caseOf(ctx)))],
        expects: T.handoverDistrictExpects,
        input: {
          kind: "choice",
          choices: async (ctx) =>
            (await listDistricts(ctx.tx, Number(ctx.state.data.provinceId))).map((d) => ({ label: d.nameTh, value: String(d.id) })),
        },
      },
      {
        id: "council",
        slot: "councilId",
        prompt: async (ctx) => {
          const districts = await listDistricts(ctx.tx, Number(ctx.state.data.provinceId));
          const district = districts.find((d) => String(d.id) === ctx.state.data.districtId);
          return [text(T.askHandoverCouncil(district ? districtTitle(district.nameTh) : "อำเภอที่เลือก"))];
        },
        expects: T.handoverCouncilExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => {
            const councils = (await listCouncilsInDistrict(ctx.tx, Number(ctx.state.data.districtId))).filter(
              (c) => c.id !== Number(ctx.state.data.fromCouncilId),
            );
            // Several councils in one tambon are told apart by their full name.
            const perTambon = new Map<string, number>();
            for (const c of councils) perTambon.set(c.tambonNameTh, (perTambon.get(c.tambonNameTh) ?? 0) + 1);
            return councils.map((c) => ({ label: perTambon.get(c.tambonNameTh)! > 1 ? c.name : c.tambonNameTh, value: String(c.id) }));
          },
        },
      },
      confirmStep({
        prompt: async (ctx) => {
          const target = await getCouncilWithPlace(ctx.tx, Number(ctx.state.data.councilId));
          const to = target ? `${target.name} ${districtTitle(target.districtNameTh)}` : T.unknownCouncil;
          return [text(T.confirmHandover(caseOf(ctx), String(ctx.state.data.fromCouncil ?? T.unknownCouncil), to))];
        },
        expects: T.confirmHandoverExpects,
        yes: T.confirmHandoverYes,
        no: T.confirmNo,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      const checked = await recheck(ctx, data.requestId, "handover", options.media);
      if (!checked.ok) return checked.answer;
      const request = checked.request;
      if (data.confirmed !== YES) return showCase(ctx, request.id, options.media, [T.unchanged(request.caseNumber)]);
      const from = await getCouncilWithPlace(ctx.tx, request.councilId);
      const target = await getCouncilWithPlace(ctx.tx, data.councilId);
      if (!from || !target?.active || target.id === from.id || target.provinceId !== from.provinceId) {
        return showCase(ctx, request.id, options.media, [T.handoverTargetGone]);
      }
      await handOver(ctx.tx, request, target.id, { userId: ctx.userId, now: ctx.now });
      // A coordinator above both councils still sees the card; the old secretary only the line.
      return showCase(ctx, request.id, options.media, [T.handedOver(request.caseNumber, target.name)]);
    },
  });
}
