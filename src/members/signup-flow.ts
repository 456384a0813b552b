// Sign-up (consent → name → phone → district → council → confirm) and the
// profile edit, which reuses the same steps and summary.
import { z } from "zod";
import { getCouncilWithPlace, listCouncilsInDistrict, listDistricts } from "../geography/councils.ts";
import { EDIT_PREFIX, END, type FlowData, type FlowDef, type Outgoing, type StepDef, type TurnContext } from "../engine/types.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { activeMember, recordConsent, saveMember } from "./member-store.ts";
import { maskPhone, parseThaiPhone } from "./phone.ts";
import { MEMBER_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

/** Where the sign-up keeps the LINE display name it may offer as the name. */
export const LINE_NAME_SLOT = "lineDisplayName";

export const fullNameSchema = z
  .string()
  .trim()
  .min(2)
  .max(100)
  .regex(/^[\p{L}\p{M} .'-]+$/u);

const detailsSchema = z.object({
  fullName: fullNameSchema,
  phone: z.string().regex(/^0\d{8,9}$/),
  districtId: z.coerce.number().int(),
  councilId: z.coerce.number().int(),
});

/** The geography data names districts without "อำเภอ" (Bangkok's start with "เขต"). */
export const districtTitle = (name: string) => (/^(อำเภอ|เขต)/.test(name) ? name : `อำเภอ${name}`);

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
    {
      id: "district",
      slot: "districtId",
      clears: ["councilId"],
      prompt: () => [text(T.askDistrict)],
      expects: T.districtExpects,
      input: {
        kind: "choice",
        choices: async (ctx) =>
          (await listDistricts(ctx.tx, provinceCode)).map((d) => ({
            label: d.nameTh,
            value: String(d.id),
            aliases: [`อ.${d.nameTh}`, `อำเภอ${d.nameTh}`],
          })),
      },
    },
    {
      id: "council",
      slot: "councilId",
      prompt: async (ctx) => {
        const districts = await listDistricts(ctx.tx, provinceCode);
        const district = districts.find((d) => String(d.id) === ctx.state.data.districtId);
        return [text(T.askCouncil(district ? districtTitle(district.nameTh) : "อำเภอที่เลือก"))];
      },
      expects: T.councilExpects,
      input: {
        kind: "choice",
        choices: async (ctx) => {
          const districtId = Number(ctx.state.data.districtId);
          const councils = await listCouncilsInDistrict(ctx.tx, districtId);
          // Several councils in one tambon are told apart by their full name.
          const perTambon = new Map<string, number>();
          for (const c of councils) perTambon.set(c.tambonNameTh, (perTambon.get(c.tambonNameTh) ?? 0) + 1);
          // How addresses are written: "ต.กำแพง", "ตำบลกำแพง".
          return councils.map((c) => ({
            label: perTambon.get(c.tambonNameTh)! > 1 ? c.name : c.tambonNameTh,
            value: String(c.id),
            ...(perTambon.get(c.tambonNameTh)! > 1 ? {} : { aliases: [`ต.${c.tambonNameTh}`, `ตำบล${c.tambonNameTh}`] }),
          }));
        },
      },
    },
    {
      id: "confirm",
      slot: "confirmed",
      slow: true,
      prompt: async (ctx) => [await summaryCard(ctx, ctx.state.data)],
      expects: T.confirmExpects,
      input: {
        kind: "choice",
        choices: () => [
          { label: T.confirm, value: "yes" },
          { label: T.editName, value: `${EDIT_PREFIX}name` },
          { label: T.editPhone, value: `${EDIT_PREFIX}phone` },
          { label: T.editCouncil, value: `${EDIT_PREFIX}district` },
        ],
      },
      next: () => END,
    },
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

async function saveDetails(ctx: TurnContext, data: FlowData): Promise<string> {
  const details = detailsSchema.parse(data);
  const council = await getCouncilWithPlace(ctx.tx, details.councilId);
  if (!council?.active) throw new Error("council vanished during sign-up");
  await saveMember(ctx.tx, ctx.userId, { fullName: details.fullName, phone: details.phone, councilId: council.id });
  return council.name;
}

export function signupFlow(provinceCode: number, afterwards: (ctx: TurnContext, lead: string) => Promise<Outgoing>): FlowDef {
  return {
    id: "signup",
    version: 1,
    title: T.flowTitles.signup,
    steps: [
      {
        id: "consent",
        slot: "consent",
        prompt: () => [text(T.consentNotice)],
        expects: T.consentExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.agree, value: "yes" },
            { label: T.disagree, value: "no" },
          ],
        },
        next: (data) => (data.consent === "yes" ? "name" : END),
      },
      ...signupSteps(provinceCode),
    ],
    async complete(ctx, data) {
      if (data.consent !== "yes") {
        await recordConsent(ctx.tx, ctx.userId, false, ctx.now);
        return afterwards(ctx, T.noConsent);
      }
      await recordConsent(ctx.tx, ctx.userId, true, ctx.now);
      const councilName = await saveDetails(ctx, data);
      return afterwards(ctx, T.signedUp(councilName));
    },
  };
}

export function profileEditFlow(provinceCode: number, afterwards: (ctx: TurnContext, lead: string) => Promise<Outgoing>): FlowDef {
  return {
    id: "profile",
    version: 1,
    title: T.flowTitles.profile,
    steps: signupSteps(provinceCode),
    async complete(ctx, data) {
      if (!(await activeMember(ctx.tx, ctx.userId))) return afterwards(ctx, T.notMember);
      await saveDetails(ctx, data);
      return afterwards(ctx, T.profileUpdated);
    },
  };
}
