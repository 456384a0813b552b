// The rich menus: LINE's limits on a menu and its image, taps that open the
// same entries as the chat menu (the villagers' menu and the staff menu),
// the shipped PNGs drawn from the current tiles, and the setup against the
// fake LINE API (twice: one menu left, the default, with the PNG's bytes as
// its image). Linking the staff menu: rich-menu-link.test.ts.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { messagingApi } from "@line/bot-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { decodePostback } from "../../src/engine/postback.ts";
import { LineGateway } from "../../src/line/gateway.ts";
import { createBot, STAFF_TILES } from "../../src/bot.ts";
import { DIGEST_KEYWORD, fitFontSize, splitSaraAm, staffSvg, svgDigest, villagerSvg } from "../../src/line/rich-menu/image-svg.ts";
import { FLOOD_MENU, floodRichMenu } from "../../src/line/rich-menu/flood-menu.ts";
import { STAFF_MENU, STAFF_PNG, staffRichMenu } from "../../src/line/rich-menu/staff-menu.ts";
import { STAFF_RICH_MENU_AREAS } from "../../src/staff/staff-module.ts";
import { gridLayout } from "../../src/line/rich-menu/layout.ts";
import { pngText, withPngText } from "../../src/line/rich-menu/png-text.ts";
import { installRichMenu } from "../../src/line/rich-menu/setup.ts";
import {
  assertValidRichMenu,
  imageInfo,
  RICH_MENU_LIMITS,
  RichMenuError,
  richMenuImageProblems,
  richMenuProblems,
} from "../../src/line/rich-menu/validate.ts";
import { VILLAGER_MENU, VILLAGER_PNG, VILLAGER_TILES, villagerRichMenu } from "../../src/line/rich-menu/villager-menu.ts";
import { FakeLine } from "../support/fake-line.ts";

const png = readFileSync(VILLAGER_PNG);

/** A PNG header (signature + IHDR) of the given size: enough for the checks, which read no pixels. */
function pngHeader(width: number, height: number, padTo = 0): Buffer {
  const head = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(head, 0);
  head.writeUInt32BE(13, 8);
  head.write("IHDR", 12, "latin1");
  head.writeUInt32BE(width, 16);
  head.writeUInt32BE(height, 20);
  return padTo > head.length ? Buffer.concat([head, Buffer.alloc(padTo - head.length)]) : head;
}

const withArea = (menu: messagingApi.RichMenuRequest, i: number, change: Partial<messagingApi.RichMenuArea>) => ({
  ...menu,
  areas: menu.areas!.map((a, j) => (j === i ? { ...a, ...change } : a)),
});

describe("rich menu validation", () => {
  const good = villagerRichMenu();

  it("accepts the villagers' menu and its shipped image", () => {
    expect(richMenuProblems(good)).toEqual([]);
    expect(richMenuImageProblems(good.size, png)).toEqual([]);
    expect(() => assertValidRichMenu(good, png)).not.toThrow();
  });

  it("refuses an area outside the menu, or overlapping another", () => {
    const out = withArea(good, 1, { bounds: { x: 2000, y: 1500, width: 600, height: 300 } });
    expect(richMenuProblems(out).join()).toMatch(/area\[1\]: bounds 2000,1500 600×300 outside the 2500×1686 menu/);
    const negative = withArea(good, 0, { bounds: { x: -1, y: 0, width: 100, height: 100 } });
    expect(richMenuProblems(negative).join()).toMatch(/area\[0\].*outside/);
    const overlapping = withArea(good, 2, { bounds: { ...good.areas![1]!.bounds!, x: good.areas![1]!.bounds!.x! + 10 } });
    expect(richMenuProblems(overlapping).join()).toMatch(/area\[2\]: overlaps area\[1\]/);
    expect(() => assertValidRichMenu(out)).toThrow(RichMenuError);
  });

  it("refuses a bad size: too wide, too narrow, too short, too tall for its width", () => {
    for (const size of [
      { width: 2600, height: 1686 },
      { width: 700, height: 400 },
      { width: 2500, height: 200 },
      { width: 2500, height: 1800 }, // aspect ratio 1.39
    ]) {
      expect(richMenuProblems({ ...good, size, areas: [] }).length, JSON.stringify(size)).toBeGreaterThan(1);
    }
    expect(richMenuProblems({ ...good, size: { width: 2500, height: 843 } }).join()).toMatch(/outside the 2500×843 menu/);
    expect(
      richMenuProblems({
        ...good,
        size: { width: 1200, height: 810 },
        areas: [{ ...good.areas![6]!, bounds: { x: 0, y: 0, width: 100, height: 100 } }],
      }),
    ).toEqual([]);
  });

  it("limits areas, chat-bar text, name and action fields", () => {
    const area = good.areas![0]!;
    const many = Array.from({ length: 21 }, (_, i) => ({ ...area, bounds: { x: i * 100, y: 0, width: 100, height: 100 } }));
    expect(richMenuProblems({ ...good, areas: many })).toEqual(["21 areas (1–20)"]);
    expect(richMenuProblems({ ...good, areas: many.slice(0, 20) })).toEqual([]);
    expect(richMenuProblems({ ...good, chatBarText: "ก".repeat(15) })).toEqual(["chatBarText must be 1–14 characters"]);
    expect(richMenuProblems({ ...good, chatBarText: "" })).toHaveLength(1);
    expect(richMenuProblems({ ...good, name: "x".repeat(301) })).toHaveLength(1);
    const action = area.action as messagingApi.PostbackAction;
    expect(richMenuProblems(withArea(good, 0, { action: { ...action, data: `m=${"x".repeat(299)}` } })).join()).toMatch(/data over 300/);
    expect(richMenuProblems(withArea(good, 0, { action: { ...action, data: "" } })).join()).toMatch(/postback action without data/);
    expect(richMenuProblems(withArea(good, 0, { action: { ...action, label: "ก".repeat(21) } })).join()).toMatch(/label over 20/);
    expect(richMenuProblems(withArea(good, 0, { action: { ...action, displayText: "ก".repeat(301) } })).join()).toMatch(
      /displayText over 300/,
    );
    expect(richMenuProblems(withArea(good, 0, { action: { type: "message", text: "" } })).join()).toMatch(/message action without text/);
  });

  it("refuses an image over 1 MB, of another size, or not PNG/JPEG", () => {
    const size = VILLAGER_MENU.size;
    expect(richMenuImageProblems(size, pngHeader(2500, 1686, RICH_MENU_LIMITS.imageBytes))).toEqual([]);
    expect(richMenuImageProblems(size, pngHeader(2500, 1686, RICH_MENU_LIMITS.imageBytes + 1))).toEqual([
      `image is ${RICH_MENU_LIMITS.imageBytes + 1} bytes (max ${RICH_MENU_LIMITS.imageBytes})`,
    ]);
    expect(richMenuImageProblems(size, pngHeader(2500, 843))).toEqual(["image is 2500×843, the menu is 2500×1686"]);
    expect(richMenuImageProblems(size, Buffer.from("GIF89a......"))).toEqual(["image is neither PNG nor JPEG"]);
    expect(() => assertValidRichMenu(villagerRichMenu(), pngHeader(1250, 843))).toThrow(/image is 1250×843/);
  });

  it("reads a JPEG's size from its frame header", () => {
    // SOI, an APP0 segment, then SOF0 with height 843 and width 2500.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x03, 0x4b, 0x09, 0xc4, 0x03]);
    expect(imageInfo(Buffer.concat([jpeg, Buffer.alloc(16)]))).toEqual({ type: "jpeg", width: 2500, height: 843 });
  });
});

describe("the villagers' menu", () => {
  const menu = villagerRichMenu();

  it("sends, for each tile, the chat menu's postback for its entry (or a global word), with the label shown", () => {
    const decoded = menu.areas!.map((a) => {
      const action = a.action as messagingApi.PostbackAction;
      expect(action.type).toBe("postback");
      expect(action.displayText).toBe(action.label);
      return decodePostback(action.data!);
    });
    for (const pb of decoded) expect(["menu", "global"]).toContain(pb.kind);
    expect(decoded).toEqual([
      { kind: "menu", entry: "flood-help" },
      { kind: "menu", entry: "fund-balance" },
      { kind: "menu", entry: "housing-help" },
      { kind: "menu", entry: "my-requests" },
      { kind: "menu", entry: "meetings" },
      { kind: "menu", entry: "profile" },
      { kind: "global", word: "help" },
    ]);
    expect(menu.chatBarText).toBe("เมนู");
    expect(menu.selected).toBe(true);
  });

  it("covers the whole image with tap areas, flood help across the full top row", () => {
    const area = (b: messagingApi.RichMenuBounds | undefined) => b!.width! * b!.height!;
    const total = menu.areas!.reduce((sum, a) => sum + area(a.bounds), 0);
    expect(total).toBe(2500 * 1686); // no overlaps (validated) and no dead gaps
    expect(menu.areas![0]!.bounds).toEqual({ x: 0, y: 0, width: 2500, height: 562 });
    expect(Math.max(...menu.areas!.map((a) => area(a.bounds)))).toBe(area(menu.areas![0]!.bounds));
  });

  it("widens the tiles of a short row and gives a wide tile its own row", () => {
    const boxes = gridLayout([{}, { wide: true }, {}, {}, {}, {}], { width: 2500, height: 1686 }, 3);
    expect(boxes.map((b) => [b.x, b.y, b.width, b.height])).toEqual([
      [0, 0, 2500, 421],
      [0, 421, 2500, 422],
      [0, 843, 833, 421],
      [833, 843, 833, 421],
      [1666, 843, 834, 421],
      [0, 1264, 2500, 422],
    ]);
  });

  it("ships a PNG of the rich menu's size, under 1 MB, drawn from the current tiles", () => {
    expect(imageInfo(png)).toEqual({ type: "png", width: 2500, height: 1686 });
    expect(png.length).toBeLessThanOrEqual(RICH_MENU_LIMITS.imageBytes);
    // Fails when the tiles changed since the image was drawn: run `npm run richmenu:image`.
    expect(pngText(png, DIGEST_KEYWORD), "villager-menu.png is out of date: npm run richmenu:image").toBe(svgDigest(villagerSvg()));
    expect(VILLAGER_TILES.every((t) => villagerSvg().includes(`>${splitSaraAm(t.label)}</text>`))).toBe(true);
  });

  it("stamps and reads back a PNG text chunk, keeping the PNG readable", () => {
    const stamped = withPngText(pngHeader(800, 500), "k", "v1");
    expect(pngText(stamped, "k")).toBe("v1");
    expect(pngText(stamped, "other")).toBeNull();
    expect(imageInfo(stamped)).toEqual({ type: "png", width: 800, height: 500 });
  });

  it("shrinks a long label to fit and ignores Thai marks when measuring", () => {
    expect(fitFontSize("ประชุม", 800, 110)).toBe(110);
    expect(fitFontSize("ก".repeat(30), 800, 110)).toBeLessThan(50);
    expect(fitFontSize("น้ำ", 100, 500)).toBe(fitFontSize("นำ", 100, 500));
  });

  it("prints the three menus without calling LINE in a dry run", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "src/cli/rich-menu.ts", "--dry-run"], {
      encoding: "utf8",
      env: { ...process.env, LINE_CHANNEL_ACCESS_TOKEN: "", LINE_API_BASE_URL: "https://unreachable.invalid" },
    });
    const json = out.slice(0, out.lastIndexOf("}") + 1);
    expect(JSON.parse(json)).toEqual({
      [VILLAGER_MENU.alias]: menu,
      [STAFF_MENU.alias]: staffRichMenu(STAFF_TILES),
      [FLOOD_MENU.alias]: floodRichMenu(),
    });
    expect(out).toMatch(
      /staff-menu\.png \(image\/png, \d+ bytes\), \S+flood-menu\.png \(image\/png, \d+ bytes\)\.\nDry run: nothing sent\./,
    );
  });
});

describe("the staff menu", () => {
  const menu = staffRichMenu(STAFF_TILES);
  const staffPng = readFileSync(STAFF_PNG);

  it("is a menu LINE accepts, with its shipped image", () => {
    expect(richMenuProblems(menu)).toEqual([]);
    expect(() => assertValidRichMenu(menu, staffPng)).not.toThrow();
    expect(menu.chatBarText).toBe("งานเจ้าหน้าที่");
    expect(menu.name).not.toBe(VILLAGER_MENU.name); // the setup replaces menus by name
  });

  it("opens, from each tile, an entry the bot has or a global word; one tile goes back to the villagers' menu", () => {
    // The engine's entries as bot.ts wires them: a renamed entry fails here, not on a staff member's phone.
    const entries = new Set(createBot({ provinceCode: 33, conversationTimeoutMinutes: 30 }).engine.entryIds);
    const decoded = menu.areas!.map((a) => {
      const action = a.action as messagingApi.PostbackAction;
      expect(action.displayText).toBe(action.label);
      return decodePostback(action.data!);
    });
    for (const pb of decoded) {
      if (pb.kind === "menu") expect(entries, pb.entry).toContain(pb.entry);
      else expect(pb).toMatchObject({ kind: "global" });
    }
    expect(decoded).toContainEqual({ kind: "global", word: "menu" });
    expect(STAFF_TILES.find((t) => "word" in t.opens && t.opens.word === "menu")?.label).toBe("เมนูชาวบ้าน");
    // Every staff tile of the staff module, and the pending cases first, across the top.
    const opened = decoded.flatMap((pb) => (pb.kind === "menu" ? [pb.entry] : []));
    for (const area of STAFF_RICH_MENU_AREAS) if ("entry" in area.opens) expect(opened).toContain(area.opens.entry);
    expect(opened[0]).toBe("staff-cases");
    expect(menu.areas![0]!.bounds).toMatchObject({ x: 0, y: 0, width: 2500 });
  });

  it("covers the whole image with tap areas", () => {
    const total = menu.areas!.reduce((sum, a) => sum + a.bounds!.width! * a.bounds!.height!, 0);
    expect(total).toBe(2500 * 1686);
  });

  it("ships a PNG of the menu's size, under 1 MB, drawn from the current tiles", () => {
    expect(imageInfo(staffPng)).toEqual({ type: "png", width: 2500, height: 1686 });
    expect(staffPng.length).toBeLessThanOrEqual(RICH_MENU_LIMITS.imageBytes);
    // Fails when the tiles changed since the image was drawn: run `npm run richmenu:image`.
    expect(pngText(staffPng, DIGEST_KEYWORD), "staff-menu.png is out of date: npm run richmenu:image").toBe(
      svgDigest(staffSvg(STAFF_TILES)),
    );
    expect(STAFF_TILES.every((t) => staffSvg(STAFF_TILES).includes(`>${splitSaraAm(t.label)}</text>`))).toBe(true);
  });

  it("draws SARA AM as NIKHAHIT + SARA AA, the tone mark first", () => {
    expect(splitSaraAm("น้ำท่วม")).toBe("น\u0E49\u0E4D\u0E32ท่วม");
    expect(staffSvg(STAFF_TILES)).not.toContain("\u0E33");
  });
});

describe("rich menu setup against the fake LINE API", () => {
  let fake: FakeLine;
  afterEach(() => fake?.close());

  const gateway = () => new LineGateway({ channelAccessToken: "test-token", apiBaseUrl: fake.baseUrl, dataApiBaseUrl: fake.dataBaseUrl });

  it("creates, uploads, sets the default; a second run leaves exactly one menu, the default", async () => {
    fake = new FakeLine();
    // A menu made by hand in the console, not ours: it must survive.
    fake.richMenus.set("richmenu-console", { menu: { ...villagerRichMenu(), name: "campaign" } });
    const log: string[] = [];
    const first = await installRichMenu(gateway(), villagerRichMenu(), png, (l) => log.push(l));
    expect(first.deleted).toEqual([]);
    expect(fake.defaultRichMenuId).toBe(first.richMenuId);
    expect(log[0]).toMatch(/^Created rich menu/);

    const second = await installRichMenu(gateway(), villagerRichMenu(), png);
    expect(second.deleted).toEqual([first.richMenuId]);
    const ours = [...fake.richMenus].filter(([, m]) => m.menu.name === VILLAGER_MENU.name);
    expect(ours.map(([id]) => id)).toEqual([second.richMenuId]);
    expect(fake.defaultRichMenuId).toBe(second.richMenuId);
    expect(fake.richMenus.has("richmenu-console")).toBe(true);

    const image = fake.richMenus.get(second.richMenuId)!.image!;
    expect(image.contentType).toBe("image/png");
    expect(image.bytes.equals(png)).toBe(true);
    expect(fake.richMenus.get(second.richMenuId)!.menu).toEqual(villagerRichMenu());
    expect(fake.limitProblems).toEqual([]);
    expect(fake.richMenuCalls).toEqual([
      "create",
      `image ${first.richMenuId}`,
      `default ${first.richMenuId}`,
      "list",
      "create",
      `image ${second.richMenuId}`,
      `default ${second.richMenuId}`,
      "list",
      `delete ${first.richMenuId}`,
    ]);
  });

  it("sends nothing when the menu or the image breaks LINE's limits", async () => {
    fake = new FakeLine();
    await expect(installRichMenu(gateway(), villagerRichMenu(), pngHeader(2500, 843))).rejects.toThrow(RichMenuError);
    await expect(installRichMenu(gateway(), { ...villagerRichMenu(), chatBarText: "" }, png)).rejects.toThrow(/chatBarText/);
    expect(fake.richMenuCalls).toEqual([]);
  });
});
