// The signed links to media the bot serves for LINE to fetch: an
// announcement's photo (LINE's image message needs a URL, fetched without
// our credentials), and a help request's photos and voice notes on the
// staff's and the villager's cards (personal data: these links expire).
// The modules that put a link in a message sign it here; the route that
// serves it (src/http/media.ts, GET /media/…) verifies it here. What each
// path looks like, and why, is said there.
import { createHmac, timingSafeEqual } from "node:crypto";

const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png" };
const PATH = /^(\d{1,10})-([A-Za-z0-9_-]{43})\.(jpg|png)$/;
const PHOTO_PATH = /^p(\d{1,10})-([0-9a-z]{1,10})-([A-Za-z0-9_-]{43})\.(jpg|png)$/;
const AUDIO_EXTENSIONS: Record<string, string> = {
  "audio/m4a": "m4a",
  "audio/x-m4a": "m4a",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/mpeg": "mp3",
};
const VOICE_PATH = /^v(\d{1,10})-([0-9a-z]{1,10})-([A-Za-z0-9_-]{43})\.(m4a|aac|mp3)$/;

/** How long a request photo's link works. A whole day's links are the same URL (LINE caches by URL). */
export const PHOTO_LINK_DAYS = 7;
const DAY_S = 86_400;

export type VerifiedMedia = { kind: "file" | "photo" | "voice"; id: number; ext: string };

/** The extension a content type is served under; null for types LINE's image message does not take. */
export function mediaExtension(contentType: string): string | null {
  return EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? null;
}

/** The extension a voice note is served under; null for a type not played here. */
export function audioExtension(contentType: string): string | null {
  return AUDIO_EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? null;
}

export class MediaLinks {
  private readonly key: Buffer;
  private readonly baseUrl: string;
  private readonly now: () => Date;
  /** Can LINE fetch these links (https://, or local mode)? Without it, messages leave images out. */
  readonly linkable: boolean;
  /**
   * `secret`: the export links' signing secret (exportSigningSecret); a key of its own is derived from it. `now`: tests' clock.
   * `allowHttp`: local mode, where the LINE stand-in fetches http://localhost (Config.mediaOverHttp).
   */
  constructor(options: { secret: Buffer; baseUrl: string; now?: () => Date; allowHttp?: boolean }) {
    this.key = createHmac("sha256", options.secret).update("council-bot/media-links/v1").digest();
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.now = options.now ?? (() => new Date());
    this.linkable = this.baseUrl.startsWith("https://") || options.allowHttp === true;
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

  private photoMac(id: number, expires: string, ext: string): Buffer {
    return createHmac("sha256", this.key).update(`photo.${id}.${expires}.${ext}`).digest();
  }

  /**
   * A request photo's public URL, valid PHOTO_LINK_DAYS from `now` (to the
   * end of that day); null for a type LINE cannot show, or without an
   * https:// base: LINE refuses a whole message with an http image in it,
   * and a card without its photos is better than no card.
   */
  photoUrl(id: number, contentType: string, now: Date): string | null {
    const ext = mediaExtension(contentType);
    if (!ext || !this.linkable) return null;
    const expires = (Math.ceil(now.getTime() / 1000 / DAY_S + PHOTO_LINK_DAYS) * DAY_S).toString(36);
    return `${this.baseUrl}/media/p${id}-${expires}-${this.photoMac(id, expires, ext).toString("base64url")}.${ext}`;
  }

  private voiceMac(id: number, expires: string, ext: string): Buffer {
    return createHmac("sha256", this.key).update(`voice.${id}.${expires}.${ext}`).digest();
  }

  /** A voice note's link, valid as a photo's (PHOTO_LINK_DAYS); null for an unknown type or without an https:// base. */
  voiceUrl(id: number, contentType: string, now: Date): string | null {
    const ext = audioExtension(contentType);
    if (!ext || !this.linkable) return null;
    const expires = (Math.ceil(now.getTime() / 1000 / DAY_S + PHOTO_LINK_DAYS) * DAY_S).toString(36);
    return `${this.baseUrl}/media/v${id}-${expires}-${this.voiceMac(id, expires, ext).toString("base64url")}.${ext}`;
  }

  /** What a requested file name stands for, if its signature holds (and, for a photo or voice note, it has not expired). */
  verify(file: string): VerifiedMedia | null {
    const v = VOICE_PATH.exec(file);
    if (v) {
      const id = Number(v[1]);
      const ext = v[4]!;
      const given = Buffer.from(v[3]!, "base64url");
      const expected = this.voiceMac(id, v[2]!, ext);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (parseInt(v[2]!, 36) * 1000 < this.now().getTime()) return null;
      return id > 0 && id <= 2_147_483_647 ? { kind: "voice", id, ext } : null;
    }
    const p = PHOTO_PATH.exec(file);
    if (p) {
      const id = Number(p[1]);
      const ext = p[4]!;
      const given = Buffer.from(p[3]!, "base64url");
      const expected = this.photoMac(id, p[2]!, ext);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (parseInt(p[2]!, 36) * 1000 < this.now().getTime()) return null;
      return id > 0 && id <= 2_147_483_647 ? { kind: "photo", id, ext } : null;
    }
    const m = PATH.exec(file);
    if (!m) return null;
    const id = Number(m[1]);
    const ext = m[3]!;
    const given = Buffer.from(m[2]!, "base64url");
    const expected = this.mac(id, ext);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return id > 0 && id <= 2_147_483_647 ? { kind: "file", id, ext } : null;
  }
}
