// "เพิ่มรูป" on the villager's own open request: the photos (a set counts
// as one answer; the first MAX_PHOTOS_PER_ADDITION kept), then the card.
// The council's staff are told (case-notify.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { notifyCouncilOfUpdate } from "./case-notify.ts";
import { caseOf, ON_REQUEST, showRequest, stillOpen, text } from "./my-requests-card.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { attachPhotos, recordRequestEvent } from "./request-store.ts";

export const MAX_PHOTOS_PER_ADDITION = 5;

export function requestPhotoFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "request-photo",
    version: 1,
    title: T.flowTitles.photo,
    schema: z.object({ ...ON_REQUEST, photos: z.array(z.string()) }),
    steps: [
      {
        id: "photo",
        slot: "photos",
        prompt: (ctx) => [text(T.askPhoto(caseOf(ctx), MAX_PHOTOS_PER_ADDITION))],
        expects: T.photoExpects,
        input: { kind: "image", skipLabel: T.skip },
      },
    ],
    async complete(ctx, data) {
      const request = await stillOpen(ctx, data.requestId, options.media);
      if (!request.ok) return request.answer;
      const sent = data.photos;
      if (sent.length === 0) return showRequest(ctx, request.id, options.media, [T.noPhotoAdded(request.caseNumber)]);
      const kept = sent.slice(0, MAX_PHOTOS_PER_ADDITION);
      const added = await attachPhotos(ctx.tx, request.id, kept, { userId: ctx.userId, at: ctx.now });
      // A redelivered image set adds nothing new: no second history line.
      if (added > 0) {
        await recordRequestEvent(ctx.tx, request.id, {
          kind: "PHOTO",
          at: ctx.now,
          actorUserId: ctx.userId,
          note: T.photoCountNote(added),
        });
        await notifyCouncilOfUpdate(ctx.tx, request.id, { kind: "photo", added }, ctx.now);
      }
      // added 0: a redelivered set, already in the request (never "เพิ่มรูป 0 รูป").
      const lead = [added > 0 ? T.photosAdded(request.caseNumber, added) : T.photosAlreadyIn(request.caseNumber)];
      if (sent.length > kept.length) lead.push(T.photosCapped(MAX_PHOTOS_PER_ADDITION, sent.length));
      return showRequest(ctx, request.id, options.media, lead);
    },
  });
}
