// The help-request module as the bot sees it: the flood flow and its menu
// entry, shown to everyone (a villager in a flood may not have signed up).
import type { Engine } from "../engine/engine.ts";
import type { FlowData, FlowDef, MenuEntry, Outgoing, TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { allocateCaseNumber } from "./case-number.ts";
import { FLOOD_FLOW, floodFlow, vulnerableOf, type FloodLocation } from "./flood-flow.ts";
import { floodPriority } from "./priority.ts";
import { attachPhotos, recordRequestEvent } from "./request-store.ts";
import { HELP_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export interface HelpModule {
  flows: FlowDef[];
  menu: MenuEntry[];
}

export function helpRequestsModule(options: { provinceCode: number; engine: () => Engine }): HelpModule {
  const menuAfter = async (ctx: TurnContext, lead: string[]) => options.engine().menu(ctx, lead.map(text));

  async function complete(ctx: TurnContext, data: FlowData): Promise<Outgoing> {
    const member = await activeMember(ctx.tx, ctx.userId);
    const council = await getCouncilWithPlace(ctx.tx, Number(data.councilId));
    if (!council || !council.active) return menuAfter(ctx, [T.councilGone]);
    const vulnerable = vulnerableOf(data);
    const needs = strings(data.needs);
    const waterLevel = String(data.waterLevel);
    const priority = floodPriority({ vulnerable, needs, waterLevel });
    const caseNumber = await allocateCaseNumber(ctx.tx, options.provinceCode, "FLOOD", ctx.now);
    const location = data.location as FloodLocation;
    const note = typeof data.note === "string" && data.note ? data.note : null;
    const request = await ctx.tx.helpRequest.create({
      data: {
        kind: "FLOOD",
        caseNumber,
        councilId: council.id,
        lineUserId: ctx.userId,
        memberId: member?.id ?? null,
        forSomeoneElse: data.whose === "other",
        householdName: data.whose === "other" ? String(data.householdName) : null,
        ...("village" in location
          ? { village: location.village }
          : { latitude: location.latitude, longitude: location.longitude, address: location.address ?? null }),
        peopleCount: Number(data.people),
        vulnerable,
        waterLevel,
        needs,
        note,
        priority,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      },
    });
    await attachPhotos(ctx.tx, request.id, strings(data.photos), { userId: ctx.userId, at: ctx.now });
    await recordRequestEvent(ctx.tx, request.id, { kind: "CREATED", at: ctx.now, actorUserId: ctx.userId, toStatus: "PENDING" });
    const lines = [T.sent(caseNumber, T.priority[priority], council.name)];
    if (priority === "CRITICAL") lines.push(T.critical);
    return menuAfter(ctx, lines);
  }

  async function open(ctx: TurnContext): Promise<Outgoing> {
    const member = await activeMember(ctx.tx, ctx.userId);
    const data = member?.councilId ? { viaMember: true, councilId: String(member.councilId) } : {};
    return options.engine().startFlow(ctx, FLOOD_FLOW, { data }, [text(T.intro)]);
  }

  const menu: MenuEntry[] = [
    {
      id: "flood-help",
      label: T.menu.flood,
      // "ช่วยด้วย" (help me!) from someone in a flood means this, not the usage help.
      keywords: ["ขอความช่วยเหลือน้ำท่วม", "ขอช่วยเหลือน้ำท่วม", "น้ำท่วม", "ช่วยด้วย", "flood"],
      open,
    },
  ];
  return { flows: [floodFlow(options.provinceCode, complete)], menu };
}
