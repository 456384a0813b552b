// A PNG tEXt chunk (keyword → Latin-1 text) to stamp the generated image
// with the digest of the SVG it was drawn from. Viewers and LINE ignore it.
import { crc32 } from "node:zlib";

const SIGNATURE = 8;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG with a tEXt chunk added right after IHDR. */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  const ihdrEnd = SIGNATURE + 8 + png.readUInt32BE(SIGNATURE) + 4;
  const data = Buffer.concat([Buffer.from(keyword, "latin1"), Buffer.from([0]), Buffer.from(text, "latin1")]);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk("tEXt", data), png.subarray(ihdrEnd)]);
}

/** The text of the first tEXt chunk with this keyword, or null. */
export function pngText(png: Buffer, keyword: string): string | null {
  let at = SIGNATURE;
  while (at + 8 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    if (type === "tEXt") {
      const data = png.subarray(at + 8, at + 8 + length);
      const nul = data.indexOf(0);
      if (nul > 0 && data.toString("latin1", 0, nul) === keyword) return data.toString("latin1", nul + 1);
    }
    if (type === "IEND") break;
    at += 12 + length;
  }
  return null;
}
