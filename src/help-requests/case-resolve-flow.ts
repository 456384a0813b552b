// "ดำเนินการเสร็จ" on a case: photos of the finished work (optional), a
// short summary for the villager (optional), then yes or no. The case is
// RESOLVED and the villager told (case-actions.ts).
import { strings } from "../engine/flow-data.ts";
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { confirmStep, NO, YES } from "../engine/steps.ts";
import { END, type ParseResult } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { changeStatus } from "./case-actions.ts";
import { caseOf, ON_CASE, recheck, showCase, text } from "./case-answers.ts";
import { CASE_TEXT as T } from "./case-texts.ts";
import { maskNote } from "./request-notes.ts";
import { attachPhotos, recordRequestEvent } from "./request-store.ts";

export const MAX_AFTER_PHOTOS = 3;
const NOTE_MAX = 300;
const SKIP = "~skip";

function parseNote(typed: string): ParseResult {
  if (typed === SKIP) return { ok: true, value: "" };
  const t = typed.trim();
  return [...t].length <= NOTE_MAX ? { ok: true, value: t } : { ok: false, message: T.noteInvalid };
}

export function caseResolveFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "case-resolve",
    version: 1,
    title: T.flowTitles.resolve,
    schema: z.object({ ...ON_CASE, photos: z.array(z.string()), note: z.string(), confirmed: z.enum([YES, NO]) }),
    steps: [
      {
        id: "photo",
        slot: "photos",
        prompt: (ctx) => [text(T.askAfterPhoto(caseOf(ctx), MAX_AFTER_PHOTOS))],
        expects: T.afterPhotoExpects,
        input: { kind: "image", skipLabel: T.skip, max: MAX_AFTER_PHOTOS, tooMany: T.tooManyAfterPhotos(MAX_AFTER_PHOTOS) },
      },
      {
        id: "note",
        slot: "note",
        prompt: () => [text(T.askResolveNote)],
        expects: T.resolveNoteExpects,
        input: { kind: "text", parse: parseNote, suggestions: () => [{ label: T.skip, value: SKIP }], prose: true },
      },
      confirmStep({
        prompt: (ctx) => {
          const note = typeof ctx.state.data.note === "string" && ctx.state.data.note ? maskNote(ctx.state.data.note) : null;
          return [text(T.confirmResolve(caseOf(ctx), strings(ctx.state.data.photos).length, note))];
        },
        expects: T.confirmResolveExpects,
        yes: T.confirmResolveYes,
        no: T.confirmResolveNo,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      const checked = await recheck(ctx, data.requestId, "resolve", options.media);
      if (!checked.ok) return checked.answer;
      const request = checked.request;
      if (data.confirmed !== YES) return showCase(ctx, request.id, options.media, [T.unchanged(request.caseNumber)]);
      const photos = data.photos.slice(0, MAX_AFTER_PHOTOS);
      const added = await attachPhotos(ctx.tx, request.id, photos, { userId: ctx.userId, at: ctx.now, stage: "AFTER" });
      if (added > 0) {
        await recordRequestEvent(ctx.tx, request.id, {
          kind: "PHOTO",
          at: ctx.now,
          actorUserId: ctx.userId,
          byStaff: true,
          note: T.photos(0, added),
        });
      }
      await changeStatus(ctx.tx, request, "resolve", { userId: ctx.userId, now: ctx.now, note: data.note || null });
      return showCase(ctx, request.id, options.media, [T.resolved(request.caseNumber)]);
    },
  });
}
