// The rich menu image as SVG, from the same tiles and layout as the tap
// areas. Pure (no font, no rasteriser): src/cli/rich-menu-image.ts turns it
// into the PNG, and the tests hash it to tell whether the shipped PNG is current.
import { createHash } from "node:crypto";
import { ICONS } from "./icons.ts";
import type { Box } from "./layout.ts";
import { FLOOD_MENU, FLOOD_TILES, floodLayout } from "./flood-menu.ts";
import { STAFF_MENU, staffLayout } from "./staff-menu.ts";
import { VILLAGER_MENU, VILLAGER_TILES, villagerLayout, type MenuTile } from "./villager-menu.ts";

/** The font family the labels ask for; src/cli/rich-menu-image.ts loads its file. */
export const LABEL_FONT = "Garuda";

const GAP = 14; // white between tiles, half on each side of a cell edge
const RADIUS = 36;

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// Thai vowel and tone marks sit above or below a consonant and take no width.
const COMBINING = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/gu;

/**
 * A font size at which `text` fits `width`, at most `preferred`. An
 * estimate (no font metrics here): a Thai base glyph of the bold label font
 * is about 0.66 em wide. The generated PNG is checked by eye anyway.
 */
export function fitFontSize(text: string, width: number, preferred: number): number {
  const glyphs = [...text.replace(COMBINING, "")].length;
  return Math.max(24, Math.min(preferred, Math.floor(width / (glyphs * 0.66))));
}

function tileSvg(tile: MenuTile, box: Box): string {
  const x = box.x + GAP / 2;
  const y = box.y + GAP / 2;
  const w = box.width - GAP;
  const h = box.height - GAP;
  const parts = [`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${RADIUS}" fill="${tile.colour}"/>`];
  const icon = ICONS[tile.icon]("#FFFFFF", tile.colour);
  if (tile.wide || tile.small) {
    // Icon at the left, label and note beside it: the row is wide, not tall.
    const iconSize = Math.round(h * 0.62);
    const iconX = x + Math.round(w * 0.06);
    const iconY = y + (h - iconSize) / 2;
    parts.push(`<g transform="translate(${iconX} ${iconY}) scale(${iconSize / 100})">${icon}</g>`);
    const textX = iconX + iconSize + Math.round(w * 0.05);
    const textWidth = x + w - textX - Math.round(w * 0.03);
    const size = fitFontSize(tile.label, textWidth, Math.round(h * 0.3));
    const labelY = tile.note ? y + h * 0.5 : y + h * 0.5 + size * 0.35;
    parts.push(text(tile.label, textX, labelY, size, "start"));
    if (tile.note) parts.push(text(tile.note, textX, labelY + size * 1.05, Math.round(size * 0.55), "start", 0.9));
  } else {
    // Icon above, label (and note) below, centred in the tile.
    const iconSize = Math.round(Math.min(h * 0.42, w * 0.5));
    const size = fitFontSize(tile.label, w * 0.86, Math.round(h * 0.19));
    const noteSize = Math.round(size * 0.6);
    const gap = Math.round(h * 0.05);
    // Room for a note on every tile, so icons and labels line up across a row.
    const block = iconSize + gap + size + noteSize * 1.6;
    const top = y + (h - block) / 2;
    const cx = x + w / 2;
    parts.push(`<g transform="translate(${cx - iconSize / 2} ${Math.round(top)}) scale(${iconSize / 100})">${icon}</g>`);
    const labelY = top + iconSize + gap + size * 0.8;
    parts.push(text(tile.label, cx, labelY, size, "middle"));
    if (tile.note) parts.push(text(tile.note, cx, labelY + noteSize * 1.75, noteSize, "middle", 0.9));
  }
  return parts.join("");
}

/**
 * SARA AM (ำ) as NIKHAHIT + SARA AA: the rasteriser gives the label font's
 * SARA AM no width, so "น้ำท่วม" drew its า over the ท. A tone mark typed
 * before ำ stays before the NIKHAHIT, the order that stacks them right.
 */
export const splitSaraAm = (s: string) => s.replace(/\u0E33/gu, "\u0E4D\u0E32");

function text(s: string, x: number, y: number, size: number, anchor: "start" | "middle", opacity = 1): string {
  return (
    `<text x="${x}" y="${Math.round(y)}" font-family="${LABEL_FONT}" font-weight="bold" font-size="${size}" ` +
    `fill="#FFFFFF" fill-opacity="${opacity}" text-anchor="${anchor}">${escapeXml(splitSaraAm(s))}</text>`
  );
}

export function menuSvg(tiles: readonly MenuTile[], boxes: readonly Box[], size: { width: number; height: number }): string {
  const body = tiles.map((tile, i) => tileSvg(tile, boxes[i]!)).join("\n");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">\n` +
    `<rect width="${size.width}" height="${size.height}" fill="#FFFFFF"/>\n${body}\n</svg>\n`
  );
}

/** Recorded in the PNG, so a test can tell the image was drawn from the current tiles. */
export function svgDigest(svg: string): string {
  return createHash("sha256").update(svg).digest("hex");
}

/** The tEXt keyword of the PNG that holds svgDigest() of the SVG it was drawn from. */
export const DIGEST_KEYWORD = "svg-sha256";

export function villagerSvg(): string {
  return menuSvg(VILLAGER_TILES, villagerLayout(), VILLAGER_MENU.size);
}

/** `tiles`: STAFF_TILES of src/bot.ts. */
export function staffSvg(tiles: readonly MenuTile[]): string {
  return menuSvg(tiles, staffLayout(tiles), STAFF_MENU.size);
}

export function floodSvg(): string {
  return menuSvg(FLOOD_TILES, floodLayout(), FLOOD_MENU.size);
}
