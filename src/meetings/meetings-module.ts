// The meetings module as the bot sees it: upcoming meetings of the member's
// council as cards, a meeting's details, registration (with a waitlist when
// full), "การลงทะเบียนของฉัน" and cancelling. Card buttons are menu postbacks
// carrying a meeting id; ids can be forged, so each entry checks that the
// meeting is one this member may see (its audience includes their council).
// The flows: register-flow.ts, cancel-registration-flow.ts.
import { defineModule } from "../engine/module.ts";
import { startFlow, type Outcome } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import type { MenuEntry, TurnContext } from "../engine/types.ts";
import type { MeetingRegistration } from "../generated/prisma/client.ts";
import { activeMember } from "../members/member-store.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { answer, closedMessage, guard, listButton, mineButton, outcome, refuse, text } from "./answers.ts";
import { meetingCancelFlow } from "./cancel-registration-flow.ts";
import { mapUrl, meetingPlace, meetingWhen } from "./format.ts";
import {
  meetingForArea,
  myRegistrations,
  parseMeetingId,
  registrationClosed,
  registrationOf,
  registrationsFor,
  upcomingMeetings,
  waitlistPosition,
  type CouncilArea,
  type MeetingWithSeats,
} from "./meeting-store.ts";
import { MEETING_ENTRIES } from "./refs.ts";
import { meetingRegisterFlow } from "./register-flow.ts";
import { MEETING_TEXT as T } from "./texts.ts";

export { MEETING_ENTRIES } from "./refs.ts";

const COLORS = { open: "#1B7F5A", full: "#B3261E", waitlisted: "#B26A00" } as const;

export function meetingsModule() {
  const isMember = async (ctx: TurnContext) => (await activeMember(ctx.tx, ctx.userId)) !== null;
  const notMember = async (ctx: TurnContext) => !(await isMember(ctx));

  /** The meeting a card's button names, if this member may see it. */
  async function meetingFromArg(ctx: TurnContext, area: CouncilArea, arg: string | undefined): Promise<MeetingWithSeats | null> {
    const id = parseMeetingId(arg);
    return id === null ? null : meetingForArea(ctx.tx, id, area);
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
          data: encodePostback({ kind: "menu", entry: MEETING_ENTRIES.cancel.id, arg }),
        }),
      );
    } else if (!registrationClosed(m, ctx.now)) {
      buttons.push(
        renderFlexTemplate("meeting-button", {
          style: "primary",
          label: T.buttons.register,
          data: encodePostback({ kind: "menu", entry: MEETING_ENTRIES.register.id, arg }),
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
          data: encodePostback({ kind: "menu", entry: MEETING_ENTRIES.detail.id, arg }),
        }),
      );
    }
    return buttons;
  }

  // --- entries ---------------------------------------------------------------

  async function list(ctx: TurnContext): Promise<Outcome> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const meetings = await upcomingMeetings(ctx.tx, g.area, ctx.now);
    if (meetings.length === 0) return answer([text(T.none)], [mineButton()]);
    const mine = await registrationsFor(
      ctx.tx,
      ctx.userId,
      meetings.map((m) => m.id),
    );
    const bubbles: Record<string, unknown>[] = [];
    for (const m of meetings) {
      const r = mine.get(m.id);
      bubbles.push(renderFlexTemplate("meeting-card", await cardVars(ctx, m, r), { buttons: cardButtons(ctx, m, r, true) }));
    }
    const carousel = { type: "carousel", contents: bubbles };
    return answer([text(T.listIntro), { kind: "flex", altText: T.listAlt(meetings.length), contents: carousel }], [mineButton()]);
  }

  async function detail(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const m = await meetingFromArg(ctx, g.area, arg);
    if (!m) return refuse(T.notFound);
    if (m.status !== "SCHEDULED") return refuse(T.meetingCancelled);
    const r = (await registrationOf(ctx.tx, m.id, ctx.userId)) ?? undefined;
    const card = renderFlexTemplate(
      "meeting-detail",
      { ...(await cardVars(ctx, m, r)), agenda: m.agenda?.trim() || T.noAgenda },
      { buttons: cardButtons(ctx, m, r, false) },
    );
    return answer([{ kind: "flex", altText: T.detailAlt(m.title), contents: card }], [listButton(), mineButton()]);
  }

  async function startRegister(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const g = await guard(ctx);
    if ("refusal" in g) return g.refusal;
    const m = await meetingFromArg(ctx, g.area, arg);
    if (!m) return refuse(T.notFound);
    const closed = registrationClosed(m, ctx.now);
    if (closed) return refuse(closedMessage(closed));
    const existing = await registrationOf(ctx.tx, m.id, ctx.userId);
    if (existing?.status === "REGISTERED") return answer([text(T.alreadyRegistered(existing.people))], [mineButton()]);
    if (existing?.status === "WAITLISTED") {
      return answer([text(T.alreadyWaitlisted(await waitlistPosition(ctx.tx, existing)))], [mineButton()]);
    }
    return outcome([], startFlow(meetingRegisterFlow, { data: { meetingId: String(m.id) } }));
  }

  async function mine(ctx: TurnContext): Promise<Outcome> {
    const rows = await myRegistrations(ctx.tx, ctx.userId, ctx.now);
    if (rows.length === 0) return answer([text(T.mineNone)], [listButton()]);
    const items = rows.map(({ registration, meeting, position }) =>
      renderFlexTemplate("meeting-registration-row", {
        title: meeting.title,
        when: meetingWhen(meeting.startsAt, meeting.endsAt),
        status:
          registration.status === "REGISTERED" ? T.yourStatus.REGISTERED(registration.people) : T.yourStatus.WAITLISTED(position ?? 1),
        statusColor: registration.status === "REGISTERED" ? COLORS.open : COLORS.waitlisted,
        cancelLabel: T.buttons.cancel,
        cancelData: encodePostback({ kind: "menu", entry: MEETING_ENTRIES.cancel.id, arg: String(meeting.id) }),
      }),
    );
    const card = renderFlexTemplate("meeting-registrations", { title: T.mineTitle, note: T.mineNote }, { rows: items });
    return answer([{ kind: "flex", altText: T.mineAlt(rows.length), contents: card }], [listButton()]);
  }

  // Cancelling needs no membership: it only touches the user's own row (a
  // member who withdrew may still free their seat).
  async function startCancel(ctx: TurnContext, arg?: string): Promise<Outcome> {
    const id = parseMeetingId(arg);
    const registration = id === null ? null : await registrationOf(ctx.tx, id, ctx.userId);
    if (!registration || registration.status === "CANCELLED") return refuse(T.notRegistered);
    return outcome([], startFlow(meetingCancelFlow, { data: { meetingId: String(id) } }));
  }

  const entries: MenuEntry[] = [
    // First: "การลงทะเบียนของฉัน" also contains the keyword "ลงทะเบียน" of the list.
    {
      id: MEETING_ENTRIES.mine.id,
      label: T.menu.mine,
      keywords: ["การลงทะเบียนของฉัน", "ลงทะเบียนของฉัน", "ประชุมของฉัน"],
      listed: false,
      visible: isMember,
      open: mine,
    },
    {
      id: MEETING_ENTRIES.list.id,
      label: T.menu.meetings,
      keywords: ["การประชุม", "ประชุม", "ลงทะเบียน", "meeting"],
      visible: isMember,
      // The rich menu's ประชุม tile is the same for everyone.
      otherwise: { entry: MEETING_ENTRIES.guest },
      open: list,
    },
    // A non-member asking about meetings hears why, and how to sign up.
    {
      id: MEETING_ENTRIES.guest.id,
      label: T.menu.meetings,
      keywords: ["การประชุม", "ประชุม", "meeting"],
      listed: false,
      visible: notMember,
      open: list,
    },
    { id: MEETING_ENTRIES.detail.id, label: T.buttons.detail, keywords: [], listed: false, open: detail },
    { id: MEETING_ENTRIES.register.id, label: T.buttons.register, keywords: [], listed: false, open: startRegister },
    { id: MEETING_ENTRIES.cancel.id, label: T.buttons.cancel, keywords: [], listed: false, open: startCancel },
  ];

  return defineModule({ name: "meetings", entries, flows: [meetingRegisterFlow, meetingCancelFlow] });
}
