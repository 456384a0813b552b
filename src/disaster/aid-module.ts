// Relief handed out, recorded by secretaries (issue 14 §4): the "aid" entry,
// opened from a flood request's case card ("r:<requestId>") or from the
// unanswered list ("m:<memberId>"), starts the flow of aid-flow.ts. The
// entry is visible to secretaries and coordinators only (a villager's
// forged postback gets the menu); the request or member must be of a
// council the user handles (canHandleCouncil: its secretaries, the
// coordinators covering it), checked here and again when saving.
import { defineModule } from "../engine/module.ts";
import { type Outcome, startFlow, withMenu } from "../engine/outcome.ts";
import type { MenuEntry, TurnContext } from "../engine/types.ts";
import { canHandleCouncil } from "../staff/roles.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { type AidFlowStart, aidFlow } from "./aid-flow.ts";
import { aidWindow, memberForAid, previousAid, requestForAid } from "./aid-store.ts";
import { AID_TEXT as T } from "./aid-texts.ts";

export const AID_ENTRY = "aid";

/** "r:<requestId>" or "m:<memberId>" (at most 9 digits: always an INTEGER); null for anything else. */
export function parseAidArg(arg: string | undefined): { target: "r" | "m"; id: number } | null {
  const m = /^(r|m):(\d{1,9})$/.exec(arg ?? "");
  return m ? { target: m[1] as "r" | "m", id: Number(m[2]) } : null;
}

export const aidArg = (target: "r" | "m", id: number) => `${target}:${id}`;

const say = (line: string): Outcome => ({ say: [{ kind: "text", text: line }], next: withMenu() });

/** `casesEntry`: the staff entry that opens a request's card, for the button after saving (bot.ts passes it). */
export function aidModule(options: { casesEntry?: string } = {}) {
  const flow = aidFlow(options);

  async function open(ctx: TurnContext, raw?: string): Promise<Outcome> {
    const arg = parseAidArg(raw);
    if (!arg) return say(T.howTo);
    const request = arg.target === "r" ? await requestForAid(ctx.tx, arg.id) : null;
    const member = arg.target === "m" ? await memberForAid(ctx.tx, arg.id) : null;
    const target = request ?? member;
    // Unknown and outside the user's area answer alike.
    if (!target || !(await canHandleCouncil(ctx.tx, ctx.userId, target.councilId))) return say(T.notFound);
    if (request && request.kind !== "FLOOD") return say(T.floodOnly(request.caseNumber));
    const previous = await previousAid(ctx.tx, target.householdKey, await aidWindow(ctx.tx, target.councilId, ctx.now));
    const data: AidFlowStart = {
      target: arg.target,
      targetId: arg.id,
      label: request ? T.forRequest(request.caseNumber) : T.forMember(member?.fullName ?? null),
      previous: Object.fromEntries(Object.entries(previous).map(([k, at]) => [k, at.toISOString()])),
    };
    return { next: startFlow(flow, { data }) };
  }

  const entries: MenuEntry[] = [
    {
      id: AID_ENTRY,
      label: T.button,
      keywords: ["บันทึกการช่วยเหลือ"],
      listed: false,
      visible: staffOnly("SECRETARY", "COORDINATOR"),
      open,
    },
  ];

  return defineModule({ name: "aid", entries, flows: [flow] });
}
