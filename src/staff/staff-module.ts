// The staff module as the bot sees it: "งานเจ้าหน้าที่" (the user's roles and
// a button for each thing they may do), invite codes (make one, redeem one)
// and the notification setting. Other staff features plug in as data: they
// register their own menu entries (visible: staffOnly(...)) in bot.ts and
// pass a StaffAction for the button here.
//
// Every entry's `visible` asks the database, on each turn: an entry a user
// may not see cannot be opened by a keyword or a forged postback either (the
// engine answers with the normal menu), so a villager typing a staff word
// gets the villagers' menu.
import { z } from "zod";
import { thaiTime } from "../thai/format.ts";
import { entryButton } from "../engine/engine.ts";
import { defineFlow, defineModule } from "../engine/module.ts";
import { type Outcome, showMenu, startFlow, withMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import { ENGINE_TEXT } from "../engine/texts.ts";
import { END, type MenuEntry, type TurnContext } from "../engine/types.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { DEFAULT_INVITE_HOURS, inviteLockedUntil, normaliseInviteCode, recordFailedInvite, redeemInvite } from "./invites.ts";
import { describeGrant, inviteFlow, inviteStart } from "./invite-flow.ts";
import { isStaff, rolesOf, rolesOfTurn, type StaffRoleKind } from "./roles.ts";
import { INVITE_ENTRY, NOTIFY_ENTRY, STAFF_HOME } from "./staff-entries.ts";
import { setDigest, wantsDigest } from "./staff-store.ts";
import { STAFF_TEXT as T } from "./texts.ts";

export { INVITE_ENTRY, NOTIFY_ENTRY, STAFF_HOME };

const text = (t: string) => ({ kind: "text" as const, text: t });
const menuAfter = (lead: string): Outcome => ({ say: [text(lead)], next: showMenu() });

/** The staff home's id, for data naming entries by id (rich-menu tiles, the digest's button). */
export const STAFF_ENTRY = STAFF_HOME.id;
export const NOTIFY_FLOW = "staff-notify";
const REDEEM_ENTRY = "staff-redeem";

/** A button of the staff menu: opens a menu entry, shown to users holding one of the roles. */
export interface StaffAction {
  /** The menu entry it opens; that entry checks the role again (its `visible`). */
  entry: string;
  label: string; // ≤ 20 characters
  roles: readonly StaffRoleKind[];
}

/** This module's own actions; other modules pass theirs to staffModule({ actions }). */
export const STAFF_ACTIONS: readonly StaffAction[] = [
  { entry: INVITE_ENTRY.id, label: T.menu.invite, roles: ["COORDINATOR"] },
  { entry: NOTIFY_ENTRY.id, label: T.menu.notify, roles: ["SECRETARY"] },
];

/**
 * The staff rich menu, as data, for the rich-menu code to lay out and link
 * to a user when they get a role (src/line/rich-menu/staff-menu.ts, link-job.ts).
 * `roles`: who can use the tile; the entry refuses everyone else.
 */
export interface StaffRichMenuArea {
  opens: { entry: string } | { word: "menu" | "help" };
  label: string;
  roles?: readonly StaffRoleKind[];
}

export const STAFF_RICH_MENU_AREAS: readonly StaffRichMenuArea[] = [
  { opens: { entry: STAFF_ENTRY }, label: T.menu.staff },
  ...STAFF_ACTIONS.map((a) => ({ opens: { entry: a.entry }, label: a.label, roles: a.roles })),
  { opens: { word: "menu" }, label: T.villagerMenu },
  { opens: { word: "help" }, label: T.menu.help },
];

/** A `visible` check for staff entries: holds any role (no argument) or one of these. */
export function staffOnly(...roles: StaffRoleKind[]): (ctx: TurnContext) => Promise<boolean> {
  return async (ctx) => {
    const held = await rolesOfTurn(ctx);
    return roles.length === 0 ? held.length > 0 : held.some((g) => roles.includes(g.role));
  };
}

/** At most this many roles are listed on the card; the rest are counted. */
const MAX_ROLE_ROWS = 8;

/** How a secretary takes non-urgent notices. */
const NOTIFY_SCHEMA = z.object({ mode: z.enum(["each", "digest"]) });

/**
 * The main menu's buttons with "งานเจ้าหน้าที่" first: where a new staff
 * member goes next. The menu's question is said here because showMenu()
 * puts no buttons in front of the menu's.
 */
const staffFirst = (lead: string): Outcome => ({
  say: [text(lead), text(ENGINE_TEXT.menuPrompt)],
  next: withMenu([entryButton(STAFF_HOME, T.menu.staff)]),
});

export function staffModule(options: {
  provinceCode: number;
  /** How long an invite code lasts (INVITE_CODE_HOURS). */
  inviteHours?: number;
  /** Other staff features' buttons, shown before this module's own. */
  actions?: readonly StaffAction[];
  /** DIGEST_TIME, said in the notification setting; default 18:00. */
  digestTime?: string;
}) {
  const digestTime = options.digestTime ?? "18:00";
  const hours = options.inviteHours ?? DEFAULT_INVITE_HOURS;
  const actions = [...(options.actions ?? []), ...STAFF_ACTIONS];
  const invite = inviteFlow({ provinceCode: options.provinceCode, hours });

  async function home(ctx: TurnContext): Promise<Outcome> {
    const grants = await rolesOf(ctx.tx, ctx.userId);
    const names: string[] = [];
    for (const g of grants) names.push(await describeGrant(ctx.tx, g));
    const shown =
      names.length > MAX_ROLE_ROWS ? [...names.slice(0, MAX_ROLE_ROWS - 1), T.homeMoreRoles(names.length - MAX_ROLE_ROWS + 1)] : names;
    const held = new Set(grants.map((g) => g.role));
    const mine = actions.filter((a) => a.roles.some((r) => held.has(r)));
    const card = renderFlexTemplate(
      "staff-home",
      {
        title: T.homeTitle,
        rolesHeading: T.homeRolesHeading,
        note: mine.length > 0 ? T.homeActionsNote : T.homeNoActions,
        menuLabel: T.villagerMenu,
        menuData: encodePostback({ kind: "global", word: "menu" }),
      },
      {
        roles: shown.map((role) => renderFlexTemplate("staff-role-row", { role })),
        actions: mine.map((a) =>
          renderFlexTemplate("staff-action-button", { label: a.label, data: encodePostback({ kind: "menu", entry: a.entry }) }),
        ),
      },
    );
    return { say: [{ kind: "flex", altText: T.homeAlt(names.join(", ")).slice(0, 400), contents: card }], next: withMenu() };
  }

  async function redeem(ctx: TurnContext, typed?: string): Promise<Outcome> {
    if (typed === undefined) return menuAfter(T.redeemHow);
    const lockedUntil = await inviteLockedUntil(ctx.tx, ctx.userId, ctx.now);
    if (lockedUntil) return menuAfter(T.redeemLocked(thaiTime(lockedUntil)));
    const result = await redeemInvite(ctx.tx, typed, ctx.userId, ctx.now);
    if (result.status !== "granted" && result.status !== "already") await recordFailedInvite(ctx.tx, ctx.userId, ctx.now);
    switch (result.status) {
      case "granted":
        // The staff rich menu follows from the new role: the link job (src/line/rich-menu/link-job.ts)
        // links it within seconds. No LINE call inside a turn: it would hold the user's lock.
        return staffFirst(T.redeemed(await describeGrant(ctx.tx, result.grant)));
      case "already":
        return staffFirst(T.redeemAlready(await describeGrant(ctx.tx, result.grant)));
      case "revoked":
        return menuAfter(T.redeemMakerRevoked);
      default:
        return menuAfter(T.redeemRefused);
    }
  }

  const notifyFlow = defineFlow({
    id: NOTIFY_FLOW,
    version: 1,
    title: T.flowTitles.notify,
    schema: NOTIFY_SCHEMA,
    steps: [
      {
        id: "mode",
        slot: "mode",
        prompt: async (ctx) => [text(T.notifyAsk((await wantsDigest(ctx.tx, ctx.userId)) ? T.notifyDigest : T.notifyEach, digestTime))],
        expects: T.notifyExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.notifyEach, value: "each" },
            { label: T.notifyDigest, value: "digest" },
          ],
        },
        next: () => END,
      },
    ],
    async complete(ctx, data) {
      if (!(await isStaff(ctx.tx, ctx.userId, "SECRETARY"))) return menuAfter(T.notSecretary);
      const digest = data.mode === "digest";
      await setDigest(ctx.tx, ctx.userId, digest);
      return staffFirst(T.notifySaved(digest ? T.notifyDigest : T.notifyEach, digest ? digestTime : null));
    },
  });

  const entries: MenuEntry[] = [
    {
      id: STAFF_HOME.id,
      label: T.menu.staff,
      keywords: ["งานเจ้าหน้าที่", "เจ้าหน้าที่", "staff"],
      visible: staffOnly(),
      open: home,
    },
    {
      id: INVITE_ENTRY.id,
      label: T.menu.invite,
      keywords: ["สร้างรหัสเชิญ", "รหัสเชิญ", "เชิญเลขา", "invite"],
      listed: false,
      visible: staffOnly("COORDINATOR"),
      async open(ctx) {
        const start = await inviteStart(ctx, options.provinceCode);
        if (!start) return menuAfter(T.inviteNoArea);
        return { next: startFlow(invite, start) };
      },
    },
    {
      id: NOTIFY_ENTRY.id,
      label: T.menu.notify,
      keywords: ["ตั้งค่าการแจ้งเตือน", "การแจ้งเตือน", "แจ้งเตือน"],
      listed: false,
      visible: staffOnly("SECRETARY"),
      open: async () => ({ next: startFlow(notifyFlow) }),
    },
    {
      // Anyone, member or not: typing (or a button carrying) a code of the
      // invite shape. Its reply never tells unknown, used and expired apart.
      id: REDEEM_ENTRY,
      label: T.menu.redeem,
      keywords: [],
      listed: false,
      matches: (typed) => normaliseInviteCode(typed) !== null,
      open: redeem,
    },
  ];

  return defineModule({ name: "staff", entries, flows: [invite, notifyFlow] });
}
