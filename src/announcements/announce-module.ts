// Announcements as coordinators see them: "ส่งประกาศ" (compose, preview,
// send now or schedule) and "รายงานการส่ง" (each recent announcement's
// delivery: sent, failed, pending, blocked; a scheduled one can be
// cancelled until it starts, as can other coordinators' scheduled ones in
// the area). Coordinators only; areas, the linked meeting and the
// announcement to cancel are checked again on the server.
// The flows: compose-flow.ts, announce-cancel-flow.ts.
import type { MediaLinks } from "../line/media-links.ts";
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { startFlow, withMenu, type Outcome } from "../engine/outcome.ts";
import type { Button, MenuEntry, TurnContext } from "../engine/types.ts";
import { areaChoices, areaLabels } from "../staff/areas.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { thaiDateTime } from "../thai/format.ts";
import { announceCancelFlow } from "./announce-cancel-flow.ts";
import { announcementsBy, deliveryCounts, manageableAnnouncement, registrationsFrom, scheduledInAreaOf } from "./announcement-store.ts";
import { announcementIdOf, outcome, reply, text } from "./answers.ts";
import { composeFlow } from "./compose-flow.ts";
import { announcementExcerpt as excerpt } from "./message.ts";
import { ANNOUNCE_ENTRIES } from "./refs.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

export { ANNOUNCE_ENTRIES } from "./refs.ts";

/** The staff menu's buttons for this module (staffModule({ actions })). */
export const ANNOUNCE_ACTIONS: readonly StaffAction[] = [
  { entry: ANNOUNCE_ENTRIES.compose.id, label: T.menu.compose, roles: ["COORDINATOR"] },
  { entry: ANNOUNCE_ENTRIES.report.id, label: T.menu.report, roles: ["COORDINATOR"] },
];

export function announceModule(options: { pushQuotaMonthly: number; media?: MediaLinks }) {
  const coordinator = staffOnly("COORDINATOR");
  const compose = composeFlow({ pushQuotaMonthly: options.pushQuotaMonthly, media: options.media });

  async function startCompose(ctx: TurnContext): Promise<Outcome> {
    if ((await areaChoices(ctx.tx, ctx.userId, areaLabels)).length === 0) return reply(T.noArea);
    return outcome([], startFlow(compose));
  }

  async function report(ctx: TurnContext): Promise<Outcome> {
    const rows = await announcementsBy(ctx.tx, ctx.userId);
    // Others' scheduled ones in the area: whoever covers it may stop them (a colleague away, a role revoked).
    const others = await scheduledInAreaOf(ctx.tx, ctx.userId);
    if (rows.length === 0 && others.length === 0)
      return outcome([text(T.reportNone)], withMenu([entryButton(ANNOUNCE_ENTRIES.compose, T.menu.compose)]));
    const lines: string[] = rows.length > 0 ? [T.reportIntro] : [];
    const buttons: Button[] = [];
    for (const [i, a] of [...rows, ...others].entries()) {
      if (i === rows.length) lines.push(T.reportOthers);
      const status = a.status === "SCHEDULED" ? T.status.SCHEDULED(thaiDateTime(a.scheduledAt)) : T.status[a.status];
      const delivery = a.status === "SENDING" || a.status === "SENT" ? await deliveryCounts(ctx.tx, a.id) : null;
      const registrations = delivery ? await registrationsFrom(ctx.tx, a) : null;
      const counts = delivery && registrations !== null ? { ...delivery, registrations } : delivery;
      const shown = a.status === "SENT" && counts && counts.failed > 0 ? T.sentWithFailures(counts.sent) : status;
      lines.push(T.reportRow(i + 1, excerpt(a.text), shown, counts));
      if (a.status === "SCHEDULED") buttons.push(entryButton(ANNOUNCE_ENTRIES.cancel, T.cancelButton(i + 1), String(a.id)));
    }
    if (rows.length > 0) lines.push(T.reportNote);
    return outcome([text(lines.join("\n\n"))], withMenu(buttons));
  }

  async function startCancel(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const id = announcementIdOf(arg);
    const a = id === null ? null : await manageableAnnouncement(ctx.tx, ctx.userId, id);
    if (!a) return reply(T.notFound);
    if (a.status !== "SCHEDULED") return reply(T.cancelTooLate);
    return outcome([], startFlow(announceCancelFlow, { data: { announcementId: String(a.id) } }));
  }

  const entries: MenuEntry[] = [
    {
      id: ANNOUNCE_ENTRIES.report.id,
      label: T.menu.report,
      keywords: ["รายงานการส่ง", "รายงานประกาศ"],
      listed: false,
      visible: coordinator,
      open: report,
    },
    {
      id: ANNOUNCE_ENTRIES.compose.id,
      label: T.menu.compose,
      keywords: ["ส่งประกาศ", "เขียนประกาศ"],
      listed: false,
      visible: coordinator,
      open: startCompose,
    },
    { id: ANNOUNCE_ENTRIES.cancel.id, label: T.cancelYes, keywords: [], listed: false, visible: coordinator, open: startCancel },
  ];

  return defineModule({
    name: "announcements",
    entries,
    flows: [compose, announceCancelFlow],
    /** The staff menu's buttons for this module: bot.ts passes them to staffModule({ actions }). */
    staffActions: ANNOUNCE_ACTIONS,
  });
}
