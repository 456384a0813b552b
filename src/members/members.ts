// The members module as the bot sees it: its flows, its menu entries, and
// what happens on follow and unfollow.
import { z } from "zod";
import { bangkokIsoDate, thaiNumericDate } from "../thai/format.ts";
import { defineFlow, defineModule } from "../engine/module.ts";
import { type Outcome, showMenu, startFlow, withMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import { entryRef } from "../engine/refs.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END, type ConversationState, type MenuEntry, type TurnContext } from "../engine/types.ts";
import { districtTitle } from "../geography/council-steps.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import type { Tx } from "../db/database.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { activeMember, anonymiseMember, recordFollow, recordUnfollow } from "./member-store.ts";
import { maskPhone } from "./phone.ts";
import { LINE_NAME_SLOT, profileEditFlow, signupFlow } from "./signup-flow.ts";
import { MEMBER_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

/** Thai date with Buddhist-era year: 28/11/2569. */
const thaiDate = (d: Date) => thaiNumericDate(bangkokIsoDate(d));
const menuAfter = (lead: string): Outcome => ({ say: [text(lead)], next: showMenu() });

/** Sign-up, for non-members: other modules send those who must sign up first here. */
export const SIGNUP_ENTRY = entryRef("signup");
/** The member's own details ("ข้อมูลของฉัน"). */
export const PROFILE_ENTRY = entryRef("profile");
const WITHDRAW_ENTRY = "withdraw";
/** The profile card's edit buttons: each opens the profile edit at its step. */
const EDIT_NAME_ENTRY = "profile-name";
const EDIT_PHONE_ENTRY = "profile-phone";
const EDIT_COUNCIL_ENTRY = "profile-council";

const WITHDRAW_SCHEMA = z.object({ confirmed: z.enum([YES, NO]) });

/**
 * Erases what a withdrawing member left outside their member row, in the
 * withdrawal's transaction, before the row loses name and phone
 * (eraseOnWithdrawal of src/privacy/erasure.ts, passed in by src/bot.ts).
 */
export type EraseOnWithdrawal = (
  tx: Tx,
  w: { lineUserId: string; fullName: string | null; phone: string | null; now: Date },
) => Promise<{ openRequests: number; cancelledRegistrations: number }>;

export function membersModule(options: { provinceCode: number; eraseOnWithdrawal: EraseOnWithdrawal }) {
  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;
  const notMember = async (ctx: TurnContext) => !(await isMember(ctx));
  const signup = signupFlow(options.provinceCode);
  const profileEdit = profileEditFlow(options.provinceCode);

  const editEntry = (id: string, at: string): MenuEntry => ({
    id,
    label: T.menu.profile,
    keywords: [],
    listed: false,
    visible: isMember,
    async open(ctx) {
      const member = (await activeMember(ctx.tx, ctx.userId))!;
      const council = member.councilId ? await getCouncilWithPlace(ctx.tx, member.councilId) : null;
      return {
        next: startFlow(profileEdit, {
          at,
          returnTo: "confirm",
          data: {
            // An active member always has both (saveMember).
            fullName: member.fullName ?? undefined,
            phone: member.phone ?? undefined,
            districtId: council ? String(council.districtId) : undefined,
            councilId: council ? String(council.id) : undefined,
          },
        }),
      };
    },
  });

  const withdrawFlow = defineFlow({
    id: "withdraw",
    version: 1,
    title: T.flowTitles.withdraw,
    cancelled: T.withdrawKept,
    schema: WITHDRAW_SCHEMA,
    steps: [
      confirmStep({
        prompt: () => [text(T.withdrawAsk)],
        expects: T.withdrawExpects,
        yes: T.withdrawYes,
        no: T.withdrawNo,
        ownCancel: true,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      if (data.confirmed !== YES) return menuAfter(T.withdrawKept);
      const member = await activeMember(ctx.tx, ctx.userId);
      // Before the member row loses them: name and phone find the notices about them.
      const erased = await options.eraseOnWithdrawal(ctx.tx, {
        lineUserId: ctx.userId,
        fullName: member?.fullName ?? null,
        phone: member?.phone ?? null,
        now: ctx.now,
      });
      await anonymiseMember(ctx.tx, ctx.userId, ctx.now);
      const lines: string[] = [T.withdrawn];
      if (erased.cancelledRegistrations > 0) lines.push(T.withdrawnMeetings(erased.cancelledRegistrations));
      if (erased.openRequests > 0) lines.push(T.withdrawnOpenRequests(erased.openRequests));
      return menuAfter(lines.join("\n\n"));
    },
  });

  const entries: MenuEntry[] = [
    {
      id: SIGNUP_ENTRY.id,
      label: T.menu.signup,
      keywords: ["สมัคร", "ลงทะเบียน", "register", "signup"],
      visible: notMember,
      otherwise: { entry: PROFILE_ENTRY, say: T.alreadyMember },
      open: async () => ({ next: startFlow(signup) }),
    },
    {
      id: PROFILE_ENTRY.id,
      label: T.menu.profile,
      keywords: ["ข้อมูลของฉัน", "โปรไฟล์", "profile", "แก้ไขข้อมูล"],
      visible: isMember,
      otherwise: { entry: SIGNUP_ENTRY, say: T.membersOnly },
      async open(ctx) {
        const member = (await activeMember(ctx.tx, ctx.userId))!;
        const council = member.councilId ? await getCouncilWithPlace(ctx.tx, member.councilId) : null;
        const card = renderFlexTemplate("member-profile", {
          title: T.profileTitle,
          since: `สมาชิกตั้งแต่ ${thaiDate(member.createdAt)}`,
          fullName: member.fullName ?? "-",
          phone: member.phone ? maskPhone(member.phone) : "-",
          council: council?.name ?? "-",
          district: council ? districtTitle(council.districtNameTh) : "-",
          editNameData: encodePostback({ kind: "menu", entry: EDIT_NAME_ENTRY }),
          editPhoneData: encodePostback({ kind: "menu", entry: EDIT_PHONE_ENTRY }),
          editCouncilData: encodePostback({ kind: "menu", entry: EDIT_COUNCIL_ENTRY }),
          withdrawData: encodePostback({ kind: "menu", entry: WITHDRAW_ENTRY }),
        });
        return { say: [{ kind: "flex", altText: T.profileAlt, contents: card }], next: withMenu() };
      },
    },
    editEntry(EDIT_NAME_ENTRY, "name"),
    editEntry(EDIT_PHONE_ENTRY, "phone"),
    editEntry(EDIT_COUNCIL_ENTRY, "district"),
    {
      id: WITHDRAW_ENTRY,
      label: T.menu.withdraw,
      keywords: ["ถอนความยินยอม"],
      listed: false,
      visible: isMember,
      open: async () => ({ next: startFlow(withdrawFlow) }),
    },
  ];

  return defineModule({
    name: "members",
    entries,
    flows: [signup, profileEdit, withdrawFlow],
    /** A new follower: the menu for a member coming back, else the sign-up, greeted. */
    async onFollow(ctx: TurnContext): Promise<Outcome> {
      await recordFollow(ctx.tx, ctx.userId, ctx.now);
      if (await isMember(ctx)) return menuAfter(T.welcomeBack);
      return { say: [text(T.greeting)], next: startFlow(signup) };
    },
    async onUnfollow(ctx: TurnContext): Promise<void> {
      await recordUnfollow(ctx.tx, ctx.userId, ctx.now);
    },
    // PDPA: the display name is kept only in the running sign-up (to offer
    // it as the name), never stored before consent. It goes with the flow.
    async onProfile(ctx: TurnContext, displayName: string): Promise<void> {
      if (ctx.state.flowId === signup.id) ctx.state.data = { ...ctx.state.data, [LINE_NAME_SLOT]: displayName };
    },
    /**
     * A sign-up started later than the follow (cancelled, or from the menu)
     * offers the LINE name too: fetched once, while consent is asked.
     */
    wantsProfile(state: ConversationState): boolean {
      return state.flowId === signup.id && state.stepId === "consent" && state.data[LINE_NAME_SLOT] === undefined;
    },
  });
}
