// LINE's message limits, checked by one function before anything is sent
// (src/line/gateway.ts) and by the tests of every template and flow.
// A message LINE would reject with 400 is a bug of ours, caught here with a
// clear reason instead of a lost reply.
import type { messagingApi } from "@line/bot-sdk";

export const LINE_LIMITS = {
  messagesPerRequest: 5,
  textLength: 5_000,
  flexBubbleBytes: 30_000,
  flexCarouselBytes: 50_000,
  carouselBubbles: 12,
  flexAltText: 1_500,
  templateAltText: 400,
  quickReplyItems: 13,
  quickReplyLabel: 20,
  postbackData: 300,
  postbackDisplayText: 300,
} as const;

export class LineLimitError extends Error {
  override name = "LineLimitError";
  constructor(readonly problems: string[]) {
    super(`Message breaks LINE limits: ${problems.join("; ")}`);
  }
}

// LINE counts text in UTF-16 code units (an emoji can count as 2), which is
// what String.length gives.
const units = (s: string) => s.length;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

type Node = Record<string, unknown>;

/** Postback and message actions, in a Flex tree or a quick reply. */
function checkAction(action: Node, where: string, problems: string[]): void {
  if (action.type === "postback") {
    const data = action.data;
    if (typeof data !== "string" || data.length === 0) problems.push(`${where}: postback without data`);
    else if (units(data) > LINE_LIMITS.postbackData) problems.push(`${where}: postback data over ${LINE_LIMITS.postbackData} characters`);
    const display = action.displayText;
    if (typeof display === "string" && units(display) > LINE_LIMITS.postbackDisplayText) {
      problems.push(`${where}: displayText over ${LINE_LIMITS.postbackDisplayText} characters`);
    }
  }
  if (action.type === "message" && (typeof action.text !== "string" || action.text.length === 0)) {
    problems.push(`${where}: message action without text`);
  }
}

function walkFlex(node: unknown, where: string, problems: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => walkFlex(child, `${where}[${i}]`, problems));
    return;
  }
  if (node === null || typeof node !== "object") return;
  const obj = node as Node;
  if (obj.action && typeof obj.action === "object") checkAction(obj.action as Node, `${where}.action`, problems);
  for (const [key, value] of Object.entries(obj)) {
    if (key !== "action" && typeof value === "object") walkFlex(value, `${where}.${key}`, problems);
  }
}

function checkMessage(message: messagingApi.Message, where: string, problems: string[]): void {
  switch (message.type) {
    case "text": {
      const text = (message as messagingApi.TextMessage).text;
      if (typeof text !== "string" || text.trim().length === 0) problems.push(`${where}: empty text`);
      else if (units(text) > LINE_LIMITS.textLength) problems.push(`${where}: text over ${LINE_LIMITS.textLength} characters`);
      break;
    }
    case "flex": {
      const flex = message as messagingApi.FlexMessage;
      if (!flex.altText?.trim()) problems.push(`${where}: Flex message without altText`);
      else if (units(flex.altText) > LINE_LIMITS.flexAltText) problems.push(`${where}: altText over ${LINE_LIMITS.flexAltText} characters`);
      const contents = flex.contents;
      if (contents?.type === "carousel") {
        const bubbles = (contents as messagingApi.FlexCarousel).contents ?? [];
        if (bubbles.length === 0 || bubbles.length > LINE_LIMITS.carouselBubbles) {
          problems.push(`${where}: carousel needs 1–${LINE_LIMITS.carouselBubbles} bubbles, has ${bubbles.length}`);
        }
        if (bytes(contents) > LINE_LIMITS.flexCarouselBytes) problems.push(`${where}: carousel over ${LINE_LIMITS.flexCarouselBytes} bytes`);
        bubbles.forEach((b, i) => {
          if (bytes(b) > LINE_LIMITS.flexBubbleBytes) problems.push(`${where}: bubble ${i} over ${LINE_LIMITS.flexBubbleBytes} bytes`);
        });
      } else if (contents?.type === "bubble") {
        if (bytes(contents) > LINE_LIMITS.flexBubbleBytes) problems.push(`${where}: bubble over ${LINE_LIMITS.flexBubbleBytes} bytes`);
      } else {
        problems.push(`${where}: Flex contents must be a bubble or a carousel`);
      }
      walkFlex(contents, `${where}.contents`, problems);
      break;
    }
    case "template": {
      const template = message as messagingApi.TemplateMessage;
      if (!template.altText?.trim()) problems.push(`${where}: template without altText`);
      else if (units(template.altText) > LINE_LIMITS.templateAltText) problems.push(`${where}: altText over ${LINE_LIMITS.templateAltText} characters`);
      walkFlex(template.template, `${where}.template`, problems);
      break;
    }
    default:
      break;
  }
  const items = message.quickReply?.items ?? [];
  if (items.length > LINE_LIMITS.quickReplyItems) problems.push(`${where}: ${items.length} quick-reply items (max ${LINE_LIMITS.quickReplyItems})`);
  items.forEach((item, i) => {
    const action = item.action as unknown as Node | undefined;
    const label = action?.label;
    const w = `quickReply ${where}.item[${i}]`;
    if (action?.type !== "location" && action?.type !== "camera" && action?.type !== "cameraRoll") {
      if (typeof label !== "string" || label.length === 0) problems.push(`${w}: missing label`);
    }
    if (typeof label === "string" && units(label) > LINE_LIMITS.quickReplyLabel) {
      problems.push(`${w}: label "${label}" over ${LINE_LIMITS.quickReplyLabel} characters`);
    }
    if (action) checkAction({ ...action, label: undefined }, w, problems);
  });
}

/** The problems with a reply/push payload; empty when LINE would accept it. */
export function lineLimitProblems(messages: readonly messagingApi.Message[]): string[] {
  const problems: string[] = [];
  if (messages.length < 1 || messages.length > LINE_LIMITS.messagesPerRequest) {
    problems.push(`${messages.length} messages in one request (1–${LINE_LIMITS.messagesPerRequest})`);
  }
  messages.forEach((m, i) => checkMessage(m, `message[${i}]`, problems));
  return problems;
}

/** Throws LineLimitError unless LINE would accept these messages. */
export function assertWithinLineLimits(messages: readonly messagingApi.Message[]): void {
  const problems = lineLimitProblems(messages);
  if (problems.length > 0) throw new LineLimitError(problems);
}
