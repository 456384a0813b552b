// Puts a rich menu on the channel: create it, upload its image, make it the
// default (the villagers' menu) or not (the staff menu, linked per user),
// point its alias at it, then delete the older menus of the same name. In
// that order, the users and the alias always have a working menu; a run
// that fails half-way leaves an extra menu that the next run deletes.
// Running it twice leaves one menu of each name.
//
// Users linked to a replaced staff (or flood-first) menu lose it when it is
// deleted; the link job sees the alias point elsewhere and links them again
// (link-job.ts, bulk-link-job.ts). src/cli/rich-menu.ts installs the three
// menus: villagers' (default), staff and flood-first (aliases, not default).
import type { messagingApi } from "@line/bot-sdk";
import type { LineGateway } from "../gateway.ts";
import { imageInfo, RichMenuError, richMenuImageProblems, richMenuProblems } from "./validate.ts";

export type RichMenuApi = Pick<
  LineGateway,
  | "createRichMenu"
  | "setRichMenuImage"
  | "setDefaultRichMenu"
  | "listRichMenus"
  | "deleteRichMenu"
  | "getRichMenuAlias"
  | "createRichMenuAlias"
  | "updateRichMenuAlias"
>;

export interface InstalledRichMenu {
  richMenuId: string;
  /** Older menus of the same name, deleted. */
  deleted: string[];
}

/** Everything checked before the first call, so a bad image never leaves a menu without one. */
export function checkRichMenu(menu: messagingApi.RichMenuRequest, image: Buffer): "image/png" | "image/jpeg" {
  const problems = [...richMenuProblems(menu), ...richMenuImageProblems(menu.size, image)];
  if (problems.length > 0) throw new RichMenuError(problems);
  return imageInfo(image)!.type === "png" ? "image/png" : "image/jpeg";
}

export interface InstallOptions {
  /** Every user's menu unless linked to another; default true. */
  makeDefault?: boolean;
  /** A rich menu alias to create, or move, to the new menu. */
  alias?: string;
}

export async function installRichMenu(
  line: RichMenuApi,
  menu: messagingApi.RichMenuRequest,
  image: Buffer,
  log: (line: string) => void = () => undefined,
  options: InstallOptions = {},
): Promise<InstalledRichMenu> {
  const contentType = checkRichMenu(menu, image);
  const richMenuId = await line.createRichMenu(menu);
  log(`Created rich menu ${richMenuId} "${menu.name}".`);
  await line.setRichMenuImage(richMenuId, image, contentType);
  log(`Uploaded its image (${image.length} bytes).`);
  if (options.makeDefault ?? true) {
    await line.setDefaultRichMenu(richMenuId);
    log("Set it as the default rich menu.");
  }
  if (options.alias) await pointAlias(line, options.alias, richMenuId, log);
  // Only menus of our name: others (a campaign menu made in the console) are not ours to delete.
  const older = (await line.listRichMenus()).filter((m) => m.name === menu.name && m.richMenuId !== richMenuId);
  for (const old of older) {
    await line.deleteRichMenu(old.richMenuId);
    log(`Deleted the older rich menu ${old.richMenuId}.`);
  }
  return { richMenuId, deleted: older.map((m) => m.richMenuId) };
}

/** Creates the alias, or moves it: LINE refuses to create an alias that exists. */
export async function pointAlias(line: RichMenuApi, alias: string, richMenuId: string, log: (line: string) => void): Promise<void> {
  const current = await line.getRichMenuAlias(alias);
  if (current === null) {
    await line.createRichMenuAlias(alias, richMenuId);
    log(`Created the alias "${alias}".`);
  } else if (current !== richMenuId) {
    await line.updateRichMenuAlias(alias, richMenuId);
    log(`Moved the alias "${alias}" from ${current}.`);
  }
}

export interface MenuToInstall extends InstallOptions {
  menu: messagingApi.RichMenuRequest;
  image: Buffer;
}

/** Several menus, all checked before the first call. */
export async function installRichMenus(
  line: RichMenuApi,
  menus: readonly MenuToInstall[],
  log: (line: string) => void = () => undefined,
): Promise<InstalledRichMenu[]> {
  for (const m of menus) checkRichMenu(m.menu, m.image);
  const installed: InstalledRichMenu[] = [];
  for (const { menu, image, ...options } of menus) installed.push(await installRichMenu(line, menu, image, log, options));
  return installed;
}
