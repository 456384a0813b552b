// The webhook body and events as we accept them (zod), and the mapping from a
// LINE event to the engine's Input. Only the fields we use are checked; LINE
// adds fields over time and those must not make us reject a delivery.
import { z } from "zod";
import { normalizeText, withoutLineEmoji } from "../engine/normalize.ts";
import type { Input } from "../engine/types.ts";
import { truncateForLine } from "./limits.ts";

/**
 * The last instant PostgreSQL is given (an ISO string with a four-digit
 * year, src/inbox/inbox-writer.ts). JavaScript dates go on to 8.64e15 ms
 * (year 275760), which PostgreSQL refuses: such an event would fail the
 * INSERT of every delivery sharing its group commit.
 */
export const MAX_EVENT_TIMESTAMP = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const source = z.looseObject({
  type: z.string(),
  userId: z.string().max(100).optional(),
  groupId: z.string().max(100).optional(),
  roomId: z.string().max(100).optional(),
});

export const webhookEventSchema = z.looseObject({
  type: z.string().min(1).max(50),
  webhookEventId: z.string().min(1).max(100),
  timestamp: z.number().int().nonnegative().max(MAX_EVENT_TIMESTAMP),
  mode: z.string().optional(),
  source: source.optional(),
  replyToken: z.string().max(200).optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }).optional(),
});

export const webhookBodySchema = z.looseObject({
  destination: z.string().optional(),
  events: z.array(webhookEventSchema).max(1000),
});

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export function sourceKeyOf(event: WebhookEvent): string | null {
  const s = event.source;
  return s?.userId ?? s?.groupId ?? s?.roomId ?? null;
}

/** One-to-one chats only: groups and rooms are not served yet. */
export function userIdOf(event: WebhookEvent): string | null {
  return event.source?.type === "user" && event.source.userId ? event.source.userId : null;
}

// What users send is bounded here, before any flow stores it: LINE caps a
// typed text at 5,000 characters but not the address of a location (a
// 4,600-character one made the filer's turn fail and filled staff carousels).
// Text a user could not help is shortened, not refused; ids are LINE's own
// and are refused when absurd.
export const INPUT_BOUNDS = {
  text: 5_000,
  locationTitle: 100,
  locationAddress: 300,
  postbackData: 300,
  postbackParam: 100,
  id: 100,
} as const;
const bounded = (max: number, ellipsis = "") => z.string().transform((s) => truncateForLine(s, max, ellipsis));

const message = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("text"),
    text: bounded(INPUT_BOUNDS.text),
    // Only used to take LINE emoji out: a malformed list is ignored, the text still answered.
    emojis: z
      .array(z.looseObject({ index: z.number().int(), length: z.number().int() }))
      .max(1_000)
      .optional()
      .catch(undefined),
  }),
  z.looseObject({
    type: z.literal("location"),
    latitude: z.number(),
    longitude: z.number(),
    title: bounded(INPUT_BOUNDS.locationTitle, "…").optional(),
    address: bounded(INPUT_BOUNDS.locationAddress, "…").optional(),
  }),
  z.looseObject({
    type: z.literal("image"),
    id: z.string().max(INPUT_BOUNDS.id),
    imageSet: z.looseObject({ id: z.string().max(INPUT_BOUNDS.id), index: z.number().optional(), total: z.number().optional() }).optional(),
  }),
  z.looseObject({ type: z.literal("sticker") }),
  z.looseObject({
    type: z.literal("audio"),
    id: z.string().max(INPUT_BOUNDS.id),
    duration: z.number().int().nonnegative().optional().catch(undefined),
  }),
  z.looseObject({ type: z.enum(["video", "file"]) }),
]);

const messageEvent = z.looseObject({ type: z.literal("message"), message });
const postbackEvent = z.looseObject({
  type: z.literal("postback"),
  postback: z.looseObject({
    data: bounded(INPUT_BOUNDS.postbackData),
    params: z.record(z.string(), bounded(INPUT_BOUNDS.postbackParam)).optional(),
  }),
});

/** The engine's view of a message or postback event; null for anything else. */
export function inputOf(event: unknown): Input | null {
  const asPostback = postbackEvent.safeParse(event);
  if (asPostback.success) {
    const { data, params } = asPostback.data.postback;
    return { kind: "postback", data, ...(params ? { params } : {}) };
  }
  const asMessage = messageEvent.safeParse(event);
  if (!asMessage.success) return null;
  const m = asMessage.data.message;
  switch (m.type) {
    case "text":
      // LINE emoji are LINE's alt text in the text ("(love)"), not the user's words.
      return { kind: "text", text: normalizeText(withoutLineEmoji(m.text, m.emojis)) };
    case "location":
      return { kind: "location", latitude: m.latitude, longitude: m.longitude, title: m.title, address: m.address };
    case "image":
      return { kind: "image", messageId: m.id, ...(m.imageSet ? { imageSet: m.imageSet } : {}) };
    case "sticker":
      return { kind: "sticker" };
    case "audio":
      return { kind: "media", what: "audio", messageId: m.id, ...(m.duration !== undefined ? { durationMs: m.duration } : {}) };
    default:
      return { kind: "media", what: m.type };
  }
}
