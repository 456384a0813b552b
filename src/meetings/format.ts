// How a meeting's time and place read in cards, answers and pushes.
import { bangkokIsoDate, thaiDayDateTime, thaiTime } from "../thai/format.ts";

/** "วันเสาร์ที่ 5 ธ.ค. 2569 เวลา 09:30–12:00 น."; a meeting over several days names both ends. */
export function meetingWhen(startsAt: Date, endsAt: Date): string {
  if (bangkokIsoDate(startsAt) !== bangkokIsoDate(endsAt)) return `${thaiDayDateTime(startsAt)} – ${thaiDayDateTime(endsAt)}`;
  return `${thaiDayDateTime(startsAt).replace(/ น\.$/, "")}–${thaiTime(endsAt)}`;
}

/** Google Maps' documented search URL, which opens the app on phones; null without coordinates. */
export function mapUrl(meeting: { latitude: number | null; longitude: number | null }): string | null {
  if (meeting.latitude === null || meeting.longitude === null) return null;
  return `https://www.google.com/maps/search/?api=1&query=${meeting.latitude},${meeting.longitude}`;
}

/** The place, with its address when it adds something. */
export function meetingPlace(meeting: { placeName: string; address: string | null }): string {
  return meeting.address ? `${meeting.placeName} (${meeting.address})` : meeting.placeName;
}
