// Meetings as coordinators see them: "สร้างการประชุม" and "ประชุมที่ฉันจัด"
// (edit a meeting's time, place, seats or deadline; cancel it). Entries are
// coordinators only (staffOnly('COORDINATOR'): others get the normal menu),
// and every write asks organize-store.ts again whether this coordinator may
// organise that meeting: meeting ids in buttons can be forged.
// The flows: organize-create-flow.ts, organize-edit-flow.ts, organize-cancel-flow.ts.
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { startFlow, withMenu, type Next, type Outcome } from "../engine/outcome.ts";
import type { MenuEntry, TurnContext } from "../engine/types.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { meetingWhen } from "./format.ts";
import { areaChoices, areaLabels } from "../staff/areas.ts";
import { organizeCancelFlow } from "./organize-cancel-flow.ts";
import { organizeCreateFlow } from "./organize-create-flow.ts";
import { organizeEditFlow } from "./organize-edit-flow.ts";
import { outcome, reply, text } from "./organize-steps.ts";
import { meetingsOrganisedBy, organisedMeeting } from "./organize-store.ts";
import { ORGANIZE_ENTRIES } from "./refs.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

export { ORGANIZE_ENTRIES } from "./refs.ts";

/** The staff menu's buttons for this module (staffModule({ actions })). */
export const ORGANIZE_ACTIONS: readonly StaffAction[] = [
  { entry: ORGANIZE_ENTRIES.create.id, label: T.menu.create, roles: ["COORDINATOR"] },
  { entry: ORGANIZE_ENTRIES.mine.id, label: T.menu.mine, roles: ["COORDINATOR"] },
];

export function organizeModule() {
  const coordinator = staffOnly("COORDINATOR");

  async function startCreate(ctx: TurnContext): Promise<Outcome> {
    if ((await areaChoices(ctx.tx, ctx.userId, areaLabels)).length === 0) return reply(T.noArea);
    return outcome([], startFlow(organizeCreateFlow));
  }

  async function mine(ctx: TurnContext): Promise<Outcome> {
    const rows = await meetingsOrganisedBy(ctx.tx, ctx.userId, ctx.now);
    if (rows.length === 0) return outcome([text(T.mineNone)], withMenu([entryButton(ORGANIZE_ENTRIES.create, T.menu.create)]));
    const lines = rows.map(({ meeting: m, registered, waiting }, i) =>
      T.mineRow(
        i + 1,
        m.title,
        meetingWhen(m.startsAt, m.endsAt),
        registered,
        waiting,
        m.capacity === null ? T.unlimited : T.seats(m.capacity),
      ),
    );
    const buttons = rows.flatMap(({ meeting: m }, i) => [
      entryButton(ORGANIZE_ENTRIES.edit, T.editButton(i + 1), String(m.id)),
      entryButton(ORGANIZE_ENTRIES.cancel, T.cancelButton(i + 1), String(m.id)),
    ]);
    return outcome([text([T.mineIntro(rows.length), ...lines, T.mineHint].join("\n\n"))], withMenu(buttons));
  }

  /** The edit or cancel flow (`start`) for a meeting this coordinator may still change. */
  async function openChange(ctx: TurnContext, arg: string | undefined, start: (data: { meetingId: string; startsAt: string }) => Next) {
    const meeting = await organisedMeeting(ctx.tx, ctx.userId, arg);
    if (!meeting) return reply(T.notFound);
    if (meeting.status !== "SCHEDULED") return reply(T.alreadyCancelled);
    if (meeting.endsAt.getTime() <= ctx.now.getTime()) return reply(T.alreadyOver);
    return outcome([], start({ meetingId: String(meeting.id), startsAt: meeting.startsAt.toISOString() }));
  }

  const entries: MenuEntry[] = [
    {
      id: ORGANIZE_ENTRIES.create.id,
      label: T.menu.create,
      keywords: ["สร้างการประชุม", "สร้างประชุม", "นัดประชุม"],
      listed: false,
      visible: coordinator,
      open: startCreate,
    },
    {
      id: ORGANIZE_ENTRIES.mine.id,
      label: T.menu.mine,
      keywords: ["ประชุมที่ฉันจัด", "ประชุมที่จัด"],
      listed: false,
      visible: coordinator,
      open: mine,
    },
    {
      id: ORGANIZE_ENTRIES.edit.id,
      label: T.fieldExpects,
      keywords: [],
      listed: false,
      visible: coordinator,
      open: (ctx, arg) => openChange(ctx, arg, (data) => startFlow(organizeEditFlow, { data })),
    },
    {
      id: ORGANIZE_ENTRIES.cancel.id,
      label: T.cancelYes,
      keywords: [],
      listed: false,
      visible: coordinator,
      open: (ctx, arg) => openChange(ctx, arg, (data) => startFlow(organizeCancelFlow, { data })),
    },
  ];

  return defineModule({
    name: "organize",
    entries,
    flows: [organizeCreateFlow, organizeEditFlow, organizeCancelFlow],
    /** The staff menu's buttons for this module: bot.ts passes them to staffModule({ actions }). */
    staffActions: ORGANIZE_ACTIONS,
  });
}
