// A rich menu's id by its alias, as the link jobs need it: asked of LINE at
// most every ttlMs (the alias is set by `npm run richmenu:setup`, rarely);
// a missing alias logged once until it appears; and a changed id noticed,
// because setup replaced the menu and deleting the old one dropped its links
// on LINE's side: `onReplaced` lets the job forget its rows (resolves how
// many), so everyone is linked again.
import type { Logger } from "../../log.ts";
import type { LineGateway } from "../gateway.ts";

export interface AliasCache {
  /** The menu's id (null: no such alias yet); `relink`: rows dropped because the menu was replaced. */
  resolve(now: number): Promise<{ richMenuId: string | null; relink: number }>;
  /** Would resolve() ask LINE now? */
  stale(now: number): boolean;
  /** Ask LINE again next time (a link answered 404: the menu may be gone). */
  forget(): void;
}

export function richMenuAliasCache(o: {
  gateway: Pick<LineGateway, "getRichMenuAlias">;
  alias: string;
  ttlMs: number;
  logger: Logger;
  onReplaced: () => Promise<number>;
}): AliasCache {
  let cached: { richMenuId: string | null; at: number } | null = null;
  let lastSeen: string | null = null;
  let missingLogged = false;
  const stale = (now: number) => !cached || now - cached.at >= o.ttlMs;
  return {
    stale,
    forget: () => {
      cached = null;
    },
    async resolve(now) {
      if (cached && !stale(now)) return { richMenuId: cached.richMenuId, relink: 0 };
      const richMenuId = await o.gateway.getRichMenuAlias(o.alias);
      cached = { richMenuId, at: now };
      if (richMenuId === null) {
        if (!missingLogged) o.logger.info("rich menu alias not found; run npm run richmenu:setup", { alias: o.alias });
        missingLogged = true;
        return { richMenuId: null, relink: 0 };
      }
      missingLogged = false;
      let relink = 0;
      if (lastSeen !== null && lastSeen !== richMenuId) {
        relink = await o.onReplaced();
        o.logger.info("rich menu replaced; linking its users again", { alias: o.alias, links: relink });
      }
      lastSeen = richMenuId;
      return { richMenuId, relink };
    },
  };
}
