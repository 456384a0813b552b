// Opens the database the configuration names: embedded PGlite (default) or a
// PostgreSQL server. Both get the same schema, migrations and Prisma client.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Config } from "../config.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import { type PGliteSession, pgliteDriver, postgresDriver, pgRunner, pgliteRunner, type SqlDriver, type SqlRunner } from "./driver.ts";
import { isMigrated, migrate, readMigrations, type Migration } from "./migrator.ts";
import { pgliteStartParams } from "./pglite-settings.ts";
import { type Joinable, JoinablePool, joinableSession, withJoiningPrisma } from "./joined-prisma.ts";
import { rawOnDriver } from "./raw-on-driver.ts";
import { PGliteThread } from "./pglite-thread.ts";

export type Prisma = PrismaClient;
/** The client inside an interactive transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export interface Database {
  /** Which PostgreSQL: embedded (PGlite, single-user: no autovacuum of its own) or a server. */
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  readonly sql: SqlDriver;
  /**
   * An interactive transaction: driverTransaction without the driver's
   * runner. `tx`'s raw queries run on the driver; its model calls start
   * Prisma's part of it. On PGlite (one session) they run one at a time
   * through a queue that gives the event loop a turn in between, so webhook
   * inserts are not starved by a train of transactions. `timeoutMs`: how
   * long the work may take once it holds the connection (30 s unless given;
   * a bulk import needs longer).
   */
  transaction<T>(work: (tx: Tx) => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
  /**
   * A transaction run on the driver (`sql`: its statements go straight to
   * node-postgres or PGlite). `tx` answers raw queries on the same
   * connection (src/db/raw-on-driver.ts, with Prisma's value types), and
   * Prisma joins the connection the first time the work makes a model call,
   * not at all otherwise (issue 13: through Prisma's client a raw statement
   * cost several times its cost through the driver, and its interactive
   * transaction more still). Past the timeout (30 s unless given) the next
   * statement fails and the work is rolled back.
   */
  driverTransaction<T>(work: (sql: SqlRunner, tx: Tx) => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
  /** Applies pending migrations; returns their names. */
  migrate(): Promise<string[]>;
  /** Reachable and fully migrated: what /healthz reports. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * An in-memory PGlite, empty, or started from a dump of a data directory
 * (`PGlite#dumpDataDir()`, e.g. a migrated template the tests made once).
 * PGlite runs in a worker thread (src/db/pglite-thread.ts) unless `thread`
 * is false: in memory too, so the tests run the path that ships.
 */
export type DatabaseTarget = Config["database"] | { kind: "pglite-memory"; loadDataDir?: Blob; thread?: boolean; sharedBuffers?: string };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  let prisma: PrismaClient;
  let sql: SqlDriver;
  let closeDriver: () => Promise<void>;
  let transactionSlot: (<T>(work: () => Promise<T>) => Promise<T>) | null = null;
  /** A transaction on the driver: its runner, and its connection for Prisma to join. */
  let driverTx: <T>(work: (open: { runner: SqlRunner; join: Omit<Joinable, "used"> }) => Promise<T>) => Promise<T>;
  if (target.kind === "postgres") {
    // Two pools: Prisma's holds connections for whole turns (transactions),
    // the driver's serves short statements — the webhook's insert above all,
    // which must not queue behind turns for a connection.
    const pool = new JoinablePool({ connectionString: target.url, max: 16, connectionTimeoutMillis: 5_000 });
    const sqlPool = new pg.Pool({ connectionString: target.url, max: 6, connectionTimeoutMillis: 5_000 });
    // A dropped server connection must not crash the process: the pool
    // reconnects, and callers see errors on their own queries.
    pool.on("error", () => undefined);
    sqlPool.on("error", () => undefined);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    sql = postgresDriver(sqlPool);
    driverTx = async (work) => {
      const client = await pool.connect();
      // A connection dropped while it is checked out emits "error": without
      // a listener that kills the process; the statement in flight rejects anyway.
      client.on("error", ignoreError);
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work({ runner: pgRunner(client), join: { pg: client } });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollback: Error) => {
          broken = rollback;
        });
        throw error;
      } finally {
        client.off("error", ignoreError);
        // A connection that cannot even roll back is dropped by the pool.
        client.release(broken);
      }
    };
    closeDriver = async () => {
      await Promise.all([pool.end(), sqlPool.end()]);
    };
  } else {
    // PGlite's Prisma adapter hands Prisma a raw query's `timestamp` value
    // without its zone ("2026-11-28 03:04:05.678"), and Prisma reads that in
    // the process's time zone: on a machine set to Asia/Bangkok every date a
    // raw query reads would be seven hours early (PostgreSQL's adapter adds
    // "+00:00"). The columns hold UTC and the bot writes Thai time itself
    // (src/thai/format.ts), so a process on the embedded database keeps UTC.
    process.env.TZ = "UTC";
    let dataDir = "memory://";
    if (target.kind === "pglite") {
      dataDir = path.resolve(target.dataDir, "pglite");
      await mkdir(dataDir, { recursive: true });
    }
    const loadDataDir = target.kind === "pglite-memory" ? target.loadDataDir : undefined;
    const startParams = pgliteStartParams(target.sharedBuffers);
    let session: PGliteSession;
    if (target.thread ?? true) {
      const thread = await PGliteThread.open({ dataDir, loadDataDir, startParams });
      session = thread;
      closeDriver = () => thread.close();
    } else {
      const raw = await PGlite.create(dataDir, { ...(loadDataDir ? { loadDataDir } : {}), startParams });
      session = yieldingPGlite(raw);
      closeDriver = () => raw.close();
    }
    // The adapter is typed against an older @prisma/driver-adapter-utils and
    // against PGlite itself; the runtime contract is the same, and a
    // PGliteThread has the part of PGlite it uses (checked by every database
    // test, and by test/db/pglite-thread.test.ts against in-process PGlite).
    const adapter = new PrismaPGlite(joinableSession(session) as PGlite) as unknown as PrismaPg;
    prisma = new PrismaClient({ adapter });
    sql = pgliteDriver(session);
    // In the thread too: a transaction waiting in PGlite's own queue would
    // count against Prisma's maxWait (the adapter starts one only once BEGIN
    // ran) and stand, with every one behind it, before each webhook insert.
    transactionSlot = serialQueue();
    driverTx = (work) => session.transaction((tx) => work({ runner: pgliteRunner(tx), join: { pglite: tx } }));
  }

  let migrations: Migration[] | undefined;
  const onDisk = async () => (migrations ??= await readMigrations());

  const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };
  const driverTransaction: Database["driverTransaction"] = (work, options) => {
    const txOptions = options?.timeoutMs === undefined ? TX_OPTIONS : { ...TX_OPTIONS, timeout: options.timeoutMs };
    const run = () =>
      driverTx(async ({ runner, join }) => {
        const deadline = Date.now() + txOptions.timeout;
        const check = () => {
          if (Date.now() > deadline) throw new TransactionTimedOut();
        };
        const timed: SqlRunner = {
          exec: async (script) => {
            check();
            return runner.exec(script);
          },
          query: async (text, params) => {
            check();
            return runner.query(text, params);
          },
          raw: async (text, params) => {
            check();
            return runner.raw(text, params);
          },
        };
        return withJoiningPrisma(prisma, join, txOptions, rawOnDriver(timed.raw), (tx) => work(timed, tx));
      });
    return transactionSlot ? transactionSlot(run) : run();
  };
  let closed = false;
  return {
    kind: target.kind === "postgres" ? "postgres" : "pglite",
    prisma,
    sql,
    // Every transaction runs on the driver: the domain's raw SQL goes there
    // directly, and Prisma joins the connection only for model calls.
    transaction: (work, options) => driverTransaction((_sql, tx) => work(tx), options),
    driverTransaction,
    migrate: async () => migrate(sql, await onDisk()),
    isReady: async () => isMigrated(sql, await onDisk()),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}

const ignoreError = () => undefined;

/** A driver transaction ran past its timeout: its next statement fails, and it is rolled back. */
export class TransactionTimedOut extends Error {
  constructor() {
    super("transaction timed out");
    this.name = "TransactionTimedOut";
  }
}

/** Next turn of the event loop: pending I/O (HTTP requests) runs first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * In-process, PGlite runs PostgreSQL as WebAssembly on the main thread, and
 * its queries complete without real I/O, so a chain of them never lets the
 * HTTP server read a request. Each statement first yields one turn of the
 * event loop. (In its thread, each answer arrives as a message: a turn.)
 */
function yieldingPGlite(db: PGlite): PGlite {
  type Q = Pick<PGlite, "query" | "exec">;
  const wrap = <T extends Q>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (prop === "query" || prop === "exec") {
          return async (...args: unknown[]) => {
            await nextTurn();
            return (value as (...a: unknown[]) => unknown).apply(obj, args);
          };
        }
        if (prop === "transaction") {
          return (callback: (tx: Q) => Promise<unknown>) => (value as PGlite["transaction"]).call(obj, (tx) => callback(wrap(tx)) as never);
        }
        return typeof value === "function" ? value.bind(obj) : value;
      },
    });
  return wrap(db);
}

/** Runs work one at a time, in arrival order, yielding between them. */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.then(nextTurn, nextTurn);
    return result;
  };
}
