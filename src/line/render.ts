// Turns what the engine says (Outgoing) into LINE messages: consecutive
// texts are merged so a reply stays within five messages, and the buttons
// become quick replies on the last message. What is still over a LINE limit
// (a long name in a label, a long address in a carousel) is shortened here,
// not refused at sending: a refused reply reaches nobody.
import type { messagingApi } from "@line/bot-sdk";
import type { Button, Outgoing, Reply } from "../engine/types.ts";
import { fitWithinLineLimits, LINE_LIMITS, lineLength } from "./limits.ts";

function mergeTexts(replies: Reply[]): Reply[] {
  const merged: Reply[] = [];
  for (const reply of replies) {
    const last = merged.at(-1);
    if (reply.kind === "text" && last?.kind === "text" && lineLength(last.text) + lineLength(reply.text) + 2 <= LINE_LIMITS.textLength) {
      merged[merged.length - 1] = { kind: "text", text: `${last.text}\n\n${reply.text}` };
    } else {
      merged.push(reply);
    }
  }
  return merged;
}

function quickReplyItem(button: Button): messagingApi.QuickReplyItem {
  if (button.kind === "location") return { type: "action", action: { type: "location", label: button.label } };
  if (button.kind === "datetime") {
    const { label, data, initial, min, max } = button;
    return { type: "action", action: { type: "datetimepicker", label, data, mode: "datetime", initial, min, max } };
  }
  if (button.kind === "text") {
    return { type: "action", action: { type: "message", label: button.label, text: button.text } };
  }
  return {
    type: "action",
    action: { type: "postback", label: button.label, data: button.data, displayText: button.displayText },
  };
}

export function renderOutgoing(out: Outgoing): messagingApi.Message[] {
  const messages: messagingApi.Message[] = mergeTexts(out.replies).map((reply) =>
    reply.kind === "text"
      ? ({ type: "text", text: reply.text } satisfies messagingApi.TextMessage)
      : reply.kind === "image"
        ? ({ type: "image", originalContentUrl: reply.url, previewImageUrl: reply.previewUrl } satisfies messagingApi.ImageMessage)
        : ({
            type: "flex",
            altText: reply.altText,
            contents: reply.contents as unknown as messagingApi.FlexContainer,
          } satisfies messagingApi.FlexMessage),
  );
  const last = messages.at(-1);
  if (last && out.buttons.length > 0) last.quickReply = { items: out.buttons.map(quickReplyItem) };
  return fitWithinLineLimits(messages);
}
