// The staff rich menu, as data: linked by the link job (link-job.ts) to
// each user who holds a staff role, in place of the villagers' menu. Laid
// out and drawn like the villagers' menu (staff-menu.png, `npm run
// richmenu:image`); see docs/rich-menu.md.
//
// The tiles' looks are here; what each opens comes from the modules' own
// staff actions, passed in by the composition root (STAFF_TILES in
// src/bot.ts: this adapter imports no domain module), so a tile says what
// the chat's staff buttons say. Every staff user sees every tile: a menu
// per role combination would mean a menu per person. A tile for a role the
// user lacks gets the engine's answer for an entry they cannot use; the
// note on the tile says whose it is, so few tap it.
import { fileURLToPath } from "node:url";
import type { messagingApi } from "@line/bot-sdk";
import type { IconName } from "./icons.ts";
import type { Box } from "./layout.ts";
import { menuLayout, tilesRichMenu, type MenuSpec, type MenuTile } from "./villager-menu.ts";

/** What a tile opens: a staff action's entry id and label, and the roles (staff/roles.ts kinds) it is for; none: every staff user. */
export interface StaffTileEntry {
  entry: string;
  label: string;
  roles: readonly string[];
}

/** The entries the staff menu's tiles open, one per tile, and the label of the help tile (it opens the global word). */
export interface StaffMenuEntries {
  cases: StaffTileEntry;
  staff: StaffTileEntry;
  fundLinks: StaffTileEntry;
  reports: StaffTileEntry;
  announce: StaffTileEntry;
  organize: StaffTileEntry;
  invite: StaffTileEntry;
  notify: StaffTileEntry;
  helpLabel: string;
}

/** Under the label of a tile only some staff can use. */
const ROLE_NOTES: Partial<Record<string, string>> = {
  SECRETARY: "สำหรับเลขานุการ",
  COORDINATOR: "สำหรับผู้ประสานงาน",
};

function roleNote(roles: readonly string[]): string | undefined {
  return roles.length === 1 ? ROLE_NOTES[roles[0]!] : undefined;
}

/** The action of `actions` that opens `entry`; throws when none does (a renamed entry fails at start, not on a phone). */
export function staffActionFor<T extends StaffTileEntry>(entry: string, actions: readonly T[]): T {
  const found = actions.find((a) => a.entry === entry);
  if (!found) throw new Error(`No staff action opens "${entry}"`);
  return found;
}

const tile = (a: StaffTileEntry, colour: string, icon: IconName): MenuTile => {
  const note = roleNote(a.roles);
  return { opens: { entry: a.entry }, label: a.label, ...(note ? { note } : {}), colour, icon };
};

/** The tiles, in order, opening `e`'s entries. Dark shades, as on the villagers' menu; red again for what must not wait. */
export function staffTiles(e: StaffMenuEntries): readonly MenuTile[] {
  return [
    { ...tile(e.cases, "#C62828", "requests"), note: "น้ำท่วม ซ่อมบ้าน รับเรื่อง", wide: true },
    tile(e.staff, "#1565C0", "badge"),
    tile(e.fundLinks, "#2E7D32", "link"),
    tile(e.reports, "#283593", "chart"),
    tile(e.announce, "#BF360C", "megaphone"),
    tile(e.organize, "#6A1B9A", "meeting"),
    tile(e.invite, "#4E342E", "invite"),
    tile(e.notify, "#37474F", "bell"),
    // Staff are villagers too: one tap back to the services everyone has.
    { opens: { word: "menu" }, label: "เมนูชาวบ้าน", note: "บริการของทุกคน", colour: "#00695C", icon: "home" },
    { opens: { word: "help" }, label: e.helpLabel, note: "วิธีใช้", colour: "#455A64", icon: "help" },
  ];
}

export const STAFF_MENU = {
  name: "council-staff-menu",
  chatBarText: "งานเจ้าหน้าที่", // 14 UTF-16 units: LINE's limit
  size: { width: 2500, height: 1686 },
  columns: 3,
  alias: "council-staff",
} as const satisfies MenuSpec;

/** The shipped image, drawn by `npm run richmenu:image`. */
export const STAFF_PNG = fileURLToPath(new URL("./staff-menu.png", import.meta.url));

export function staffLayout(tiles: readonly MenuTile[]): Box[] {
  return menuLayout(STAFF_MENU, tiles);
}

/** The menu LINE gets, with `tiles` (STAFF_TILES of src/bot.ts). */
export function staffRichMenu(tiles: readonly MenuTile[]): messagingApi.RichMenuRequest {
  return tilesRichMenu(STAFF_MENU, tiles);
}
