// What the villagers' meeting entries and flows share: who may register
// (members of a council, guard), refusals, and the buttons their answers
// put in front of the menu's.
import { entryButton } from "../engine/engine.ts";
import { withMenu, type Outcome } from "../engine/outcome.ts";
import type { Button, Reply, TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { thaiDateTime } from "../thai/format.ts";
import type { Closed, CouncilArea } from "./meeting-store.ts";
import { MEETING_ENTRIES, SIGNUP_ENTRY } from "./refs.ts";
import { MEETING_TEXT as T } from "./texts.ts";

export const text = (t: string): Reply => ({ kind: "text", text: t });

export const mineButton = () => entryButton(MEETING_ENTRIES.mine, T.menu.mine);
export const listButton = () => entryButton(MEETING_ENTRIES.list, T.menu.meetings);

import { outcome } from "../engine/outcome.ts";
export { outcome };

/** `lead`, then `first` and the menu's buttons. */
export const answer = (lead: Reply[], first: Button[] = []): Outcome => outcome(lead, withMenu(first));
export const refuse = (message: string): Outcome => answer([text(message)]);

type Member = NonNullable<Awaited<ReturnType<typeof activeMember>>>;
export type Guarded = { member: Member; area: CouncilArea } | { refusal: Outcome };

/** Only members register: the council needs the names of who comes. */
export async function guard(ctx: TurnContext): Promise<Guarded> {
  const member = await activeMember(ctx.tx, ctx.userId);
  if (!member) return { refusal: answer([text(T.notMember)], [entryButton(SIGNUP_ENTRY, T.menu.signup)]) };
  const council = member.councilId ? await getCouncilWithPlace(ctx.tx, member.councilId) : null;
  if (!council) return { refusal: refuse(T.noCouncil) };
  return { member, area: { councilId: council.id, districtId: council.districtId, provinceId: council.provinceId } };
}

export function closedMessage(closed: Closed): string {
  switch (closed.reason) {
    case "cancelled":
      return T.meetingCancelled;
    case "started":
      return T.started;
    case "deadline":
      return T.deadlinePassed(thaiDateTime(closed.deadline));
  }
}
