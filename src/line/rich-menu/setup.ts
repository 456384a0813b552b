// Puts a rich menu on the channel: create it, upload its image, make it the
// default, then delete the older menus of the same name. In that order, the
// users always have a working menu; a run that fails half-way leaves an
// extra menu that the next run deletes. Running it twice leaves one menu.
import type { messagingApi } from "@line/bot-sdk";
import type { LineGateway } from "../gateway.ts";
import { imageInfo, RichMenuError, richMenuImageProblems, richMenuProblems } from "./validate.ts";

export type RichMenuApi = Pick<LineGateway, "createRichMenu" | "setRichMenuImage" | "setDefaultRichMenu" | "listRichMenus" | "deleteRichMenu">;

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

export async function installRichMenu(
  line: RichMenuApi,
  menu: messagingApi.RichMenuRequest,
  image: Buffer,
  log: (line: string) => void = () => undefined,
): Promise<InstalledRichMenu> {
  const contentType = checkRichMenu(menu, image);
  const richMenuId = await line.createRichMenu(menu);
  log(`Created rich menu ${richMenuId} "${menu.name}".`);
  await line.setRichMenuImage(richMenuId, image, contentType);
  log(`Uploaded its image (${image.length} bytes).`);
  await line.setDefaultRichMenu(richMenuId);
  log("Set it as the default rich menu.");
  // Only menus of our name: others (a campaign menu made in the console) are not ours to delete.
  const older = (await line.listRichMenus()).filter((m) => m.name === menu.name && m.richMenuId !== richMenuId);
  for (const old of older) {
    await line.deleteRichMenu(old.richMenuId);
    log(`Deleted the older rich menu ${old.richMenuId}.`);
  }
  return { richMenuId, deleted: older.map((m) => m.richMenuId) };
}
