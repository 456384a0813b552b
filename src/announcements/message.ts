// An announcement as LINE messages: the text, the photo (served by the bot
// at a signed URL), and for a linked meeting a card whose "ลงทะเบียน" button
// opens the villagers' registration for it (the meetings module's register
// entry, which checks the member and the audience). The
// preview shows the same messages, with a placeholder for a photo not yet
// fetched from LINE.
import type { messagingApi } from "@line/bot-sdk";
import { encodePostback } from "../engine/postback.ts";
import type { Meeting } from "../generated/prisma/client.ts";
import { meetingPlace, meetingWhen } from "../meetings/format.ts";
import { MEETING_ENTRIES } from "../meetings/refs.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

export interface AnnouncementContent {
  text: string;
  /** The photo's public URL; "preview": a placeholder line; null: none. */
  image: string | "preview" | null;
  meeting: Pick<Meeting, "id" | "title" | "startsAt" | "endsAt" | "placeName" | "address"> | null;
  /** Who sent it ("จาก ผู้ประสานงานอำเภอ…", sender.ts); null: the header alone. */
  from?: string | null;
}

/** The first words of an announcement, on one line, for lists and notices. */
export const announcementExcerpt = (t: string) => ([...t].length > 40 ? `${[...t].slice(0, 39).join("")}…` : t).replace(/\s+/g, " ");

export function announcementMessages(a: AnnouncementContent): messagingApi.Message[] {
  const header = a.from ? `${T.header}\n${a.from}` : T.header;
  const messages: messagingApi.Message[] = [{ type: "text", text: `${header}\n\n${a.text}` }];
  if (a.image === "preview") messages.push({ type: "text", text: T.previewImage });
  else if (a.image) messages.push({ type: "image", originalContentUrl: a.image, previewImageUrl: a.image });
  if (a.meeting) {
    const m = a.meeting;
    const card = renderFlexTemplate("announcement-meeting", {
      heading: T.meetingHeading,
      title: m.title,
      when: meetingWhen(m.startsAt, m.endsAt),
      place: meetingPlace(m),
      label: T.register,
      data: encodePostback({ kind: "menu", entry: MEETING_ENTRIES.register.id, arg: String(m.id) }),
    });
    messages.push({ type: "flex", altText: T.meetingAlt(m.title).slice(0, 400), contents: card as unknown as messagingApi.FlexContainer });
  }
  return messages;
}
