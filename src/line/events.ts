// The webhook body and events as we accept them (zod), and the mapping from a
// LINE event to the engine's Input. Only the fields we use are checked; LINE
// adds fields over time and those must not make us reject a delivery.
import { z } from "zod";
import { normalizeText, withoutLineEmoji } from "../engine/normalize.ts";
import type { Input } from "../engine/types.ts";

const source = z.looseObject({
  type: z.string(),
  userId: z.string().max(100).optional(),
  groupId: z.string().max(100).optional(),
  roomId: z.string().max(100).optional(),
});

export const webhookEventSchema = z.looseObject({
  type: z.string().min(1).max(50),
  webhookEventId: z.string().min(1).max(100),
  timestamp: z.number().int().nonnegative().max(8.64e15),
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

const message = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("text"),
    text: z.string(),
    emojis: z.array(z.looseObject({ index: z.number().int(), length: z.number().int() })).max(1_000).optional(),
  }),
  z.looseObject({
    type: z.literal("location"),
    latitude: z.number(),
    longitude: z.number(),
    title: z.string().optional(),
    address: z.string().optional(),
  }),
  z.looseObject({
    type: z.literal("image"),
    id: z.string(),
    imageSet: z.looseObject({ id: z.string(), index: z.number().optional(), total: z.number().optional() }).optional(),
  }),
  z.looseObject({ type: z.literal("sticker") }),
  z.looseObject({ type: z.enum(["video", "audio", "file"]) }),
]);

const messageEvent = z.looseObject({ type: z.literal("message"), message });
const postbackEvent = z.looseObject({
  type: z.literal("postback"),
  postback: z.looseObject({ data: z.string(), params: z.record(z.string(), z.string()).optional() }),
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
    default:
      return { kind: "media", what: m.type };
  }
}
