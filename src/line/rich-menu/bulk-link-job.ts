// Gives a large audience a rich menu with LINE's bulk link, outside the
// turns: the flood-first menu (flood-menu.ts) for every member in the area
// of an active flood situation (the `audience`, FLOOD_MENU_AUDIENCE of
// src/disaster/menu-audience.ts, passed in by src/app.ts). Users in the
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
//    the chunk stays first in its queue, so the same users are tried
//    again. A 404 on link: the menu is gone; its alias is asked again
//    after the pause.
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
   * Once a look is done, how long it is not done again unless the stamp
   * moves. The stamp catches what moves many at once (a situation, a role, a
   * new member); what it misses (a member who moved or withdrew) waits this
   * long.
   */
  restMs: 5 * 60_000,
  /** Users read ahead from one part of the audience (kept to link chunkSize a call): 10 calls' worth. */
  readAhead: 10 * RICH_MENU_BULK_MAX,
  /**
   * Rows a run may read looking (a part of the audience, a window of rows):
   * about two councils' members. A look at a province (100,000 members, as
   * many rows once linked) goes on over a hundred runs, paced like the calls.
   */
  rowsPerRun: 2 * RICH_MENU_BULK_MAX,
};

/**
 * Who gets the menu, in parts (FLOOD_MENU_AUDIENCE: the councils an active
 * situation covers). The job never asks for the audience whole: a province
 * is 100,000 members, and on PGlite one statement over all of them holds the
 * one session for most of a second while every answer waits.
 */
export interface BulkAudience {
  /** The parts, in order: a query of one integer column, "id". Cheap. */
  parts: Prisma.Sql;
  /** The users of one part: a query of one column, "lineUserId". */
  ofPart(part: number): Prisma.Sql;
  /** Which of these users belong to the audience of these parts: a query of one column, "lineUserId". */
  among(userIds: string[], parts: number[]): Prisma.Sql;
}

export interface BulkRichMenuLinkOptions {
  db: Database;
  gateway: BulkRichMenuLinkGateway;
  logger: Logger;
  /** The menu's alias, also written in rich_menu_link.menu ("flood-first"). */
  alias: string;
  audience: BulkAudience;
  /**
   * A cheap query of two text columns that change when the audience may
   * have changed in bulk (FLOOD_MENU_STAMP_SQL): "grow" (someone may have
   * joined it: a situation declared or widened, a new member, a role
   * revoked) and "shrink" (someone may have left it: a situation ended or
   * narrowed, a role granted). A look for users to link runs when "grow"
   * moves, one for users to unlink when "shrink" moves, and each at least
   * every `restMs`. Without it, the looks run every time.
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
  rowsPerRun?: number;
}

type Op = "link" | "unlink";
interface Chunk {
  op: Op;
  userIds: string[];
  /** A part of a chunk LINE refused (400), being split. */
  split: boolean;
}

/** What one run may still read, and the audience's parts as of this run (read once, when first asked). */
interface Budget {
  rows: number;
  parts(): Promise<number[]>;
}

/** What moved the audience, as of a look: the two columns of the stamp query. */
interface Stamp {
  grow: string | null;
  shrink: string | null;
}

export function bulkRichMenuLinkJob(options: BulkRichMenuLinkOptions): Job {
  const o = withDefaults(BULK_RICH_MENU_LINK_DEFAULTS, options);
  const chunkSize = Math.max(1, Math.min(RICH_MENU_BULK_MAX, o.chunkSize));
  const readAhead = Math.max(chunkSize, o.readAhead);
  const prisma = o.db.prisma;
  let pausedUntil = 0;
  let nextCallAt = 0;
  /** The last run found work (or is partway through a look): the scheduler should run it again when the pace allows. */
  let busy = false;
  /** Halves of refused chunks, tried before anything new (a stack: depth first). */
  let pending: Chunk[] = [];
  const refused = new Map<string, number>(); // lineUserId → when to try again
  /**
   * A look along this menu's rows for users who left the audience: a window
   * of chunkSize rows at a time (in user id order), each checked against the
   * audience of the parts read when the look began.
   */
  let sweep: { parts: number[]; after: string; stamp: string | null; at: number } | null = null;
  /** The last sweep ended, at this time and shrink stamp: none is due until either moves. */
  let swept: { at: number; stamp: string | null } | null = null;
  /** A look along the audience's parts for users without a row, to link: part by part, in user id order within one. */
  let pass: { parts: number[]; part: number; after: string; stamp: string | null } | null = null;
  /** The last pass ended, at this time and grow stamp. */
  let passed: { at: number; stamp: string | null } | null = null;
  /**
   * Users found and not yet called for, in the order found. Lost with the
   * process, which is nothing: the next look finds them again (a user to link
   * has no row; one to unlink still has one). One who changes sides while
   * queued is linked (or unlinked) all the same and put right by a later look.
   */
  let toLink: string[] = [];
  let toUnlink: string[] = [];

  async function stamp(): Promise<Stamp> {
    if (!o.audienceStamp) return { grow: null, shrink: null };
    const [row] = await prisma.$queryRaw<Stamp[]>`${o.audienceStamp}`;
    return { grow: row?.grow ?? "", shrink: row?.shrink ?? "" };
  }

  async function parts(): Promise<number[]> {
    return (await prisma.$queryRaw<{ id: number }[]>`${o.audience.parts}`).map((r) => Number(r.id));
  }

  /** Without a stamp query, every look is due at once (nothing tells the job the audience did not move). */
  const due = (last: { at: number; stamp: string | null } | null, now: number, seen: string | null) =>
    !o.audienceStamp || !last || last.stamp !== seen || now - last.at >= o.restMs;

  const aliasCache = richMenuAliasCache({
    gateway: o.gateway,
    alias: o.alias,
    ttlMs: o.aliasTtlMs,
    logger: o.logger,
    onReplaced: async () => {
      pending = [];
      pass = null;
      passed = null;
      toLink = [];
      return (await prisma.richMenuLink.deleteMany({ where: { menu: o.alias } })).count;
    },
  });

  /**
   * Sweeps on: reads windows of this menu's rows, each checked against the
   * audience, until a chunk of users to unlink is found, the sweep ends, or
   * this run's rows are read.
   */
  async function sweepOn(now: number, seen: Stamp, budget: Budget): Promise<void> {
    if (sweep && sweep.stamp !== seen.shrink) sweep = null; // the audience moved mid-sweep: again from the start
    if (!sweep && toUnlink.length === 0 && due(swept, now, seen.shrink)) {
      sweep = { parts: await budget.parts(), after: "", stamp: seen.shrink, at: now };
    }
    while (sweep && toUnlink.length < chunkSize && budget.rows > 0) {
      const window = (
        await prisma.$queryRaw<{ lineUserId: string }[]>`
          SELECT "lineUserId" FROM rich_menu_link
          WHERE menu = ${o.alias} AND "lineUserId" > ${sweep.after}
          ORDER BY "lineUserId" LIMIT ${chunkSize}`
      ).map((r) => r.lineUserId);
      budget.rows -= Math.max(1, window.length);
      if (window.length > 0) {
        const kept = new Set(
          sweep.parts.length === 0
            ? []
            : (await prisma.$queryRaw<{ lineUserId: string }[]>`${o.audience.among(window, sweep.parts)}`).map((r) => r.lineUserId),
        );
        toUnlink.push(...window.filter((id) => !kept.has(id)));
        sweep.after = window.at(-1)!;
      }
      if (window.length < chunkSize) {
        swept = { at: sweep.at, stamp: sweep.stamp };
        sweep = null;
      }
    }
  }

  /**
   * Passes on: reads the audience part by part (every user of the part, and
   * whether they have a row, so the rows read are the rows scanned) until a
   * chunk of users to link is queued, the pass ends, or this run's rows are
   * read.
   */
  async function passOn(now: number, seen: Stamp, budget: Budget): Promise<void> {
    if (pass && pass.stamp !== seen.grow) {
      // The audience moved (a new member, a situation changed): a new pass from the start.
      pass = null;
      toLink = [];
    }
    if (!pass && toLink.length === 0 && due(passed, now, seen.grow)) {
      pass = { parts: await budget.parts(), part: 0, after: "", stamp: seen.grow };
    }
    while (pass && toLink.length < chunkSize && budget.rows > 0) {
      const part = pass.parts[pass.part];
      if (part === undefined) {
        passed = { at: now, stamp: pass.stamp };
        pass = null;
        break;
      }
      const rows = await prisma.$queryRaw<{ lineUserId: string; linked: boolean }[]>`
        SELECT r."lineUserId", EXISTS (SELECT 1 FROM rich_menu_link l WHERE l."lineUserId" = r."lineUserId") AS linked
        FROM (${o.audience.ofPart(part)}) r
        WHERE r."lineUserId" > ${pass.after}
        ORDER BY r."lineUserId"
        LIMIT ${readAhead}`;
      budget.rows -= Math.max(1, rows.length);
      toLink.push(...rows.filter((r) => !r.linked && !refused.has(r.lineUserId)).map((r) => r.lineUserId));
      if (rows.length < readAhead) {
        pass.part += 1;
        pass.after = "";
      } else pass.after = rows.at(-1)!.lineUserId;
    }
  }

  /**
   * The next chunk: users to unlink first (they see a menu that is no longer
   * theirs), then users to link; "reading" when this run's rows were read
   * partway through a look (the next run goes on from there). No statement
   * reads the audience whole: each reads one part (a council's members) or
   * one window of rows, and a run reads about `rowsPerRun` rows, so on
   * PGlite's one session a member's answer never waits long behind the job.
   * A chunk is called for once full, or short at the end of a look.
   */
  async function nextChunk(now: number, seen: Stamp): Promise<Chunk | "reading" | null> {
    for (const [userId, until] of refused) if (until <= now) refused.delete(userId);
    let read: Promise<number[]> | undefined;
    // A sweep and a pass starting in the same run (a situation declared or ended) share one read of the parts.
    const budget: Budget = { rows: o.rowsPerRun, parts: () => (read ??= parts()) };
    await sweepOn(now, seen, budget);
    if (toUnlink.length >= chunkSize || (toUnlink.length > 0 && !sweep))
      return { op: "unlink", userIds: toUnlink.slice(0, chunkSize), split: false };
    if (sweep) return "reading";
    await passOn(now, seen, budget);
    toLink = toLink.filter((id) => !refused.has(id));
    if (toLink.length >= chunkSize || (toLink.length > 0 && !pass))
      return { op: "link", userIds: toLink.slice(0, chunkSize), split: false };
    return pass ? "reading" : null;
  }

  /** This menu's rows of these users, deleted (as one statement: see the insert in run()). */
  const dropRows = (userIds: string[]) =>
    prisma.$executeRaw`DELETE FROM rich_menu_link WHERE "lineUserId" = ANY(${userIds}::text[]) AND menu = ${o.alias}`;

  /** A chunk's users called for: out of their queue. */
  function dequeue(chunk: Chunk): void {
    if (chunk.split) return;
    if (chunk.op === "link") toLink = toLink.slice(chunk.userIds.length);
    else toUnlink = toUnlink.slice(chunk.userIds.length);
  }

  function pause(now: number, operation: string, status: number | null): void {
    o.logger.warn("rich menu bulk link paused", { alias: o.alias, operation, status });
    pausedUntil = now + o.pauseMs;
  }

  /** A chunk LINE refused: its halves go on the stack; a single user is given up on. */
  async function refusedChunk(chunk: Chunk, error: LineApiError, now: number): Promise<number> {
    // Its halves (below) take its users over from the queue.
    dequeue(chunk);
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

  async function run(now: number, seen: Stamp): Promise<number> {
    const chunk = pending.pop() ?? (await nextChunk(now, seen));
    if (chunk === "reading") {
      // Partway through a look: on at the next run, paced as the calls are.
      busy = true;
      nextCallAt = now + o.minGapMs;
      return 0;
    }
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
        // The same chunk goes again after the pause (still first in its queue); a half is kept.
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
        dequeue(chunk);
        return dropRows(chunk.userIds);
      }
      return refusedChunk(chunk, error, now);
    }
    dequeue(chunk);
    if (chunk.op === "unlink") {
      // Whoever came back into the audience meanwhile is linked again by a later pass.
      return dropRows(chunk.userIds);
    }
    // Raw statements with the ids as one array: Prisma's createMany/deleteMany compile a query of 500
    // rows on the event loop at every call (its query compiler), which the answers wait behind.
    const linkedAt = new Date(now);
    await prisma.$executeRaw`
      INSERT INTO rich_menu_link ("lineUserId", menu, "linkedAt")
      SELECT id, ${o.alias}, ${linkedAt} FROM unnest(${chunk.userIds}::text[]) AS id
      ON CONFLICT ("lineUserId") DO NOTHING`;
    // A row of another menu written meanwhile (another instance's staff job): its LINE link may be
    // under ours now; without its row, its job links it again.
    await prisma.$executeRaw`
      DELETE FROM rich_menu_link WHERE "lineUserId" = ANY(${chunk.userIds}::text[]) AND menu <> ${o.alias}`;
    return chunk.userIds.length;
  }

  return {
    name: o.name ?? `rich-menu-bulk-link:${o.alias}`,
    async runOnce(at) {
      const now = at.getTime();
      if (now < pausedUntil || now < nextCallAt) return 0;
      busy = pending.length > 0;
      // Halves of a refused chunk go first, and need no look at the audience.
      const seen = pending.length === 0 ? await stamp() : { grow: null, shrink: null };
      return run(now, seen);
    },
    nextWake() {
      return busy || pending.length > 0 ? new Date(Math.max(nextCallAt, pausedUntil)) : null;
    },
  };
}
