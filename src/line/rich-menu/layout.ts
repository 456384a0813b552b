// Places tiles on the menu: a wide tile takes a whole row, the others fill
// rows of `columns`, and a row left short widens its tiles rather than leave
// a dead gap (a tap there would do nothing). Tap areas cover whole cells
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

export function gridLayout(tiles: readonly { wide?: boolean }[], size: { width: number; height: number }, columns: number): Box[] {
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
  const heights = split(size.height, rows.length);
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
