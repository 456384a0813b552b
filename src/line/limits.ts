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

/**
 * The length of a text as LINE counts it: UTF-16 code units, so 𝐒 or an
 * emoji counts 2 (String.length). The one measure for every LINE limit;
 * counting code points instead lets a label with astral characters through
 * our checks and then makes the whole reply fail at LINE.
 */
export const lineLength = (s: string): number => s.length;
const units = lineLength;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

const graphemes = new Intl.Segmenter("th", { granularity: "grapheme" });

/**
 * `text` cut to at most `max` units (lineLength) with "…" at the end. The cut
 * falls between grapheme clusters only: never inside a surrogate pair, an
 * emoji sequence, or a Thai consonant and its marks (U+0E31, U+0E34–U+0E3A,
 * U+0E47–U+0E4E): a dropped mark takes its base with it rather than leaving
 * a base without its vowel or tone, or a mark without its base.
 */
export function truncateForLine(text: string, max: number, ellipsis = "…"): string {
  if (lineLength(text) <= max) return text;
  const room = max - lineLength(ellipsis);
  if (room <= 0) return ellipsis.slice(0, Math.max(0, max));
  let end = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (end + segment.length > room) break;
    end += segment.length;
  }
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
}

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
    for (const [i, child] of node.entries()) walkFlex(child, `${where}[${i}]`, problems);
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
        if (bytes(contents) > LINE_LIMITS.flexCarouselBytes)
          problems.push(`${where}: carousel over ${LINE_LIMITS.flexCarouselBytes} bytes`);
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
      else if (units(template.altText) > LINE_LIMITS.templateAltText)
        problems.push(`${where}: altText over ${LINE_LIMITS.templateAltText} characters`);
      walkFlex(template.template, `${where}.template`, problems);
      break;
    }
    default:
      break;
  }
  const items = message.quickReply?.items ?? [];
  if (items.length > LINE_LIMITS.quickReplyItems)
    problems.push(`${where}: ${items.length} quick-reply items (max ${LINE_LIMITS.quickReplyItems})`);
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
  for (const [i, m] of messages.entries()) checkMessage(m, `message[${i}]`, problems);
  return problems;
}

/** Throws LineLimitError unless LINE would accept these messages. */
export function assertWithinLineLimits(messages: readonly messagingApi.Message[]): void {
  const problems = lineLimitProblems(messages);
  if (problems.length > 0) throw new LineLimitError(problems);
}

// --- repair ------------------------------------------------------------------
// A reply over a limit used to be refused by our own check and never sent:
// the user heard nothing. Whatever text made it too long (a display name in
// 𝐁𝐨𝐥𝐝, a 4,000-character address from a legacy row) is better shortened.

/** Caps tried in turn on the texts of a Flex container that is over its byte limit. */
const FLEX_TEXT_CAPS = [2_000, 1_000, 500, 300, 200, 120, 80, 40] as const;

/** Every string of a Flex tree that LINE shows as text (text and span components). */
function flexTexts(node: unknown, found: Node[] = []): Node[] {
  if (Array.isArray(node)) for (const child of node) flexTexts(child, found);
  else if (node && typeof node === "object") {
    const obj = node as Node;
    if ((obj.type === "text" || obj.type === "span") && typeof obj.text === "string") found.push(obj);
    for (const [key, value] of Object.entries(obj)) if (key !== "action" && typeof value === "object") flexTexts(value, found);
  }
  return found;
}

/** Shortens the longest texts first until `fits` holds; false when even the smallest cap does not do. */
function shrinkTexts(container: unknown, fits: () => boolean): boolean {
  if (fits()) return true;
  const texts = flexTexts(container);
  for (const cap of FLEX_TEXT_CAPS) {
    for (const t of texts) t.text = truncateForLine(t.text as string, cap);
    if (fits()) return true;
  }
  return false;
}

function fixActionTexts(action: Node): void {
  if (typeof action.displayText === "string") action.displayText = truncateForLine(action.displayText, LINE_LIMITS.postbackDisplayText);
}

function fixFlexActions(node: unknown): void {
  if (Array.isArray(node)) node.forEach(fixFlexActions);
  else if (node && typeof node === "object") {
    const obj = node as Node;
    if (obj.action && typeof obj.action === "object") fixActionTexts(obj.action as Node);
    for (const [key, value] of Object.entries(obj)) if (key !== "action" && typeof value === "object") fixFlexActions(value);
  }
}

/**
 * A carousel's bubbles within LINE's limits by size, not only by count: each
 * bubble ≤ 30 KB and the whole ≤ 50 KB, shortening long texts first (every
 * item stays listed, so paging by count still lines up) and dropping the
 * last bubbles only when that is not enough. Returns a new array.
 */
export function fitCarousel<T>(bubbles: readonly T[]): T[] {
  const fitted = structuredClone(bubbles.slice(0, LINE_LIMITS.carouselBubbles)) as T[];
  for (const bubble of fitted) shrinkTexts(bubble, () => bytes(bubble) <= LINE_LIMITS.flexBubbleBytes);
  const carouselFits = () => bytes({ type: "carousel", contents: fitted }) <= LINE_LIMITS.flexCarouselBytes;
  shrinkTexts(fitted, carouselFits);
  while (fitted.length > 1 && !carouselFits()) fitted.pop();
  return fitted;
}

/**
 * The messages repaired to pass lineLimitProblems where shortening can do it:
 * texts, altTexts, labels and displayTexts cut (truncateForLine), extra
 * quick-reply items and carousel bubbles dropped, oversized Flex shortened.
 * Returns the same array when nothing needs repair. What cannot be repaired
 * (an empty text, too many messages) is left for assertWithinLineLimits.
 */
export function fitWithinLineLimits(messages: messagingApi.Message[]): messagingApi.Message[] {
  if (lineLimitProblems(messages).length === 0) return messages;
  return messages.map((original) => {
    const message = structuredClone(original);
    switch (message.type) {
      case "text": {
        const m = message as messagingApi.TextMessage;
        if (typeof m.text === "string") m.text = truncateForLine(m.text, LINE_LIMITS.textLength);
        break;
      }
      case "flex": {
        const m = message as messagingApi.FlexMessage;
        if (typeof m.altText === "string") m.altText = truncateForLine(m.altText, LINE_LIMITS.flexAltText);
        const contents = m.contents as unknown as Node | undefined;
        if (contents?.type === "carousel" && Array.isArray(contents.contents)) {
          contents.contents = fitCarousel(contents.contents as unknown[]);
        } else if (contents?.type === "bubble") {
          shrinkTexts(contents, () => bytes(contents) <= LINE_LIMITS.flexBubbleBytes);
        }
        fixFlexActions(contents);
        break;
      }
      case "template": {
        const m = message as messagingApi.TemplateMessage;
        if (typeof m.altText === "string") m.altText = truncateForLine(m.altText, LINE_LIMITS.templateAltText);
        fixFlexActions(m.template);
        break;
      }
      default:
        break;
    }
    if (message.quickReply?.items) {
      message.quickReply.items = message.quickReply.items.slice(0, LINE_LIMITS.quickReplyItems);
      for (const item of message.quickReply.items) {
        const action = item.action as unknown as Node | undefined;
        if (!action) continue;
        if (typeof action.label === "string") action.label = truncateForLine(action.label, LINE_LIMITS.quickReplyLabel);
        fixActionTexts(action);
      }
    }
    return message;
  });
}
