// Prisma joining a transaction the driver opened (Database.driverTransaction,
// issue 13): the transaction begins, ends and runs its raw SQL on the
// driver; a model call starts Prisma's interactive transaction on the same
// connection (PostgreSQL: the same pg client; PGlite: the same session
// transaction), with Prisma's BEGIN, COMMIT and ROLLBACK made no-ops there.
// Which transaction may join is told by an AsyncLocalStorage set only around
// that one $transaction call, and used once, so no other transaction Prisma
// starts meanwhile can take the connection.
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Tx } from "./database.ts";
import type { PGliteSession, PGliteStatements } from "./driver.ts";
import { RAW_METHODS, type RawMethods } from "./raw-on-driver.ts";

/**
 * A connection a driver transaction holds, offered to Prisma's next
 * transaction started in this async context (and to that one only).
 */
export interface Joinable {
  pg?: pg.PoolClient;
  pglite?: PGliteStatements;
  used: boolean;
}
const joining = new AsyncLocalStorage<Joinable>();

/** Transaction control Prisma sends on a joined connection: the driver transaction's own BEGIN and COMMIT stand. */
const TX_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;

/**
 * Prisma's pool: a transaction Prisma starts inside withJoiningPrisma gets
 * the driver transaction's client, with BEGIN, COMMIT, ROLLBACK and release
 * made no-ops (the driver transaction begins, ends and releases it).
 */
export class JoinablePool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: pg.Pool#connect's overloads (promise or callback), passed through.
  override connect(...args: any[]): any {
    const join = joining.getStore();
    if (args.length === 0 && join?.pg && !join.used) {
      join.used = true;
      return Promise.resolve(joinedClient(join.pg));
    }
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    return (super.connect as (...a: any[]) => any).apply(this, args);
  }
}

function joinedClient(client: pg.PoolClient): pg.PoolClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "release") return () => undefined;
      if (prop === "query") {
        return (config: unknown, values?: unknown) => {
          const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
          if (typeof text === "string" && TX_CONTROL.test(text)) return Promise.resolve({ rows: [], fields: [], rowCount: 0, command: "" });
          return (target.query as (c: unknown, v?: unknown) => unknown)(config, values);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** PGlite's session as Prisma's adapter sees it: a transaction started inside withJoiningPrisma runs in the driver transaction. */
export function joinableSession(session: PGliteSession): PGliteSession {
  return {
    query: (sql, params, options) => session.query(sql, params, options),
    exec: (sql, options) => session.exec(sql, options),
    transaction: (work) => {
      const join = joining.getStore();
      if (!join?.pglite || join.used) return session.transaction(work);
      join.used = true;
      const held = join.pglite;
      // Prisma's rollback ends its own part only: the driver transaction
      // fails with Prisma's error and rolls back the whole. Called a turn
      // later: the adapter reads the promise this returns inside the work.
      const joined = { query: held.query.bind(held), exec: held.exec.bind(held), rollback: async () => undefined };
      return Promise.resolve().then(() => work(joined as PGliteStatements));
    },
  };
}

/**
 * Runs `work` with a Prisma transaction client that starts only when the
 * work first uses it, on the joined connection; it is committed (a no-op:
 * the driver transaction commits) when the work is done, and made to fail
 * when the work fails.
 */
export async function withJoiningPrisma<T>(
  prisma: PrismaClient,
  join: Omit<Joinable, "used">,
  txOptions: { maxWait: number; timeout: number },
  raw: RawMethods,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  let started: Promise<Tx> | null = null;
  let prismaDone: Promise<unknown> = Promise.resolve();
  let finish: (ok: boolean) => void = () => undefined;
  const start = () =>
    (started ??= new Promise<Tx>((resolve, reject) => {
      const finished = new Promise<void>((ok, fail) => {
        finish = (done) => (done ? ok() : fail(new Error("the driver transaction failed")));
      });
      prismaDone = joining.run({ ...join, used: false }, () =>
        prisma.$transaction(async (tx) => {
          resolve(tx);
          await finished;
        }, txOptions),
      );
      prismaDone.catch(reject);
    }));
  try {
    const result = await work(lazyTx(start, raw));
    finish(true);
    // Prisma's part ended (or was never started); if it failed (its
    // timeout), so does the whole.
    await prismaDone;
    return result;
  } catch (error) {
    finish(false);
    await prismaDone.catch(() => undefined);
    throw error;
  }
}

/**
 * A Tx whose raw queries run on the driver (`raw`), and whose every other
 * call first starts the Prisma transaction (`start`), then makes the call on it.
 */
function lazyTx(start: () => Promise<Tx>, raw: RawMethods): Tx {
  const call = (path: PropertyKey[], args: unknown[]) =>
    start().then((tx) => {
      // biome-ignore lint/suspicious/noExplicitAny: a Prisma model's or client's method, looked up by name.
      let owner: any = tx;
      for (const key of path.slice(0, -1)) owner = owner[key];
      return owner[path.at(-1)!](...args);
    });
  return new Proxy({} as Tx, {
    get(_target, prop) {
      if (prop === "then" || typeof prop === "symbol") return undefined;
      if (RAW_METHODS.has(prop)) return raw[prop as keyof RawMethods];
      // tx.$queryRaw`…` and tx.$executeRawUnsafe(…) are calls; tx.member.findFirst(…) a method of a property.
      return new Proxy(() => undefined, {
        apply: (_fn, _this, args) => call([prop], args),
        get: (_fn, method) => (typeof method === "symbol" ? undefined : (...args: unknown[]) => call([prop, method], args)),
      });
    },
  });
}
