// The bot: the engine with every domain module's flows and menu entries, and
// the routing of LINE event types. Add a domain by adding its module here.
import { Engine, clearFlow } from "./engine/engine.ts";
import { assembleModules, type BotModule } from "./engine/module.ts";
import { inputOf, userIdOf } from "./line/events.ts";
import { forgetUnsentMessage } from "./line/unsend.ts";
import type { EventHandler } from "./inbox/processor.ts";
import { caseHandlingModule } from "./help-requests/case-module.ts";
import { FLOOD_ENTRY, helpRequestsModule } from "./help-requests/help-module.ts";
import { myRequestsModule } from "./help-requests/my-requests.ts";
import { announceModule, ANNOUNCE_ACTIONS } from "./announcements/announce-module.ts";
import { meetingsModule } from "./meetings/meetings-module.ts";
import { ORGANIZE_ACTIONS, organizeModule } from "./meetings/organize-module.ts";
import { membersModule } from "./members/members.ts";
import { LINE_NAME_SLOT } from "./members/signup-flow.ts";
import { withHeldNotices } from "./outbox/held.ts";
import type { MediaLinks } from "./http/media.ts";
import type { ExportLinks } from "./reports/export-links.ts";
import { reportsModule } from "./reports/reports-module.ts";
import { staffModule } from "./staff/staff-module.ts";
import { fundModule } from "./welfare-fund/fund-module.ts";
import { fundLinkHashSecret } from "./welfare-fund/link-store.ts";
import { linkReviewModule } from "./welfare-fund/link-review.ts";

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
}

export function createBot(options: BotOptions): { engine: Engine; handleEvent: EventHandler } {
  let engine: Engine;
  const members = membersModule({ provinceCode: options.provinceCode, engine: () => engine });
  const fund = fundModule({ engine: () => engine, attemptSecret: options.fundLinkHashSecret ?? fundLinkHashSecret({}) });
  const linkReview = linkReviewModule({ engine: () => engine });
  const help = helpRequestsModule({ provinceCode: options.provinceCode });
  const meetings = meetingsModule({ engine: () => engine });
  const organize = organizeModule({ engine: () => engine });
  const announce = announceModule({ engine: () => engine, pushQuotaMonthly: options.pushQuotaMonthly ?? 0, media: options.mediaLinks });
  const mine = myRequestsModule({ media: options.mediaLinks });
  const reports = reportsModule({ provinceCode: options.provinceCode, exportLinks: options.exportLinks });
  const cases = caseHandlingModule({ media: options.mediaLinks });
  const staff = staffModule({
    provinceCode: options.provinceCode,
    engine: () => engine,
    inviteHours: options.inviteCodeHours,
    digestTime: options.digestTime,
    actions: [...cases.staffActions, ...linkReview.actions, ...ORGANIZE_ACTIONS, ...ANNOUNCE_ACTIONS],
  });
  // Each domain's menu entries and flows; a module reaching for another's
  // flow or entry uses its ref, checked here at boot (assembleModules).
  const modules: BotModule[] = [
    { name: "members", entries: members.menu, flows: members.flows },
    { name: "link-review", entries: linkReview.menu, flows: linkReview.flows },
    { name: "welfare-fund", entries: fund.menu, flows: fund.flows },
    help,
    mine,
    { name: "organize", entries: organize.menu, flows: organize.flows },
    { name: "announcements", entries: announce.menu, flows: announce.flows },
    { name: "meetings", entries: meetings.menu, flows: meetings.flows },
    { name: "staff", entries: staff.menu, flows: staff.flows },
    reports,
    cases,
  ];
  // "ช่วยด้วย", "น้ำท่วม" open the flood request from any step, for anyone.
  const emergency = FLOOD_ENTRY.id;
  engine = new Engine({ ...assembleModules(modules, { emergency }), timeoutMinutes: options.conversationTimeoutMinutes, emergency });

  const handle: EventHandler["handle"] = async (ctx, event) => {
    // Group and room chats are not served yet: stored, not answered.
    if (!userIdOf(event)) return { outgoing: null };
    switch (event.type) {
      case "follow":
        return { outgoing: await members.onFollow(ctx), wantsProfile: true };
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
        const outgoing = await withHeldNotices(ctx.tx, ctx.userId, ctx.now, await engine.handle(ctx, input));
        // A sign-up started later than the follow (cancelled, or from the menu)
        // offers the LINE name too: fetched once, while consent is asked.
        const s = ctx.state;
        const wantsProfile = s.flowId === "signup" && s.stepId === "consent" && s.data[LINE_NAME_SLOT] === undefined;
        return { outgoing, wantsProfile };
      }
      default:
        return { outgoing: null };
    }
  };
  const handleEvent: EventHandler = { handle, onProfile: (ctx, name) => members.onProfile(ctx, name) };
  return { engine, handleEvent };
}
