// The help-request module as the bot sees it: the flood and housing flows and
// their menu entries, shown to everyone (a villager in a flood, or a poor
// household, may not have signed up).
import { z } from "zod";
import type { Engine } from "../engine/engine.ts";
import type { FlowData, FlowDef, MenuEntry, Outgoing, Reply, TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { allocateCaseNumber } from "./case-number.ts";
import { notifyCouncilOfRequest } from "./case-notify.ts";
import { contactPhoneOf } from "./contact-phone.ts";
import { FLOOD_FLOW, floodFlow, hotlineCard, voiceOf, vulnerableOf, type FloodLocation } from "./flood-flow.ts";
import { HOUSING_FLOW, INCOME_BANDS, LAND_STATUSES, MAX_HOUSING_PHOTOS, UNSAFE_PARTS, housingFlow } from "./housing-flow.ts";
import { floodPriority } from "./priority.ts";
import { attachPhotos, attachVoice, createRequest, recordRequestEvent } from "./request-store.ts";
import { HELP_TEXT as T, HOUSING_TEXT } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Where the house is, as the request row stores it. */
function placeOf(location: FloodLocation) {
  return "village" in location
    ? { village: location.village }
    : { latitude: location.latitude, longitude: location.longitude, address: location.address ?? null };
}

const locationSchema = z.union([
  z.object({ village: z.string().min(1) }),
  z.object({ latitude: z.number(), longitude: z.number(), address: z.string().optional() }),
]);

/** A finished housing flow's answers; anything else is a bug in the flow, so it throws. */
const housingAnswers = z.object({
  councilId: z.coerce.number().int(),
  head: z.string().min(1),
  people: z.number().int().min(1),
  income: z.enum(INCOME_BANDS),
  unsafe: z.array(z.enum(UNSAFE_PARTS)).min(1),
  land: z.enum(LAND_STATUSES),
  photos: z.array(z.string()).max(MAX_HOUSING_PHOTOS),
  location: locationSchema,
  phone: z.string(), // typed, or the member's stored one (contact-phone.ts)
});

export interface HelpModule {
  flows: FlowDef[];
  menu: MenuEntry[];
}

export function helpRequestsModule(options: { provinceCode: number; engine: () => Engine }): HelpModule {
  const menuAfter = async (ctx: TurnContext, lead: string[]) => options.engine().menu(ctx, lead.map(text));

  async function completeFlood(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const member = await activeMember(ctx.tx, ctx.userId);
    const council = await getCouncilWithPlace(ctx.tx, Number(data.councilId));
    if (!council?.active) return menuAfter(ctx, [T.councilGone]);
    const vulnerable = vulnerableOf(data);
    const needs = strings(data.needs);
    const waterLevel = String(data.waterLevel);
    const priority = floodPriority({ vulnerable, needs, waterLevel });
    const caseNumber = await allocateCaseNumber(ctx.tx, options.provinceCode, "FLOOD", ctx.now);
    const note = typeof data.note === "string" && data.note ? data.note : null;
    const request = await createRequest(ctx.tx, {
      kind: "FLOOD",
      caseNumber,
      councilId: council.id,
      lineUserId: ctx.userId,
      memberId: member?.id ?? null,
      forSomeoneElse: data.whose === "other",
      householdName: data.whose === "other" ? String(data.householdName) : null,
      ...placeOf(data.location as FloodLocation),
      peopleCount: Number(data.people),
      vulnerable,
      waterLevel,
      needs,
      note,
      phone: await contactPhoneOf(ctx, data),
      priority,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    await attachPhotos(ctx.tx, request.id, strings(data.photos), { userId: ctx.userId, at: ctx.now });
    const voice = voiceOf(data.note);
    if (voice) await attachVoice(ctx.tx, request.id, voice, { userId: ctx.userId, at: ctx.now });
    await recordRequestEvent(ctx.tx, request.id, { kind: "CREATED", at: ctx.now, actorUserId: ctx.userId, toStatus: "PENDING" });
    await notifyCouncilOfRequest(ctx.tx, request.id, ctx.now);
    const replies: Reply[] = [text(T.sent(caseNumber, T.priority[priority], council.name))];
    if (priority === "CRITICAL") replies.push(text(T.critical), hotlineCard());
    return options.engine().menu(ctx, replies);
  }

  async function completeHousing(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const answers = housingAnswers.parse(data);
    const member = await activeMember(ctx.tx, ctx.userId);
    const council = await getCouncilWithPlace(ctx.tx, answers.councilId);
    if (!council?.active) return menuAfter(ctx, [T.councilGone]);
    const caseNumber = await allocateCaseNumber(ctx.tx, options.provinceCode, "HOUSING", ctx.now);
    const request = await createRequest(ctx.tx, {
      kind: "HOUSING",
      caseNumber,
      councilId: council.id,
      lineUserId: ctx.userId,
      memberId: member?.id ?? null,
      householdHead: answers.head,
      peopleCount: answers.people,
      incomeBand: answers.income,
      unsafeParts: answers.unsafe,
      landStatus: answers.land,
      ...placeOf(answers.location),
      phone: await contactPhoneOf(ctx, data),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    await attachPhotos(ctx.tx, request.id, answers.photos, { userId: ctx.userId, at: ctx.now });
    await recordRequestEvent(ctx.tx, request.id, { kind: "CREATED", at: ctx.now, actorUserId: ctx.userId, toStatus: "PENDING" });
    await notifyCouncilOfRequest(ctx.tx, request.id, ctx.now);
    return menuAfter(ctx, [HOUSING_TEXT.sent(caseNumber, council.name)]);
  }

  /** Members file for their own council; anyone else picks one in the flow. */
  async function starter(ctx: TurnContext) {
    const member = await activeMember(ctx.tx, ctx.userId);
    return member?.councilId ? { viaMember: true, councilId: String(member.councilId) } : {};
  }

  const menu: MenuEntry[] = [
    {
      id: "flood-help",
      label: T.menu.flood,
      // "ช่วยด้วย" (help me!) from someone in a flood means this, not the usage help.
      keywords: ["ขอความช่วยเหลือน้ำท่วม", "ขอช่วยเหลือน้ำท่วม", "น้ำท่วม", "ช่วยด้วย", "flood"],
      open: async (ctx) => options.engine().startFlow(ctx, FLOOD_FLOW, { data: await starter(ctx) }, [text(T.intro)]),
    },
    {
      id: "housing-help",
      label: T.menu.housing,
      keywords: ["บ้านพอเพียง", "ซ่อมบ้าน", "บ้านชำรุด", "บ้านทรุดโทรม", "housing"],
      open: async (ctx) => options.engine().startFlow(ctx, HOUSING_FLOW, { data: await starter(ctx) }, [text(HOUSING_TEXT.intro)]),
    },
  ];
  return { flows: [floodFlow(options.provinceCode, completeFlood), housingFlow(options.provinceCode, completeHousing)], menu };
}
