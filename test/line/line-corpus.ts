// Requests LINE refuses, each with why (from messaging-api.yml or from the
// rules of LINE's reference that src/line/openapi/rules.ts adds), and
// requests it accepts: what every stand-in for LINE must agree with.
// `$TOKEN` in a body is replaced by a reply token the stand-in issued and
// nobody used yet, so a refusal is always for the stated reason.
const https = "https://bot.example.test/media/p.jpg";

export interface CorpusRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Sent as is (not JSON-encoded) when a string. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface Refused extends CorpusRequest {
  why: string;
  /** A `details[].property` LINE names for it (substring), when the refusal is a body problem. */
  property?: string;
}

const text = (t = "สวัสดี") => ({ type: "text", text: t });
const box = (contents: unknown[], extra: Record<string, unknown> = {}) => ({ type: "box", layout: "vertical", contents, ...extra });
const bubble = (body: unknown = box([{ type: "text", text: "ข้อความ" }])) => ({ type: "bubble", body });
const flex = (contents: unknown, altText = "การ์ด") => ({ type: "flex", altText, contents });
const button = (action: unknown) => bubble(box([{ type: "button", action }]));
const postback = (extra: Record<string, unknown> = {}) => ({
  type: "postback",
  label: "ตกลง",
  data: "m=ok",
  displayText: "ตกลง",
  ...extra,
});
const quick = (items: unknown[]) => ({ ...text(), quickReply: { items } });
const qrItem = (action: unknown, extra: Record<string, unknown> = {}) => ({ type: "action", action, ...extra });

export const reply = (messages: unknown, extra: Record<string, unknown> = {}): CorpusRequest => ({
  method: "POST",
  path: "/v2/bot/message/reply",
  body: { replyToken: "$TOKEN", messages, ...extra },
});
export const push = (messages: unknown, extra: Record<string, unknown> = {}, headers?: Record<string, string>): CorpusRequest => ({
  method: "POST",
  path: "/v2/bot/message/push",
  body: { to: "U1234567890abcdef1234567890abcdef", messages, ...extra },
  ...(headers ? { headers } : {}),
});
export const multicast = (to: unknown, messages: unknown = [text()]): CorpusRequest => ({
  method: "POST",
  path: "/v2/bot/message/multicast",
  body: { to, messages },
});
const users = (n: number) => Array.from({ length: n }, (_, i) => `U${i.toString(16).padStart(32, "0")}`);

const menuArea = (action: unknown) => ({ bounds: { x: 0, y: 0, width: 1250, height: 843 }, action });
export const richMenu = (extra: Record<string, unknown> = {}, areas: unknown[] = [menuArea(postback())]): CorpusRequest => ({
  method: "POST",
  path: "/v2/bot/richmenu",
  body: { size: { width: 2500, height: 843 }, selected: true, name: "เมนูหลัก", chatBarText: "เมนู", areas, ...extra },
});

const r = (why: string, request: CorpusRequest, property?: string): Refused => ({ why, ...request, ...(property ? { property } : {}) });

export const REFUSED: Refused[] = [
  // Messages: the discriminated Message schema and its subtypes
  r("unknown message type (Message.discriminator mapping)", reply([{ type: "txt", text: "x" }]), "messages[0].type"),
  r("message without type (Message.required)", reply([{ text: "x" }]), "messages[0].type"),
  r("text message without text (TextMessage.required)", reply([{ type: "text" }]), "messages[0].text"),
  r("text that is a number (TextMessage.text: string)", reply([{ type: "text", text: 42 }]), "messages[0].text"),
  r("empty text (reference: text is 1–5,000 characters)", reply([text("")]), "messages[0].text"),
  r("text of 5,001 characters (reference: max 5,000)", reply([text("ก".repeat(5_001))]), "messages[0].text"),
  r("text of 2,501 emoji, 5,002 UTF-16 units (LINE counts UTF-16)", reply([text("😀".repeat(2_501))]), "messages[0].text"),
  r("six messages (messages.maxItems 5)", reply(Array.from({ length: 6 }, () => text())), "messages"),
  r("no messages (messages.minItems 1)", reply([]), "messages"),
  r(
    "reply without messages (ReplyMessageRequest.required)",
    { method: "POST", path: "/v2/bot/message/reply", body: { replyToken: "$TOKEN" } },
    "messages",
  ),
  r(
    "reply without replyToken (ReplyMessageRequest.required)",
    { method: "POST", path: "/v2/bot/message/reply", body: { messages: [text()] } },
    "replyToken",
  ),
  r("push without to (PushMessageRequest.required)", { method: "POST", path: "/v2/bot/message/push", body: { messages: [text()] } }, "to"),
  r("push to an array (PushMessageRequest.to: string)", push([text()], { to: ["U1"] }), "to"),
  r("notificationDisabled as a string (boolean)", push([text()], { notificationDisabled: "yes" }), "notificationDisabled"),
  r("multicast to 501 users (MulticastRequest.to.maxItems 500)", multicast(users(501)), "to"),
  r("multicast to nobody (MulticastRequest.to.minItems 1)", multicast([]), "to"),
  r("multicast to a single string (to: array)", multicast("U1"), "to"),
  r("sticker without stickerId (StickerMessage.required)", push([{ type: "sticker", packageId: "446" }]), "messages[0].stickerId"),
  r(
    "location without title and address (LocationMessage.required)",
    push([{ type: "location", latitude: 15.1, longitude: 104.3 }]),
    "messages[0].title",
  ),
  r(
    "image without previewImageUrl (ImageMessage.required)",
    push([{ type: "image", originalContentUrl: https }]),
    "messages[0].previewImageUrl",
  ),
  r(
    "image over http (reference: HTTPS only)",
    push([{ type: "image", originalContentUrl: "http://bot.example.test/p.jpg", previewImageUrl: https }]),
    "messages[0].originalContentUrl",
  ),
  r(
    "image preview over http (reference: HTTPS only)",
    push([{ type: "image", originalContentUrl: https, previewImageUrl: "http://bot.example.test/p.jpg" }]),
    "messages[0].previewImageUrl",
  ),
  r(
    "image URL of 2,001 characters (reference: max 2,000)",
    push([{ type: "image", originalContentUrl: `${https}?${"a".repeat(2_001)}`, previewImageUrl: https }]),
    "messages[0].originalContentUrl",
  ),
  r(
    "video over http (reference: HTTPS only)",
    push([{ type: "video", originalContentUrl: "http://bot.example.test/v.mp4", previewImageUrl: https }]),
    "messages[0].originalContentUrl",
  ),
  r(
    "sender icon over http (reference: HTTPS only)",
    push([{ ...text(), sender: { name: "สภา", iconUrl: "http://bot.example.test/i.png" } }]),
    "messages[0].sender.iconUrl",
  ),
  // Flex
  r("Flex without altText (FlexMessage.required)", reply([{ type: "flex", contents: bubble() }]), "messages[0].altText"),
  r("Flex altText of 1,501 characters (reference: max 1,500)", reply([flex(bubble(), "ก".repeat(1_501))]), "messages[0].altText"),
  r("Flex altText blank (reference: required)", reply([flex(bubble(), "   ")]), "messages[0].altText"),
  r(
    "Flex container of unknown type (FlexContainer.discriminator)",
    reply([flex({ type: "bubblee", body: box([]) })]),
    "messages[0].contents.type",
  ),
  r("box without layout (FlexBox.required)", reply([flex(bubble({ type: "box", contents: [] }))]), "messages[0].contents.body.layout"),
  r(
    "box without contents (FlexBox.required)",
    reply([flex(bubble({ type: "box", layout: "vertical" }))]),
    "messages[0].contents.body.contents",
  ),
  r(
    "box layout 'diagonal' (FlexBox.layout enum)",
    reply([flex(bubble(box([], { layout: "diagonal" })))]),
    "messages[0].contents.body.layout",
  ),
  r(
    "Flex component of unknown type (FlexComponent.discriminator)",
    reply([flex(bubble(box([{ type: "paragraph", text: "x" }])))]),
    "messages[0].contents.body.contents[0].type",
  ),
  r(
    "button without action (FlexButton.required)",
    reply([flex(bubble(box([{ type: "button", style: "primary" }])))]),
    "messages[0].contents.body.contents[0].action",
  ),
  r(
    "Flex image without url (FlexImage.required)",
    reply([flex({ type: "bubble", hero: { type: "image", size: "full" } })]),
    "messages[0].contents.hero.url",
  ),
  r(
    "Flex image over http (reference: HTTPS only)",
    reply([flex({ type: "bubble", hero: { type: "image", url: "http://bot.example.test/p.jpg" } })]),
    "messages[0].contents.hero.url",
  ),
  r(
    "Flex image with a javascript: URL (reference: HTTPS only)",
    reply([flex({ type: "bubble", hero: { type: "image", url: "javascript:alert(1)" } })]),
    "messages[0].contents.hero.url",
  ),
  r(
    "carousel of 13 bubbles (reference: max 12)",
    reply([flex({ type: "carousel", contents: Array.from({ length: 13 }, () => bubble()) })]),
    "messages[0].contents.contents",
  ),
  r("carousel of no bubbles (reference: 1–12)", reply([flex({ type: "carousel", contents: [] })]), "messages[0].contents.contents"),
  r("carousel without contents (FlexCarousel.required)", reply([flex({ type: "carousel" })]), "messages[0].contents.contents"),
  r(
    "bubble over 30 KB (reference: a bubble's JSON at most 30 KB)",
    reply([flex(bubble(box(Array.from({ length: 40 }, () => ({ type: "text", text: "ก".repeat(300) })))))]),
    "messages[0].contents",
  ),
  r("bubble direction 'up' (FlexBubble.direction enum)", reply([flex({ ...bubble(), direction: "up" })]), "messages[0].contents.direction"),
  // Actions
  r(
    "URI action with javascript: (reference: schemes http, https, line, tel)",
    reply([flex(button({ type: "uri", label: "เปิด", uri: "javascript:alert(1)" }))]),
    "action.uri",
  ),
  r(
    "URI action with data: (reference: schemes http, https, line, tel)",
    reply([flex(button({ type: "uri", label: "เปิด", uri: "data:text/html,<b>x</b>" }))]),
    "action.uri",
  ),
  r(
    "URI action of 1,001 characters (reference: max 1,000)",
    reply([flex(button({ type: "uri", label: "เปิด", uri: `https://bot.example.test/?${"a".repeat(1_000)}` }))]),
    "action.uri",
  ),
  r(
    "URI action altUri.desktop with file: (reference: schemes)",
    reply([flex(button({ type: "uri", label: "เปิด", uri: "https://bot.example.test/", altUri: { desktop: "file:///etc/passwd" } }))]),
    "altUri.desktop",
  ),
  r("action of unknown type (Action.discriminator)", reply([flex(button({ type: "open", label: "เปิด" }))]), "action.type"),
  r(
    "postback data of 301 characters (PostbackAction.data.maxLength 300)",
    reply([flex(button(postback({ data: "d".repeat(301) })))]),
    "action.data",
  ),
  r(
    "postback without data (reference: data required)",
    reply([flex(button({ type: "postback", label: "ตกลง", displayText: "ตกลง" }))]),
    "action.data",
  ),
  r(
    "postback displayText of 301 characters (reference: max 300)",
    reply([flex(button(postback({ displayText: "ก".repeat(301) })))]),
    "action.displayText",
  ),
  r(
    "postback inputOption 'openCamera' (PostbackAction.inputOption enum)",
    reply([flex(button(postback({ inputOption: "openCamera" })))]),
    "action.inputOption",
  ),
  r("message action without text (reference: text required)", reply([flex(button({ type: "message", label: "ตกลง" }))]), "action.text"),
  r(
    "datetime picker in 'week' mode (DatetimePickerAction.mode enum)",
    reply([flex(button({ type: "datetimepicker", label: "วัน", data: "d", mode: "week" }))]),
    "action.mode",
  ),
  // Quick reply
  r(
    "14 quick-reply items (QuickReply.items.maxItems 13)",
    reply([quick(Array.from({ length: 14 }, (_, i) => qrItem(postback({ label: `ข้อ ${i}` }))))]),
    "messages[0].quickReply.items",
  ),
  r(
    "quick-reply label of 21 characters (reference: max 20)",
    reply([quick([qrItem(postback({ label: "ก".repeat(21) }))])]),
    "messages[0].quickReply.items[0].action.label",
  ),
  r(
    "quick-reply icon over http (QuickReplyItem.imageUrl, HTTPS only)",
    reply([quick([qrItem(postback(), { imageUrl: "http://bot.example.test/i.png" })])]),
    "messages[0].quickReply.items[0].imageUrl",
  ),
  // Templates
  r(
    "template altText of 401 characters (reference: max 400)",
    push([{ type: "template", altText: "ก".repeat(401), template: { type: "confirm", text: "ยืนยัน?", actions: [postback(), postback()] } }]),
    "messages[0].altText",
  ),
  r(
    "buttons template thumbnail over http (reference: HTTPS only)",
    push([
      {
        type: "template",
        altText: "เลือก",
        template: { type: "buttons", text: "เลือก", thumbnailImageUrl: "http://bot.example.test/t.jpg", actions: [postback()] },
      },
    ]),
    "messages[0].template.thumbnailImageUrl",
  ),
  r(
    "template of unknown type (Template.discriminator)",
    push([{ type: "template", altText: "เลือก", template: { type: "grid", text: "x", actions: [] } }]),
    "messages[0].template.type",
  ),
  // Headers: X-Line-Retry-Key
  r(
    "retry key on a reply (only push, multicast, narrowcast, broadcast take one)",
    { ...reply([text()]), headers: { "X-Line-Retry-Key": "123e4567-e89b-12d3-a456-426614174000" } },
    "X-Line-Retry-Key",
  ),
  r(
    "retry key that is not a UUID (X-Line-Retry-Key format: uuid)",
    push([text()], {}, { "X-Line-Retry-Key": "retry-1" }),
    "X-Line-Retry-Key",
  ),
  // Body that is not JSON
  r("a body that is not JSON", { method: "POST", path: "/v2/bot/message/push", rawBody: '{"to":"U1","messages":[' }),
  // Loading animation
  r(
    "loading animation without chatId (ShowLoadingAnimationRequest.required)",
    { method: "POST", path: "/v2/bot/chat/loading/start", body: { loadingSeconds: 10 } },
    "chatId",
  ),
  r(
    "loading animation of 90 s (loadingSeconds.maximum 60)",
    { method: "POST", path: "/v2/bot/chat/loading/start", body: { chatId: "U1", loadingSeconds: 90 } },
    "loadingSeconds",
  ),
  r(
    "loading animation of 7 s (reference: a multiple of 5)",
    { method: "POST", path: "/v2/bot/chat/loading/start", body: { chatId: "U1", loadingSeconds: 7 } },
    "loadingSeconds",
  ),
  // Rich menus
  r(
    "rich menu chat-bar text of 15 characters (RichMenuRequest.chatBarText.maxLength 14)",
    richMenu({ chatBarText: "ก".repeat(15) }),
    "chatBarText",
  ),
  r("rich menu without size (reference: required)", richMenu({ size: undefined }), "size"),
  r(
    "rich menu of 21 areas (reference: max 20)",
    richMenu(
      {},
      Array.from({ length: 21 }, () => menuArea(postback())),
    ),
    "areas",
  ),
  r("rich menu 3000 wide (reference: 800–2500)", richMenu({ size: { width: 3000, height: 2000 } }), "size.width"),
  r(
    "rich menu area with a javascript: URI (reference: schemes)",
    richMenu({}, [menuArea({ type: "uri", label: "x", uri: "javascript:alert(1)" })]),
    "areas[0].action.uri",
  ),
  r(
    "rich menu area with an unknown action type (Action.discriminator)",
    richMenu({}, [menuArea({ type: "jump", label: "x" })]),
    "areas[0].action.type",
  ),
];

/** Requests LINE accepts, of every kind the bot sends (the Flex template samples are added by the test). */
export const ACCEPTED: { what: string; request: CorpusRequest }[] = [
  { what: "a text reply", request: reply([text()]) },
  { what: "five messages, the most a reply takes", request: reply(Array.from({ length: 5 }, (_, i) => text(`ข้อความ ${i + 1}`))) },
  { what: "text of exactly 5,000 characters", request: reply([text("ก".repeat(5_000))]) },
  {
    what: "a quick reply of 13 items, postback (with displayText), message, location, camera, datetime picker",
    request: reply([
      quick([
        ...Array.from({ length: 9 }, (_, i) => qrItem(postback({ label: "ก".repeat(19) + i, data: `m=${i}` }))),
        qrItem({ type: "message", label: "เมนู", text: "เมนู" }),
        qrItem({ type: "location", label: "ส่งตำแหน่ง" }),
        qrItem({ type: "camera", label: "ถ่ายรูป" }),
        qrItem({
          type: "datetimepicker",
          label: "เลือกวัน",
          data: "m=d",
          mode: "datetime",
          min: "2026-12-01T09:00",
          max: "2027-12-01T09:00",
        }),
      ]),
    ]),
  },
  { what: "an https image", request: push([{ type: "image", originalContentUrl: https, previewImageUrl: https }]) },
  { what: "a push with a retry key", request: push([text()], {}, { "X-Line-Retry-Key": "9b2f9e3c-5c3a-4e7a-9a51-0f5e8c1d2b3a" }) },
  { what: "a push with notificationDisabled", request: push([text()], { notificationDisabled: true }) },
  { what: "a multicast to 500 users", request: multicast(users(500)) },
  { what: "a sticker", request: push([{ type: "sticker", packageId: "446", stickerId: "1988" }]) },
  {
    what: "a location",
    request: push([{ type: "location", title: "ศาลากลาง", address: "ศรีสะเกษ", latitude: 15.1186, longitude: 104.322 }]),
  },
  {
    what: "a Flex bubble with tel:, https and line: buttons and an https hero",
    request: reply([
      flex({
        type: "bubble",
        hero: { type: "image", url: https, size: "full", aspectRatio: "20:13", aspectMode: "cover" },
        body: box([{ type: "text", text: "โทรหาเลขาฯ", wrap: true, weight: "bold" }, { type: "separator" }, { type: "filler" }]),
        footer: box(
          [
            { type: "button", style: "primary", action: { type: "uri", label: "โทร", uri: "tel:0812345678" } },
            {
              type: "button",
              style: "link",
              action: { type: "uri", label: "แผนที่", uri: "https://www.google.com/maps/search/?api=1&query=15.1186,104.322" },
            },
            { type: "button", style: "secondary", action: { type: "uri", label: "LINE", uri: "line://nv/location" } },
          ],
          { spacing: "sm" },
        ),
      }),
    ]),
  },
  { what: "a carousel of 12 bubbles", request: reply([flex({ type: "carousel", contents: Array.from({ length: 12 }, () => bubble()) })]) },
  {
    what: "a confirm template",
    request: push([
      { type: "template", altText: "ยืนยัน", template: { type: "confirm", text: "ยืนยัน?", actions: [postback(), postback({ label: "ไม่" })] } },
    ]),
  },
  {
    what: "a loading animation of 20 s",
    request: {
      method: "POST",
      path: "/v2/bot/chat/loading/start",
      body: { chatId: "U1234567890abcdef1234567890abcdef", loadingSeconds: 20 },
    },
  },
  {
    what: "a rich menu of 20 areas",
    request: richMenu(
      {},
      Array.from({ length: 20 }, () => menuArea(postback())),
    ),
  },
];

/** The reply request of a Flex message, as the bot sends one. */
export const flexReply = (contents: unknown, altText: string): CorpusRequest => reply([flex(contents, altText)]);
