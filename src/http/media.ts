// GET /media/<id>-<sig>.<ext>: images the bot itself serves to LINE (an
// announcement's photo). LINE's image message needs a URL it can fetch
// (HTTPS in production: PUBLIC_BASE_URL), and it fetches without our
// credentials, so the path carries an HMAC of the id instead: a link can't
// be guessed from another one. Only this fixed pattern is read (no path is
// built from the URL); anything else, a bad signature, or an extension that
// does not match the stored type answers the same 404.
//
// GET /media/p<id>-<expires>-<sig>.<ext>: a help request's photo (villagers'
// houses, people: personal data) on the staff's case card or the villager's
// own card. These links expire (PHOTO_LINK_DAYS; the expiry is signed too),
// so a forwarded card stops showing them; a card opened again gets fresh
// links. Only photos fetched from LINE, and not erased, are served.
//
// GET /media/v<id>-<expires>-<sig>.<ext>: a request's voice note (the
// villager's voice: personal data), played by staff from the case card;
// signed and expiring like the photos, served as LINE gave it (audio/m4a).
//
// The links are signed and verified by MediaLinks (src/line/media-links.ts).
import express, { type Request, type Response } from "express";
import type { Database } from "../db/database.ts";
import { audioExtension, type MediaLinks, mediaExtension } from "../line/media-links.ts";
import type { Logger } from "../log.ts";

/** A photo's stored bytes, when fetched from LINE and not erased. */
async function requestPhoto(db: Database, id: number): Promise<{ id: number; contentType: string; bytes: Uint8Array } | null> {
  const photo = await db.prisma.helpRequestPhoto.findUnique({
    where: { id },
    select: { id: true, status: true, contentType: true, bytes: true },
  });
  return photo && photo.status === "FETCHED" && photo.contentType && photo.bytes
    ? { id: photo.id, contentType: photo.contentType, bytes: photo.bytes }
    : null;
}

/** A voice note's stored bytes, when fetched from LINE and not erased. */
async function requestVoice(db: Database, id: number): Promise<{ id: number; contentType: string; bytes: Uint8Array } | null> {
  const voice = await db.prisma.helpRequestVoice.findUnique({
    where: { id },
    select: { id: true, status: true, contentType: true, bytes: true },
  });
  return voice && voice.status === "FETCHED" && voice.contentType && voice.bytes
    ? { id: voice.id, contentType: voice.contentType, bytes: voice.bytes }
    : null;
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
    const file = !verified
      ? null
      : verified.kind === "photo"
        ? await requestPhoto(options.db, verified.id)
        : verified.kind === "voice"
          ? await requestVoice(options.db, verified.id)
          : await options.db.prisma.mediaFile.findUnique({ where: { id: verified.id } });
    const extension = verified?.kind === "voice" ? audioExtension : mediaExtension;
    if (!verified || !file || extension(file.contentType) !== verified.ext || file.bytes.length === 0) {
      res.status(404).json({ error: "not found" });
      return;
    }
    options.logger.debug("media served", { kind: verified.kind, mediaId: file.id, bytes: file.bytes.length });
    res.set("Content-Type", file.contentType);
    // The bytes behind a signed id never change; a request photo's link only lives for days.
    res.set("Cache-Control", verified.kind === "file" ? "public, max-age=31536000, immutable" : "private, max-age=86400");
    res.set("X-Content-Type-Options", "nosniff");
    res.status(200).send(Buffer.from(file.bytes));
  });
  return router;
}
