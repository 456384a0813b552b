// LINE text lengths (fast-check): one measure (UTF-16 units, as LINE counts)
// for every cut, cuts that never split a surrogate pair or a Thai syllable,
// and replies over a limit repaired instead of refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shortLabel } from "../../src/engine/engine.ts";
import type { Outgoing } from "../../src/engine/types.ts";
import { fitCarousel, LINE_LIMITS, lineLimitProblems, truncateForLine } from "../../src/line/limits.ts";
import { renderOutgoing } from "../../src/line/render.ts";

const SEED = process.env.HOSTILE_SEED === "random" ? undefined : Number(process.env.HOSTILE_SEED ?? 20261128);
const NUM_RUNS = Number(process.env.HOSTILE_RUNS ?? 300);

const THAI_MARK = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Thai with its marks, astral letters, emoji sequences, plain ASCII.
const piece = fc.constantFrom("ก", "น้ำ", "ที่", "กำ", "ปั้", "เ", "𝐒", "𝐨", "🙏🏽", "👨‍👩‍👧", "🇹🇭", "a", " ", "ๆ", "์");
const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(""));

describe("LINE text lengths", () => {
  it("truncateForLine: within the limit, a prefix cut between syllables, never half a pair", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (s, max) => {
        const cut = truncateForLine(s, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        if (s.length <= max) {
          expect(cut).toBe(s);
          return;
        }
        expect(cut.endsWith("…")).toBe(true);
        const kept = cut.slice(0, -1);
        expect(s.startsWith(kept)).toBe(true);
        expect(kept).not.toMatch(LONE_SURROGATE);
        // The cut (after any trailing spaces trimmed from the kept part) is
        // not before a mark of the last consonant nor inside a pair.
        if (kept === "") return;
        const spaces = /^\s*/.exec(s.slice(kept.length))![0].length;
        const cutsOk = Array.from({ length: spaces + 1 }, (_, i) => s[kept.length + i] ?? "").some(
          (next) => !THAI_MARK.test(next) && !/[\uDC00-\uDFFF]/.test(next),
        );
        expect(cutsOk).toBe(true);
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  });

  it("a Thai mark is never left without its consonant, nor a consonant without its cut mark", () => {
    // "ท่" is ท + ่: a cut between them drops both, never "ท" alone or "่" alone.
    expect(truncateForLine("น้ำท่วมหนัก", 5)).toBe("น้ำ…");
    expect(truncateForLine("น้ำท่วมหนัก", 6)).toBe("น้ำท่…");
    expect(truncateForLine("ที่นี่", 3)).toBe("…");
    expect(truncateForLine("ที่นี่", 4)).toBe("ที่…");
    expect(truncateForLine("𝐒𝐒𝐒", 4)).toBe("𝐒…");
    expect(truncateForLine("ab👨‍👩‍👧", 6)).toBe("ab…");
  });

  it("shortLabel counts UTF-16 units: any label fits a quick reply", () => {
    fc.assert(
      fc.property(text, (s) => {
        const label = shortLabel(s);
        expect(label.length).toBeLessThanOrEqual(LINE_LIMITS.quickReplyLabel);
        expect(label).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  });

  it("a reply over the limits is repaired, not refused: labels, texts, displayTexts, oversized carousels", () => {
    const astral = "𝐒𝐨𝐦𝐬𝐫𝐢 𝐉𝐚𝐢𝐝𝐞𝐞 🙏🏽🙏🏽";
    const bubble = (i: number) => ({
      type: "bubble",
      body: { type: "box", layout: "vertical", contents: [{ type: "text", text: `คำขอ ${i} ${"ก".repeat(4_000)}`, wrap: true }] },
    });
    const out: Outgoing = {
      replies: [
        { kind: "text", text: "น้ำ".repeat(2_000) },
        {
          kind: "flex",
          altText: "ก".repeat(2_000),
          contents: { type: "carousel", contents: Array.from({ length: 6 }, (_, i) => bubble(i)) },
        },
      ],
      buttons: [{ kind: "postback", label: astral, data: "x=1", displayText: astral.repeat(40) }],
    };
    const messages = renderOutgoing(out);
    expect(lineLimitProblems(messages)).toEqual([]);
    const carousel = (messages[1] as { contents: { contents: unknown[] } }).contents;
    // Shortened, every bubble kept.
    expect(carousel.contents).toHaveLength(6);
    expect(JSON.stringify(carousel)).toContain("คำขอ 5");
    // fitCarousel alone: the count limit too.
    expect(fitCarousel(Array.from({ length: 14 }, (_, i) => bubble(i)))).toHaveLength(LINE_LIMITS.carouselBubbles);
  });
});
