// POST /webhook: verify LINE's signature on the raw bytes, store the events,
// answer 200, and only then hand them to the processor. A crash after the
// 200 loses nothing: the events are in the database and are resumed.
import { validateSignature } from "@line/bot-sdk";
import express, { type Request, type Response } from "express";
import type { InboxWriter } from "../inbox/inbox-writer.ts";
import { MAX_EVENT_TIMESTAMP, type WebhookEvent } from "../line/events.ts";
import type { Logger } from "../log.ts";
import { noopMetrics, type Metrics } from "../metrics.ts";

export const WEBHOOK_BODY_LIMIT = "1mb";

// PostgreSQL cannot store U+0000 or a lone surrogate half in text or jsonb:
// one such character would make the whole delivery fail to store (503,
// redelivered, failing again). Both can only arrive as \u escapes.
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Surrogates first: a NUL between two halves keeps them apart, as it did when both went in one pass.
const storable = (s: string) => s.replace(LONE_SURROGATE, "\uFFFD").replaceAll("\u0000", "");

function storableJson(_key: string, value: unknown): unknown {
  if (typeof value === "string") return storable(value);
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).some((k) => storable(k) !== k)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), v]));
  }
  return value;
}

/**
 * LINE's events nest a few levels; a payload nested deeper than this cannot
 * be written back as JSON (JSON.stringify runs out of stack) nor stored as
 * jsonb, so it is refused here rather than failing at the INSERT.
 */
const MAX_DEPTH = 64;

function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

// --- the body check -------------------------------------------------------
// The rules of webhookBodySchema (src/line/events.ts), written out for the
// fields the inbox stores, so the acknowledgement makes no zod parse (and no
// copy) of each event: the parsed JSON is stored as it came. Same answers as
// the schema (test/webhook/body-check.test.ts holds them to it), and the same
// payloads: zod's copy left out an own "__proto__" key, and so does this.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown, min: number, max: number): v is string => typeof v === "string" && v.length >= min && v.length <= max;
const optionalString = (v: unknown, max: number) => v === undefined || isString(v, 0, max);

/** A copy without an own "__proto__" key (JSON.parse makes one, zod's copy never had it); the object itself when it has none. */
function withoutProtoKey(o: Json): Json {
  if (!Object.hasOwn(o, "__proto__")) return o;
  const copy: Json = {};
  for (const key of Object.keys(o)) if (key !== "__proto__") copy[key] = o[key];
  return copy;
}

/** The event as the inbox stores it; null when webhookEventSchema would refuse it. */
function storableEvent(e: unknown): WebhookEvent | null {
  if (!isObject(e)) return null;
  const { type, webhookEventId, timestamp, mode, source, replyToken, deliveryContext } = e;
  if (!isString(type, 1, 50) || !isString(webhookEventId, 1, 100)) return null;
  if (typeof timestamp !== "number" || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > MAX_EVENT_TIMESTAMP) return null;
  if ((mode !== undefined && typeof mode !== "string") || !optionalString(replyToken, 200)) return null;
  if (
    source !== undefined &&
    !(
      isObject(source) &&
      typeof source.type === "string" &&
      optionalString(source.userId, 100) &&
      optionalString(source.groupId, 100) &&
      optionalString(source.roomId, 100)
    )
  ) {
    return null;
  }
  if (deliveryContext !== undefined && !(isObject(deliveryContext) && typeof deliveryContext.isRedelivery === "boolean")) return null;
  let event = withoutProtoKey(e);
  if (source !== undefined && Object.hasOwn(source, "__proto__")) event = { ...event, source: withoutProtoKey(source as Json) };
  if (deliveryContext !== undefined && Object.hasOwn(deliveryContext, "__proto__")) {
    event = { ...event, deliveryContext: withoutProtoKey(deliveryContext as Json) };
  }
  return event as WebhookEvent;
}

/** The events of a LINE webhook body, or null when webhookBodySchema would refuse it. */
export function webhookEventsOf(body: unknown): WebhookEvent[] | null {
  if (!isObject(body) || (body.destination !== undefined && typeof body.destination !== "string")) return null;
  const { events } = body;
  if (!Array.isArray(events) || events.length > 1000) return null;
  const stored: WebhookEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = storableEvent(events[i]);
    if (!event) return null;
    stored[i] = event;
  }
  return stored;
}

export interface WebhookOptions {
  channelSecret: string | undefined;
  inbox: Pick<InboxWriter, "record">;
  logger: Logger;
  /** Called after the 200 with the sources that have new events. */
  onStored: (sourceKeys: string[]) => void;
  metrics?: Metrics;
}

export function webhookRouter(options: WebhookOptions): express.Router {
  const router = express.Router();
  const metrics = options.metrics ?? noopMetrics;
  router.post(
    "/webhook",
    // Counted whatever the answer, 413s from the body parser included.
    (_req, res, next) => {
      res.on("finish", () => metrics.webhookRequest(res.statusCode));
      next();
    },
    // The raw body: a JSON parser before the signature check would re-encode
    // it (emoji escapes) and break the signature.
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req: Request, res: Response) => {
      if (!options.channelSecret) {
        res.status(503).json({ error: "LINE_CHANNEL_SECRET is not set; the webhook cannot verify LINE's signature." });
        return;
      }
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.get("x-line-signature");
      if (!signature || !validateSignature(body, options.channelSecret, signature)) {
        res.status(401).json({ error: "invalid signature" });
        return;
      }
      let json: unknown;
      try {
        const text = body.toString("utf8");
        json = JSON.parse(text, UNSTORABLE_ESCAPE.test(text) ? storableJson : undefined);
      } catch {
        res.status(400).json({ error: "malformed JSON" });
        return;
      }
      // A signed body that is not what PostgreSQL can store (a timestamp past
      // the year 9999, nesting no JSON writer handles) gets 400, like any
      // other body the schema refuses: it was signed, so it came through
      // LINE or someone holding the secret, and sending it again cannot make
      // it storable. A 5xx would have LINE redeliver it for nothing (when
      // redelivery is on) and count against the webhook's error rate. 503 is
      // kept for what may pass: the database not answering.
      const events = webhookEventsOf(json);
      if (!events || nestedDeeperThan(json, MAX_DEPTH)) {
        res.status(400).json({ error: "not a LINE webhook body" });
        return;
      }
      let sourceKeys: string[];
      try {
        sourceKeys = await options.inbox.record(events);
      } catch (error) {
        // Not stored: say so, and LINE redelivers (when redelivery is on).
        options.logger.error("could not store webhook events", {
          requestId: res.locals.requestId,
          error,
          events: events.length,
        });
        res.status(503).json({ error: "temporarily unavailable" });
        return;
      }
      const eventIds = events.map((e) => e.webhookEventId);
      metrics.eventsReceived(eventIds);
      options.logger.debug("webhook stored", { requestId: res.locals.requestId, eventIds });
      // The same answer as res.json({}) less its ETag (meaningless on a POST),
      // in one write: res.json's path (ETag hash, headers and body written
      // apart) cost 14% of the acknowledgement's CPU (test/bench/ack-path-cost.ts).
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end("{}");
      if (sourceKeys.length > 0) options.onStored(sourceKeys);
    },
  );
  return router;
}
