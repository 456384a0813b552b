// Places tiles on the menu: a wide tile takes a whole row, the others fill
// rows of `columns`, and a row left short widens its tiles rather than leave
// a dead gap (a tap there would do nothing). A row of small tiles only is
// lower than the others (SMALL_ROW of their height). Tap areas cover whole cells
// with no gaps between them; the image draws each tile inset from its cell.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Splits `total` into `parts` whole numbers that add up exactly. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(((i + 1) * total) / parts) - Math.floor((i * total) / parts));
}

/** The height of a row of small tiles, against a full row's. */
export const SMALL_ROW = 0.6;

/** Splits `total` in proportion to `weights`, in whole numbers that add up exactly. */
function splitWeighted(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  let before = 0;
  return weights.map((w) => {
    const start = Math.floor((before * total) / sum);
    before += w;
    return Math.floor((before * total) / sum) - start;
  });
}

export function gridLayout(
  tiles: readonly { wide?: boolean; small?: boolean }[],
  size: { width: number; height: number },
  columns: number,
): Box[] {
  const rows: number[][] = [];
  let open: number[] | null = null;
  tiles.forEach((tile, i) => {
    if (tile.wide) {
      rows.push([i]);
      open = null;
      return;
    }
    if (!open || open.length === columns) {
      open = [];
      rows.push(open);
    }
    open.push(i);
  });
  const boxes: Box[] = new Array(tiles.length);
  const weights = rows.map((row) => (row.every((i) => tiles[i]!.small) ? SMALL_ROW : 1));
  const heights = weights.every((w) => w === 1) ? split(size.height, rows.length) : splitWeighted(size.height, weights);
  let y = 0;
  rows.forEach((row, r) => {
    const widths = split(size.width, row.length);
    let x = 0;
    row.forEach((tileIndex, c) => {
      boxes[tileIndex] = { x, y, width: widths[c]!, height: heights[r]! };
      x += widths[c]!;
    });
    y += heights[r]!;
  });
  return boxes;
}
