// Sign-up (consent → name → phone → district → council → confirm) and the
// profile edit, which reuses the same steps and summary.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { type Outcome, showMenu } from "../engine/outcome.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END, type FlowData, type StepDef, type TurnContext } from "../engine/types.ts";
import { councilStep, districtStep, districtTitle } from "../geography/council-steps.ts";
import { getCouncilWithPlace, listDistricts } from "../geography/councils.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { activeMember, recordConsent, saveMember } from "./member-store.ts";
import { maskPhone, parseThaiPhone } from "./phone.ts";
import { MEMBER_TEXT as T } from "./texts.ts";

// Moved to src/geography/council-steps.ts; still exported here for the help-requests flows that import it from here.
export { districtTitle };

const text = (t: string) => ({ kind: "text" as const, text: t });
const menuAfter = (lead: string): Outcome => ({ say: [text(lead)], next: showMenu() });

/** Where the sign-up keeps the LINE display name it may offer as the name. */
export const LINE_NAME_SLOT = "lineDisplayName";

export const fullNameSchema = z
  .string()
  .trim()
  .min(2)
  .max(100)
  .regex(/^[\p{L}\p{M} .'-]+$/u);

/** What the sign-up's steps (signupSteps) collect, the profile edit's too. */
const DETAILS_SCHEMA = z.object({
  fullName: fullNameSchema,
  phone: z.string().regex(/^0\d{8,9}$/),
  districtId: z.coerce.number().int(),
  councilId: z.coerce.number().int(),
  confirmed: z.literal(YES),
});

const SIGNUP_SCHEMA = z.discriminatedUnion("consent", [
  z.object({ consent: z.literal(NO) }),
  DETAILS_SCHEMA.extend({ consent: z.literal(YES) }),
]);

export function signupSteps(provinceCode: number): StepDef[] {
  return [
    {
      id: "name",
      slot: "fullName",
      prompt: () => [text(T.askName)],
      expects: T.nameExpects,
      input: {
        kind: "text",
        parse: (typed) => {
          const r = fullNameSchema.safeParse(typed);
          return r.success ? { ok: true, value: r.data } : { ok: false, message: T.nameInvalid };
        },
        suggestions: (ctx) => {
          const name = ctx.state.data[LINE_NAME_SLOT];
          return typeof name === "string" && fullNameSchema.safeParse(name).success ? [{ label: name, value: name }] : [];
        },
      },
    },
    {
      id: "phone",
      slot: "phone",
      prompt: () => [text(T.askPhone)],
      expects: T.phoneExpects,
      input: {
        kind: "text",
        parse: (typed) => {
          const phone = parseThaiPhone(typed);
          return phone ? { ok: true, value: phone } : { ok: false, message: T.phoneInvalid };
        },
      },
    },
    districtStep({
      prompt: () => [text(T.askDistrict)],
      expects: T.districtExpects,
      districts: (ctx) => listDistricts(ctx.tx, provinceCode),
      typedForms: true,
    }),
    councilStep({
      prompt: (district) => [text(T.askCouncil(district ?? "อำเภอที่เลือก"))],
      expects: T.councilExpects,
      typedForms: true,
    }),
    confirmStep({
      slow: true,
      prompt: async (ctx) => [await summaryCard(ctx, ctx.state.data)],
      expects: T.confirmExpects,
      yes: T.confirm,
      edits: [
        { label: T.editName, step: "name" },
        { label: T.editPhone, step: "phone" },
        { label: T.editCouncil, step: "district" },
      ],
      next: () => END,
    }),
  ];
}

async function summaryCard(ctx: TurnContext, data: FlowData) {
  const council = await getCouncilWithPlace(ctx.tx, Number(data.councilId));
  return {
    kind: "flex" as const,
    altText: T.summaryAlt,
    contents: renderFlexTemplate("member-summary", {
      title: T.summaryTitle,
      fullName: String(data.fullName ?? "-"),
      phone: typeof data.phone === "string" ? maskPhone(data.phone) : "-",
      council: council?.name ?? "-",
      district: council ? districtTitle(council.districtNameTh) : "-",
    }),
  };
}

async function saveDetails(ctx: TurnContext, details: z.output<typeof DETAILS_SCHEMA>): Promise<string> {
  const council = await getCouncilWithPlace(ctx.tx, details.councilId);
  if (!council?.active) throw new Error("council vanished during sign-up");
  await saveMember(ctx.tx, ctx.userId, { fullName: details.fullName, phone: details.phone, councilId: council.id });
  return council.name;
}

export function signupFlow(provinceCode: number) {
  return defineFlow({
    id: "signup",
    version: 1,
    title: T.flowTitles.signup,
    schema: SIGNUP_SCHEMA,
    steps: [
      confirmStep({
        id: "consent",
        slot: "consent",
        prompt: () => [text(T.consentNotice)],
        expects: T.consentExpects,
        yes: T.agree,
        no: T.disagree,
        next: (data) => (data.consent === YES ? "name" : END),
      }),
      ...signupSteps(provinceCode),
    ],
    async complete(ctx, data) {
      if (data.consent === NO) {
        await recordConsent(ctx.tx, ctx.userId, false, ctx.now);
        return menuAfter(T.noConsent);
      }
      await recordConsent(ctx.tx, ctx.userId, true, ctx.now);
      const councilName = await saveDetails(ctx, data);
      return menuAfter(T.signedUp(councilName));
    },
  });
}

export function profileEditFlow(provinceCode: number) {
  return defineFlow({
    id: "profile",
    version: 1,
    title: T.flowTitles.profile,
    schema: DETAILS_SCHEMA,
    steps: signupSteps(provinceCode),
    async complete(ctx, data) {
      if (!(await activeMember(ctx.tx, ctx.userId))) return menuAfter(T.notMember);
      await saveDetails(ctx, data);
      return menuAfter(T.profileUpdated);
    },
  });
}
