// "เพิ่มข้อความ" on the villager's own open request: what they want staff to
// know, kept in its history; the council's staff are told (case-notify.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import type { ParseResult } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { notifyCouncilOfUpdate } from "./case-notify.ts";
import { caseOf, ON_REQUEST, showRequest, stillOpen, text } from "./my-requests-card.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { recordRequestEvent } from "./request-store.ts";

const NOTE_MAX = 500;

export function parseRequestNote(typed: string): ParseResult {
  const t = typed.trim();
  return /[\p{L}\p{N}]/u.test(t) && [...t].length <= NOTE_MAX ? { ok: true, value: t } : { ok: false, message: T.noteInvalid };
}

export function requestNoteFlow(options: { media?: MediaLinks }) {
  return defineFlow({
    id: "request-note",
    version: 1,
    title: T.flowTitles.note,
    schema: z.object({ ...ON_REQUEST, note: z.string() }),
    steps: [
      {
        id: "note",
        slot: "note",
        prompt: (ctx) => [text(T.askNote(caseOf(ctx)))],
        expects: T.noteExpects,
        input: { kind: "text", parse: parseRequestNote, prose: true },
      },
    ],
    async complete(ctx, data) {
      const request = await stillOpen(ctx, data.requestId, options.media);
      if (!request.ok) return request.answer;
      await recordRequestEvent(ctx.tx, request.id, { kind: "NOTE", at: ctx.now, actorUserId: ctx.userId, note: data.note });
      await notifyCouncilOfUpdate(ctx.tx, request.id, { kind: "note", note: data.note }, ctx.now);
      return showRequest(ctx, request.id, options.media, [T.noteAdded(request.caseNumber)]);
    },
  });
}
