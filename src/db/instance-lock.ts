// Who holds a lease. Each process draws a random 63-bit instance key at start
// and holds a session-level advisory lock on it for its whole life: on
// PostgreSQL on a connection of its own, on PGlite in its one session. Leases
// record the key (webhook_event."leaseOwner"); a lease whose owner no longer
// holds its lock belongs to a process that is gone (SIGKILL, a lost host), and
// any instance may take it over at once instead of waiting for it to expire.
//
// PostgreSQL shows a bigint advisory key in pg_locks split in two oids,
// classid (high 32 bits) and objid (low 32 bits), with objsubid = 1 (the
// two-int4 form has 2); PGlite shows the same (checked on both). Advisory
// locks are per database, hence the database column.
//
// If the lock's connection drops (the server restarted, the network cut it),
// the key is unlocked until it is taken again: another instance may then take
// over this one's leases. That can only repeat a delivery (LINE's retry key
// or a used reply token catches most), never lose one. It reconnects and locks
// again in the background.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Logger } from "../log.ts";
import type { Database, DatabaseTarget } from "./database.ts";

export interface InstanceLock {
  /** This process's key, as PostgreSQL's bigint (a decimal string). */
  readonly key: string;
  close(): Promise<void>;
}

/** A random key in 1 … 2^63 - 1 (positive, so it reads back the same from pg_locks). */
export function newInstanceKey(): string {
  const n = randomBytes(8).readBigUInt64BE() >> 1n;
  return (n === 0n ? 1n : n).toString();
}

/**
 * SQL that is true when the lease owner in `column` holds no advisory lock
 * in this database: the process that took the lease is gone.
 */
export function ownerGoneSql(column: string): string {
  return `(${column} IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM pg_locks
             WHERE locktype = 'advisory' AND objsubid = 1 AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND ((classid::bigint << 32) | objid::bigint) = ${column}))`;
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5_000;

/** Takes the lock for a new instance key; resolves once it is held. */
export async function holdInstanceLock(target: DatabaseTarget, db: Database, logger: Logger): Promise<InstanceLock> {
  const key = newInstanceKey();
  if (target.kind !== "postgres") {
    // PGlite: one session for the process's life, closed with it.
    await db.sql.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    return { key, close: async () => undefined };
  }

  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = RETRY_FIRST_MS;

  const lock = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 5_000 });
    // Errors surface as 'error' on an idle client; the 'end' below reconnects.
    c.on("error", () => undefined);
    await c.connect();
    try {
      // try_: an old session of ours the server has not yet noticed is gone
      // may still hold it; it lets go as soon as the server does.
      const [row] = (await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [key])).rows;
      if (!row?.ok) throw new Error("instance lock still held by an earlier session");
    } catch (error) {
      await c.end().catch(() => undefined);
      throw error;
    }
    c.on("end", () => {
      if (client !== c) return;
      client = null;
      if (closed) return;
      logger.warn("instance lock connection lost; locking again", {});
      schedule();
    });
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    delay = RETRY_FIRST_MS;
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      lock().catch((error: unknown) => {
        logger.warn("instance lock not taken yet", { error });
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        schedule();
      });
    }, delay);
    retry.unref();
  };

  await lock();
  return {
    key,
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
