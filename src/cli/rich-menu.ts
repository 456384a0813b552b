// Puts the villagers' rich menu (src/line/rich-menu/villager-menu.ts and its
// PNG) on the LINE channel and makes it every user's default:
//
//   npm run richmenu:setup                 # needs LINE_CHANNEL_ACCESS_TOKEN
//   npm run richmenu:setup -- --dry-run    # prints the JSON it would send; no token, no call
//   npm run richmenu:setup -- --image other.png
//
// Uses LINE_API_BASE_URL and LINE_DATA_API_BASE_URL like the bot. Running it
// again replaces the menu (older menus of the same name are deleted), so it
// is the way to publish a changed menu. LINE allows 100 rich menu creations
// an hour. Exit codes: 0 done, 1 failure, 2 bad usage or no token.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { LineGateway } from "../line/gateway.ts";
import { checkRichMenu, installRichMenu } from "../line/rich-menu/setup.ts";
import { VILLAGER_PNG, villagerRichMenu } from "../line/rich-menu/villager-menu.ts";
import { runCli } from "./run-cli.ts";

const USAGE = "Usage: npm run richmenu:setup [-- --dry-run] [--image <file.png|file.jpg>]";

async function main(): Promise<number> {
  let values: { "dry-run"?: boolean; image?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { "dry-run": { type: "boolean" }, image: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const imagePath = values.image ?? VILLAGER_PNG;
  const image = readFileSync(imagePath);
  const menu = villagerRichMenu();
  const contentType = checkRichMenu(menu, image);

  if (values["dry-run"]) {
    console.log(JSON.stringify(menu, null, 2));
    console.log(`Image: ${imagePath} (${contentType}, ${image.length} bytes). Dry run: nothing sent.`);
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
  const { richMenuId, deleted } = await installRichMenu(line, menu, image, (line) => console.log(line));
  console.log(`Done: ${richMenuId} is the default rich menu${deleted.length ? `; ${deleted.length} older one(s) deleted` : ""}.`);
  return 0;
}

runCli("richmenu:setup", main);
