// Draws the rich menu images from their tiles: villager-menu.png from
// src/line/rich-menu/villager-menu.ts, staff-menu.png from the staff
// tiles (STAFF_TILES in src/bot.ts, drawn as src/line/rich-menu/staff-menu.ts says)
// and flood-menu.png from src/line/rich-menu/flood-menu.ts:
//
//   npm run richmenu:image                                   # all three
//   npm run richmenu:image -- --menu staff|flood [--out <file.png>] [--svg <file.svg>]
//
// Needs Debian's Thai fonts (`apt-get install -y fonts-thai-tlwg`; or point
// RICHMENU_FONT at another bold Thai TTF/OTF) and the @resvg/resvg-js dev
// dependency, whose text shaping places Thai vowels and tone marks. The PNGs
// are committed, so deploying never needs either: only changing the tiles does.
// Exit codes: 0 written, 1 failure (missing font, image over LINE's limits), 2 bad usage.
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { STAFF_TILES } from "../bot.ts";
import { FLOOD_MENU, FLOOD_PNG } from "../line/rich-menu/flood-menu.ts";
import { DIGEST_KEYWORD, floodSvg, LABEL_FONT, staffSvg, svgDigest, villagerSvg } from "../line/rich-menu/image-svg.ts";
import { withPngText } from "../line/rich-menu/png-text.ts";
import { STAFF_MENU, STAFF_PNG } from "../line/rich-menu/staff-menu.ts";
import { richMenuImageProblems } from "../line/rich-menu/validate.ts";
import { VILLAGER_MENU, VILLAGER_PNG } from "../line/rich-menu/villager-menu.ts";
import { runCli } from "./run-cli.ts";

const FONT_DIR = "/usr/share/fonts/truetype/tlwg";
const USAGE = "Usage: npm run richmenu:image [-- --menu villager|staff|flood [--out <file.png>] [--svg <file.svg>]]";

const MENUS = {
  villager: { svg: villagerSvg, size: VILLAGER_MENU.size, png: VILLAGER_PNG },
  staff: { svg: () => staffSvg(STAFF_TILES), size: STAFF_MENU.size, png: STAFF_PNG },
  flood: { svg: floodSvg, size: FLOOD_MENU.size, png: FLOOD_PNG },
} as const;
type MenuKind = keyof typeof MENUS;

async function main(): Promise<number> {
  let values: { menu?: string; out?: string; svg?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { menu: { type: "string" }, out: { type: "string" }, svg: { type: "string" } },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.menu !== undefined && !(values.menu in MENUS)) {
    console.error(`Unknown menu "${values.menu}".\n${USAGE}`);
    return 2;
  }
  // One output file names one menu.
  if ((values.out || values.svg) && !values.menu) {
    console.error(`--out and --svg need --menu.\n${USAGE}`);
    return 2;
  }
  const fontFile = process.env.RICHMENU_FONT || `${FONT_DIR}/${LABEL_FONT}-Bold.ttf`;
  if (!existsSync(fontFile)) {
    console.error(
      `Font not found: ${fontFile}\nInstall Debian's Thai fonts (apt-get install -y fonts-thai-tlwg), or set RICHMENU_FONT to a bold Thai TTF/OTF.`,
    );
    return 1;
  }
  const { Resvg } = await import("@resvg/resvg-js");
  const kinds = values.menu ? [values.menu as MenuKind] : (Object.keys(MENUS) as MenuKind[]);
  for (const kind of kinds) {
    const { svg: draw, size, png: shipped } = MENUS[kind];
    const svg = draw();
    if (values.svg) writeFileSync(values.svg, svg);
    const resvg = new Resvg(svg, {
      // Only this font: a system font standing in for a missing glyph would change the image from machine to machine.
      font: { loadSystemFonts: false, fontFiles: [fontFile], defaultFontFamily: LABEL_FONT },
    });
    const png = withPngText(resvg.render().asPng(), DIGEST_KEYWORD, svgDigest(svg));
    const problems = richMenuImageProblems(size, png);
    if (problems.length > 0) {
      console.error(`The ${kind} image breaks LINE's limits: ${problems.join("; ")}`);
      return 1;
    }
    const out = values.out ?? shipped;
    writeFileSync(out, png);
    console.log(`Wrote ${out} (${size.width}×${size.height}, ${png.length} bytes).`);
  }
  return 0;
}

runCli("richmenu:image", main);
