// The contact phone of a help request. A member is offered their stored
// phone as a button, shown masked; the button carries a marker, not the
// number, so the number never travels in postback data or conversation
// state, and is read from the member row when it is needed.
import type { ParseResult, TurnContext, Choice } from "../engine/types.ts";
import { activeMember } from "../members/member-store.ts";
import { maskPhone, parseThaiPhone } from "../members/phone.ts";
import { HELP_TEXT as T } from "./texts.ts";

/** The phone slot's value when the member chose their stored phone. */
export const MEMBER_PHONE = "~member-phone";

/** The phone slot's value when there is no phone to call: the request still goes, by LINE only. */
export const NO_PHONE = "~no-phone";
/** "ใช้เบอร์ญาติ": not an answer, it asks for a relative's number to be typed. */
export const RELATIVE_PHONE = "~relative-phone";

/** Someone without a phone of their own still finishes the request. */
export const noPhoneChoices = (): Choice[] => [
  { label: T.noPhone, value: NO_PHONE },
  { label: T.relativePhone, value: RELATIVE_PHONE },
];

export function parseContactPhone(invalid: string) {
  return (typed: string): ParseResult => {
    if (typed === MEMBER_PHONE) return { ok: true, value: MEMBER_PHONE };
    if (typed === NO_PHONE) return { ok: true, value: NO_PHONE };
    if (typed === RELATIVE_PHONE) return { ok: false, message: T.askRelativePhone };
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
export async function contactPhoneOf(ctx: TurnContext, data: { phone?: unknown }): Promise<string | null> {
  const typed = data.phone;
  if (typed === NO_PHONE) return null;
  if (typeof typed === "string" && typed !== MEMBER_PHONE) return typed;
  return storedPhone(ctx);
}

export async function maskedContactPhone(ctx: TurnContext, data: { phone?: unknown }): Promise<string> {
  if (data.phone === NO_PHONE) return T.noPhone;
  const phone = await contactPhoneOf(ctx, data);
  return phone ? maskPhone(phone) : "-";
}
