// The staff rich menu, as data: linked by the link job (link-job.ts) to
// each user who holds a staff role, in place of the villagers' menu. Laid
// out and drawn like the villagers' menu (staff-menu.png, `npm run
// richmenu:image`); see docs/rich-menu.md.
//
// Entry ids and labels come from the modules' own staff actions, so a tile
// says what the chat's staff buttons say. Every staff user sees every tile:
// a menu per role combination would mean a menu per person. A tile for a
// role the user lacks gets the engine's answer for an entry they cannot
// use; the note on the tile says whose it is, so few tap it.
import { fileURLToPath } from "node:url";
import type { messagingApi } from "@line/bot-sdk";
import { ANNOUNCE_ACTIONS } from "../../announcements/announce-module.ts";
import { CASE_STAFF_ACTIONS } from "../../help-requests/case-module.ts";
import { ORGANIZE_ACTIONS } from "../../meetings/organize-module.ts";
import { REPORT_ENTRY } from "../../reports/reports-module.ts";
import { REPORT_TEXT } from "../../reports/texts.ts";
import type { StaffRoleKind } from "../../staff/roles.ts";
import { STAFF_ACTIONS, STAFF_ENTRY, type StaffAction } from "../../staff/staff-module.ts";
import { STAFF_TEXT } from "../../staff/texts.ts";
import { LINK_REVIEW_ACTION } from "../../welfare-fund/link-review.ts";
import type { IconName } from "./icons.ts";
import type { Box } from "./layout.ts";
import { menuLayout, tilesRichMenu, type MenuSpec, type MenuTile } from "./villager-menu.ts";

/** Under the label of a tile only some staff can use. */
const ROLE_NOTES: Partial<Record<StaffRoleKind, string>> = {
  SECRETARY: "สำหรับเลขานุการ",
  COORDINATOR: "สำหรับผู้ประสานงาน",
};

function roleNote(roles: readonly StaffRoleKind[]): string | undefined {
  return roles.length === 1 ? ROLE_NOTES[roles[0]!] : undefined;
}

function action(entry: string, actions: readonly StaffAction[]): StaffAction {
  const found = actions.find((a) => a.entry === entry);
  if (!found) throw new Error(`No staff action opens "${entry}"`);
  return found;
}

const tile = (a: Pick<StaffAction, "entry" | "label" | "roles">, colour: string, icon: IconName): MenuTile => {
  const note = roleNote(a.roles);
  return { opens: { entry: a.entry }, label: a.label, ...(note ? { note } : {}), colour, icon };
};

const [cases] = CASE_STAFF_ACTIONS;
const [compose] = ANNOUNCE_ACTIONS;
const [organize] = ORGANIZE_ACTIONS;

// Dark shades, as on the villagers' menu; red again for what must not wait.
export const STAFF_TILES: readonly MenuTile[] = [
  { ...tile(cases!, "#C62828", "requests"), note: "น้ำท่วม ซ่อมบ้าน รับเรื่อง", wide: true },
  tile({ entry: STAFF_ENTRY, label: STAFF_TEXT.menu.staff, roles: [] }, "#1565C0", "badge"),
  tile(LINK_REVIEW_ACTION, "#2E7D32", "link"),
  tile({ entry: REPORT_ENTRY, label: REPORT_TEXT.menu, roles: ["COORDINATOR"] }, "#283593", "chart"),
  tile(compose!, "#BF360C", "megaphone"),
  tile(organize!, "#6A1B9A", "meeting"),
  tile(action("staff-invite", STAFF_ACTIONS), "#4E342E", "invite"),
  tile(action("staff-notify", STAFF_ACTIONS), "#37474F", "bell"),
  // Staff are villagers too: one tap back to the services everyone has.
  { opens: { word: "menu" }, label: "เมนูชาวบ้าน", note: "บริการของทุกคน", colour: "#00695C", icon: "home" },
  { opens: { word: "help" }, label: STAFF_TEXT.menu.help, note: "วิธีใช้", colour: "#455A64", icon: "help" },
];

export const STAFF_MENU = {
  name: "council-staff-menu",
  chatBarText: "งานเจ้าหน้าที่", // 14 UTF-16 units: LINE's limit
  size: { width: 2500, height: 1686 },
  columns: 3,
  alias: "council-staff",
} as const satisfies MenuSpec;

/** The shipped image, drawn by `npm run richmenu:image`. */
export const STAFF_PNG = fileURLToPath(new URL("./staff-menu.png", import.meta.url));

export function staffLayout(tiles: readonly MenuTile[] = STAFF_TILES): Box[] {
  return menuLayout(STAFF_MENU, tiles);
}

export function staffRichMenu(tiles: readonly MenuTile[] = STAFF_TILES): messagingApi.RichMenuRequest {
  return tilesRichMenu(STAFF_MENU, tiles);
}
