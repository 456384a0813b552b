// Gives a large audience a rich menu with LINE's bulk link, outside the
// turns: the flood-first menu (flood-menu.ts) for every member in the area
// of an active flood situation (the `audience` query, FLOOD_MENU_AUDIENCE_SQL
// of src/disaster/menu-audience.ts, passed in by src/app.ts). Users in the
// audience without a rich_menu_link row are linked 500 a call and get a row
// (menu = the alias); users whose row names this menu but who left the
// audience (the situation ended, its area narrowed, the member moved,
// withdrew, unfollowed or became staff) are unlinked 500 a call, back to
// the villagers' default menu, and their rows deleted.
//
//  - Paced: one LINE call a run, at least `minGapMs` apart (default 250 ms:
//    ≤ 4 calls/s, 2,000 users/s; a province of 100,000 members in about
//    50 s). LINE allows far more (2,000 requests/s for most endpoints), but
//    the bulk calls are processed by LINE after the 202 and share the
//    channel's limits with the check-in's multicasts, so the job stays
//    gentle. The pace is per process: several instances add up.
//  - The pace needs no sleeping: a run that comes too early does nothing,
//    and nextWake() tells the scheduler when the next call is due, so the
//    scheduler's round (and the outbox in it) is never held.
//  - A retriable LINE error (429, 5xx, timeout) pauses the job (`pauseMs`);
//    the next run selects the same users again (the same order), so the
//    same chunk is tried again. A 404 on link: the menu is gone; its alias
//    is asked again after the pause.
//  - A 400 for a chunk (one bad user id refuses the whole call) splits it in
//    two, each half tried on its own call, down to single users: one bad id
//    costs about 2·log2(500) ≈ 18 calls, not 499 users' menus. A single
//    user refused is passed over for `refusedMs`; a single unlink refused
//    loses its row (nothing more this job can do). A full chunk's 400 also
//    makes the alias be asked again first, in case the menu was replaced.
//  - The menu is found by its alias (`npm run richmenu:setup`); when the
//    alias points at another menu, the rows are dropped and everyone is
//    linked again, as the staff link job does.
//
// One row per user, two jobs (this one and the staff link job,
// link-job.ts): each job links only users who have no row at all, and
// deletes only rows of its own menu; the audiences are disjoint (the flood
// audience leaves out STAFF_USERS_SQL, the staff job's audience). So a
// member who becomes staff is unlinked here and their row deleted; only
// then does the staff job, which passes over users with any row, link them
// to the staff menu (and the other way round when the last role goes). The
// scheduler runs jobs one after another, so within a process the two never
// interleave. Across instances, a role granted at the very moment a chunk
// is linked could have its staff link overwritten by ours: after a link,
// any row of another menu for the chunk's users (written meanwhile) is
// deleted, so its job links them again.
import type { Database } from "../../db/database.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Job } from "../../jobs/scheduler.ts";
import type { Logger } from "../../log.ts";
import { withDefaults } from "../../options.ts";
import { LineApiError, type LineGateway, RICH_MENU_BULK_MAX } from "../gateway.ts";
import { richMenuAliasCache } from "./alias-cache.ts";

export type BulkRichMenuLinkGateway = Pick<LineGateway, "getRichMenuAlias" | "linkRichMenuToUsers" | "unlinkRichMenuFromUsers">;

export const BULK_RICH_MENU_LINK_DEFAULTS = {
  /** Users a call: LINE's most. */
  chunkSize: RICH_MENU_BULK_MAX,
  /** The least time between two LINE calls of this job. */
  minGapMs: 250,
  /** How long a resolved (or missing) alias is trusted. */
  aliasTtlMs: 5 * 60_000,
  /** After a retriable error or a vanished menu. */
  pauseMs: 30_000,
  /** A single user LINE refused (4xx) is tried again after this. */
  refusedMs: 60 * 60_000,
  /**
   * Once everyone is linked, how long the audience is not looked at again
   * unless its stamp changes; also how often the links are checked for users
   * who left it. The stamp catches what moves many at once (a situation, a
   * role, a new member); what it misses (a member who moved or withdrew)
   * waits this long. Each look scans the whole audience: on PGlite for a
   * province, 0.5–1 s with the one session held, every answer waiting.
   */
  restMs: 5 * 60_000,
  /** Users read ahead a look at the audience (kept to link chunkSize a call): 10 calls' worth. */
  readAhead: 10 * RICH_MENU_BULK_MAX,
};

export interface BulkRichMenuLinkOptions {
  db: Database;
  gateway: BulkRichMenuLinkGateway;
  logger: Logger;
  /** The menu's alias, also written in rich_menu_link.menu ("flood-first"). */
  alias: string;
  /** Who gets the menu: a query of one column, "lineUserId" (FLOOD_MENU_AUDIENCE_SQL). */
  audience: Prisma.Sql;
  /**
   * A cheap query of one text column, "stamp", that changes when the
   * audience changes in bulk (FLOOD_MENU_STAMP_SQL: the active situations
   * and the staff roles). Once everyone is linked, the audience query (a
   * scan of every member in the area: heavy for a province, and on PGlite
   * it holds the one thread) is run again only when the stamp changes or
   * `restMs` has passed (a member who signed up, moved or withdrew).
   * Without it, the audience is queried every run.
   */
  audienceStamp?: Prisma.Sql;
  /** The job's name in logs; default "rich-menu-bulk-link:<alias>". */
  name?: string;
  chunkSize?: number;
  minGapMs?: number;
  aliasTtlMs?: number;
  pauseMs?: number;
  refusedMs?: number;
  restMs?: number;
  readAhead?: number;
}

type Op = "link" | "unlink";
interface Chunk {
  op: Op;
  userIds: string[];
  /** A part of a chunk LINE refused (400), being split. */
  split: boolean;
}

export function bulkRichMenuLinkJob(options: BulkRichMenuLinkOptions): Job {
  const o = withDefaults(BULK_RICH_MENU_LINK_DEFAULTS, options);
  const chunkSize = Math.max(1, Math.min(RICH_MENU_BULK_MAX, o.chunkSize));
  const prisma = o.db.prisma;
  let pausedUntil = 0;
  let nextCallAt = 0;
  /** The last run found work: the scheduler should look again when the pace allows. */
  let busy = false;
  /** Halves of refused chunks, tried before anything new (a stack: depth first). */
  let pending: Chunk[] = [];
  const refused = new Map<string, number>(); // lineUserId → when to try again
  /** Everyone linked and nobody to unlink, as of this time and stamp. */
  let caughtUp: { at: number; stamp: string | null } | null = null;
  /** The last look for users to unlink found none, at this time and stamp. */
  let noUnlinks: { at: number; stamp: string | null } | null = null;
  /** Links are read on from here (user id order); "" from the start. */
  let linkCursor = "";
  let cursorStamp: string | null = null;
  /**
   * Users read ahead, to link next (in id order). Reading the audience costs
   * the same for 500 as for 5,000 (it is scanned and sorted whole), so one
   * look serves ten calls. Lost with the process, which is nothing: the next
   * look finds them (they have no row). One who leaves the audience while
   * queued is linked all the same and unlinked at the next look for unlinks.
   */
  let queued: string[] = [];

  async function stamp(): Promise<string | null> {
    if (!o.audienceStamp) return null;
    const rows = await prisma.$queryRaw<{ stamp: string | null }[]>`${o.audienceStamp}`;
    return rows[0]?.stamp ?? "";
  }

  const aliasCache = richMenuAliasCache({
    gateway: o.gateway,
    alias: o.alias,
    ttlMs: o.aliasTtlMs,
    logger: o.logger,
    onReplaced: async () => {
      pending = [];
      linkCursor = "";
      queued = [];
      return (await prisma.richMenuLink.deleteMany({ where: { menu: o.alias } })).count;
    },
  });

  /**
   * The next chunk: users to unlink first (they see a menu that is no longer
   * theirs), then users to link. Both are scans of the audience, so each is
   * kept cheap: unlinks are looked for only when the audience may have
   * shrunk (the stamp moved since the last look that found none, or restMs
   * passed); links are read on from the last user linked (a keyset cursor
   * over the audience in user id order), back to the start once a pass
   * reaches the end.
   */
  async function nextChunk(now: number, seen: string | null): Promise<Chunk | null> {
    for (const [userId, until] of refused) if (until <= now) refused.delete(userId);
    const lookForUnlinks = !o.audienceStamp || !noUnlinks || noUnlinks.stamp !== seen || now - noUnlinks.at >= o.restMs;
    if (lookForUnlinks) {
      const rows = await prisma.$queryRaw<{ lineUserId: string }[]>`
        SELECT l."lineUserId" FROM rich_menu_link l
        WHERE l.menu = ${o.alias}
          AND NOT EXISTS (SELECT 1 FROM (${o.audience}) r WHERE r."lineUserId" = l."lineUserId")
        ORDER BY l."lineUserId"
        LIMIT ${chunkSize}`;
      if (rows.length > 0) return { op: "unlink", userIds: rows.map((r) => r.lineUserId).sort(), split: false };
      noUnlinks = { at: now, stamp: seen };
    }
    // The audience moved (a new member, a situation changed): a new pass from the start.
    if (seen !== cursorStamp) {
      linkCursor = "";
      queued = [];
      cursorStamp = seen;
    }
    const passStart = linkCursor === "" && queued.length === 0;
    if (queued.length === 0) {
      const readAhead = Math.max(chunkSize, o.readAhead);
      const rows = await prisma.$queryRaw<{ lineUserId: string }[]>`
        SELECT r."lineUserId" FROM (${o.audience}) r
        WHERE r."lineUserId" > ${linkCursor}
          AND NOT EXISTS (SELECT 1 FROM rich_menu_link l WHERE l."lineUserId" = r."lineUserId")
        ORDER BY r."lineUserId"
        LIMIT ${readAhead + refused.size}`;
      queued = rows.map((r) => r.lineUserId).filter((id) => !refused.has(id));
      // Read on from the last one read: those left out (refused) are not read again this pass.
      if (rows.length > 0) linkCursor = rows.at(-1)!.lineUserId;
    }
    queued = queued.filter((id) => !refused.has(id));
    const link = queued.slice(0, chunkSize);
    if (link.length > 0) return { op: "link", userIds: link, split: false };
    if (passStart) return null;
    // The end of a pass: start the next one from the beginning (users added behind the cursor).
    linkCursor = "";
    return nextChunk(now, seen);
  }

  function pause(now: number, operation: string, status: number | null): void {
    o.logger.warn("rich menu bulk link paused", { alias: o.alias, operation, status });
    pausedUntil = now + o.pauseMs;
  }

  /** A chunk LINE refused: its halves go on the stack; a single user is given up on. */
  async function refusedChunk(chunk: Chunk, error: LineApiError, now: number): Promise<number> {
    // Its halves (below) take its users over from the queue.
    if (!chunk.split && chunk.op === "link") queued = queued.slice(chunk.userIds.length);
    if (chunk.userIds.length > 1) {
      const half = Math.ceil(chunk.userIds.length / 2);
      pending.push(
        { ...chunk, userIds: chunk.userIds.slice(half), split: true },
        { ...chunk, userIds: chunk.userIds.slice(0, half), split: true },
      );
      // A whole chunk refused may be the menu's fault (replaced meanwhile): ask the alias before the halves.
      if (!chunk.split && chunk.op === "link") aliasCache.forget();
      o.logger.warn("rich menu bulk call refused; splitting it", {
        alias: o.alias,
        op: chunk.op,
        status: error.status,
        users: chunk.userIds.length,
      });
      return 0;
    }
    const [userId] = chunk.userIds as [string];
    o.logger.warn("rich menu bulk call refused for a user", { alias: o.alias, op: chunk.op, status: error.status });
    if (chunk.op === "link") {
      refused.set(userId, now + o.refusedMs);
      return 0;
    }
    // Unlink: nothing more this job can do; the row goes.
    return (await prisma.richMenuLink.deleteMany({ where: { lineUserId: userId, menu: o.alias } })).count;
  }

  async function run(now: number, seen: string | null): Promise<number> {
    const chunk = pending.pop() ?? (await nextChunk(now, seen));
    if (!chunk) {
      // Nothing to do; still notice, every few minutes, a menu replaced under linked users.
      const stale = aliasCache.stale(now);
      if (!stale || (await prisma.richMenuLink.count({ where: { menu: o.alias } })) === 0) return 0;
      try {
        return (await aliasCache.resolve(now)).relink;
      } catch (error) {
        if (!(error instanceof LineApiError) || !error.retriable) throw error;
        pause(now, "alias", error.status);
        return 0;
      }
    }
    busy = true;
    let richMenuId: string | null = null;
    if (chunk.op === "link") {
      let resolved: Awaited<ReturnType<typeof aliasCache.resolve>>;
      try {
        resolved = await aliasCache.resolve(now);
      } catch (error) {
        if (chunk.split) pending.push(chunk);
        if (!(error instanceof LineApiError) || !error.retriable) throw error;
        pause(now, "alias", error.status);
        return 0;
      }
      if (resolved.relink > 0) return resolved.relink; // pending was cleared: everyone is linked again
      if (resolved.richMenuId === null) {
        busy = false;
        pending = [];
        return 0;
      }
      richMenuId = resolved.richMenuId;
    }
    nextCallAt = now + o.minGapMs;
    try {
      if (chunk.op === "link") await o.gateway.linkRichMenuToUsers(chunk.userIds, richMenuId!);
      else await o.gateway.unlinkRichMenuFromUsers(chunk.userIds);
    } catch (error) {
      if (!(error instanceof LineApiError)) throw error;
      if (error.retriable || (chunk.op === "link" && error.status === 404)) {
        // A fresh chunk is selected again (the same users, unless things changed); a half is kept.
        if (chunk.split) pending.push(chunk);
        if (!error.retriable) {
          o.logger.warn("rich menu not found; resolving its alias again", { alias: o.alias });
          aliasCache.forget();
        }
        pause(now, `bulk ${chunk.op}`, error.status);
        return 0;
      }
      if (chunk.op === "unlink" && error.status === 404) {
        // Nothing linked any more: the rows go.
        return (await prisma.richMenuLink.deleteMany({ where: { lineUserId: { in: chunk.userIds }, menu: o.alias } })).count;
      }
      return refusedChunk(chunk, error, now);
    }
    if (chunk.op === "unlink") {
      // Whoever came back into the audience meanwhile is linked again by a later run.
      return (await prisma.richMenuLink.deleteMany({ where: { lineUserId: { in: chunk.userIds }, menu: o.alias } })).count;
    }
    const linkedAt = new Date(now);
    if (!chunk.split) queued = queued.slice(chunk.userIds.length);
    await prisma.richMenuLink.createMany({
      data: chunk.userIds.map((lineUserId) => ({ lineUserId, menu: o.alias, linkedAt })),
      skipDuplicates: true,
    });
    // A row of another menu written meanwhile (another instance's staff job): its LINE link may be
    // under ours now; without its row, its job links it again.
    await prisma.richMenuLink.deleteMany({ where: { lineUserId: { in: chunk.userIds }, menu: { not: o.alias } } });
    return chunk.userIds.length;
  }

  return {
    name: o.name ?? `rich-menu-bulk-link:${o.alias}`,
    async runOnce(at) {
      const now = at.getTime();
      if (now < pausedUntil || now < nextCallAt) return 0;
      busy = pending.length > 0;
      let seen: string | null = null;
      if (o.audienceStamp && pending.length === 0) {
        seen = await stamp();
        if (caughtUp && caughtUp.stamp === seen && now - caughtUp.at < o.restMs) return 0;
      }
      caughtUp = null;
      const done = await run(now, seen);
      // Nothing was to be done (and nothing is pending): rest until the stamp moves.
      if (done === 0 && !busy && pending.length === 0 && now >= pausedUntil) caughtUp = { at: now, stamp: seen };
      return done;
    },
    nextWake() {
      return busy || pending.length > 0 ? new Date(Math.max(nextCallAt, pausedUntil)) : null;
    },
  };
}
