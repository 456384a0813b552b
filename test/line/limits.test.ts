import type { messagingApi } from "@line/bot-sdk";
import { describe, expect, it } from "vitest";
import { assertWithinLineLimits, LINE_LIMITS, LineLimitError, lineLimitProblems } from "../../src/line/limits.ts";
import { renderOutgoing } from "../../src/line/render.ts";

const text = (t: string, items = 0, label = "ปุ่ม"): messagingApi.TextMessage => ({
  type: "text",
  text: t,
  ...(items > 0
    ? {
        quickReply: {
          items: Array.from({ length: items }, (_, i) => ({
            type: "action" as const,
            action: { type: "postback" as const, label: `${label}${i}`.slice(0, 40), data: `d=${i}` },
          })),
        },
      }
    : {}),
});

const bubble = (size: number): messagingApi.FlexBubble => ({
  type: "bubble",
  body: { type: "box", layout: "vertical", contents: [{ type: "text", text: "ก".repeat(size) }] },
});

const flex = (contents: messagingApi.FlexContainer, altText = "สรุป"): messagingApi.FlexMessage => ({ type: "flex", altText, contents });

describe("lineLimitProblems", () => {
  it("accepts ordinary messages", () => {
    expect(lineLimitProblems([text("สวัสดีค่ะ", 13)])).toEqual([]);
    expect(lineLimitProblems([flex(bubble(100))])).toEqual([]);
  });

  it("counts messages per request: 1 to 5", () => {
    expect(lineLimitProblems([])).toHaveLength(1);
    expect(lineLimitProblems(Array.from({ length: 5 }, () => text("a")))).toEqual([]);
    expect(lineLimitProblems(Array.from({ length: 6 }, () => text("a")))[0]).toMatch(/6 messages/);
  });

  it("limits text to 5,000 UTF-16 units and refuses empty text", () => {
    expect(lineLimitProblems([text("ก".repeat(LINE_LIMITS.textLength))])).toEqual([]);
    expect(lineLimitProblems([text("ก".repeat(LINE_LIMITS.textLength + 1))])[0]).toMatch(/5000/);
    // An emoji outside the BMP counts as two units.
    expect(lineLimitProblems([text("😀".repeat(2_501))])[0]).toMatch(/5000/);
    expect(lineLimitProblems([text("  ")])[0]).toMatch(/empty/);
  });

  it("limits quick replies to 13 items with labels of at most 20 characters", () => {
    expect(lineLimitProblems([text("a", 14)])[0]).toMatch(/14 quick-reply items/);
    const long = text("a");
    long.quickReply = { items: [{ type: "action", action: { type: "message", label: "ก".repeat(21), text: "x" } }] };
    expect(lineLimitProblems([long])[0]).toMatch(/over 20/);
  });

  it("limits postback data to 300 characters, in quick replies and in Flex buttons", () => {
    const qr = text("a");
    qr.quickReply = { items: [{ type: "action", action: { type: "postback", label: "ok", data: "x".repeat(301) } }] };
    expect(lineLimitProblems([qr])[0]).toMatch(/postback data/);
    const b = bubble(1);
    b.footer = {
      type: "box",
      layout: "vertical",
      contents: [{ type: "button", action: { type: "postback", label: "ok", data: "x".repeat(301) } }],
    };
    expect(lineLimitProblems([flex(b)])[0]).toMatch(/postback data/);
  });

  it("requires Flex altText up to 1,500 characters and template altText up to 400", () => {
    expect(lineLimitProblems([flex(bubble(1), "")])[0]).toMatch(/altText/);
    expect(lineLimitProblems([flex(bubble(1), "ก".repeat(1_501))])[0]).toMatch(/1500/);
    const template: messagingApi.TemplateMessage = {
      type: "template",
      altText: "ก".repeat(401),
      template: { type: "confirm", text: "?", actions: [] },
    };
    expect(lineLimitProblems([template])[0]).toMatch(/400/);
  });

  it("limits a bubble to 30 KB, a carousel to 50 KB and 12 bubbles", () => {
    expect(lineLimitProblems([flex(bubble(11_000))])[0]).toMatch(/bubble over 30000/); // 3 bytes a Thai letter
    const carousel = (n: number, size: number): messagingApi.FlexCarousel => ({
      type: "carousel",
      contents: Array.from({ length: n }, () => bubble(size)),
    });
    expect(lineLimitProblems([flex(carousel(12, 10))])).toEqual([]);
    expect(lineLimitProblems([flex(carousel(13, 10))])[0]).toMatch(/1–12 bubbles/);
    expect(lineLimitProblems([flex(carousel(6, 3_000))]).join()).toMatch(/carousel over 50000/);
  });

  it("throws a LineLimitError that lists every problem", () => {
    expect(() => assertWithinLineLimits([text("")])).toThrow(LineLimitError);
    try {
      assertWithinLineLimits([text("", 14)]);
    } catch (error) {
      expect((error as LineLimitError).problems).toHaveLength(2);
    }
  });
});

describe("renderOutgoing", () => {
  it("merges consecutive texts so a busy turn stays within five messages", () => {
    const replies = Array.from({ length: 8 }, (_, i) => ({ kind: "text" as const, text: `บรรทัด ${i}` }));
    const messages = renderOutgoing({ replies, buttons: [] });
    expect(messages).toHaveLength(1);
    expect(lineLimitProblems(messages)).toEqual([]);
  });

  it("puts the buttons on the last message as quick replies", () => {
    const messages = renderOutgoing({
      replies: [
        { kind: "text", text: "ก" },
        { kind: "flex", altText: "การ์ด", contents: bubble(1) as unknown as Record<string, unknown> },
      ],
      buttons: [{ kind: "postback", label: "ตกลง", data: "g=menu", displayText: "ตกลง" }],
    });
    expect(messages[0]!.quickReply).toBeUndefined();
    expect(messages[1]!.quickReply?.items).toHaveLength(1);
  });
});
