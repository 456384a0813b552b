// The flood-first rich menu (issue 14 §2): a menu LINE accepts with its
// shipped PNG (drawn from the current tiles: the digest check), taps that
// open the bot's entries (flood help, safety, my requests, the emergency
// numbers) or the usual menu, the large services on top and the small ones
// in a lower row; and the เบอร์ฉุกเฉิน tile answering with the numbers.
import { readFileSync } from "node:fs";
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot.ts";
import { decodePostback } from "../../src/engine/postback.ts";
import { FLOOD_MENU, FLOOD_PNG, FLOOD_TILES, floodRichMenu } from "../../src/line/rich-menu/flood-menu.ts";
import { DIGEST_KEYWORD, floodSvg, splitSaraAm, svgDigest } from "../../src/line/rich-menu/image-svg.ts";
import { pngText } from "../../src/line/rich-menu/png-text.ts";
import { STAFF_MENU } from "../../src/line/rich-menu/staff-menu.ts";
import { assertValidRichMenu, imageInfo, RICH_MENU_LIMITS, richMenuProblems } from "../../src/line/rich-menu/validate.ts";
import { VILLAGER_MENU } from "../../src/line/rich-menu/villager-menu.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness } from "../support/harness.ts";

/** Entries of other parts of disaster mode, registered once their branch is merged (d-answers: "safety"). */
const REGISTERED_ELSEWHERE = new Set(["safety"]);

describe("the flood-first menu", () => {
  const menu = floodRichMenu();
  const png = readFileSync(FLOOD_PNG);

  it("is a menu LINE accepts, with its shipped image, under its own name and alias", () => {
    expect(richMenuProblems(menu)).toEqual([]);
    expect(() => assertValidRichMenu(menu, png)).not.toThrow();
    expect(menu.chatBarText).toBe("เมนูน้ำท่วม");
    expect(FLOOD_MENU.alias).toBe("flood-first");
    expect([VILLAGER_MENU.name, STAFF_MENU.name]).not.toContain(menu.name);
  });

  it("opens, from each tile, an entry the bot has or the usual menu", () => {
    const entries = new Set(createBot({ provinceCode: 33, conversationTimeoutMinutes: 30 }).engine.entryIds);
    const decoded = menu.areas!.map((a) => {
      const action = a.action as messagingApi.PostbackAction;
      expect(action.displayText).toBe(action.label);
      return decodePostback(action.data!);
    });
    expect(decoded).toEqual([
      { kind: "menu", entry: "flood-help" },
      { kind: "menu", entry: "safety" },
      { kind: "menu", entry: "my-requests" },
      { kind: "menu", entry: "emergency-numbers" },
      { kind: "global", word: "menu" },
    ]);
    for (const pb of decoded) if (pb.kind === "menu" && !REGISTERED_ELSEWHERE.has(pb.entry)) expect(entries, pb.entry).toContain(pb.entry);
    expect(menu.areas!.map((a) => a.action?.label)).toEqual(["ขอความช่วยเหลือ", "แจ้งสถานะปลอดภัย", "คำขอของฉัน", "เบอร์ฉุกเฉิน", "เมนูหลัก"]);
  });

  it("puts help across the top, safety and requests large below it, the small tiles in a lower row", () => {
    const b = menu.areas!.map((a) => a.bounds!);
    const total = b.reduce((sum, x) => sum + x.width! * x.height!, 0);
    expect(total).toBe(2500 * 1686); // no overlaps (validated) and no dead gaps
    expect(b[0]).toEqual({ x: 0, y: 0, width: 2500, height: 648 });
    expect(b[1]).toMatchObject({ x: 0, y: 648, width: 1250, height: 648 });
    expect(b[2]).toMatchObject({ x: 1250, y: 648, width: 1250, height: 648 });
    expect(b[3]!.height).toBeLessThan(b[1]!.height! * 0.7);
    expect(b[3]!.y! + b[3]!.height!).toBe(1686);
  });

  it("ships a PNG of the menu's size, under 1 MB, drawn from the current tiles", () => {
    expect(imageInfo(png)).toEqual({ type: "png", width: 2500, height: 1686 });
    expect(png.length).toBeLessThanOrEqual(RICH_MENU_LIMITS.imageBytes);
    // Fails when the tiles changed since the image was drawn: run `npm run richmenu:image`.
    expect(pngText(png, DIGEST_KEYWORD), "flood-menu.png is out of date: npm run richmenu:image").toBe(svgDigest(floodSvg()));
    expect(FLOOD_TILES.every((t) => floodSvg().includes(`>${splitSaraAm(t.label)}</text>`))).toBe(true);
  });
});

describe.each(FLOW_DATABASES)("the emergency numbers tile on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ kind, geography: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("answers anyone with 1784, 1669 and 191, the menu under it", async () => {
    const somsri = h.user("U-flood-menu-numbers");
    await somsri.follow();
    const tile = floodRichMenu().areas![3]!.action as messagingApi.PostbackAction;
    await somsri.postback(tile.data!);
    const text = somsri.lastText();
    expect(text).toContain("1784 ปภ.");
    expect(text).toContain("1669 การแพทย์ฉุกเฉิน");
    expect(text).toContain("191 ตำรวจ");
    expect(somsri.buttons().length).toBeGreaterThan(0);
    await somsri.say("เบอร์ฉุกเฉิน");
    expect(somsri.lastText()).toContain("1784");
  });
});
