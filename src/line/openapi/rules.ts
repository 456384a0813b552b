// What LINE refuses that messaging-api.yml cannot say in schema terms: the
// limits of LINE's reference prose (several are only in the schema's
// descriptions) and the platform facts the project collected about it.
// Each limit names its source, so a disagreement with LINE is traced and
// fixed here, never by loosening the bot's own checks to match.
import type { SchemaProblem } from "./spec.ts";

type Json = Record<string, unknown>;

export const LINE_RULES = {
  /** Reference, text message: max 5,000 characters (UTF-16 units). */
  textLength: 5_000,
  /** Reference, Flex message altText: max 1,500 characters. */
  flexAltText: 1_500,
  /** Reference, template message altText: max 400 characters. */
  templateAltText: 400,
  /** Reference, carousel: max 12 bubbles. */
  carouselBubbles: 12,
  /** Reference, Flex: a bubble's JSON at most 30 KB, a carousel's 50 KB. */
  bubbleBytes: 30 * 1024,
  carouselBytes: 50 * 1024,
  /** Reference, quick reply button label: max 20 characters. */
  quickReplyLabel: 20,
  /** Reference, postback action displayText: max 300 characters. */
  displayText: 300,
  /** Reference, message action text: max 300 characters. */
  messageText: 300,
  /** Reference, URI action uri: max 1,000 characters. */
  uriLength: 1_000,
  /** Reference, image/video/icon URLs: max 2,000 characters, HTTPS only. */
  mediaUrlLength: 2_000,
  /** Reference, rich menu: at most 20 areas; its size 800–2500 wide, at least 250 high, width ÷ height at least 1.45. */
  richMenuAreas: 20,
  richMenuWidth: [800, 2_500],
  richMenuMinHeight: 250,
  richMenuMinAspectRatio: 1.45,
} as const;

const R = LINE_RULES;

/** Fields that hold a URL LINE fetches itself (images, videos, icons): HTTPS only. */
const MEDIA_URL_KEYS = new Set([
  "originalContentUrl",
  "previewImageUrl",
  "thumbnailImageUrl",
  "imageUrl",
  "iconUrl",
  "baseUrl",
  "previewUrl",
  "url",
]);
/** URI action schemes LINE opens (reference, URI action). */
const URI_SCHEMES = new Set(["http", "https", "line", "tel"]);

// LINE counts text in UTF-16 code units, which String.length gives.
const units = (s: string) => s.length;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");
const at = (base: string, key: string | number) => (typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${key}` : key);

/** Problems LINE would report beyond the schema, for the request body of `operationId`. */
export function lineRuleProblems(operationId: string, body: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (body === null || typeof body !== "object") return problems;
  const b = body as Json;
  if (operationId === "showLoadingAnimation" && typeof b.loadingSeconds === "number" && b.loadingSeconds % 5 !== 0) {
    problems.push({ property: "loadingSeconds", message: "must be a multiple of 5" });
  }
  if (operationId === "createRichMenu" || operationId === "validateRichMenuObject") checkRichMenu(b, problems);
  if (Array.isArray(b.messages)) {
    b.messages.forEach((m, i) => {
      if (m && typeof m === "object") checkMessage(m as Json, at("messages", i), problems);
    });
  }
  walk(body, "", problems, false);
  return problems;
}

function checkMessage(m: Json, where: string, problems: SchemaProblem[]): void {
  const push = (property: string, message: string) => problems.push({ property, message });
  if (m.type === "text" && typeof m.text === "string") {
    if (m.text.length === 0) push(at(where, "text"), "must not be empty");
    else if (units(m.text) > R.textLength) push(at(where, "text"), `Length must be between 1 and ${R.textLength}`);
  }
  if ((m.type === "flex" || m.type === "template") && typeof m.altText === "string") {
    const max = m.type === "flex" ? R.flexAltText : R.templateAltText;
    if (m.altText.trim().length === 0) push(at(where, "altText"), "must not be blank");
    else if (units(m.altText) > max) push(at(where, "altText"), `Length must be between 1 and ${max}`);
  }
  const contents = m.type === "flex" ? (m.contents as Json | undefined) : undefined;
  if (contents?.type === "carousel" && Array.isArray(contents.contents)) {
    const bubbles = contents.contents as unknown[];
    if (bubbles.length === 0 || bubbles.length > R.carouselBubbles) {
      push(at(at(where, "contents"), "contents"), `Size must be between 1 and ${R.carouselBubbles}`);
    }
    if (bytes(contents) > R.carouselBytes) push(at(where, "contents"), `A carousel's JSON must be at most ${R.carouselBytes} bytes`);
    bubbles.forEach((bubble, i) => {
      if (bytes(bubble) > R.bubbleBytes)
        push(at(at(at(where, "contents"), "contents"), i), `A bubble's JSON must be at most ${R.bubbleBytes} bytes`);
    });
  } else if (contents?.type === "bubble" && bytes(contents) > R.bubbleBytes) {
    push(at(where, "contents"), `A bubble's JSON must be at most ${R.bubbleBytes} bytes`);
  }
  const items = (m.quickReply as Json | undefined)?.items;
  if (Array.isArray(items)) {
    items.forEach((item, i) => {
      const label = ((item as Json | null)?.action as Json | undefined)?.label;
      if (typeof label === "string" && units(label) > R.quickReplyLabel) {
        push(at(at(at(at(where, "quickReply"), "items"), i), "action.label"), `Length must be between 1 and ${R.quickReplyLabel}`);
      }
    });
  }
}

/** The rich menu object's reference marks every field required; the schema marks none. */
function checkRichMenu(menu: Json, problems: SchemaProblem[]): void {
  const push = (property: string, message: string) => problems.push({ property, message });
  for (const field of ["size", "selected", "name", "chatBarText", "areas"]) if (menu[field] === undefined) push(field, "must be specified");
  const size = menu.size as { width?: unknown; height?: unknown } | undefined;
  if (size && typeof size.width === "number" && typeof size.height === "number") {
    const [min, max] = R.richMenuWidth;
    if (size.width < min || size.width > max) push("size.width", `must be between ${min} and ${max}`);
    if (size.height < R.richMenuMinHeight) push("size.height", `must be at least ${R.richMenuMinHeight}`);
    if (size.width / size.height < R.richMenuMinAspectRatio) push("size", `width ÷ height must be at least ${R.richMenuMinAspectRatio}`);
  }
  if (Array.isArray(menu.areas)) {
    if (menu.areas.length > R.richMenuAreas) push("areas", `Size must be between 0 and ${R.richMenuAreas}`);
    menu.areas.forEach((area, i) => {
      const a = (area ?? {}) as Json;
      if (a.bounds === undefined) push(`areas[${i}].bounds`, "must be specified");
      if (a.action === undefined) push(`areas[${i}].action`, "must be specified");
    });
  }
}

function checkAction(a: Json, where: string, problems: SchemaProblem[]): void {
  const push = (property: string, message: string) => problems.push({ property, message });
  if (a.type === "postback") {
    if (typeof a.data !== "string" || a.data.length === 0) push(at(where, "data"), "must be specified");
    if (typeof a.displayText === "string" && units(a.displayText) > R.displayText)
      push(at(where, "displayText"), `Length must be between 1 and ${R.displayText}`);
  }
  if (a.type === "message") {
    if (typeof a.text !== "string" || a.text.length === 0) push(at(where, "text"), "must be specified");
    else if (units(a.text) > R.messageText) push(at(where, "text"), `Length must be between 1 and ${R.messageText}`);
  }
  if (a.type === "uri") {
    checkUri(a.uri ?? a.linkUri, at(where, a.uri !== undefined ? "uri" : "linkUri"), problems);
    const desktop = (a.altUri as Json | undefined)?.desktop;
    if (desktop !== undefined) checkUri(desktop, at(where, "altUri.desktop"), problems);
  }
}

function checkUri(value: unknown, where: string, problems: SchemaProblem[]): void {
  if (typeof value !== "string") return; // the schema reports a missing or mistyped uri
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (!scheme || !URI_SCHEMES.has(scheme)) problems.push({ property: where, message: "The scheme must be http, https, line or tel" });
  if (units(value) > R.uriLength) problems.push({ property: where, message: `Length must be between 1 and ${R.uriLength}` });
}

/** Every action (Flex, template, quick reply, imagemap, rich menu area) and every media URL, wherever it sits. */
function walk(node: unknown, where: string, problems: SchemaProblem[], inAction: boolean): void {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) walk(child, at(where, i), problems, inAction);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const obj = node as Json;
  // Template buttons and imagemap areas list their actions in `actions`.
  if (/(^|\.)actions\[\d+\]$/.test(where) && typeof obj.type === "string") {
    checkAction(obj, where, problems);
    inAction = true;
  }
  for (const [key, value] of Object.entries(obj)) {
    const here = at(where, key);
    if (key === "action" || key === "defaultAction") {
      if (value && typeof value === "object") {
        checkAction(value as Json, here, problems);
        walk(value, here, problems, true);
      }
      continue;
    }
    if (!inAction && MEDIA_URL_KEYS.has(key) && typeof value === "string") {
      if (!/^https:\/\//i.test(value)) problems.push({ property: here, message: "The URL must use HTTPS" });
      if (units(value) > R.mediaUrlLength) problems.push({ property: here, message: `Length must be between 1 and ${R.mediaUrlLength}` });
      continue;
    }
    if (typeof value === "object") walk(value, here, problems, inAction);
  }
}
