// The villagers' rich menu, as data: one line per service. Both the tap
// areas sent to LINE and the image (villager-menu.png, drawn by
// `npm run richmenu:image`) are laid out from this list, so they cannot
// disagree. After changing the list, regenerate the image (a test fails
// while the shipped PNG was drawn from an older list), then run
// `npm run richmenu:setup`. See docs/rich-menu.md.
//
// A tap sends the same postback as the chat menu's button for that entry,
// with the label as displayText: the user sees what they tapped, the bot
// gets an exact entry id whatever the user's language or typing.
import { fileURLToPath } from "node:url";
import type { messagingApi } from "@line/bot-sdk";
import { encodePostback } from "../../engine/postback.ts";
import type { IconName } from "./icons.ts";
import { gridLayout, type Box } from "./layout.ts";

export interface MenuTile {
  /** The id of a MenuEntry in a domain module's `menu` (as src/bot.ts wires them), or a global word. */
  opens: { entry: string } | { word: "help" | "menu" };
  /** Shown big on the tile and sent as the user's displayText. */
  label: string;
  /** Smaller second line on the tile only. */
  note?: string;
  /** Tile background; labels and icons are white on it, so keep it dark. */
  colour: string;
  icon: IconName;
  /** Takes a whole row, with a larger label: the service that must not be missed. */
  wide?: boolean;
  /** In a lower row (of small tiles only), drawn icon-beside-label as a wide tile: what is needed less often. */
  small?: boolean;
}

// Dark shades (Material 800–900): white bold text on them passes WCAG AA.
const RED = "#C62828";

export const VILLAGER_TILES: readonly MenuTile[] = [
  { opens: { entry: "flood-help" }, label: "ขอช่วยเหลือน้ำท่วม", note: "แจ้งเหตุ ขอเรือ ขอของ", colour: RED, icon: "flood", wide: true },
  { opens: { entry: "fund-balance" }, label: "ยอดเงินกองทุน", colour: "#2E7D32", icon: "fund" },
  { opens: { entry: "housing-help" }, label: "ขอซ่อมบ้าน", colour: "#BF360C", icon: "repair" },
  { opens: { entry: "my-requests" }, label: "คำขอของฉัน", colour: "#1565C0", icon: "requests" },
  { opens: { entry: "meetings" }, label: "ประชุม", colour: "#6A1B9A", icon: "meeting" },
  { opens: { entry: "profile" }, label: "ข้อมูลของฉัน", note: "สมัครสมาชิก", colour: "#00695C", icon: "person" },
  { opens: { word: "help" }, label: "ช่วยเหลือ", note: "วิธีใช้", colour: "#455A64", icon: "help" },
];

export const VILLAGER_MENU = {
  name: "council-villager-menu",
  chatBarText: "เมนู",
  size: { width: 2500, height: 1686 },
  columns: 3,
  alias: "council-villager",
} as const satisfies MenuSpec;

/** The shipped image, drawn by `npm run richmenu:image`. */
export const VILLAGER_PNG = fileURLToPath(new URL("./villager-menu.png", import.meta.url));

export function tileData(tile: MenuTile): string {
  return "entry" in tile.opens
    ? encodePostback({ kind: "menu", entry: tile.opens.entry })
    : encodePostback({ kind: "global", word: tile.opens.word });
}

/** A menu besides its tiles; the staff menu (staff-menu.ts) is laid out the same way. */
export interface MenuSpec {
  /** Not shown to users; the setup replaces older menus of this name. */
  name: string;
  chatBarText: string;
  size: { width: number; height: number };
  columns: number;
  /** The rich menu alias the setup points at this menu; the link job finds the staff menu by it. */
  alias: string;
}

export function menuLayout(spec: MenuSpec, tiles: readonly MenuTile[]): Box[] {
  return gridLayout(tiles, spec.size, spec.columns);
}

export function villagerLayout(tiles: readonly MenuTile[] = VILLAGER_TILES): Box[] {
  return menuLayout(VILLAGER_MENU, tiles);
}

/** The rich menu object for LINE's create call. */
export function tilesRichMenu(spec: MenuSpec, tiles: readonly MenuTile[]): messagingApi.RichMenuRequest {
  const boxes = menuLayout(spec, tiles);
  return {
    size: { ...spec.size },
    selected: true, // opened by default: many users would not find the chat-bar toggle
    name: spec.name,
    chatBarText: spec.chatBarText,
    areas: tiles.map((tile, i) => ({
      bounds: { ...boxes[i]! },
      action: { type: "postback", label: tile.label, data: tileData(tile), displayText: tile.label },
    })),
  };
}

export function villagerRichMenu(tiles: readonly MenuTile[] = VILLAGER_TILES): messagingApi.RichMenuRequest {
  return tilesRichMenu(VILLAGER_MENU, tiles);
}
