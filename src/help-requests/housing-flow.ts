// The housing request (บ้านพอเพียง): what the council needs to choose the
// poorest households with unsafe houses.
//
//   household head (the member's name offered) → people → income band →
//   unsafe parts (multi) → land status → photos (up to 5, optional) →
//   location (LINE location, or a typed หมู่/village) → [district → council,
//   non-members only] → phone (the member's stored one offered, masked) →
//   summary → confirm
//
// Members file for their own council (`viaMember`, set when the flow starts),
// as in the flood flow. kinds/housing.ts declares the kind.
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { showMenu } from "../engine/outcome.ts";
import { EDIT_PREFIX, END, type FlowData, type ParseResult, type StepDef, type TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { fullNameSchema } from "../members/signup-flow.ts";
import { parseThaiAmount } from "../thai/format.ts";
import { maskedContactPhone, memberPhoneChoice, noPhoneChoices, parseContactPhone } from "./contact-phone.ts";
import { councilGone, fileRequest, requestAnswers } from "./file-request.ts";
import { parsePeopleCount, peopleChoices } from "./flood-flow.ts";
import { KEEP_REQUEST, locationLine, placeSteps } from "./place-steps.ts";
import { MAX_REQUEST_PHOTOS } from "./request-store.ts";
import { HELP_TEXT, HOUSING_TEXT as T } from "./texts.ts";
import { strings } from "../engine/flow-data.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

export const HOUSING_FLOW = "housing-help";
export const MAX_HOUSING_PHOTOS = MAX_REQUEST_PHOTOS;

/** Monthly income of the whole household, in baht. */
export const INCOME_BANDS = ["under3000", "3000-5000", "5001-10000", "over10000"] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

/** "whole" (the whole house) stands alone: choosing it unselects the parts, and back. */
export const UNSAFE_PARTS = ["roof", "walls", "floor", "posts", "toilet", "whole"] as const;
export type UnsafePart = (typeof UNSAFE_PARTS)[number];

export const LAND_STATUSES = ["own", "rented", "relative", "public"] as const;
export type LandStatus = (typeof LAND_STATUSES)[number];

/** The band of a monthly income in baht. */
export function incomeBandOf(baht: number): IncomeBand {
  if (baht < 3000) return "under3000";
  if (baht <= 5000) return "3000-5000";
  if (baht <= 10000) return "5001-10000";
  return "over10000";
}

/** A tapped band, or a typed amount ("4000", "๔,๐๐๐ บาท", "สี่พัน") read into its band. */
export function parseIncome(typed: string): ParseResult {
  if ((INCOME_BANDS as readonly string[]).includes(typed)) return { ok: true, value: typed };
  if (/^ไม่มี(รายได้)?$/u.test(typed.trim())) return { ok: true, value: "under3000" };
  const baht = parseThaiAmount(typed, ["บาท", "บาทต่อเดือน", "ต่อเดือน"]);
  return baht !== null && baht >= 0 ? { ok: true, value: incomeBandOf(baht) } : { ok: false, message: T.incomeInvalid };
}

function parseHead(typed: string): ParseResult {
  const r = fullNameSchema.safeParse(typed);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: T.headInvalid };
}

const choicesOf = <K extends string>(keys: readonly K[], labels: Record<K, string>) => keys.map((k) => ({ label: labels[k], value: k }));

async function summaryLines(ctx: TurnContext, data: FlowData): Promise<string[]> {
  const council = await getCouncilWithPlace(ctx.tx, Number(data.councilId));
  const unsafe = strings(data.unsafe).map((v) => T.unsafe[v as UnsafePart] ?? v);
  const photos = strings(data.photos).length;
  return [
    `หัวหน้าครัวเรือน: ${String(data.head)}`,
    `จำนวนคน: ${String(data.people)} คน`,
    `รายได้ต่อเดือน: ${T.income[data.income as IncomeBand] ?? "-"}`,
    `ส่วนที่ชำรุด: ${unsafe.join(", ") || "-"}`,
    `ที่ดิน: ${T.land[data.land as LandStatus] ?? "-"}`,
    `รูป: ${photos > 0 ? `${photos} รูป` : "ไม่มี"}`,
    locationLine(data.location),
    `ตำบล: ${council?.name ?? "-"}`,
    `โทร: ${await maskedContactPhone(ctx, data)}`,
  ];
}

/** A finished housing request's answers. */
const HOUSING_ANSWERS = z.object({
  ...requestAnswers,
  head: z.string().min(1),
  people: z.number().int().min(1),
  income: z.enum(INCOME_BANDS),
  unsafe: z.array(z.enum(UNSAFE_PARTS)).min(1),
  land: z.enum(LAND_STATUSES),
  photos: z.array(z.string()).max(MAX_HOUSING_PHOTOS),
  phone: z.string(), // typed, or the member's stored one (contact-phone.ts)
  confirmed: z.literal("yes"),
});

export function housingFlow(provinceCode: number) {
  const steps: StepDef[] = [
    {
      id: "head",
      slot: "head",
      prompt: () => [text(T.askHead)],
      expects: T.headExpects,
      input: {
        kind: "text",
        parse: parseHead,
        suggestions: async (ctx) => {
          const name = (await activeMember(ctx.tx, ctx.userId))?.fullName;
          return name ? [{ label: name, value: name }] : [];
        },
      },
    },
    {
      id: "people",
      slot: "people",
      prompt: () => [text(T.askPeople)],
      expects: HELP_TEXT.peopleExpects,
      input: { kind: "text", parse: parsePeopleCount, suggestions: peopleChoices },
    },
    {
      id: "income",
      slot: "income",
      prompt: () => [text(T.askIncome)],
      expects: T.incomeExpects,
      // Buttons for the bands; a typed amount is read into its band.
      input: { kind: "text", parse: parseIncome, suggestions: () => choicesOf(INCOME_BANDS, T.income) },
    },
    {
      id: "unsafe",
      slot: "unsafe",
      prompt: () => [text(T.askUnsafe)],
      expects: T.unsafeExpects,
      input: {
        kind: "multi",
        choices: () => choicesOf(UNSAFE_PARTS, T.unsafe),
        doneLabel: HELP_TEXT.done,
        none: "whole",
        required: T.unsafeRequired,
      },
    },
    {
      id: "land",
      slot: "land",
      prompt: () => [text(T.askLand)],
      expects: T.landExpects,
      input: { kind: "choice", choices: () => choicesOf(LAND_STATUSES, T.land) },
    },
    {
      id: "photos",
      slot: "photos",
      prompt: () => [text(T.askPhotos)],
      expects: T.photosExpects,
      input: {
        kind: "image",
        skipLabel: HELP_TEXT.skip,
        doneLabel: HELP_TEXT.photosDone,
        max: MAX_HOUSING_PHOTOS,
        tooMany: T.tooManyPhotos,
      },
    },
    ...placeSteps(provinceCode, { askLocation: T.askLocation, askDistrict: T.askDistrict, members: "phone", after: "phone" }),
    {
      id: "phone",
      slot: "phone",
      prompt: async (ctx) => [text((await memberPhoneChoice(ctx)).length > 0 ? T.askPhone : T.askPhoneTyped)],
      expects: HELP_TEXT.phoneExpects,
      input: {
        kind: "text",
        parse: parseContactPhone(HELP_TEXT.phoneInvalid),
        suggestions: async (ctx) => [...(await memberPhoneChoice(ctx)), ...noPhoneChoices()],
      },
    },
    {
      id: "confirm",
      slot: "confirmed",
      slow: true,
      prompt: async (ctx) => [text(T.summary(await summaryLines(ctx, ctx.state.data)))],
      expects: T.confirmExpects,
      input: {
        kind: "choice",
        choices: (ctx) => [
          { label: HELP_TEXT.confirm, value: "yes" },
          { label: T.edit.head, value: `${EDIT_PREFIX}head` },
          { label: T.edit.people, value: `${EDIT_PREFIX}people` },
          { label: T.edit.income, value: `${EDIT_PREFIX}income` },
          { label: T.edit.unsafe, value: `${EDIT_PREFIX}unsafe` },
          { label: T.edit.land, value: `${EDIT_PREFIX}land` },
          { label: T.edit.photos, value: `${EDIT_PREFIX}photos` },
          { label: T.edit.location, value: `${EDIT_PREFIX}location` },
          ...(ctx.state.data.viaMember === true ? [] : [{ label: T.edit.council, value: `${EDIT_PREFIX}district` }]),
          { label: T.edit.phone, value: `${EDIT_PREFIX}phone` },
        ],
      },
      next: () => END,
    },
  ];
  return defineFlow({
    id: HOUSING_FLOW,
    version: 1,
    title: HELP_TEXT.flowTitles.housing,
    keep: KEEP_REQUEST,
    schema: HOUSING_ANSWERS,
    steps,
    async complete(ctx, data) {
      const filed = await fileRequest(ctx, provinceCode, "HOUSING", {
        councilId: data.councilId,
        location: data.location,
        phone: data.phone,
        photos: data.photos,
        fields: {
          householdHead: data.head,
          peopleCount: data.people,
          incomeBand: data.income,
          unsafeParts: data.unsafe,
          landStatus: data.land,
        },
      });
      if (!filed) return councilGone();
      return { say: [text(T.sent(filed.caseNumber, filed.council.name))], next: showMenu() };
    },
  });
}
