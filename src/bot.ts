// The bot: the engine with every domain module's flows and menu entries, and
// the routing of LINE event types. Add a domain by adding its module here.
import { Engine, clearFlow } from "./engine/engine.ts";
import { assembleModules, type BotModule } from "./engine/module.ts";
import { inputOf, userIdOf } from "./line/events.ts";
import { forgetUnsentMessage } from "./line/unsend.ts";
import type { EventHandler } from "./inbox/processor.ts";
import { CASE_STAFF_ACTIONS, caseHandlingModule } from "./help-requests/case-module.ts";
import { CASES_ENTRY } from "./help-requests/case-card.ts";
import { aidModule } from "./disaster/aid-module.ts";
import { FLOOD_ENTRY, helpRequestsModule } from "./help-requests/help-module.ts";
import { myRequestsModule } from "./help-requests/my-requests.ts";
import { ANNOUNCE_ACTIONS, announceModule } from "./announcements/announce-module.ts";
import { meetingsModule } from "./meetings/meetings-module.ts";
import { ORGANIZE_ACTIONS, organizeModule } from "./meetings/organize-module.ts";
import { situationModule } from "./disaster/situation-module.ts";
import { membersModule } from "./members/members.ts";
import { eraseOnWithdrawal } from "./privacy/erasure.ts";
import { withHeldNotices } from "./outbox/held.ts";
import type { MediaLinks } from "./line/media-links.ts";
import type { ExportLinks } from "./reports/export-links.ts";
import { REPORT_ENTRY, reportsModule } from "./reports/reports-module.ts";
import { REPORT_TEXT } from "./reports/texts.ts";
import { STAFF_ACTIONS, STAFF_ENTRY, staffModule } from "./staff/staff-module.ts";
import type { SummaryCsvLinks } from "./disaster/summary-csv.ts";
import { summaryModule } from "./disaster/summary-module.ts";
import { STAFF_TEXT } from "./staff/texts.ts";
import { fundModule } from "./welfare-fund/fund-module.ts";
import { checkInModule } from "./disaster/checkin-module.ts";
import { unansweredModule } from "./disaster/unanswered-module.ts";
import { fundLinkHashSecret } from "./welfare-fund/link-store.ts";
import { LINK_REVIEW_ACTION, linkReviewModule } from "./welfare-fund/link-review.ts";
import { staffActionFor, staffTiles } from "./line/rich-menu/staff-menu.ts";
import { emergencyNumbersModule } from "./disaster/emergency-numbers.ts";

export interface BotOptions {
  provinceCode: number;
  conversationTimeoutMinutes: number;
  /** Signs the reports' CSV download links; without it the reports offer none. */
  exportLinks?: ExportLinks;
  /** Signs the links to help requests' photos on cards; without it the cards show none. */
  mediaLinks?: MediaLinks;
  /** DIGEST_TIME, said in the staff's notification setting; default 18:00. */
  digestTime?: string;
  /** INVITE_CODE_HOURS; default 72. */
  inviteCodeHours?: number;
  /** PUSH_QUOTA_MONTHLY, for the announcement preview; 0 or unset: not shown. */
  pushQuotaMonthly?: number;
  /** Keys the hashes fund-link lock-outs are kept under; unset: random, so lock-outs last as long as the process. */
  fundLinkHashSecret?: Buffer;
  /** DISASTER_UNANSWERED_HOURS: the secretaries' unanswered list shows members not answered after this; default 3. */
  disasterUnansweredHours?: number;
  /** Signs the situation summary's CSV links (src/disaster/summary-csv.ts). */
  summaryCsvLinks?: SummaryCsvLinks;
  /** SUMMARY_CHART_FONT: the Thai font of the situation summary's chart. */
  summaryChartFont?: string;
}

export function createBot(options: BotOptions): { engine: Engine; handleEvent: EventHandler } {
  let engine: Engine;
  const members = membersModule({ provinceCode: options.provinceCode, eraseOnWithdrawal });
  const fund = fundModule({ attemptSecret: options.fundLinkHashSecret ?? fundLinkHashSecret({}) });
  const linkReview = linkReviewModule();
  const help = helpRequestsModule({ provinceCode: options.provinceCode });
  const meetings = meetingsModule();
  const organize = organizeModule();
  const announce = announceModule({ pushQuotaMonthly: options.pushQuotaMonthly ?? 0, media: options.mediaLinks });
  const situation = situationModule({ pushQuotaMonthly: options.pushQuotaMonthly ?? 0 });
  const mine = myRequestsModule({ media: options.mediaLinks });
  const reports = reportsModule({ provinceCode: options.provinceCode, exportLinks: options.exportLinks });
  const cases = caseHandlingModule({ media: options.mediaLinks });
  const aid = aidModule({ casesEntry: CASES_ENTRY });
  const checkIn = checkInModule({ provinceCode: options.provinceCode });
  const unanswered = unansweredModule({ hours: options.disasterUnansweredHours });
  const summary = summaryModule({ media: options.mediaLinks, csvLinks: options.summaryCsvLinks, chartFont: options.summaryChartFont });
  const staff = staffModule({
    provinceCode: options.provinceCode,
    inviteHours: options.inviteCodeHours,
    digestTime: options.digestTime,
    actions: [
      ...cases.staffActions,
      ...linkReview.actions,
      ...organize.staffActions,
      ...announce.staffActions,
      ...situation.staffActions,
      ...unanswered.staffActions,
      ...summary.staffActions,
    ],
  });
  // Each domain's menu entries and flows; a module reaching for another's
  // flow or entry uses its ref, checked here at boot (assembleModules).
  const modules: BotModule[] = [
    members,
    linkReview,
    fund,
    help,
    mine,
    organize,
    announce,
    // Before situation: its keyword "สรุปสถานการณ์" contains situation's "สถานการณ์" (the first entry named wins).
    summary,
    situation,
    meetings,
    staff,
    reports,
    cases,
    checkIn,
    unanswered,
    aid,
    // The flood-first rich menu's เบอร์ฉุกเฉิน tile.
    emergencyNumbersModule(),
  ];
  // "ช่วยด้วย", "น้ำท่วม" open the flood request from any step, for anyone.
  const emergency = FLOOD_ENTRY.id;
  engine = new Engine({ ...assembleModules(modules, { emergency }), timeoutMinutes: options.conversationTimeoutMinutes, emergency });

  const handle: EventHandler["handle"] = async (ctx, event) => {
    // Group and room chats are not served yet: stored, not answered.
    if (!userIdOf(event)) return { outgoing: null };
    switch (event.type) {
      case "follow":
        return { outgoing: await engine.carry(ctx, await members.onFollow(ctx)), wantsProfile: true };
      case "unfollow":
        clearFlow(ctx.state);
        await members.onUnfollow(ctx);
        return { outgoing: null };
      case "unsend": {
        // Forget what is kept of the message (src/line/unsend.ts says where); no answer.
        const messageId = (event as { unsend?: { messageId?: unknown } }).unsend?.messageId;
        if (typeof messageId === "string") await forgetUnsentMessage(ctx.tx, ctx.state, ctx.userId, messageId.slice(0, 100));
        return { outgoing: null };
      }
      case "message":
      case "postback": {
        const input = inputOf(event);
        if (!input) return { outgoing: null };
        // Pushes held by a used-up monthly quota go out with this (free) reply.
        // Whether any can be held was read with the turn's load (ctx.quotaExhausted).
        const outgoing = await withHeldNotices(ctx.tx, ctx.userId, ctx.now, await engine.handle(ctx, input), ctx.quotaExhausted);
        // The LINE name, for a sign-up started later than the follow.
        return { outgoing, wantsProfile: members.wantsProfile(ctx.state) };
      }
      default:
        return { outgoing: null };
    }
  };
  const handleEvent: EventHandler = { handle, onProfile: (ctx, name) => members.onProfile(ctx, name) };
  return { engine, handleEvent };
}

/**
 * The staff rich menu's tiles (drawn and laid out by
 * src/line/rich-menu/staff-menu.ts): each opens a module's own staff entry,
 * with its label, so a tile says what the chat's staff button says.
 */
export const STAFF_TILES = staffTiles({
  cases: CASE_STAFF_ACTIONS[0]!,
  staff: { entry: STAFF_ENTRY, label: STAFF_TEXT.menu.staff, roles: [] },
  fundLinks: LINK_REVIEW_ACTION,
  reports: { entry: REPORT_ENTRY, label: REPORT_TEXT.menu, roles: ["COORDINATOR"] },
  announce: ANNOUNCE_ACTIONS[0]!,
  organize: ORGANIZE_ACTIONS[0]!,
  invite: staffActionFor("staff-invite", STAFF_ACTIONS),
  notify: staffActionFor("staff-notify", STAFF_ACTIONS),
  helpLabel: STAFF_TEXT.menu.help,
});
