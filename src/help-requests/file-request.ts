// Filing a help request, whatever its kind, once its flow's last step is
// answered: the member (if the filer is one), the council (still active?),
// a case number, the row with the kind's own columns, its photos and voice
// note, the CREATED event and the notice to the council's secretaries; all
// in the turn's transaction. Also the answers every kind's flow collects
// the same way (where, which council, which phone), as zod schemas.
import { z } from "zod";
import { showMenu, type Outcome } from "../engine/outcome.ts";
import type { TurnContext, VoiceAnswer } from "../engine/types.ts";
import type { HelpRequestKind, Prisma } from "../generated/prisma/client.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { allocateCaseNumber } from "./case-number.ts";
import { notifyCouncilOfRequest } from "./case-notify.ts";
import { contactPhoneOf } from "./contact-phone.ts";
import { attachPhotos, attachVoice, createRequest, recordCreated } from "./request-store.ts";
import { HELP_TEXT as T } from "./texts.ts";

/** The location slot: a LINE location, or a typed village (parseVillage). */
export const locationSchema = z.union([
  z.object({ village: z.string().min(1) }),
  z.object({ latitude: z.number(), longitude: z.number(), address: z.string().optional() }),
]);
export type RequestLocation = z.output<typeof locationSchema>;

/** A note step with `voice`: typed words ("" when skipped), or a voice message (VoiceAnswer). */
export const noteSchema = z.union([z.string(), z.object({ voice: z.string(), durationMs: z.number().optional() })]);

/**
 * The answers every request flow has: what it starts with (RequestStart:
 * a member's own council) or the council chosen on the way, and where.
 */
export const requestAnswers = {
  viaMember: z.boolean().optional(),
  councilId: z.coerce.number().int(),
  location: locationSchema,
  photos: z.array(z.string()),
};

/** Columns filing sets itself; a kind's `fields` are the others. */
type FiledColumn =
  | "kind"
  | "caseNumber"
  | "councilId"
  | "lineUserId"
  | "memberId"
  | "village"
  | "latitude"
  | "longitude"
  | "address"
  | "phone";

export interface Filing {
  councilId: number;
  location: RequestLocation;
  /** The phone slot's answer (typed, the member's own, none); absent: the member's stored phone (contact-phone.ts). */
  phone?: string;
  photos: readonly string[];
  voice?: VoiceAnswer | null;
  /** The kind's own columns (people, water level, income, …). */
  fields: Omit<Prisma.HelpRequestUncheckedCreateInput, FiledColumn | "createdAt" | "updatedAt">;
}

/** Where the house is, as the request row stores it. */
function placeOf(location: RequestLocation) {
  return "village" in location
    ? { village: location.village }
    : { latitude: location.latitude, longitude: location.longitude, address: location.address ?? null };
}

/** Files the request; null when its council is no longer active (councilGone says so). */
export async function fileRequest(
  ctx: TurnContext,
  provinceCode: number,
  kind: HelpRequestKind,
  filing: Filing,
): Promise<{ id: number; caseNumber: string; council: CouncilWithPlace } | null> {
  const member = await activeMember(ctx.tx, ctx.userId);
  const council = await getCouncilWithPlace(ctx.tx, filing.councilId);
  if (!council?.active) return null;
  const caseNumber = await allocateCaseNumber(ctx.tx, provinceCode, kind, ctx.now);
  const request = await createRequest(ctx.tx, {
    kind,
    caseNumber,
    councilId: council.id,
    lineUserId: ctx.userId,
    memberId: member?.id ?? null,
    ...filing.fields,
    ...placeOf(filing.location),
    phone: await contactPhoneOf(ctx, filing),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });
  await attachPhotos(ctx.tx, request.id, [...filing.photos], { userId: ctx.userId, at: ctx.now });
  if (filing.voice) await attachVoice(ctx.tx, request.id, filing.voice, { userId: ctx.userId, at: ctx.now });
  // Created at ctx.now (createdAt = updatedAt): its first event moves nothing.
  await recordCreated(ctx.tx, request.id, { userId: ctx.userId, at: ctx.now });
  await notifyCouncilOfRequest(ctx.tx, request.id, ctx.now);
  return { id: request.id, caseNumber, council };
}

/** The council chosen went inactive while the villager answered: start again, or call. */
export const councilGone = (): Outcome => ({ say: [{ kind: "text", text: T.councilGone }], next: showMenu() });
