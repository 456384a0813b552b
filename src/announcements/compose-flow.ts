// The compose flow, as data: text → photo (optional) → meeting to link
// (optional) → areas → audience → preview (the real messages, the recipient
// count, the quota it uses and what is left this month) → send now, or
// schedule (a time) → saved after checking everything again.
import { z } from "zod";
import { parseThaiDateTime } from "../engine/datetime.ts";
import { defineFlow } from "../engine/module.ts";
import { withMenu } from "../engine/outcome.ts";
import { EDIT_PREFIX, END, type FlowData, type ParseResult, type Reply, type TurnContext } from "../engine/types.ts";
import type { AnnouncementAudience } from "../generated/prisma/client.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { meetingById } from "../meetings/meeting-store.ts";
import { allWithin, areaNames, coordinatorAreasStep, parseAreas } from "../staff/areas.ts";
import { staffOnly } from "../staff/staff-module.ts";
import { bangkokIsoDate, thaiDateTime, thaiShortDate, thaiTime } from "../thai/format.ts";
import { composePhotoFile, createAnnouncement, linkableMeeting, linkableMeetings } from "./announcement-store.ts";
import { outcome, reply, text } from "./answers.ts";
import { announcementMessages } from "./message.ts";
import { remainingQuota, resolveRecipients } from "./recipients.ts";
import { announcementSender } from "./sender.ts";
import { ANNOUNCE_TEXT as T, MAX_ANNOUNCEMENT_TEXT } from "./texts.ts";

export const COMPOSE_FLOW = "announce-compose";
export const AUDIENCES = ["EVERYONE", "MEMBERS", "SECRETARIES"] as const satisfies readonly AnnouncementAudience[];
const DAY = 86_400_000;
/** How far ahead a send may be scheduled. */
export const MAX_SCHEDULE_DAYS = 60;

export function parseAnnouncementText(typed: string): ParseResult {
  const t = typed.trim();
  if (!t) return { ok: false, message: T.textEmpty };
  if (t.length > MAX_ANNOUNCEMENT_TEXT) return { ok: false, message: T.textTooLong(t.length) };
  return { ok: true, value: t };
}

const audienceOf = (v: unknown): AnnouncementAudience | null =>
  AUDIENCES.includes(v as AnnouncementAudience) ? (v as AnnouncementAudience) : null;

/** "20 ธ.ค." and "09:30" of a meeting's start, in Bangkok. */
const dayMonth = (at: Date) => thaiShortDate(bangkokIsoDate(at)).replace(/ \d{4}$/, "");
const hhmm = (at: Date) => thaiTime(at).replace(/ น\.$/, "");
/** The meeting as listed in the picker's message: date, year and time, and the whole title. */
const meetingLine = (m: { startsAt: Date; title: string }) =>
  `${thaiShortDate(bangkokIsoDate(m.startsAt))} ${thaiTime(m.startsAt)} ${m.title}`;

const meetingIdOf = (v: unknown): number | null => (typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : null);

const photoBubble = (url: string): Record<string, unknown> => ({
  type: "bubble",
  hero: { type: "image", url, size: "full", aspectMode: "fit", aspectRatio: "1:1" },
});

const photoOf = (d: FlowData): string | null => (Array.isArray(d.image) && typeof d.image[0] === "string" ? d.image[0] : null);

/** The photo as recipients will see it once fetched from LINE; "preview": a placeholder line until then. */
async function previewPhoto(ctx: TurnContext, media: MediaLinks | undefined): Promise<string | "preview" | null> {
  const messageId = photoOf(ctx.state.data);
  if (!messageId) return null;
  const file = await composePhotoFile(ctx.tx, ctx.userId, messageId, ctx.now);
  return media?.url(file.id, file.contentType) ?? "preview";
}

/** The preview: the messages as recipients will see them, then the count and the quota. */
async function preview(ctx: TurnContext, pushQuotaMonthly: number, media: MediaLinks | undefined): Promise<Reply[]> {
  const d = ctx.state.data;
  const areas = parseAreas(d.areas);
  const audience = audienceOf(d.audience) ?? "MEMBERS";
  const meetingId = meetingIdOf(d.meeting);
  const meeting = meetingId === null ? null : await meetingById(ctx.tx, meetingId);
  const from = await announcementSender(ctx.tx, ctx.userId, areas);
  const messages = announcementMessages({ text: String(d.text), image: await previewPhoto(ctx, media), meeting, from });
  const shown: Reply[] = messages.map((m) =>
    m.type === "flex"
      ? { kind: "flex", altText: m.altText, contents: m.contents as unknown as Record<string, unknown> }
      : m.type === "image"
        ? // A reply has no image kind: the photo as a Flex hero, as large as LINE shows an image.
          { kind: "flex", altText: T.previewImageAlt, contents: photoBubble(m.originalContentUrl) }
        : text((m as { text: string }).text),
  );
  const recipients = (await resolveRecipients(ctx.tx, { areas, audience })).length;
  const remaining = await remainingQuota(ctx.tx, pushQuotaMonthly, ctx.now);
  const lines = [
    T.preview({ areas: await areaNames(ctx.tx, areas), audience: T.audience[audience], recipients, remaining, monthly: pushQuotaMonthly }),
  ];
  if (recipients === 0) lines.push(T.noRecipients);
  else if (remaining !== null && recipients > remaining) lines.push(T.overQuota);
  return [text(T.previewIntro), ...shown, text(lines.join("\n"))];
}

const coordinator = staffOnly("COORDINATOR");

const COMPOSE_SCHEMA = z.object({
  text: z.string(),
  /** The photo's LINE message id, or none. */
  image: z.array(z.string()),
  /** "none", or the id of a meeting to link. */
  meeting: z.string().transform(meetingIdOf),
  areas: z.array(z.string()).transform(parseAreas),
  audience: z.enum(AUDIENCES),
  send: z.enum(["now", "schedule"]),
  /** When to send, for a scheduled one. */
  when: z.iso
    .datetime()
    .transform((v) => new Date(v))
    .optional(),
});

export function composeFlow(options: {
  pushQuotaMonthly: number;
  /** Signs the photo's URL for the preview; without it the preview says where the photo goes. */
  media?: MediaLinks;
}) {
  return defineFlow({
    id: COMPOSE_FLOW,
    version: 1,
    title: T.flowTitles.compose,
    schema: COMPOSE_SCHEMA,
    steps: [
      {
        id: "text",
        slot: "text",
        prompt: () => [text(T.askText)],
        expects: T.textExpects,
        input: { kind: "text", parse: parseAnnouncementText, prose: true },
      },
      {
        id: "image",
        slot: "image",
        prompt: () => [text(T.askImage)],
        expects: T.imageExpects,
        input: { kind: "image", skipLabel: T.noImage, max: 1, tooMany: T.oneImage },
      },
      {
        id: "meeting",
        slot: "meeting",
        prompt: async (ctx) => {
          // The photo has just arrived: its file now, so the send job fetches it while the coordinator goes on.
          const photo = photoOf(ctx.state.data);
          if (photo) await composePhotoFile(ctx.tx, ctx.userId, photo, ctx.now);
          return [text(T.askMeetingList((await linkableMeetings(ctx.tx, ctx.userId, ctx.now)).map(meetingLine)))];
        },
        expects: T.meetingExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => [
            { label: T.noMeeting, value: "none" },
            // Numbered as in the message (a title cut at 20 characters told two meetings apart by nothing).
            ...(await linkableMeetings(ctx.tx, ctx.userId, ctx.now)).map((m, i) => ({
              label: T.meetingButton(i + 1, dayMonth(m.startsAt), hhmm(m.startsAt)),
              value: String(m.id),
            })),
          ],
        },
      },
      coordinatorAreasStep({
        id: "areas",
        slot: "areas",
        prompt: () => [text(T.askAreas)],
        expects: T.areasExpects,
        doneLabel: T.areasDone,
        required: T.areasRequired,
      }),
      {
        id: "audience",
        slot: "audience",
        prompt: () => [text(T.askAudience)],
        expects: T.audienceExpects,
        input: { kind: "choice", choices: () => AUDIENCES.map((a) => ({ label: T.audience[a], value: a })) },
      },
      {
        id: "preview",
        slot: "send",
        prompt: (ctx) => preview(ctx, options.pushQuotaMonthly, options.media),
        expects: T.previewExpects,
        input: {
          kind: "choice",
          choices: () => [
            { label: T.sendNow, value: "now" },
            { label: T.schedule, value: "schedule" },
            { label: T.edit.text, value: `${EDIT_PREFIX}text` },
            { label: T.edit.image, value: `${EDIT_PREFIX}image` },
            { label: T.edit.meeting, value: `${EDIT_PREFIX}meeting` },
            { label: T.edit.areas, value: `${EDIT_PREFIX}areas` },
            { label: T.edit.audience, value: `${EDIT_PREFIX}audience` },
          ],
        },
        slow: true,
        next: (data) => (data.send === "schedule" ? "when" : END),
      },
      {
        id: "when",
        slot: "when",
        prompt: () => [text(T.askWhen)],
        expects: T.whenExpects,
        input: {
          kind: "datetime",
          label: T.whenLabel,
          parse: (typed) => {
            const at = parseThaiDateTime(typed);
            return at ? { ok: true, value: at } : { ok: false, message: T.whenInvalid };
          },
          min: (ctx) => ctx.now,
          max: (ctx) => new Date(ctx.now.getTime() + MAX_SCHEDULE_DAYS * DAY),
          check: (at, ctx) => (at.getTime() <= ctx.now.getTime() ? T.whenInvalid : null),
          invalid: T.whenInvalid,
        },
        slow: true,
        next: () => END,
      },
    ],
    async complete(ctx, d) {
      if (!(await coordinator(ctx))) return outcome([text(T.notCoordinator)], withMenu());
      if (!(await allWithin(ctx.tx, ctx.userId, d.areas))) return reply(T.outsideArea);
      if (d.meeting !== null && !(await linkableMeeting(ctx.tx, ctx.userId, d.meeting, ctx.now))) return reply(T.meetingGone);
      const when = d.when ?? null;
      await createAnnouncement(
        ctx.tx,
        ctx.userId,
        {
          text: d.text,
          photoMessageId: d.image[0] ?? null,
          meetingId: d.meeting,
          areas: d.areas,
          audience: d.audience,
          scheduledAt: when ?? ctx.now,
        },
        ctx.now,
      );
      if (when) return reply(T.scheduled(thaiDateTime(when)));
      // The send job resolves the list again when it starts (moments from now).
      return reply(T.queuedNow((await resolveRecipients(ctx.tx, { areas: d.areas, audience: d.audience })).length));
    },
  });
}
