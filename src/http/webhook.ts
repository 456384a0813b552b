// POST /webhook: verify LINE's signature on the raw bytes, store the events,
// answer 200, and only then hand them to the processor. A crash after the
// 200 loses nothing: the events are in the database and are resumed.
import { validateSignature } from "@line/bot-sdk";
import express, { type Request, type Response } from "express";
import type { InboxWriter } from "../inbox/inbox-writer.ts";
import { webhookBodySchema } from "../line/events.ts";
import type { Logger } from "../log.ts";
import { noopMetrics, type Metrics } from "../metrics.ts";

export const WEBHOOK_BODY_LIMIT = "1mb";

// PostgreSQL cannot store U+0000 or a lone surrogate half in text or jsonb:
// one such character would make the whole delivery fail to store (503,
// redelivered, failing again). Both can only arrive as \u escapes.
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storable = (s: string) => s.replace(UNSTORABLE, (c) => (c === "\u0000" ? "" : "\uFFFD"));

function storableJson(_key: string, value: unknown): unknown {
  if (typeof value === "string") return storable(value);
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).some((k) => storable(k) !== k)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), v]));
  }
  return value;
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
      const parsed = webhookBodySchema.safeParse(json);
      if (!parsed.success) {
        res.status(400).json({ error: "not a LINE webhook body" });
        return;
      }
      let sourceKeys: string[];
      try {
        sourceKeys = await options.inbox.record(parsed.data.events);
      } catch (error) {
        // Not stored: say so, and LINE redelivers (when redelivery is on).
        options.logger.error("could not store webhook events", { requestId: res.locals.requestId, error, events: parsed.data.events.length });
        res.status(503).json({ error: "temporarily unavailable" });
        return;
      }
      const eventIds = parsed.data.events.map((e) => e.webhookEventId);
      metrics.eventsReceived(eventIds);
      options.logger.debug("webhook stored", { requestId: res.locals.requestId, eventIds });
      res.status(200).json({});
      if (sourceKeys.length > 0) options.onStored(sourceKeys);
    },
  );
  return router;
}
