// The load of the acknowledgement and saturation benchmarks: one signed text
// event per request ("สวัสดีครับ", no flow's keyword) from 1,000 users in turn,
// each with a fresh webhookEventId and reply token, for autocannon's
// setupRequest. Shared so the bot and the echo bot get the same requests.
import { createHmac } from "node:crypto";
import { userId } from "./conversations.ts";

export function greetingSetup(channelSecret: string, tag: string) {
  let n = 0;
  const users = Array.from({ length: 1_000 }, (_, i) => userId("bench-g-", i));
  return (req: { headers: Record<string, string>; body: Buffer | string }) => {
    n += 1;
    const id = `01GREET${tag}${String(n).padStart(13, "0")}`.slice(0, 26);
    const event = {
      type: "message",
      message: { type: "text", id: `g${tag}${n}`, quoteToken: `q${n}`, text: "สวัสดีครับ" },
      webhookEventId: id,
      deliveryContext: { isRedelivery: false },
      timestamp: Date.now(),
      source: { type: "user", userId: users[n % users.length] },
      replyToken: `g${tag}${n}`,
      mode: "active",
    };
    const body = Buffer.from(JSON.stringify({ destination: "Ubench", events: [event] }));
    req.body = body;
    req.headers = {
      ...req.headers,
      "content-type": "application/json; charset=utf-8",
      "x-line-signature": createHmac("sha256", channelSecret).update(body).digest("base64"),
    };
    return req;
  };
}
