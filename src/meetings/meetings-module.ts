// The meetings module as the bot sees it: upcoming meetings of the member's
// council as cards, a meeting's details, registration (with a waitlist when
// full), "การลงทะเบียนของฉัน" and cancelling. Card buttons are menu postbacks
// carrying a meeting id; ids can be forged, so each entry checks that the
// meeting is one this member may see (its audience includes their council).
import type { Engine } from "../engine/engine.ts";
import { entryButton } from "../engine/engine.ts";
import { encodePostback } from "../engine/postback.ts";
import { END, type Button, type FlowDef, type MenuEntry, type Outgoing, type Reply, type TurnContext } from "../engine/types.ts";
import type { MeetingRegistration } from "../generated/prisma/client.ts";
import { getCouncilWithPlace } from "../geography/councils.ts";
import { activeMember } from "../members/member-store.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { mapUrl, meetingPlace, meetingWhen } from "./format.ts";
import {
  cancelRegistration,
  meetingForArea,
  myRegistrations,
  parseMeetingId,
  register,
  registrationClosed,
  registrationOf,
  upcomingMeetings,
  waitlistPosition,
  type Closed,
  type CouncilArea,
  type MeetingWithSeats,
} from "./meeting-store.ts";
import { MEETING_REGISTER_FLOW, meetingRegisterFlow } from "./register-flow.ts";
import { notifyRegistration } from "./registration-notice.ts";
import { MEETING_TEXT as T } from "./texts.ts";

export const MEETING_CANCEL_FLOW = "meeting-cancel";
const SIGNUP_ENTRY = "signup"; // src/members/members.ts

const text = (t: string): Reply => ({ kind: "text", text: t });
const menuButton = entryButton;

const COLORS = { open: "#1B7F5A", full: "#B3261E", waitlisted: "#B26A00" } as const;

export interface MeetingsModule {
  flows: FlowDef[];
  menu: MenuEntry[];
}

type Member = NonNullable<Awaited<ReturnType<typeof activeMember>>>;
type Guarded = { member: Member; area: CouncilArea } | { refusal: Outgoing };

export function meetingsModule(options: { engine: () => Engine }): MeetingsModule {
  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;
  const notMember = async (ctx: TurnContext) => !(await isMember(ctx));

  const withMenu = (ctx: TurnContext, lead: Reply[], first: Button[] = []) => options.engine().menuWith(ctx, lead, first);
  const refuse = (ctx: TurnContext, message: string) => withMenu(ctx, [text(message)]);

  /** Only members register: the council needs the names of who comes. */
  async function guard(ctx: TurnContext): Promise<Guarded> {
    const member = await activeMember(ctx.tx, ctx.userId);
    if (!member) {
      return { refusal: await withMenu(ctx, [text(T.notMember)], [menuButton(SIGNUP_ENTRY, T.menu.signup)]) };
    }
    const council = member.councilId ? await getCouncilWithPlace(ctx.tx, member.councilId) : null;
    if (!council) return { refusal: await refuse(ctx, T.noCouncil) };
    return { member, area: { councilId: council.id, districtId: council.districtId, provinceId: council.provinceId } };
  }

  /** The meeting a card's button names, if this member may see it. */
  async function meetingFromArg(ctx: TurnContext, area: CouncilArea, arg: string | undefined): Promise<MeetingWithSeats | null> {
    const id = parseMeetingId(arg);
    return id === null ? null : meetingForArea(ctx.tx, id, area);
  }

  function closedMessage(closed: Closed): string {
    switch (closed.reason) {
      case "cancelled":
        return T.meetingCancelled;
      case "started":
        return T.started;
      case "deadline":
        return T.deadlinePassed(thaiDateTime(closed.deadline));
    }
  }

  // --- cards -----------------------------------------------------------------

  function seatsOf(m: MeetingWithSeats): { seats: string; seatsColor: string } {
    if (m.seatsLeft === null) return { seats: T.seatsOpen, seatsColor: COLORS.open };
    if (m.seatsLeft === 0) return { seats: T.full, seatsColor: COLORS.full };
    return { seats: T.seatsLeft(m.seatsLeft), seatsColor: COLORS.open };
  }

  async function yoursOf(ctx: TurnContext, registration: MeetingRegistration | undefined): Promise<string> {
    if (!registration || registration.status === "CANCELLED") return T.yourStatus.none;
    if (registration.status === "REGISTERED") return T.yourStatus.REGISTERED(registration.people);
    return T.yourStatus.WAITLISTED(await waitlistPosition(ctx.tx, registration));
  }

  async function cardVars(ctx: TurnContext, m: MeetingWithSeats, registration: MeetingRegistration | undefined) {
    const closed = registrationClosed(m, ctx.now);
    return {
      title: m.title,
      when: meetingWhen(m.startsAt, m.endsAt),
      place: meetingPlace(m),
      ...seatsOf(m),
      deadline: closed ? T.closedShort : m.registrationDeadline ? T.deadline(thaiDateTime(m.registrationDeadline)) : T.noDeadline,
      yours: await yoursOf(ctx, registration),
    };
  }

  /** Register (or cancel, for one already in), map, and optionally details. */
  function cardButtons(ctx: TurnContext, m: MeetingWithSeats, registration: MeetingRegistration | undefined, detail: boolean) {
    const buttons: Record<string, unknown>[] = [];
    const arg = String(m.id);
    const active = registration && registration.status !== "CANCELLED";
    if (active) {
      buttons.push(
        renderFlexTemplate("meeting-button", {
          style: "secondary",
          label: T.buttons.cancel,
          data: encodePostback({ kind: "menu", entry: "meeting-cancel", arg }),
        }),
      );
    } else if (!registrationClosed(m, ctx.now)) {
      buttons.push(
        renderFlexTemplate("meeting-button", {
          style: "primary",
          label: T.buttons.register,
          data: encodePostback({ kind: "menu", entry: "meeting-register", arg }),
        }),
      );
    }
    const map = mapUrl(m);
    if (map) buttons.push(renderFlexTemplate("meeting-map-button", { label: T.buttons.map, uri: map }));
    if (detail) {
      buttons.push(
        renderFlexTemplate("meeting-button", {
          style: "link",
          label: T.buttons.detail,
          data: encodePostback({ kind: "menu", entry: "meeting-detail", arg }),
        }),
      );
    }
    return buttons;
  }

  async function registrationsFor(ctx: TurnContext, meetingIds: number[]): Promise<Map<number, MeetingRegistration>> {
    const rows = await ctx.tx.meetingRegistration.findMany({ where: { lineUserId: ctx.userId, meetingId: { in: meetingIds } } });
    return new Map(rows.map((r) => [r.meetingId, r]));
  }

  const mineButton = () => menuButton("meeting-mine", T.menu.mine);
  const listButton = () => menuButton("meetings", T.menu.meetings);

  // --- entries ---------------------------------------------------------------

  async function list(ctx: TurnContext): Promise<Outgoing> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const meetings = await upcomingMeetings(ctx.tx, g.area, ctx.now);
    if (meetings.length === 0) return withMenu(ctx, [text(T.none)], [mineButton()]);
    const mine = await registrationsFor(
      ctx,
      meetings.map((m) => m.id),
    );
    const bubbles: Record<string, unknown>[] = [];
    for (const m of meetings) {
      const r = mine.get(m.id);
      bubbles.push(renderFlexTemplate("meeting-card", await cardVars(ctx, m, r), { buttons: cardButtons(ctx, m, r, true) }));
    }
    const carousel = { type: "carousel", contents: bubbles };
    return withMenu(ctx, [text(T.listIntro), { kind: "flex", altText: T.listAlt(meetings.length), contents: carousel }], [mineButton()]);
  }

  async function detail(ctx: TurnContext, arg?: string): Promise<Outgoing> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const m = await meetingFromArg(ctx, g.area, arg);
    if (!m) return refuse(ctx, T.notFound);
    if (m.status !== "SCHEDULED") return refuse(ctx, T.meetingCancelled);
    const r = (await registrationOf(ctx.tx, m.id, ctx.userId)) ?? undefined;
    const card = renderFlexTemplate(
      "meeting-detail",
      { ...(await cardVars(ctx, m, r)), agenda: m.agenda?.trim() || T.noAgenda },
      { buttons: cardButtons(ctx, m, r, false) },
    );
    return withMenu(ctx, [{ kind: "flex", altText: T.detailAlt(m.title), contents: card }], [listButton(), mineButton()]);
  }

  async function startRegister(ctx: TurnContext, arg?: string): Promise<Outgoing> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const m = await meetingFromArg(ctx, g.area, arg);
    if (!m) return refuse(ctx, T.notFound);
    const closed = registrationClosed(m, ctx.now);
    if (closed) return refuse(ctx, closedMessage(closed));
    const existing = await registrationOf(ctx.tx, m.id, ctx.userId);
    if (existing?.status === "REGISTERED") return withMenu(ctx, [text(T.alreadyRegistered(existing.people))], [mineButton()]);
    if (existing?.status === "WAITLISTED") {
      return withMenu(ctx, [text(T.alreadyWaitlisted(await waitlistPosition(ctx.tx, existing)))], [mineButton()]);
    }
    return options.engine().startFlow(ctx, MEETING_REGISTER_FLOW, { data: { meetingId: String(m.id) } });
  }

  async function completeRegister(ctx: TurnContext, meetingId: number, people: number): Promise<Outgoing> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const m = await meetingForArea(ctx.tx, meetingId, g.area);
    if (!m) return refuse(ctx, T.notFound);
    const outcome = await register(ctx.tx, { meetingId, lineUserId: ctx.userId, memberId: g.member.id, people, now: ctx.now });
    if (outcome.kind === "registered" || outcome.kind === "waitlisted") {
      await notifyRegistration(ctx.tx, {
        councilId: g.area.councilId,
        meeting: m,
        lineUserId: ctx.userId,
        name: g.member.fullName,
        people,
        waitlistPosition: outcome.kind === "waitlisted" ? outcome.position : null,
        now: ctx.now,
      });
    }
    switch (outcome.kind) {
      case "registered":
        return withMenu(ctx, [text(T.registered(m.title, meetingWhen(m.startsAt, m.endsAt), outcome.people))], [mineButton()]);
      case "waitlisted":
        return withMenu(ctx, [text(T.waitlisted(m.title, outcome.position))], [mineButton()]);
      case "already":
        return withMenu(
          ctx,
          [text(outcome.status === "REGISTERED" ? T.alreadyRegistered(outcome.people) : T.alreadyWaitlisted(outcome.position))],
          [mineButton()],
        );
      case "closed":
        return refuse(ctx, closedMessage(outcome.closed));
      case "not-found":
        return refuse(ctx, T.notFound);
    }
  }

  async function mine(ctx: TurnContext): Promise<Outgoing> {
    const rows = await myRegistrations(ctx.tx, ctx.userId, ctx.now);
    if (rows.length === 0) return withMenu(ctx, [text(T.mineNone)], [listButton()]);
    const items = rows.map(({ registration, meeting, position }) =>
      renderFlexTemplate("meeting-registration-row", {
        title: meeting.title,
        when: meetingWhen(meeting.startsAt, meeting.endsAt),
        status:
          registration.status === "REGISTERED" ? T.yourStatus.REGISTERED(registration.people) : T.yourStatus.WAITLISTED(position ?? 1),
        statusColor: registration.status === "REGISTERED" ? COLORS.open : COLORS.waitlisted,
        cancelLabel: T.buttons.cancel,
        cancelData: encodePostback({ kind: "menu", entry: "meeting-cancel", arg: String(meeting.id) }),
      }),
    );
    const card = renderFlexTemplate("meeting-registrations", { title: T.mineTitle, note: T.mineNote }, { rows: items });
    return withMenu(ctx, [{ kind: "flex", altText: T.mineAlt(rows.length), contents: card }], [listButton()]);
  }

  // Cancelling needs no membership: it only touches the user's own row (a
  // member who withdrew may still free their seat).
  async function startCancel(ctx: TurnContext, arg?: string): Promise<Outgoing> {
    const id = parseMeetingId(arg);
    const registration = id === null ? null : await registrationOf(ctx.tx, id, ctx.userId);
    if (!registration || registration.status === "CANCELLED") return refuse(ctx, T.notRegistered);
    return options.engine().startFlow(ctx, MEETING_CANCEL_FLOW, { data: { meetingId: String(id) } });
  }

  const cancelFlow: FlowDef = {
    id: MEETING_CANCEL_FLOW,
    version: 1,
    title: T.flowTitles.cancel,
    cancelled: T.cancelKept,
    steps: [
      {
        id: "confirm",
        slot: "confirmed",
        prompt: async (ctx) => {
          const m = await ctx.tx.meeting.findUnique({ where: { id: Number(ctx.state.data.meetingId) } });
          return [text(m ? T.askCancel(m.title, meetingWhen(m.startsAt, m.endsAt)) : T.notRegistered)];
        },
        expects: T.cancelExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.cancelYes, value: "yes" },
            { label: T.cancelNo, value: "no" },
          ],
        },
        ownCancel: true,
        next: () => END,
      },
    ],
    async complete(ctx, data) {
      if (data.confirmed !== "yes") return withMenu(ctx, [text(T.cancelKept)], [mineButton()]);
      const outcome = await cancelRegistration(ctx.tx, { meetingId: Number(data.meetingId), lineUserId: ctx.userId, now: ctx.now });
      switch (outcome.kind) {
        case "cancelled":
          return withMenu(ctx, [text(T.cancelledRegistration(outcome.title))], [listButton()]);
        case "started":
          return refuse(ctx, T.started);
        case "not-registered":
          return refuse(ctx, T.notRegistered);
      }
    },
  };

  const registerFlow = meetingRegisterFlow({
    async meeting(ctx, meetingId) {
      const m = await ctx.tx.meeting.findUnique({ where: { id: meetingId } });
      if (!m) return null;
      const taken = await ctx.tx.meetingRegistration.aggregate({
        where: { meetingId, status: "REGISTERED" },
        _sum: { people: true },
      });
      const seatsLeft = m.capacity === null ? null : Math.max(0, m.capacity - (taken._sum.people ?? 0));
      return { title: m.title, when: meetingWhen(m.startsAt, m.endsAt), place: meetingPlace(m), seatsLeft };
    },
    complete: completeRegister,
  });

  const menu: MenuEntry[] = [
    // First: "การลงทะเบียนของฉัน" also contains the keyword "ลงทะเบียน" of the list.
    {
      id: "meeting-mine",
      label: T.menu.mine,
      keywords: ["การลงทะเบียนของฉัน", "ลงทะเบียนของฉัน", "ประชุมของฉัน"],
      listed: false,
      visible: isMember,
      open: mine,
    },
    {
      id: "meetings",
      label: T.menu.meetings,
      keywords: ["การประชุม", "ประชุม", "ลงทะเบียน", "meeting"],
      visible: isMember,
      // The rich menu's ประชุม tile is the same for everyone.
      otherwise: { entry: "meetings-guest" },
      open: list,
    },
    // A non-member asking about meetings hears why, and how to sign up.
    {
      id: "meetings-guest",
      label: T.menu.meetings,
      keywords: ["การประชุม", "ประชุม", "meeting"],
      listed: false,
      visible: notMember,
      open: list,
    },
    { id: "meeting-detail", label: T.buttons.detail, keywords: [], listed: false, open: detail },
    { id: "meeting-register", label: T.buttons.register, keywords: [], listed: false, open: startRegister },
    { id: "meeting-cancel", label: T.buttons.cancel, keywords: [], listed: false, open: startCancel },
  ];

  return { flows: [registerFlow, cancelFlow], menu };
}
