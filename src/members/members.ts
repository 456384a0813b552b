// The members module as the bot sees it: its flows, its menu entries, and
// what happens on follow and unfollow.
import { bangkokIsoDate, thaiNumericDate } from "../thai/format.ts";
import type { Engine } from "../engine/engine.ts";
import { encodePostback } from "../engine/postback.ts";
import { END, type FlowDef, type MenuEntry, type Outgoing, type TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import type { Tx } from "../db/database.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { activeMember, anonymiseMember, recordFollow, recordUnfollow } from "./member-store.ts";
import { maskPhone } from "./phone.ts";
import { districtTitle, LINE_NAME_SLOT, profileEditFlow, signupFlow } from "./signup-flow.ts";
import { MEMBER_TEXT as T } from "./texts.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

/** Thai date with Buddhist-era year: 28/11/2569. */
const thaiDate = (d: Date) => thaiNumericDate(bangkokIsoDate(d));

export interface MembersModule {
  flows: FlowDef[];
  menu: MenuEntry[];
  onFollow(ctx: TurnContext): Promise<Outgoing>;
  onUnfollow(ctx: TurnContext): Promise<void>;
  onProfile(ctx: TurnContext, displayName: string): Promise<void>;
}

/**
 * Erases what a withdrawing member left outside their member row, in the
 * withdrawal's transaction, before the row loses name and phone
 * (eraseOnWithdrawal of src/privacy/erasure.ts, passed in by src/bot.ts).
 */
export type EraseOnWithdrawal = (
  tx: Tx,
  w: { lineUserId: string; fullName: string | null; phone: string | null; now: Date },
) => Promise<{ openRequests: number; cancelledRegistrations: number }>;

export function membersModule(options: {
  provinceCode: number;
  engine: () => Engine;
  eraseOnWithdrawal: EraseOnWithdrawal;
}): MembersModule {
  const menuAfter = async (ctx: TurnContext, lead: string) => options.engine().menu(ctx, [text(lead)]);
  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;
  const notMember = async (ctx: TurnContext) => !(await isMember(ctx));

  const editEntry = (id: string, at: string): MenuEntry => ({
    id,
    label: T.menu.profile,
    keywords: [],
    listed: false,
    visible: isMember,
    async open(ctx) {
      const member = (await activeMember(ctx.tx, ctx.userId))!;
      const council = member.councilId ? await getCouncilWithPlace(ctx.tx, member.councilId) : null;
      return options.engine().startFlow(ctx, "profile", {
        at,
        returnTo: "confirm",
        data: {
          fullName: member.fullName,
          phone: member.phone,
          districtId: council ? String(council.districtId) : undefined,
          councilId: council ? String(council.id) : undefined,
        },
      });
    },
  });

  const withdrawFlow: FlowDef = {
    id: "withdraw",
    version: 1,
    title: T.flowTitles.withdraw,
    cancelled: T.withdrawKept,
    steps: [
      {
        id: "confirm",
        slot: "confirmed",
        prompt: () => [text(T.withdrawAsk)],
        expects: T.withdrawExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.withdrawYes, value: "yes" },
            { label: T.withdrawNo, value: "no" },
          ],
        },
        ownCancel: true,
        next: () => END,
      },
    ],
    async complete(ctx, data) {
      if (data.confirmed !== "yes") return menuAfter(ctx, T.withdrawKept);
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
      return menuAfter(ctx, lines.join("\n\n"));
    },
  };

  const menu: MenuEntry[] = [
    {
      id: "signup",
      label: T.menu.signup,
      keywords: ["สมัคร", "ลงทะเบียน", "register", "signup"],
      visible: notMember,
      otherwise: { entry: "profile", say: T.alreadyMember },
      open: (ctx) => options.engine().startFlow(ctx, "signup"),
    },
    {
      id: "profile",
      label: T.menu.profile,
      keywords: ["ข้อมูลของฉัน", "โปรไฟล์", "profile", "แก้ไขข้อมูล"],
      visible: isMember,
      otherwise: { entry: "signup", say: T.membersOnly },
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
          editNameData: encodePostback({ kind: "menu", entry: "profile-name" }),
          editPhoneData: encodePostback({ kind: "menu", entry: "profile-phone" }),
          editCouncilData: encodePostback({ kind: "menu", entry: "profile-council" }),
          withdrawData: encodePostback({ kind: "menu", entry: "withdraw" }),
        });
        const out = await options.engine().menu(ctx);
        return { replies: [{ kind: "flex", altText: T.profileAlt, contents: card }], buttons: out.buttons };
      },
    },
    editEntry("profile-name", "name"),
    editEntry("profile-phone", "phone"),
    editEntry("profile-council", "district"),
    {
      id: "withdraw",
      label: T.menu.withdraw,
      keywords: ["ถอนความยินยอม"],
      listed: false,
      visible: isMember,
      open: (ctx) => options.engine().startFlow(ctx, "withdraw"),
    },
  ];

  return {
    flows: [signupFlow(options.provinceCode, menuAfter), profileEditFlow(options.provinceCode, menuAfter), withdrawFlow],
    menu,
    async onFollow(ctx) {
      await recordFollow(ctx.tx, ctx.userId, ctx.now);
      if (await isMember(ctx)) return options.engine().menu(ctx, [text(T.welcomeBack)]);
      return options.engine().startFlow(ctx, "signup", {}, [text(T.greeting)]);
    },
    async onUnfollow(ctx) {
      await recordUnfollow(ctx.tx, ctx.userId, ctx.now);
    },
    // PDPA: the display name is kept only in the running sign-up (to offer
    // it as the name), never stored before consent. It goes with the flow.
    async onProfile(ctx, displayName) {
      if (ctx.state.flowId === "signup") ctx.state.data = { ...ctx.state.data, [LINE_NAME_SLOT]: displayName };
    },
  };
}
