// Announcements as coordinators see them: "ส่งประกาศ" (compose, preview,
// send now or schedule) and "รายงานการส่ง" (each recent announcement's
// delivery: sent, failed, pending, blocked; a scheduled one can be
// cancelled until it starts, as can other coordinators' scheduled ones in
// the area). Coordinators only; areas, the linked meeting and the
// announcement to cancel are checked again on the server.
import type { Engine } from "../engine/engine.ts";
import type { MediaLinks } from "../http/media.ts";
import { entryButton } from "../engine/engine.ts";
import { strings } from "../engine/flow-data.ts";
import {
  END,
  type Button,
  type FlowData,
  type FlowDef,
  type MenuEntry,
  type Outgoing,
  type Reply,
  type TurnContext,
} from "../engine/types.ts";
import { allWithin, parseAreas } from "../meetings/organize-areas.ts";
import { areaChoices } from "../meetings/organize-areas.ts";
import { areaLabels } from "../meetings/organize-flow.ts";
import { mayOrganise } from "../meetings/organize-store.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { thaiDateTime } from "../thai/format.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { isStaff } from "../staff/roles.ts";
import {
  announcementsBy,
  cancelAnnouncement,
  createAnnouncement,
  deliveryCounts,
  manageableAnnouncement,
  registrationsFrom,
  scheduledInAreaOf,
} from "./announcement-store.ts";
import { audienceOf, COMPOSE_FLOW, composeFlow, meetingIdOf } from "./compose-flow.ts";
import { announcementExcerpt } from "./message.ts";
import { resolveRecipients } from "./recipients.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

export const ANNOUNCE_ENTRIES = { compose: "announce", report: "announce-report", cancel: "announce-cancel" } as const;
export const CANCEL_FLOW = "announce-cancel";

export const ANNOUNCE_ACTIONS: readonly StaffAction[] = [
  { entry: ANNOUNCE_ENTRIES.compose, label: T.menu.compose, roles: ["COORDINATOR"] },
  { entry: ANNOUNCE_ENTRIES.report, label: T.menu.report, roles: ["COORDINATOR"] },
];

const text = (t: string): Reply => ({ kind: "text", text: t });
const menuButton = entryButton;
const excerpt = announcementExcerpt;
const idOf = (arg: unknown) => (typeof arg === "string" && /^\d{1,9}$/.test(arg) ? Number(arg) : null);

export function announceModule(options: { engine: () => Engine; pushQuotaMonthly: number; media?: MediaLinks }): {
  flows: FlowDef[];
  menu: MenuEntry[];
} {
  const coordinator = staffOnly("COORDINATOR");

  const withMenu = (ctx: TurnContext, lead: Reply[], first: Button[] = []) => options.engine().menuWith(ctx, lead, first);
  const reportButton = () => menuButton(ANNOUNCE_ENTRIES.report, T.menu.report);
  const say = (ctx: TurnContext, message: string) => withMenu(ctx, [text(message)], [reportButton()]);

  async function startCompose(ctx: TurnContext): Promise<Outgoing> {
    if ((await areaChoices(ctx.tx, ctx.userId, areaLabels)).length === 0) return say(ctx, T.noArea);
    return options.engine().startFlow(ctx, COMPOSE_FLOW);
  }

  async function completeCompose(ctx: TurnContext, d: FlowData): Promise<Outgoing> {
    if (!(await coordinator(ctx))) return withMenu(ctx, [text(T.notCoordinator)]);
    const areas = parseAreas(d.areas);
    const audience = audienceOf(d.audience);
    if (!audience || !(await allWithin(ctx.tx, ctx.userId, areas))) return say(ctx, T.outsideArea);
    const meetingId = meetingIdOf(d.meeting);
    if (meetingId !== null) {
      const m = await ctx.tx.meeting.findUnique({ where: { id: meetingId } });
      if (m?.status !== "SCHEDULED" || m.startsAt.getTime() <= ctx.now.getTime() || !(await mayOrganise(ctx.tx, ctx.userId, m))) {
        return say(ctx, T.meetingGone);
      }
    }
    const when = typeof d.when === "string" ? new Date(d.when) : null;
    const photos = strings(d.image);
    await createAnnouncement(
      ctx.tx,
      ctx.userId,
      { text: String(d.text), photoMessageId: photos[0] ?? null, meetingId, areas, audience, scheduledAt: when ?? ctx.now },
      ctx.now,
    );
    if (when) return say(ctx, T.scheduled(thaiDateTime(when)));
    // The send job resolves the list again when it starts (moments from now).
    return say(ctx, T.queuedNow((await resolveRecipients(ctx.tx, { areas, audience })).length));
  }

  async function report(ctx: TurnContext): Promise<Outgoing> {
    const rows = await announcementsBy(ctx.tx, ctx.userId);
    // Others' scheduled ones in the area: whoever covers it may stop them (a colleague away, a role revoked).
    const others = await scheduledInAreaOf(ctx.tx, ctx.userId);
    if (rows.length === 0 && others.length === 0)
      return withMenu(ctx, [text(T.reportNone)], [menuButton(ANNOUNCE_ENTRIES.compose, T.menu.compose)]);
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
      if (a.status === "SCHEDULED") buttons.push(menuButton(ANNOUNCE_ENTRIES.cancel, T.cancelButton(i + 1), String(a.id)));
    }
    if (rows.length > 0) lines.push(T.reportNote);
    return withMenu(ctx, [text(lines.join("\n\n"))], buttons);
  }

  async function startCancel(ctx: TurnContext, arg?: string): Promise<Outgoing> {
    const id = idOf(arg);
    const a = id === null ? null : await manageableAnnouncement(ctx.tx, ctx.userId, id);
    if (!a) return say(ctx, T.notFound);
    if (a.status !== "SCHEDULED") return say(ctx, T.cancelTooLate);
    return options.engine().startFlow(ctx, CANCEL_FLOW, { data: { announcementId: String(a.id) } });
  }

  const cancelFlow: FlowDef = {
    id: CANCEL_FLOW,
    version: 1,
    title: T.flowTitles.cancel,
    steps: [
      {
        id: "confirm",
        slot: "confirmed",
        prompt: async (ctx) => {
          const id = idOf(ctx.state.data.announcementId);
          const a = id === null ? null : await manageableAnnouncement(ctx.tx, ctx.userId, id);
          return [text(a ? T.askCancel(excerpt(a.text), thaiDateTime(a.scheduledAt)) : T.notFound)];
        },
        expects: T.cancelExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.cancelYes, value: "yes" },
            { label: T.cancelNo, value: "no" },
          ],
        },
        next: () => END,
      },
    ],
    async complete(ctx, d) {
      if (d.confirmed !== "yes") return say(ctx, T.cancelKept);
      const id = idOf(d.announcementId);
      const outcome = id === null ? { kind: "not-found" as const } : await cancelAnnouncement(ctx.tx, ctx.userId, id, ctx.now);
      if (outcome.kind !== "cancelled") return say(ctx, outcome.kind === "too-late" ? T.cancelTooLate : T.notFound);
      const a = outcome.announcement;
      // The author hears that a colleague stopped it, while they are still a coordinator to hear it.
      if (a.createdBy !== ctx.userId && (await isStaff(ctx.tx, a.createdBy, "COORDINATOR"))) {
        await enqueuePush(ctx.tx, a.createdBy, [{ type: "text", text: T.cancelledByOther(excerpt(a.text), thaiDateTime(a.scheduledAt)) }], {
          purpose: "announcement.cancelled",
          now: ctx.now,
          dedupeKey: `announcement-cancelled:${a.id}`,
        });
      }
      return say(ctx, T.cancelled);
    },
  };

  const menu: MenuEntry[] = [
    {
      id: ANNOUNCE_ENTRIES.report,
      label: T.menu.report,
      keywords: ["รายงานการส่ง", "รายงานประกาศ"],
      listed: false,
      visible: coordinator,
      open: report,
    },
    {
      id: ANNOUNCE_ENTRIES.compose,
      label: T.menu.compose,
      keywords: ["ส่งประกาศ", "เขียนประกาศ"],
      listed: false,
      visible: coordinator,
      open: startCompose,
    },
    { id: ANNOUNCE_ENTRIES.cancel, label: T.cancelYes, keywords: [], listed: false, visible: coordinator, open: startCancel },
  ];

  return {
    flows: [composeFlow({ pushQuotaMonthly: options.pushQuotaMonthly, complete: completeCompose, media: options.media }), cancelFlow],
    menu,
  };
}
