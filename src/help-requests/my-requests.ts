// "My requests" (คำขอของฉัน): a villager's own help requests, of every
// kind, the latest change first; one opens as a card with its history
// (my-requests-card.ts), and while it is still open the villager can add
// photos or a note, or cancel it (request-photo-flow.ts,
// request-note-flow.ts, request-cancel-flow.ts).
//
// Request ids arrive in postback data, which can be forged: a request that
// is not the user's own gets the same "not found" as one that does not
// exist. The flows keep the id in their data and check it again, under a row
// lock, when they complete: a secretary may have closed the request meanwhile.
import { z } from "zod";
import { entryButton } from "../engine/engine.ts";
import { defineModule } from "../engine/module.ts";
import { startFlow, withMenu, type Outcome } from "../engine/outcome.ts";
import type { Button, MenuEntry, TurnContext } from "../engine/types.ts";
import type { MediaLinks } from "../line/media-links.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { KIND_LIST, kindOf } from "./kinds/index.ts";
import { entryData, MY_REQUESTS, notFound, type OnRequest, showClosed, showRequest, text, type Verb } from "./my-requests-card.ts";
import { MY_REQUESTS_TEXT as T } from "./my-requests-texts.ts";
import { requestCancelFlow } from "./request-cancel-flow.ts";
import { requestNoteFlow } from "./request-note-flow.ts";
import { requestPhotoFlow } from "./request-photo-flow.ts";
import { isOpenStatus, STATUS_COLORS } from "./request-status.ts";
import { countOwnRequests, findOwnRequest, hasOwnRequests, ownRequestsPage } from "./request-store.ts";
import { householdAidOfUser } from "../disaster/aid-store.ts";
import { AID_TEXT, aidReceivedText } from "../disaster/aid-texts.ts";

export { MY_REQUESTS };

/** Bubbles per carousel page (LINE allows 12). */
export const PAGE_SIZE = 10;

/** "42" opens request 42, "page:1" the second list page, "photo:42" … start a flow. At most 9 digits: always an INTEGER. */
const argSchema = z
  .string()
  .regex(/^(?:(?:page|photo|note|cancel):)?\d{1,9}$/)
  .transform((arg) => {
    const [verb, n] = arg.includes(":") ? arg.split(":") : ["open", arg];
    return { verb: verb as Verb, n: Number(n) };
  });

/** `media`: signs the links of the after-photos shown once a request is resolved (none without it). */
export function myRequestsModule(options: { media?: MediaLinks }) {
  const photoFlow = requestPhotoFlow(options);
  const noteFlow = requestNoteFlow(options);
  const cancelFlow = requestCancelFlow(options);

  async function list(ctx: TurnContext, page: number): Promise<Outcome> {
    const total = await countOwnRequests(ctx.tx, ctx.userId);
    // Aid a secretary recorded for the member's household without a request (from the unanswered list).
    const aid = page <= 0 ? await householdAidOfUser(ctx.tx, ctx.userId) : [];
    const received = aid.length > 0 ? [text(aidReceivedText(AID_TEXT.villagerTitle, aid))] : [];
    // None yet: the entries to file one, first.
    if (total === 0)
      return { say: [text(T.none), ...received], next: withMenu(KIND_LIST.map((k) => entryButton(k.entry.ref, k.entry.label))) };
    const pages = Math.ceil(total / PAGE_SIZE);
    const p = Math.min(Math.max(page, 0), pages - 1);
    const requests = await ownRequestsPage(ctx.tx, ctx.userId, { skip: p * PAGE_SIZE, take: PAGE_SIZE });
    const bubbles = requests.map((r) =>
      renderFlexTemplate("request-list-item", {
        caseNumber: r.caseNumber,
        kind: kindOf(r.kind).names.card,
        status: T.statuses[r.status],
        statusColor: STATUS_COLORS[r.status],
        updatedAt: thaiDateTime(r.updatedAt),
        detailData: entryData("open", r.id),
      }),
    );
    const paging: Button[] = [];
    const pageButton = (label: string, n: number): Button => ({ kind: "postback", label, data: entryData("page", n), displayText: label });
    if (p < pages - 1) paging.push(pageButton(T.more, p + 1));
    else if (p > 0) paging.push(pageButton(T.firstPage, 0));
    const from = p * PAGE_SIZE + 1;
    return {
      say: [
        text(T.listLead(total, from, from + requests.length - 1)),
        { kind: "flex", altText: T.listAlt(total), contents: { type: "carousel", contents: bubbles } },
        ...(p === 0 ? received : []),
      ],
      next: withMenu(paging),
    };
  }

  /** Starts one of the flows on the user's own, still open request. */
  async function startOn(ctx: TurnContext, flow: { readonly id: string }, id: number): Promise<Outcome> {
    const request = await findOwnRequest(ctx.tx, id, ctx.userId);
    if (!request) return notFound();
    if (!isOpenStatus(request.status)) return showClosed(ctx, request, options.media);
    return { next: startFlow<OnRequest>(flow, { data: { requestId: id, caseNumber: request.caseNumber } }) };
  }

  async function open(ctx: TurnContext, raw?: string): Promise<Outcome> {
    if (raw === undefined) return list(ctx, 0);
    const parsed = argSchema.safeParse(raw);
    if (!parsed.success) return notFound();
    const { verb, n } = parsed.data;
    switch (verb) {
      case "page":
        return list(ctx, n);
      case "open":
        return showRequest(ctx, n, options.media);
      case "photo":
        return startOn(ctx, photoFlow, n);
      case "note":
        return startOn(ctx, noteFlow, n);
      case "cancel":
        return startOn(ctx, cancelFlow, n);
    }
  }

  const entries: MenuEntry[] = [
    {
      // Listed once the villager has filed something: a new follower's menu
      // stays short. Typed keywords and card buttons use the entry below.
      id: "my-requests-menu",
      label: T.menu,
      keywords: [],
      visible: (ctx) => hasOwnRequests(ctx.tx, ctx.userId),
      open: (ctx) => list(ctx, 0),
    },
    {
      id: MY_REQUESTS.id,
      label: T.menu,
      keywords: ["คำขอของฉัน", "ติดตามคำขอ", "สถานะคำขอ", "คำขอทั้งหมด", "my requests"],
      listed: false,
      open,
    },
  ];

  return defineModule({ name: "my-requests", entries, flows: [photoFlow, noteFlow, cancelFlow] });
}
