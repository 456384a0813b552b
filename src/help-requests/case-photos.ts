// A help request's photos on cards: a carousel of the photos themselves
// (after the staff card, or the villager's own card once resolved) and a
// thumbnail on the history row of the event that added them. LINE fetches
// the images from us (src/http/media.ts) under signed links that expire.
//
// Only photos already fetched from LINE (photo-fetcher.ts) and not erased
// are shown: a card opened right after a photo arrives counts it but shows
// it the next time. Links are signed at the clock of the turn that builds
// the card.
import type { Tx } from "../db/database.ts";
import type { Reply } from "../engine/types.ts";
import type { PhotoStage } from "../generated/prisma/client.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { fetchedPhotos } from "./request-store.ts";

/** Bubbles in the photo carousel (LINE allows 12): the latest photos. */
export const PHOTOS_SHOWN = 10;

export interface ShownPhoto {
  id: number;
  stage: PhotoStage;
  addedAt: Date;
  addedBy: string;
  url: string;
}

/** The request's fetched photos with their links, oldest first; none without a signer. */
export async function shownPhotos(
  tx: Tx,
  requestId: number,
  media: MediaLinks | undefined,
  now: Date,
  stage?: PhotoStage,
): Promise<ShownPhoto[]> {
  if (!media) return [];
  return (await fetchedPhotos(tx, requestId)).flatMap((r) => {
    if (stage && r.stage !== stage) return [];
    const url = media.photoUrl(r.id, r.contentType, now);
    return url ? [{ id: r.id, stage: r.stage, addedAt: r.addedAt, addedBy: r.addedBy, url }] : [];
  });
}

/** The latest photos as a carousel, each opening full size; null when there are none. */
export function photoCarousel(photos: ShownPhoto[], caseNumber: string): Reply | null {
  if (photos.length === 0) return null;
  const shown = photos.slice(-PHOTOS_SHOWN);
  const bubbles = shown.map((p, i) =>
    renderFlexTemplate("case-photo", {
      url: p.url,
      label: T.photoOpen,
      caption: T.photoCaption(p.stage === "AFTER", photos.length - shown.length + i + 1, photos.length),
      at: thaiDateTime(p.addedAt),
    }),
  );
  return { kind: "flex", altText: T.photosAlt(caseNumber, photos.length), contents: { type: "carousel", contents: bubbles } };
}
