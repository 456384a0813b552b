// The do-nothing bot issue 13 measures the real one against: express, the
// SDK's signature middleware and a reply with the same text, nothing stored.
// PORT (0: any), LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and
// LINE_API_BASE_URL as for the bot; prints "listening <port>".
import type { AddressInfo } from "node:net";
import { messagingApi, middleware, type webhook } from "@line/bot-sdk";
import express from "express";

const channelSecret = process.env.LINE_CHANNEL_SECRET ?? "";
const client = new messagingApi.MessagingApiClient({
  channelAccessToken: process.env.LINE_CHANNEL_ACCESS_TOKEN ?? "",
  baseURL: process.env.LINE_API_BASE_URL,
});
const app = express();
app.post("/webhook", middleware({ channelSecret }), (req, res) => {
  res.status(200).end();
  for (const event of (req.body as webhook.CallbackRequest).events) {
    if (event.type === "message" && event.message.type === "text" && event.replyToken)
      client.replyMessage({ replyToken: event.replyToken, messages: [{ type: "text", text: event.message.text }] }).catch(() => undefined);
  }
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
