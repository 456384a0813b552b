// The flood-first rich menu (issue 14 §2), as data: linked by the bulk link
// job (bulk-link-job.ts) to every member in the area of an active flood
// situation, in place of the villagers' menu, and unlinked when the
// situation ends or the member's area leaves it. Staff keep the staff menu.
// Laid out and drawn like the villagers' menu (flood-menu.png, `npm run
// richmenu:image`); `npm run richmenu:setup` puts it on the channel with
// its alias. See docs/rich-menu.md.
//
// What matters in a flood is large: asking for help, saying one is safe,
// one's own requests. Less needed, in a lower row: the emergency numbers
// and the usual menu. Entries are named by id, as on the villagers' menu
// (this adapter imports no domain module): "flood-help" (FLOOD_ENTRY of
// help-requests), "safety" (disaster: the member's safety answer),
// "my-requests", "emergency-numbers" (src/disaster/emergency-numbers.ts).
import { fileURLToPath } from "node:url";
import type { messagingApi } from "@line/bot-sdk";
import type { Box } from "./layout.ts";
import { menuLayout, tilesRichMenu, type MenuSpec, type MenuTile } from "./villager-menu.ts";

export const FLOOD_TILES: readonly MenuTile[] = [
  { opens: { entry: "flood-help" }, label: "ขอความช่วยเหลือ", note: "แจ้งเหตุ ขอเรือ ขอของ", colour: "#C62828", icon: "flood", wide: true },
  { opens: { entry: "safety" }, label: "แจ้งสถานะปลอดภัย", note: "ปลอดภัย หรือ ขอช่วย", colour: "#2E7D32", icon: "safe" },
  { opens: { entry: "my-requests" }, label: "คำขอของฉัน", note: "ติดตามเรื่องที่แจ้ง", colour: "#1565C0", icon: "requests" },
  { opens: { entry: "emergency-numbers" }, label: "เบอร์ฉุกเฉิน", note: "1784 1669 191", colour: "#BF360C", icon: "phone", small: true },
  { opens: { word: "menu" }, label: "เมนูหลัก", note: "บริการทั้งหมด", colour: "#455A64", icon: "home", small: true },
];

export const FLOOD_MENU = {
  name: "council-flood-menu",
  chatBarText: "เมนูน้ำท่วม",
  size: { width: 2500, height: 1686 },
  columns: 2,
  alias: "flood-first",
} as const satisfies MenuSpec;

/** The shipped image, drawn by `npm run richmenu:image`. */
export const FLOOD_PNG = fileURLToPath(new URL("./flood-menu.png", import.meta.url));

export function floodLayout(tiles: readonly MenuTile[] = FLOOD_TILES): Box[] {
  return menuLayout(FLOOD_MENU, tiles);
}

/** The menu LINE gets. */
export function floodRichMenu(tiles: readonly MenuTile[] = FLOOD_TILES): messagingApi.RichMenuRequest {
  return tilesRichMenu(FLOOD_MENU, tiles);
}
