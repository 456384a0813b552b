// Puts the three rich menus on the LINE channel: the villagers' menu
// (src/line/rich-menu/villager-menu.ts and its PNG) as every user's default,
// the staff menu (staff-menu.ts), which the bot's link job links to each
// staff user, and the flood-first menu (flood-menu.ts), which the bulk link
// job links to the members in an active flood situation's area. Each gets
// its rich menu alias ("council-villager", "council-staff", "flood-first");
// the link jobs find their menus by alias.
//
//   npm run richmenu:setup                 # needs LINE_CHANNEL_ACCESS_TOKEN
//   npm run richmenu:setup -- --dry-run    # prints the JSON it would send; no token, no call
//   npm run richmenu:setup -- --image other.png --staff-image other-staff.png --flood-image other-flood.png
//
// Uses LINE_API_BASE_URL and LINE_DATA_API_BASE_URL like the bot. Running it
// again replaces all three menus (older menus of the same names are deleted), so
// it is the way to publish a changed menu; the staff (and members in a flood
// area) are linked to the new menus by the running bot within minutes. LINE allows 100 rich menu
// creations an hour. Exit codes: 0 done, 1 failure, 2 bad usage or no token.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { STAFF_TILES } from "../bot.ts";
import { loadConfig } from "../config.ts";
import { LineGateway } from "../line/gateway.ts";
import { checkRichMenu, installRichMenus, type MenuToInstall } from "../line/rich-menu/setup.ts";
import { FLOOD_MENU, FLOOD_PNG, floodRichMenu } from "../line/rich-menu/flood-menu.ts";
import { STAFF_MENU, STAFF_PNG, staffRichMenu } from "../line/rich-menu/staff-menu.ts";
import { VILLAGER_MENU, VILLAGER_PNG, villagerRichMenu } from "../line/rich-menu/villager-menu.ts";
import { runCli } from "./run-cli.ts";

const USAGE =
  "Usage: npm run richmenu:setup [-- --dry-run] [--image <villager.png|.jpg>] [--staff-image <staff.png|.jpg>] [--flood-image <flood.png|.jpg>]";

async function main(): Promise<number> {
  let values: { "dry-run"?: boolean; image?: string; "staff-image"?: string; "flood-image"?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        "dry-run": { type: "boolean" },
        image: { type: "string" },
        "staff-image": { type: "string" },
        "flood-image": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const files = {
    villager: values.image ?? VILLAGER_PNG,
    staff: values["staff-image"] ?? STAFF_PNG,
    flood: values["flood-image"] ?? FLOOD_PNG,
  };
  // The villagers' menu first: the default, and the menu staff fall back to.
  const menus: MenuToInstall[] = [
    { menu: villagerRichMenu(), image: readFileSync(files.villager), alias: VILLAGER_MENU.alias, makeDefault: true },
    { menu: staffRichMenu(STAFF_TILES), image: readFileSync(files.staff), alias: STAFF_MENU.alias, makeDefault: false },
    { menu: floodRichMenu(), image: readFileSync(files.flood), alias: FLOOD_MENU.alias, makeDefault: false },
  ];
  const types = menus.map((m) => checkRichMenu(m.menu, m.image));

  if (values["dry-run"]) {
    console.log(JSON.stringify(Object.fromEntries(menus.map((m) => [m.alias, m.menu])), null, 2));
    const [villager, staff, flood] = menus;
    console.log(
      `Images: ${files.villager} (${types[0]}, ${villager!.image.length} bytes), ${files.staff} (${types[1]}, ${staff!.image.length} bytes), ` +
        `${files.flood} (${types[2]}, ${flood!.image.length} bytes).`,
    );
    console.log("Dry run: nothing sent.");
    return 0;
  }

  const config = loadConfig();
  const token = config.line.channelAccessToken;
  if (!token) {
    console.error(`LINE_CHANNEL_ACCESS_TOKEN is not set: the channel's long-lived access token is needed.\n${USAGE}`);
    return 2;
  }
  // A 1 MB upload on a slow line takes longer than a message does.
  const line = new LineGateway({
    channelAccessToken: token,
    apiBaseUrl: config.line.apiBaseUrl,
    dataApiBaseUrl: config.line.dataApiBaseUrl,
    timeoutMs: 60_000,
  });
  const [villager, staff, flood] = await installRichMenus(line, menus, (line) => console.log(line));
  const deleted = villager!.deleted.length + staff!.deleted.length + flood!.deleted.length;
  console.log(
    `Done: ${villager!.richMenuId} is the default rich menu ("${VILLAGER_MENU.alias}"), ${staff!.richMenuId} the staff menu ("${STAFF_MENU.alias}"), ` +
      `${flood!.richMenuId} the flood-first menu ("${FLOOD_MENU.alias}")${deleted ? `; ${deleted} older one(s) deleted` : ""}.`,
  );
  return 0;
}

runCli("richmenu:setup", main);
