// The three buttons of the safety check-in, shared by the message that
// carries them (checkin-message) and the entry that receives them. A tap is
// a postback to the "checkin" menu entry with "<situationId>:<answer>";
// postback data can be forged, so the entry checks that the situation is
// active and covers the member before it records anything.
export const CHECKIN_ENTRY_ID = "checkin";

export const CHECKIN_ANSWERS = ["safe", "help", "other"] as const;
export type CheckInAnswer = (typeof CHECKIN_ANSWERS)[number];

export const checkInArg = (situationId: number, answer: CheckInAnswer) => `${situationId}:${answer}`;

export function parseCheckInArg(arg: string | undefined): { situationId: number; answer: CheckInAnswer } | null {
  const m = /^(\d{1,9}):(safe|help|other)$/.exec(arg ?? "");
  if (!m) return null;
  return { situationId: Number(m[1]), answer: m[2] as CheckInAnswer };
}
