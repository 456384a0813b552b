// The flood help request: the shortest path that still gives responders
// what they need.
//
//   whose household (mine / someone else → their name) → location (LINE
//   location, or a typed village) → [district → council → contact phone,
//   non-members only; a shared location first offers the nearest tambon's
//   council, see nearby-council.ts] → number of people → vulnerable (multi, PDPA line first) → water level
//   → needs (multi) → photo (optional) → note (optional) → summary → confirm
//
// Members file for their own council (`viaMember`, set when the flow
// starts) with their stored phone; anyone else picks district and council
// with the sign-up's choices and gives a phone responders can call. The
// answers give the request its priority (priority.ts); a critical one gets
// the hotlines as buttons. kinds/flood.ts declares the kind.
import { strings } from "../engine/flow-data.ts";
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { showMenu } from "../engine/outcome.ts";
import {
  EDIT_PREFIX,
  END,
  type Choice,
  type FlowData,
  type ParseResult,
  type Reply,
  type StepDef,
  type TurnContext,
  type VoiceAnswer,
} from "../engine/types.ts";
import { linkFloodRequest } from "../disaster/answer-store.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { parseThaiAmount } from "../thai/format.ts";
import { maskedContactPhone, noPhoneChoices, parseContactPhone } from "./contact-phone.ts";
import { councilGone, fileRequest, noteSchema, requestAnswers } from "./file-request.ts";
import { KEEP_REQUEST, locationLine, placeSteps } from "./place-steps.ts";
import { floodPriority, NEEDS, VULNERABLE, WATER_LEVELS } from "./priority.ts";
import { MAX_REQUEST_PHOTOS } from "./request-store.ts";
import { HELP_TEXT as T, HOTLINE_CARD } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

export const FLOOD_FLOW = "flood-help";
const SKIP_NOTE = "~no-note";

/** The "10 คนขึ้นไป" button: not an answer, it asks for the number to be typed. */
export const PEOPLE_MORE = "~people-10+";

/** Typed or tapped: "4", "๕ คน" (digits normalised), "ห้าคน". */
export function parsePeopleCount(typed: string): ParseResult {
  if (typed === PEOPLE_MORE) return { ok: false, message: T.peopleMore };
  const n = parseThaiAmount(typed, ["คน"]);
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 99 ? { ok: true, value: n } : { ok: false, message: T.peopleInvalid };
}

/** One tap for most households: 1–9, and a button for more that asks to type it. */
export const peopleChoices = (): Choice[] => [
  ...Array.from({ length: 9 }, (_, i) => ({ label: String(i + 1), value: String(i + 1) })),
  { label: T.peopleMoreLabel, value: PEOPLE_MORE },
];

function parseHousehold(typed: string): ParseResult {
  const t = typed.trim();
  return /\p{L}/u.test(t) && [...t].length >= 2 && [...t].length <= 100
    ? { ok: true, value: t }
    : { ok: false, message: T.householdInvalid };
}

/** The note step's answer when it was a voice message (VoiceAnswer), else null. */
export function voiceOf(note: unknown): VoiceAnswer | null {
  if (!note || typeof note !== "object") return null;
  const v = note as { voice?: unknown; durationMs?: unknown };
  if (typeof v.voice !== "string" || !v.voice) return null;
  return { voice: v.voice, ...(typeof v.durationMs === "number" ? { durationMs: v.durationMs } : {}) };
}

function parseNote(typed: string): ParseResult {
  if (typed === SKIP_NOTE) return { ok: true, value: "" };
  return [...typed].length <= 500 ? { ok: true, value: typed.trim() } : { ok: false, message: T.noteInvalid };
}

const labelled = <K extends string>(keys: readonly K[], labels: Record<K, string>): Choice[] =>
  keys.map((k) => ({ label: labels[k], value: k }));

/** The selected values, without the "none" choice. */
export const vulnerableOf = (data: FlowData) => strings(data.vulnerable).filter((v) => v !== "none");

/** 1784 and 1669 as buttons that dial: someone in danger should not have to copy a number. */
export function hotlineCard(): Reply {
  const H = HOTLINE_CARD;
  return {
    kind: "flex",
    altText: H.alt,
    contents: renderFlexTemplate("hotlines", {
      title: H.title,
      disasterNote: H.disaster.note,
      disasterLabel: H.disaster.label,
      disasterNumber: H.disaster.number,
      medicalNote: H.medical.note,
      medicalLabel: H.medical.label,
      medicalNumber: H.medical.number,
    }),
  };
}

async function summaryLines(ctx: TurnContext, data: FlowData): Promise<string[]> {
  const council = await getCouncilWithPlace(ctx.tx, Number(data.councilId));
  const vulnerable = vulnerableOf(data).map((v) => T.vulnerable[v as keyof typeof T.vulnerable] ?? v);
  const needs = strings(data.needs).map((v) => T.needs[v as keyof typeof T.needs] ?? v);
  const photos = strings(data.photos).length;
  return [
    `บ้าน: ${data.whose === "other" ? `ของ${String(data.householdName)}` : "ของท่านเอง"}`,
    locationLine(data.location),
    `ตำบล: ${council?.name ?? "-"}`,
    `โทร: ${await maskedContactPhone(ctx, data)}`,
    `จำนวนคน: ${String(data.people)} คน`,
    `${T.vulnerableHeading}: ${vulnerable.length > 0 ? vulnerable.join(", ") : T.none}`,
    `ระดับน้ำ: ${T.water[data.waterLevel as keyof typeof T.water] ?? "-"}`,
    `ต้องการ: ${needs.join(", ") || "-"}`,
    `รูป: ${photos > 0 ? `${photos} รูป` : "ไม่มี"}`,
    `ข้อความเพิ่มเติม: ${voiceOf(data.note) ? T.voiceNote : typeof data.note === "string" && data.note ? data.note : "-"}`,
  ];
}

/** A finished flood request's answers. */
const FLOOD_ANSWERS = z.object({
  ...requestAnswers,
  whose: z.enum(["mine", "other"]),
  householdName: z.string().optional(),
  phone: z.string().optional(), // members are not asked
  people: z.number().int(),
  vulnerable: z.array(z.enum([...VULNERABLE, "none"])),
  waterLevel: z.enum(WATER_LEVELS),
  needs: z.array(z.enum(NEEDS)),
  note: noteSchema,
  confirmed: z.literal("yes"),
  /** Opened from disaster mode: what the filed request answers (src/disaster/answer-store.ts, linkFloodRequest). */
  safetyLink: z.string().optional(),
});

export function floodFlow(provinceCode: number) {
  const steps: StepDef[] = [
    {
      id: "whose",
      slot: "whose",
      clears: ["householdName"],
      prompt: () => [text(T.askWhose)],
      expects: T.whoseExpects,
      input: {
        kind: "choice",
        choices: () => [
          { label: T.mine, value: "mine" },
          { label: T.someoneElse, value: "other" },
        ],
      },
      next: (data) => (data.whose === "other" ? "household" : "location"),
    },
    {
      id: "household",
      slot: "householdName",
      prompt: () => [text(T.askHousehold)],
      expects: T.householdExpects,
      input: { kind: "text", parse: parseHousehold },
    },
    ...placeSteps(provinceCode, { askLocation: T.askLocation, askDistrict: T.askDistrict, members: "people", after: "phone" }),
    {
      id: "phone",
      slot: "phone",
      prompt: () => [text(T.askPhone)],
      expects: T.phoneExpects,
      input: { kind: "text", parse: parseContactPhone(T.phoneInvalid), suggestions: noPhoneChoices },
    },
    {
      id: "people",
      slot: "people",
      prompt: () => [text(T.askPeople)],
      expects: T.peopleExpects,
      input: { kind: "text", parse: parsePeopleCount, suggestions: peopleChoices },
    },
    {
      id: "vulnerable",
      slot: "vulnerable",
      prompt: () => [text(T.pdpaVulnerable), text(T.askVulnerable)],
      expects: T.vulnerableExpects,
      input: {
        kind: "multi",
        choices: () => [...labelled(VULNERABLE, T.vulnerable), { label: T.none, value: "none" }],
        doneLabel: T.done,
        none: "none",
        required: T.vulnerableRequired,
      },
    },
    {
      id: "water",
      slot: "waterLevel",
      prompt: () => [text(T.askWater)],
      expects: T.waterExpects,
      input: { kind: "choice", choices: () => labelled(WATER_LEVELS, T.water) },
    },
    {
      id: "needs",
      slot: "needs",
      prompt: () => [text(T.askNeeds)],
      expects: T.needsExpects,
      input: { kind: "multi", choices: () => labelled(NEEDS, T.needs), doneLabel: T.done, required: T.needsRequired },
    },
    {
      id: "photo",
      slot: "photos",
      prompt: () => [text(T.askPhoto)],
      expects: T.photoExpects,
      input: { kind: "image", skipLabel: T.skip, doneLabel: T.photosDone, max: MAX_REQUEST_PHOTOS, tooMany: T.tooManyPhotos },
    },
    {
      id: "note",
      slot: "note",
      prompt: () => [text(T.askNote)],
      expects: T.noteExpects,
      input: { kind: "text", parse: parseNote, suggestions: () => [{ label: T.skip, value: SKIP_NOTE }], voice: T.voiceReceived },
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
          { label: T.confirm, value: "yes" },
          { label: T.edit.whose, value: `${EDIT_PREFIX}whose` },
          { label: T.edit.location, value: `${EDIT_PREFIX}location` },
          ...(ctx.state.data.viaMember === true
            ? []
            : [
                { label: T.edit.council, value: `${EDIT_PREFIX}district` },
                { label: T.edit.phone, value: `${EDIT_PREFIX}phone` },
              ]),
          { label: T.edit.people, value: `${EDIT_PREFIX}people` },
          { label: T.edit.vulnerable, value: `${EDIT_PREFIX}vulnerable` },
          { label: T.edit.water, value: `${EDIT_PREFIX}water` },
          { label: T.edit.needs, value: `${EDIT_PREFIX}needs` },
          { label: T.edit.note, value: `${EDIT_PREFIX}note` },
        ],
      },
      next: () => END,
    },
  ];
  return defineFlow({
    id: FLOOD_FLOW,
    version: 2,
    title: T.flowTitles.flood,
    keep: KEEP_REQUEST,
    schema: FLOOD_ANSWERS,
    steps,
    async complete(ctx, data) {
      const vulnerable = data.vulnerable.filter((v) => v !== "none");
      const priority = floodPriority({ vulnerable, needs: data.needs, waterLevel: data.waterLevel });
      const forSomeoneElse = data.whose === "other";
      const filed = await fileRequest(ctx, provinceCode, "FLOOD", {
        councilId: data.councilId,
        location: data.location,
        phone: data.phone,
        photos: data.photos,
        voice: voiceOf(data.note),
        fields: {
          forSomeoneElse,
          householdName: forSomeoneElse ? (data.householdName ?? null) : null,
          peopleCount: data.people,
          vulnerable,
          waterLevel: data.waterLevel,
          needs: data.needs,
          note: typeof data.note === "string" && data.note ? data.note : null,
          priority,
        },
      });
      if (!filed) return councilGone();
      // A check-in's ต้องการความช่วยเหลือ, a neighbour's report, a secretary's call: linked to this request.
      await linkFloodRequest(ctx.tx, { requestId: filed.id, filedBy: ctx.userId, forSomeoneElse, link: data.safetyLink, now: ctx.now });
      const say: Reply[] = [text(T.sent(filed.caseNumber, T.priority[priority], filed.council.name))];
      if (priority === "CRITICAL") say.push(text(T.critical), hotlineCard());
      return { say, next: showMenu() };
    },
  });
}
