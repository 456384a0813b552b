// Gives staff their rich menu, outside the turns: a role granted in a turn
// (an invite code redeemed) or by the CLI is a staff_role row; this job
// links each staff user (the `audience` query it is given: STAFF_USERS_SQL
// of src/staff/roles.ts) who has no rich_menu_link row to the staff menu and
// writes the row, and unlinks users whose row outlived their last role (the
// villagers' default menu shows again). A LINE call inside a turn would hold
// the user's row lock for a network round trip and be lost with a rollback.
//
//  - The staff menu is found by its alias ("council-staff"), set by
//    `npm run richmenu:setup`, resolved at most every few minutes. No alias
//    (setup not run yet): nothing is linked, logged once.
//  - When the alias comes back pointing at another menu (setup replaced the
//    menu and deleted the old one, which drops its links), the rows are
//    cleared and everyone is linked again, a batch a run.
//  - A bounded batch a run. A retriable LINE error (5xx, 429, timeout) keeps
//    the row as it was and pauses the job briefly; a 404 on link (the menu
//    is gone) also forgets the alias; if the alias still names that menu,
//    the 404 was the user's. A user LINE refuses for good (another 4xx, or
//    that 404) is passed over for an hour, so one bad id never blocks the rest.
//  - Users who blocked the account are left until they follow again.
// Several instances may run it: a user linked twice is linked once, the row
// is written with skipDuplicates.
import type { Database } from "../../db/database.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Job } from "../../jobs/scheduler.ts";
import type { Logger } from "../../log.ts";
import { LineApiError, type LineGateway } from "../gateway.ts";
import { richMenuAliasCache } from "./alias-cache.ts";
import { STAFF_MENU } from "./staff-menu.ts";
import { withDefaults } from "../../options.ts";

export type RichMenuLinkGateway = Pick<LineGateway, "getRichMenuAlias" | "linkRichMenuToUser" | "unlinkRichMenuFromUser">;

export const RICH_MENU_LINK_DEFAULTS = {
  batchSize: 50,
  /** How long a resolved (or missing) alias is trusted. */
  aliasTtlMs: 5 * 60_000,
  /** After a retriable error or a vanished menu. */
  pauseMs: 30_000,
  /** A user LINE refused (4xx) is tried again after this. */
  refusedMs: 60 * 60_000,
};

export interface RichMenuLinkOptions {
  db: Database;
  gateway: RichMenuLinkGateway;
  logger: Logger;
  /**
   * Who gets the staff menu: a query of one column, "lineUserId" (everyone
   * with a staff role: STAFF_USERS_SQL, passed in by src/app.ts). A query,
   * not a function, so each batch and the guarded delete stay one statement.
   */
  audience: Prisma.Sql;
  alias?: string;
  batchSize?: number;
  aliasTtlMs?: number;
  pauseMs?: number;
  refusedMs?: number;
}

export function richMenuLinkJob(options: RichMenuLinkOptions): Job {
  const o = withDefaults({ ...RICH_MENU_LINK_DEFAULTS, alias: STAFF_MENU.alias }, options);
  const prisma = o.db.prisma;
  const aliasCache = richMenuAliasCache({
    gateway: o.gateway,
    alias: o.alias,
    ttlMs: o.aliasTtlMs,
    logger: o.logger,
    onReplaced: async () => (await prisma.richMenuLink.deleteMany({ where: { menu: o.alias } })).count,
  });
  let pausedUntil = 0;
  /** A 404 on link: the menu, unless the alias still names it after a fresh look; then the user. */
  let notFound: { richMenuId: string; lineUserId: string } | null = null;
  const refused = new Map<string, number>(); // lineUserId → when to try again

  /** Retriable: stop this run and rest a little; anything else is the caller's to judge. */
  function transient(error: unknown, now: number, operation: string): boolean {
    if (!(error instanceof LineApiError) || !error.retriable) return false;
    o.logger.warn("rich menu link paused", { operation, status: error.status });
    pausedUntil = now + o.pauseMs;
    return true;
  }

  async function unlinkFormerStaff(now: number): Promise<number> {
    const rows = await prisma.$queryRaw<{ lineUserId: string }[]>`
      SELECT l."lineUserId" FROM rich_menu_link l
      WHERE l.menu = ${o.alias}
        AND NOT EXISTS (SELECT 1 FROM (${o.audience}) r WHERE r."lineUserId" = l."lineUserId")
      ORDER BY l."linkedAt", l."lineUserId"
      LIMIT ${o.batchSize}`;
    let done = 0;
    for (const { lineUserId } of rows) {
      try {
        await o.gateway.unlinkRichMenuFromUser(lineUserId);
      } catch (error) {
        if (transient(error, now, "unlink")) break;
        if (!(error instanceof LineApiError)) throw error;
        // 404: nothing linked any more; another 4xx: nothing this job can do. The row goes either way.
        if (error.status !== 404) o.logger.warn("rich menu unlink refused; forgetting the link", { status: error.status });
      }
      // Only the row of a user still without a role: one granted meanwhile keeps the menu.
      await prisma.$executeRaw`
        DELETE FROM rich_menu_link l
        WHERE l."lineUserId" = ${lineUserId}
          AND NOT EXISTS (SELECT 1 FROM (${o.audience}) r WHERE r."lineUserId" = l."lineUserId")`;
      done++;
    }
    return done;
  }

  async function linkNewStaff(now: number): Promise<number> {
    for (const [userId, until] of refused) if (until <= now) refused.delete(userId);
    const rows = await prisma.$queryRaw<{ lineUserId: string }[]>`
      SELECT DISTINCT r."lineUserId" FROM (${o.audience}) r
      LEFT JOIN line_user u ON u.id = r."lineUserId"
      WHERE NOT EXISTS (SELECT 1 FROM rich_menu_link l WHERE l."lineUserId" = r."lineUserId")
        AND COALESCE(u.following, TRUE)
      ORDER BY r."lineUserId"
      LIMIT ${o.batchSize + refused.size}`;
    const due = rows
      .map((r) => r.lineUserId)
      .filter((id) => !refused.has(id))
      .slice(0, o.batchSize);
    const stale = aliasCache.stale(now);
    // Only ask LINE when there is someone to link, or links a replaced menu may have dropped.
    if (due.length === 0 && !(stale && (await prisma.richMenuLink.count({ where: { menu: o.alias } })) > 0)) return 0;
    let resolved: Awaited<ReturnType<typeof aliasCache.resolve>>;
    try {
      resolved = await aliasCache.resolve(now);
    } catch (error) {
      if (transient(error, now, "alias")) return 0;
      throw error;
    }
    const { richMenuId, relink } = resolved;
    if (notFound && richMenuId !== null) {
      if (notFound.richMenuId === richMenuId) refused.set(notFound.lineUserId, now + o.refusedMs);
      notFound = null;
    }
    // Dropped rows count as work done: the next run (at once under runAll) links their users.
    if (richMenuId === null || due.length === 0 || relink > 0) return relink;
    let done = 0;
    for (const lineUserId of due) {
      if (refused.has(lineUserId)) continue;
      try {
        await o.gateway.linkRichMenuToUser(lineUserId, richMenuId);
      } catch (error) {
        if (transient(error, now, "link")) break;
        if (!(error instanceof LineApiError)) throw error;
        if (error.status === 404) {
          // The menu (or, rarely, the user) is gone: ask the alias again after a pause.
          o.logger.warn("staff rich menu not found; resolving its alias again", { alias: o.alias });
          aliasCache.forget();
          notFound = { richMenuId, lineUserId };
          pausedUntil = now + o.pauseMs;
          break;
        }
        o.logger.warn("rich menu link refused", { status: error.status });
        refused.set(lineUserId, now + o.refusedMs);
        continue;
      }
      await prisma.richMenuLink.createMany({ data: [{ lineUserId, menu: o.alias, linkedAt: new Date(now) }], skipDuplicates: true });
      done++;
    }
    return done;
  }

  return {
    name: "rich-menu-link",
    async runOnce(at) {
      const now = at.getTime();
      if (now < pausedUntil) return 0;
      const unlinked = await unlinkFormerStaff(now);
      if (now < pausedUntil) return unlinked;
      return unlinked + (await linkNewStaff(now));
    },
  };
}
