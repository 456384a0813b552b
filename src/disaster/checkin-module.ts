// The member's side of the safety check-in (issue 14 §2): the "checkin"
// entry receives the check-in message's three buttons, "safety" shows the
// member's answer for the situation covering them and lets them change it,
// "household" records the household's vulnerable people with consent.
//
// A tap carries "<situationId>:<answer>" (checkin-answers.ts): forgeable,
// so the answer is recorded only for an active member whose council the
// situation, still ACTIVE, covers now. ต้องการความช่วยเหลือ records
// NEEDS_HELP and opens the flood request at its location step with the
// member's council (their stored phone is used as for any member); the
// filed request is linked back by the flood flow (linkFloodRequest).
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { type Outcome, showMenu, startFlow, withMenu } from "../engine/outcome.ts";
import type { Button, MenuEntry, TurnContext } from "../engine/types.ts";
import { activeMember } from "../members/member-store.ts";
import { thaiDateTime } from "../thai/format.ts";
import { ANSWER_TEXT as T } from "./answer-texts.ts";
import { caseNumberOf, ownAnswerLink, safetyAnswerOf, upsertSafetyAnswer } from "./answer-store.ts";
import { CHECKIN_ENTRY_ID, type CheckInAnswer, checkInArg, parseCheckInArg } from "./checkin-answers.ts";
import { householdFlow } from "./household-flow.ts";
import { FLOOD_REQUEST_FLOW, neighbourFlow } from "./neighbour-flow.ts";
import { type Situation, situationCoveringCouncil } from "./situation-store.ts";
import { SAFETY_NAMES } from "./texts.ts";

export const SAFETY_ENTRY_ID = "safety";
export const HOUSEHOLD_ENTRY_ID = "household";

const text = (t: string) => ({ kind: "text" as const, text: t });

/** The three answers as buttons for this situation. */
export function answerButtons(situationId: number, except?: CheckInAnswer): Button[] {
  const all: CheckInAnswer[] = ["safe", "help", "other"];
  return all.filter((a) => a !== except).map((a) => entryButton(CHECKIN_ENTRY_ID, T.buttons[a], checkInArg(situationId, a)));
}

export function checkInModule(options: { provinceCode: number }) {
  const neighbour = neighbourFlow(options.provinceCode);
  const household = householdFlow();

  /** The member and the active situation covering their council now; or why not. */
  async function memberSituation(ctx: TurnContext) {
    const member = await activeMember(ctx.tx, ctx.userId);
    if (!member?.councilId) return { member: null, situation: null } as const;
    return { member: { ...member, councilId: member.councilId }, situation: await situationCoveringCouncil(ctx.tx, member.councilId) };
  }

  async function showSafety(ctx: TurnContext): Promise<Outcome> {
    const { member, situation } = await memberSituation(ctx);
    if (!member) return { say: [text(T.membersOnly)], next: showMenu() };
    if (!situation) return { say: [text(T.noSituation)], next: withMenu() };
    const answer = await safetyAnswerOf(ctx.tx, situation.id, ctx.userId);
    const lines = [T.situationLine(situation.level, situation.message)];
    if (!answer) lines.push(T.none);
    else if (answer.status === "CONTACTED_SAFE") lines.push(T.currentByStaff(thaiDateTime(answer.answeredAt)));
    else lines.push(T.current(SAFETY_NAMES[answer.status], thaiDateTime(answer.answeredAt)));
    if (answer?.helpRequestId) {
      const caseNumber = await caseNumberOf(ctx.tx, answer.helpRequestId);
      if (caseNumber) lines.push(T.requestLinked(caseNumber));
    }
    return { say: [text(lines.join("\n"))], next: withMenu(answerButtons(situation.id)) };
  }

  async function answer(ctx: TurnContext, arg: string | undefined): Promise<Outcome> {
    const parsed = parseCheckInArg(arg);
    if (!parsed) return showSafety(ctx);
    const { member, situation: covering } = await memberSituation(ctx);
    if (!member) return { say: [text(T.membersOnly)], next: showMenu() };
    // The tapped situation must be the one covering the member now (so ACTIVE): an old or forged tap is not recorded.
    const situation: Situation | null = covering?.id === parsed.situationId ? covering : null;
    if (!situation) {
      const lines = parsed.answer === "help" ? [T.notActive, T.stillHelp] : [T.notActive];
      return { say: [text(lines.join("\n"))], next: withMenu() };
    }
    const record = { situationId: situation.id, lineUserId: ctx.userId, councilId: member.councilId, answeredBy: ctx.userId, at: ctx.now };
    switch (parsed.answer) {
      case "safe":
        await upsertSafetyAnswer(ctx.tx, { ...record, status: "SAFE" });
        return { say: [text(T.safeThanks)], next: withMenu(answerButtons(situation.id, "safe")) };
      case "help": {
        const earlier = await safetyAnswerOf(ctx.tx, situation.id, ctx.userId);
        // Asked again after filing: the request stands (no second one by a second tap).
        if (earlier?.status === "NEEDS_HELP" && earlier.helpRequestId !== null) {
          const caseNumber = await caseNumberOf(ctx.tx, earlier.helpRequestId);
          if (caseNumber) return { say: [text(T.alreadyRequested(caseNumber))], next: withMenu() };
        }
        await upsertSafetyAnswer(ctx.tx, { ...record, status: "NEEDS_HELP" });
        return {
          say: [text(T.helpIntro)],
          next: startFlow(FLOOD_REQUEST_FLOW, {
            data: { viaMember: true, councilId: String(member.councilId), whose: "mine", safetyLink: ownAnswerLink(situation.id) },
            at: "location",
          }),
        };
      }
      case "other":
        return {
          next: startFlow(neighbour, { data: { situationId: situation.id, reporterCouncilId: member.councilId } }),
        };
    }
  }

  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;

  const entries: MenuEntry[] = [
    {
      id: CHECKIN_ENTRY_ID,
      label: T.safetyMenu,
      keywords: [],
      listed: false,
      open: (ctx, arg) => answer(ctx, arg),
    },
    {
      // The flood-first rich menu's tile; not in the chat menu (the check-in message and the tile reach it).
      id: SAFETY_ENTRY_ID,
      label: T.safetyMenu,
      keywords: ["สถานะความปลอดภัย", "ความปลอดภัย", "แจ้งว่าปลอดภัย"],
      listed: false,
      open: (ctx) => showSafety(ctx),
    },
    {
      id: HOUSEHOLD_ENTRY_ID,
      label: T.householdMenu,
      keywords: ["ผู้ต้องดูแล"],
      listed: false,
      visible: isMember,
      otherwise: { entry: "signup", say: T.household.membersOnly },
      open: async () => ({ next: startFlow(household) }),
    },
  ];

  return defineModule({ name: "disaster-answers", entries, flows: [neighbour, household] });
}
