// The safety check-in as LINE shows it: one Flex bubble with the level, the
// coordinator's message, "ท่านและครอบครัวปลอดภัยไหมคะ" and three postback
// buttons to the "checkin" entry (checkin-answers.ts says their argument).
// The same bubble is the coordinator's preview. Built here rather than as a
// flex-templates/ card: its texts come from code, and enqueueMulticast checks
// it against LINE's limits before it is queued.
import type { messagingApi } from "@line/bot-sdk";
import { encodePostback } from "../engine/postback.ts";
import type { SituationLevel } from "../generated/prisma/client.ts";
import { CHECKIN_ENTRY_ID, checkInArg, type CheckInAnswer } from "./checkin-answers.ts";
import { SITUATION_TEXT } from "./situation-texts.ts";
import { LEVEL_NAMES } from "./texts.ts";

const T = SITUATION_TEXT.checkIn;

const LEVEL_COLOURS: Record<SituationLevel, string> = { WATCH: "#B7791F", INCIDENT: "#C05621", CRISIS: "#C53030" };

function button(situationId: number, answer: CheckInAnswer, label: string, style: "primary" | "secondary"): Record<string, unknown> {
  return {
    type: "button",
    style,
    height: "sm",
    ...(style === "primary" ? { color: answer === "help" ? "#C53030" : "#2F855A" } : {}),
    action: {
      type: "postback",
      label,
      data: encodePostback({ kind: "menu", entry: CHECKIN_ENTRY_ID, arg: checkInArg(situationId, answer) }),
      displayText: label,
    },
  };
}

/** The bubble (for the coordinator's preview, a reply) and the message (for the outbox). */
export function checkInBubble(situation: { id: number; level: SituationLevel; message: string }): Record<string, unknown> {
  const level = LEVEL_NAMES[situation.level];
  return {
    type: "bubble",
    header: {
      type: "box",
      layout: "vertical",
      backgroundColor: LEVEL_COLOURS[situation.level],
      contents: [
        { type: "text", text: T.header, weight: "bold", color: "#FFFFFF", size: "lg" },
        { type: "text", text: T.level(level), color: "#FFFFFF", size: "sm" },
      ],
    },
    body: {
      type: "box",
      layout: "vertical",
      spacing: "md",
      contents: [
        { type: "text", text: situation.message, wrap: true },
        { type: "separator" },
        { type: "text", text: T.question, weight: "bold", size: "lg", wrap: true },
      ],
    },
    footer: {
      type: "box",
      layout: "vertical",
      spacing: "sm",
      contents: [
        button(situation.id, "safe", T.safe, "primary"),
        button(situation.id, "help", T.help, "primary"),
        button(situation.id, "other", T.other, "secondary"),
      ],
    },
  };
}

export function checkInAlt(level: SituationLevel): string {
  return T.alt(LEVEL_NAMES[level]);
}

export function checkInMessages(situation: { id: number; level: SituationLevel; message: string }): messagingApi.Message[] {
  return [
    {
      type: "flex",
      altText: checkInAlt(situation.level),
      contents: checkInBubble(situation) as unknown as messagingApi.FlexContainer,
    },
  ];
}
