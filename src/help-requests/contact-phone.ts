// The contact phone of a help request. A member is offered their stored
// phone as a button, shown masked; the button carries a marker, not the
// number, so the number never travels in postback data or conversation
// state, and is read from the member row when it is needed.
import type { ParseResult, TurnContext, Choice, FlowData } from "../engine/types.ts";
import { activeMember } from "../members/member-store.ts";
import { maskPhone, parseThaiPhone } from "../members/phone.ts";

/** The phone slot's value when the member chose their stored phone. */
export const MEMBER_PHONE = "~member-phone";

export function parseContactPhone(invalid: string) {
  return (typed: string): ParseResult => {
    if (typed === MEMBER_PHONE) return { ok: true, value: MEMBER_PHONE };
    const phone = parseThaiPhone(typed);
    return phone ? { ok: true, value: phone } : { ok: false, message: invalid };
  };
}

export async function storedPhone(ctx: TurnContext): Promise<string | null> {
  return (await activeMember(ctx.tx, ctx.userId))?.phone ?? null;
}

/** The member's stored phone as a button, masked; none for anyone else. */
export async function memberPhoneChoice(ctx: TurnContext): Promise<Choice[]> {
  const phone = await storedPhone(ctx);
  return phone ? [{ label: maskPhone(phone), value: MEMBER_PHONE }] : [];
}

/** The number to store: typed, or the member's own (marker, or no phone question at all). */
export async function contactPhoneOf(ctx: TurnContext, data: FlowData): Promise<string | null> {
  const typed = data.phone;
  if (typeof typed === "string" && typed !== MEMBER_PHONE) return typed;
  return storedPhone(ctx);
}

export async function maskedContactPhone(ctx: TurnContext, data: FlowData): Promise<string> {
  const phone = await contactPhoneOf(ctx, data);
  return phone ? maskPhone(phone) : "-";
}
