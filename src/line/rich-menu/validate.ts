// LINE's rules for a rich menu and its image, checked before anything is
// sent: LINE answers a bad menu with a bare 400, and a bad image only after
// the menu was created. Pure functions, so the tests need no LINE.
import type { messagingApi } from "@line/bot-sdk";

export const RICH_MENU_LIMITS = {
  minWidth: 800,
  maxWidth: 2500,
  minHeight: 250,
  /** Width ÷ height. */
  minAspectRatio: 1.45,
  areas: 20,
  nameLength: 300,
  chatBarText: 14,
  actionLabel: 20,
  postbackData: 300,
  displayText: 300,
  messageText: 300,
  uriLength: 1000,
  imageBytes: 1024 * 1024,
} as const;

export class RichMenuError extends Error {
  override name = "RichMenuError";
  constructor(readonly problems: string[]) {
    super(`Rich menu breaks LINE limits: ${problems.join("; ")}`);
  }
}

const L = RICH_MENU_LIMITS;
const units = (s: string) => s.length; // LINE counts UTF-16 units, as String.length does
const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);

export function richMenuSizeProblems(size: { width?: number; height?: number } | undefined): string[] {
  if (!size || !isInt(size.width) || !isInt(size.height)) return ["size needs whole-number width and height"];
  const { width, height } = size;
  const problems: string[] = [];
  if (width < L.minWidth || width > L.maxWidth) problems.push(`width ${width} outside ${L.minWidth}–${L.maxWidth}`);
  if (height < L.minHeight) problems.push(`height ${height} under ${L.minHeight}`);
  if (width / height < L.minAspectRatio) problems.push(`aspect ratio ${(width / height).toFixed(2)} under ${L.minAspectRatio}`);
  return problems;
}

function actionProblems(action: Record<string, unknown> | undefined, where: string): string[] {
  if (!action) return [`${where}: no action`];
  const problems: string[] = [];
  const tooLong = (key: string, max: number, required: boolean) => {
    const value = action[key];
    if (value === undefined && !required) return;
    if (typeof value !== "string" || value.length === 0) problems.push(`${where}: ${action.type} action without ${key}`);
    else if (units(value) > max) problems.push(`${where}: ${key} over ${max} characters`);
  };
  tooLong("label", L.actionLabel, false);
  switch (action.type) {
    case "postback":
      tooLong("data", L.postbackData, true);
      tooLong("displayText", L.displayText, false);
      break;
    case "message":
      tooLong("text", L.messageText, true);
      break;
    case "uri":
      tooLong("uri", L.uriLength, true);
      break;
    default:
      // Other kinds (datetime picker, rich menu switch) are not used here; LINE checks them.
      break;
  }
  return problems;
}

type Bounds = messagingApi.RichMenuBounds;

const overlap = (a: Required<Bounds>, b: Required<Bounds>) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The problems with a rich menu object; empty when LINE would accept it. */
export function richMenuProblems(menu: messagingApi.RichMenuRequest): string[] {
  const problems = richMenuSizeProblems(menu.size);
  const width = menu.size?.width ?? 0;
  const height = menu.size?.height ?? 0;
  if (!menu.name || units(menu.name) > L.nameLength) problems.push(`name must be 1–${L.nameLength} characters`);
  if (!menu.chatBarText || units(menu.chatBarText) > L.chatBarText) problems.push(`chatBarText must be 1–${L.chatBarText} characters`);
  const areas = menu.areas ?? [];
  if (areas.length < 1 || areas.length > L.areas) problems.push(`${areas.length} areas (1–${L.areas})`);
  const placed: Required<Bounds>[] = [];
  areas.forEach((area, i) => {
    const where = `area[${i}]`;
    const b = area.bounds;
    if (!b || ![b.x, b.y, b.width, b.height].every(isInt)) {
      problems.push(`${where}: bounds need whole-number x, y, width, height`);
    } else {
      const box = b as Required<Bounds>;
      if (box.x < 0 || box.y < 0 || box.width <= 0 || box.height <= 0 || box.x + box.width > width || box.y + box.height > height) {
        problems.push(`${where}: bounds ${box.x},${box.y} ${box.width}×${box.height} outside the ${width}×${height} menu`);
      }
      // LINE allows overlaps, but a tap would then open one of two services at random: a bug of ours.
      const other = placed.findIndex((p) => overlap(p, box));
      if (other >= 0) problems.push(`${where}: overlaps area[${other}]`);
      placed.push(box);
    }
    problems.push(...actionProblems(area.action as unknown as Record<string, unknown> | undefined, `${where}.action`));
  });
  return problems;
}

/** Width and height from a PNG or JPEG header; null for anything else. */
export function imageInfo(bytes: Buffer): { type: "png" | "jpeg"; width: number; height: number } | null {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG) && bytes.toString("latin1", 12, 16) === "IHDR") {
    return { type: "png", width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).
    let at = 2;
    while (at + 9 < bytes.length && bytes[at] === 0xff) {
      const marker = bytes[at + 1]!;
      const length = bytes.readUInt16BE(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { type: "jpeg", height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
      }
      at += 2 + length;
    }
  }
  return null;
}

/** The problems with an image for a menu of this size. */
export function richMenuImageProblems(size: { width?: number; height?: number } | undefined, bytes: Buffer): string[] {
  const problems: string[] = [];
  if (bytes.length > L.imageBytes) problems.push(`image is ${bytes.length} bytes (max ${L.imageBytes})`);
  const info = imageInfo(bytes);
  if (!info) return [...problems, "image is neither PNG nor JPEG"];
  if (info.width !== size?.width || info.height !== size?.height) {
    problems.push(`image is ${info.width}×${info.height}, the menu is ${size?.width}×${size?.height}`);
  }
  return problems;
}

/** Throws RichMenuError unless LINE would accept this menu (and image). */
export function assertValidRichMenu(menu: messagingApi.RichMenuRequest, image?: Buffer): void {
  const problems = [...richMenuProblems(menu), ...(image ? richMenuImageProblems(menu.size, image) : [])];
  if (problems.length > 0) throw new RichMenuError(problems);
}
