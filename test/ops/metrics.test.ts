// GET /metrics after a short transcript, LINE failures on purpose (a 500
// retried later, a 400 that fails for good), a forged signature and a
// queued outbox: each count and label as Prometheus would scrape it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness } from "../support/harness.ts";

/** The value of one sample in the text format; labels must match exactly. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(",");
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? "").split(",").filter(Boolean).sort().join(",");
    if (have === wanted) return Number(m[3]);
  }
  return undefined;
}

describe("metrics", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind: "pglite" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const scrape = async () => {
    const res = await fetch(`${h.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it("start at zero", async () => {
    const text = await scrape();
    for (const name of [
      "line_events_received_total",
      "line_events_processed_total",
      "line_events_failed_total",
      "reply_latency_seconds_count",
    ]) {
      expect(sample(text, name), name).toBe(0);
    }
    expect(sample(text, "outbox_pending")).toBe(0);
    expect(sample(text, "outbox_oldest_pending_age_seconds")).toBe(0);
  });

  it("count events, answers, LINE errors by operation and status, webhook answers and the outbox", async () => {
    const u = h.user("U-metrics-1");
    await u.follow();
    await u.tap("ยินยอม");
    await u.say("มีตริก ทดสอบ");
    // A LINE outage on the reply: retried later, not answered yet.
    h.line.failNext("reply", 500);
    await u.say("0812345678");
    // Another user's answer refused for good (400 on the reply, then on the push).
    h.line.failNext("reply", 400);
    h.line.failNext("push", 400);
    await h.user("U-metrics-2").follow();
    // Not LINE: a forged signature and a body that is not JSON.
    expect((await h.post('{"events":[]}', "Zm9yZ2Vk")).status).toBe(401);
    expect((await h.post("{not json")).status).toBe(400);
    // The outbox: one message due two minutes ago, one scheduled for tomorrow, one sent.
    const now = h.clock.now.getTime();
    const row = (notBefore: number, status: "PENDING" | "SENT" = "PENDING") => ({
      purpose: "test.metrics",
      recipients: ["U-metrics-1"],
      messages: [{ type: "text", text: "ทดสอบ" }],
      retryKey: randomUUID(),
      status,
      notBefore: new Date(notBefore),
      createdAt: new Date(now - 600_000),
    });
    await h.db.prisma.outboxMessage.createMany({
      data: [row(now - 120_000), row(now + 86_400_000), row(now - 900_000, "SENT")],
    });

    const text = await scrape();
    expect(sample(text, "line_events_received_total")).toBe(5);
    expect(sample(text, "line_events_processed_total")).toBe(5);
    expect(sample(text, "line_events_failed_total")).toBe(1);
    expect(sample(text, "reply_latency_seconds_count")).toBe(3);
    expect(sample(text, "reply_latency_seconds_bucket", { le: "+Inf" })).toBe(3);
    expect(sample(text, "line_api_errors_total", { operation: "reply", status: "500" })).toBe(1);
    expect(sample(text, "line_api_errors_total", { operation: "reply", status: "400" })).toBe(1);
    expect(sample(text, "line_api_errors_total", { operation: "push", status: "400" })).toBe(1);
    expect(sample(text, "webhook_requests_total", { status: "200" })).toBe(5);
    expect(sample(text, "webhook_requests_total", { status: "401" })).toBe(1);
    expect(sample(text, "webhook_requests_total", { status: "400" })).toBe(1);
    expect(sample(text, "outbox_pending")).toBe(2);
    expect(sample(text, "outbox_oldest_pending_age_seconds")).toBe(120);

    // The outage is over: the retried answer goes out and is counted once.
    h.clock.advance(5_000);
    await h.app.processor.sweep();
    const after = await scrape();
    expect(sample(after, "reply_latency_seconds_count")).toBe(4);
    expect(sample(after, "line_events_processed_total")).toBe(5);
    expect(after).not.toMatch(/U-metrics|0812345678/);
  });
});
