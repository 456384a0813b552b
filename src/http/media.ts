// GET /media/<id>-<sig>.<ext>: images the bot itself serves to LINE (an
// announcement's photo). LINE's image message needs a URL it can fetch
// (HTTPS in production: PUBLIC_BASE_URL), and it fetches without our
// credentials, so the path carries an HMAC of the id instead: a link can't
// be guessed from another one. Only this fixed pattern is read (no path is
// built from the URL); anything else, a bad signature, or an extension that
// does not match the stored type answers the same 404.
import { createHmac, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response } from "express";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";

const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png" };
const PATH = /^(\d{1,10})-([A-Za-z0-9_-]{43})\.(jpg|png)$/;

/** The extension a content type is served under; null for types LINE's image message does not take. */
export function mediaExtension(contentType: string): string | null {
  return EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? null;
}

export class MediaLinks {
  private readonly key: Buffer;
  private readonly baseUrl: string;
  /** `secret`: the export links' signing secret (exportSigningSecret); a key of its own is derived from it. */
  constructor(options: { secret: Buffer; baseUrl: string }) {
    this.key = createHmac("sha256", options.secret).update("council-bot/media-links/v1").digest();
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  private mac(id: number, ext: string): Buffer {
    return createHmac("sha256", this.key).update(`${id}.${ext}`).digest();
  }

  /** The public URL of a media file; null when its type cannot be served. */
  url(id: number, contentType: string): string | null {
    const ext = mediaExtension(contentType);
    if (!ext) return null;
    return `${this.baseUrl}/media/${id}-${this.mac(id, ext).toString("base64url")}.${ext}`;
  }

  /** The id a requested file name stands for, if its signature holds. */
  verify(file: string): { id: number; ext: string } | null {
    const m = PATH.exec(file);
    if (!m) return null;
    const id = Number(m[1]);
    const ext = m[3]!;
    const given = Buffer.from(m[2]!, "base64url");
    const expected = this.mac(id, ext);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return id > 0 && id <= 2_147_483_647 ? { id, ext } : null;
  }
}

export interface MediaOptions {
  db: Database;
  logger: Logger;
  links: MediaLinks;
}

export function mediaRouter(options: MediaOptions): express.Router {
  const router = express.Router();
  router.get("/media/:file", async (req: Request, res: Response) => {
    const verified = options.links.verify(String(req.params.file));
    const file = verified ? await options.db.prisma.mediaFile.findUnique({ where: { id: verified.id } }) : null;
    if (!verified || !file || mediaExtension(file.contentType) !== verified.ext || file.bytes.length === 0) {
      res.status(404).json({ error: "not found" });
      return;
    }
    options.logger.debug("media served", { mediaId: file.id, bytes: file.bytes.length });
    res.set("Content-Type", file.contentType);
    // The bytes behind a signed id never change.
    res.set("Cache-Control", "public, max-age=31536000, immutable");
    res.set("X-Content-Type-Options", "nosniff");
    res.status(200).send(Buffer.from(file.bytes));
  });
  return router;
}
