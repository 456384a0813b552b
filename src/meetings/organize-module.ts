// Meetings as coordinators see them: "สร้างการประชุม" and "ประชุมที่ฉันจัด"
// (edit a meeting's time, place, seats or deadline; cancel it). Entries are
// coordinators only (staffOnly('COORDINATOR'): others get the normal menu),
// and every write asks organize-store.ts again whether this coordinator may
// organise that meeting: meeting ids in buttons can be forged.
import type { Engine } from "../engine/engine.ts";
import { entryButton } from "../engine/engine.ts";
import type { Button, FlowData, FlowDef, MenuEntry, Outgoing, Reply, TurnContext } from "../engine/types.ts";
import type { StaffAction } from "../staff/staff-module.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { meetingWhen } from "./format.ts";
import { parseMeetingId } from "./meeting-store.ts";
import { areaChoices, parseAreas } from "./organize-areas.ts";
import {
  ORGANIZE_CANCEL_FLOW,
  ORGANIZE_CREATE_FLOW,
  ORGANIZE_EDIT_FLOW,
  areaLabels,
  organizeCancelFlow,
  organizeCreateFlow,
  organizeEditFlow,
  placeOf,
} from "./organize-flow.ts";
import {
  cancelMeeting,
  changeMeeting,
  createMeeting,
  liveRegistrations,
  meetingsOrganisedBy,
  organisedMeeting,
  type ChangeOutcome,
  type MeetingChange,
} from "./organize-store.ts";
import { ORGANIZE_TEXT as T } from "./texts.ts";

export const ORGANIZE_ENTRIES = {
  create: "organize-create",
  mine: "organize-mine",
  edit: "organize-edit",
  cancel: "organize-cancel",
} as const;

/** The staff menu's buttons for this module (staffModule({ actions })). */
export const ORGANIZE_ACTIONS: readonly StaffAction[] = [
  { entry: ORGANIZE_ENTRIES.create, label: T.menu.create, roles: ["COORDINATOR"] },
  { entry: ORGANIZE_ENTRIES.mine, label: T.menu.mine, roles: ["COORDINATOR"] },
];

const text = (t: string): Reply => ({ kind: "text", text: t });
const menuButton = entryButton;
const instant = (v: unknown): Date | null => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);

export function organizeModule(options: { engine: () => Engine }): { flows: FlowDef[]; menu: MenuEntry[] } {
  const coordinator = staffOnly("COORDINATOR");

  const withMenu = (ctx: TurnContext, lead: Reply[], first: Button[] = []) => options.engine().menuWith(ctx, lead, first);
  const mineButton = () => menuButton(ORGANIZE_ENTRIES.mine, T.menu.mine);
  const say = (ctx: TurnContext, message: string) => withMenu(ctx, [text(message)], [mineButton()]);

  function outcomeText(outcome: Exclude<ChangeOutcome, { kind: "changed" }>): string {
    if (outcome.kind === "closed") return outcome.why === "cancelled" ? T.alreadyCancelled : T.alreadyOver;
    if (outcome.kind === "invalid") return outcome.taken !== undefined ? T.capacityBelowTaken(outcome.taken) : T.deadlineAfterStart;
    return T.notFound;
  }

  // --- create ----------------------------------------------------------------

  async function startCreate(ctx: TurnContext): Promise<Outgoing> {
    if ((await areaChoices(ctx.tx, ctx.userId, areaLabels)).length === 0) return say(ctx, T.noArea);
    return options.engine().startFlow(ctx, ORGANIZE_CREATE_FLOW);
  }

  async function completeCreate(ctx: TurnContext, d: FlowData): Promise<Outgoing> {
    if (!(await coordinator(ctx))) return withMenu(ctx, [text(T.notCoordinator)]);
    const startsAt = instant(d.startsAt)!;
    const endsAt = instant(d.endsAt)!;
    const deadline = instant(d.deadline);
    // The answers were checked step by step; an edit of one may have broken another.
    if (startsAt.getTime() <= ctx.now.getTime()) return say(ctx, T.startInvalid);
    if (endsAt.getTime() <= startsAt.getTime()) return say(ctx, T.endBeforeStart);
    if (deadline && deadline.getTime() >= startsAt.getTime()) return say(ctx, T.deadlineAfterStart);
    const meeting = await createMeeting(
      ctx.tx,
      ctx.userId,
      {
        title: String(d.title),
        agenda: String(d.agenda ?? "") || null,
        startsAt,
        endsAt,
        ...placeOf(d.place),
        capacity: typeof d.capacity === "number" ? d.capacity : null,
        registrationDeadline: deadline,
        audience: parseAreas(d.audience),
      },
      ctx.now,
    );
    if (!meeting) return say(ctx, T.outsideArea);
    return say(ctx, T.created(meeting.title, meetingWhen(meeting.startsAt, meeting.endsAt)));
  }

  // --- my meetings -----------------------------------------------------------

  async function mine(ctx: TurnContext): Promise<Outgoing> {
    const rows = await meetingsOrganisedBy(ctx.tx, ctx.userId, ctx.now);
    if (rows.length === 0) return withMenu(ctx, [text(T.mineNone)], [menuButton(ORGANIZE_ENTRIES.create, T.menu.create)]);
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
      menuButton(ORGANIZE_ENTRIES.edit, T.editButton(i + 1), String(m.id)),
      menuButton(ORGANIZE_ENTRIES.cancel, T.cancelButton(i + 1), String(m.id)),
    ]);
    return withMenu(ctx, [text([T.mineIntro(rows.length), ...lines, T.mineHint].join("\n\n"))], buttons);
  }

  // --- edit and cancel -----------------------------------------------------

  async function openChange(ctx: TurnContext, flow: string, arg?: string): Promise<Outgoing> {
    const meeting = await organisedMeeting(ctx.tx, ctx.userId, arg);
    if (!meeting) return say(ctx, T.notFound);
    if (meeting.status !== "SCHEDULED") return say(ctx, T.alreadyCancelled);
    if (meeting.endsAt.getTime() <= ctx.now.getTime()) return say(ctx, T.alreadyOver);
    return options.engine().startFlow(ctx, flow, { data: { meetingId: String(meeting.id), startsAt: meeting.startsAt.toISOString() } });
  }

  async function describe(ctx: TurnContext) {
    const meeting = await organisedMeeting(ctx.tx, ctx.userId, String(ctx.state.data.meetingId));
    if (!meeting) return null;
    const notify = (await liveRegistrations(ctx.tx, meeting.id)).length;
    return { title: meeting.title, when: meetingWhen(meeting.startsAt, meeting.endsAt), notify };
  }

  function changeOf(d: FlowData): MeetingChange | null {
    switch (d.field) {
      case "time":
        return { kind: "time", startsAt: instant(d.startsAt)!, endsAt: instant(d.endsAt)! };
      case "place":
        return { kind: "place", ...placeOf(d.place) };
      case "capacity":
        return { kind: "capacity", capacity: typeof d.capacity === "number" ? d.capacity : null };
      case "deadline":
        return { kind: "deadline", registrationDeadline: instant(d.deadline) };
      default:
        return null;
    }
  }

  async function completeEdit(ctx: TurnContext, d: FlowData): Promise<Outgoing> {
    if (d.confirmed !== "yes") return say(ctx, T.editKept);
    const id = parseMeetingId(String(d.meetingId));
    const change = changeOf(d);
    if (id === null || !change) return say(ctx, T.notFound);
    const outcome = await changeMeeting(ctx.tx, ctx.userId, id, change, ctx.now);
    if (outcome.kind !== "changed") return say(ctx, outcomeText(outcome));
    return say(ctx, T.edited(outcome.meeting.title, outcome.notified));
  }

  async function completeCancel(ctx: TurnContext, d: FlowData): Promise<Outgoing> {
    if (d.confirmed !== "yes") return say(ctx, T.cancelKept);
    const id = parseMeetingId(String(d.meetingId));
    if (id === null) return say(ctx, T.notFound);
    const outcome = await cancelMeeting(ctx.tx, ctx.userId, id, ctx.now);
    if (outcome.kind !== "changed") return say(ctx, outcomeText(outcome));
    return say(ctx, T.cancelledMeeting(outcome.meeting.title, outcome.notified));
  }

  const menu: MenuEntry[] = [
    {
      id: ORGANIZE_ENTRIES.create,
      label: T.menu.create,
      keywords: ["สร้างการประชุม", "สร้างประชุม", "นัดประชุม"],
      listed: false,
      visible: coordinator,
      open: startCreate,
    },
    {
      id: ORGANIZE_ENTRIES.mine,
      label: T.menu.mine,
      keywords: ["ประชุมที่ฉันจัด", "ประชุมที่จัด"],
      listed: false,
      visible: coordinator,
      open: mine,
    },
    {
      id: ORGANIZE_ENTRIES.edit,
      label: T.fieldExpects,
      keywords: [],
      listed: false,
      visible: coordinator,
      open: (ctx, arg) => openChange(ctx, ORGANIZE_EDIT_FLOW, arg),
    },
    {
      id: ORGANIZE_ENTRIES.cancel,
      label: T.cancelYes,
      keywords: [],
      listed: false,
      visible: coordinator,
      open: (ctx, arg) => openChange(ctx, ORGANIZE_CANCEL_FLOW, arg),
    },
  ];

  return {
    flows: [
      organizeCreateFlow(completeCreate),
      organizeEditFlow({ describe, complete: completeEdit }),
      organizeCancelFlow({ describe, complete: completeCancel }),
    ],
    menu,
  };
}
