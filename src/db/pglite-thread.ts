// PGlite in a worker thread, seen from the main thread: the part of PGlite's
// API the Prisma adapter (pglite-prisma-adapter: query with rowMode "array"
// and its parsers, exec, transaction with tx.query / tx.rollback) and our SQL
// driver (src/db/driver.ts) use, so both take a PGliteThread where they took
// a PGlite. The database runs in src/db/pglite-worker.js, on the second core:
// in-process it took ~58% of the event loop at saturation (docs/performance.md
// §6), time every acknowledgement and turn waited behind.
//
// What stays as in-process PGlite, because PGlite's own code does it in the
// worker: one session (its mutex queues a statement behind an open
// transaction, in arrival order), BEGIN / COMMIT / ROLLBACK and the
// aborted-COMMIT check, parameter serialisation by the types PostgreSQL
// describes. What this side does: parsing the values (a caller's parsers are
// functions, which cannot cross), in PGlite's order (the caller's parsers over
// PGlite's defaults, array types included); errors rebuilt as PGlite's
// `messages.DatabaseError` with every field (the adapter maps them with
// instanceof; our code reads `code`).
//
// No mutex here: statements queue in the worker, so it starts the next one as
// soon as the last ends, without waiting for this thread to pick up the answer.
//
// Which databases use it (src/db/database.ts): the shipped on-disk PGlite
// (DATA_DIR), and the in-memory ones too (the tests' template copies, the
// benches), so the tests run the path that ships; PGLITE_THREAD=0 (or
// `thread: false`) keeps PGlite in-process, for before/after measurements.
//
// If the worker dies (a crash in PostgreSQL, out of memory), every call
// waiting on it and every later call rejects with the reason, so /healthz
// answers 503 instead of hanging.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { messages, type QueryOptions, type Results, TransactionAbortedError, types } from "@electric-sql/pglite";
import type { CrossingValue, FromWorker, RawResults, SerializedError, ToWorker, WorkerInit } from "./pglite-protocol.ts";
import { pgliteStartParams } from "./pglite-settings.ts";

type Parsers = Record<number | string, types.Parser>;
type Call = ToWorker extends infer M ? (M extends ToWorker ? Omit<M, "id"> : never) : never;

/** The statements of one transaction (PGlite's `Transaction`, without `sql` and `listen`). */
export interface ThreadTransaction {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

export interface PGliteThreadOptions {
  /** A path, or memory:// (PGlite's dataDir). */
  dataDir: string;
  /** A dump of a data directory to start from (PGlite's loadDataDir). */
  loadDataDir?: Blob;
  /** PostgreSQL's start arguments; pglite-settings.ts's defaults without. */
  startParams?: string[];
}

const require = createRequire(import.meta.url);
// JavaScript, so the same file runs from the sources and from dist/ (the build copies it).
const WORKER_ENTRY = new URL("./pglite-worker.js", import.meta.url);

// (The project's lib has no WebAssembly types.)
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } };
let compiled: Promise<object> | undefined;
/** PostgreSQL's WebAssembly, compiled once for every worker of the process (each would otherwise compile its own). */
function pgliteWasm(): Promise<object> {
  compiled ??= readFile(path.join(path.dirname(require.resolve("@electric-sql/pglite")), "pglite.wasm")).then((bytes) =>
    wasm.compile(bytes),
  );
  return compiled;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class PGliteThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextTx = 1;
  private dead: Error | null = null;
  private closing: Promise<void> | null = null;
  private readonly parsed = new WeakMap<object, Parsers>();

  private constructor(
    private readonly worker: Worker,
    private readonly parsers: Parsers,
  ) {
    worker.on("message", (m: FromWorker) => this.receive(m));
    worker.on("error", (error) => {
      this.dead ??= new Error(`The database thread failed: ${error.message}`, { cause: error });
    });
    worker.on("exit", (code) => {
      this.dead ??= new Error(this.closing ? "PGlite is closed" : `The database thread exited (code ${code})`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    });
  }

  static async open(options: PGliteThreadOptions): Promise<PGliteThread> {
    const loadDataDir = options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined;
    const init: WorkerInit = {
      dataDir: options.dataDir,
      loadDataDir,
      wasmModule: await pgliteWasm(),
      startParams: options.startParams ?? pgliteStartParams(),
    };
    const worker = new Worker(WORKER_ENTRY, {
      workerData: init,
      transferList: loadDataDir ? [loadDataDir] : [],
    });
    const started = await new Promise<FromWorker>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`The database thread exited while opening (code ${code})`));
      worker.once("error", reject);
      worker.once("exit", onExit);
      worker.once("message", (m: FromWorker) => {
        worker.off("error", reject);
        worker.off("exit", onExit);
        resolve(m);
      });
    });
    if (started.type !== "ready") {
      await worker.terminate();
      throw started.type === "failed" ? rebuildError(started.error) : new Error("The database thread did not start");
    }
    // PGlite's own parsers, with one for each array type of the database
    // (as BasePGlite._initArrayTypes makes them).
    const parsers: Parsers = { ...types.parsers };
    for (const [oid, typarray] of started.arrayTypes) {
      parsers[typarray] = (x: string) => types.arrayParser(x, parsers[oid]!, typarray);
    }
    const thread = new PGliteThread(worker, parsers);
    worker.unref();
    return thread;
  }

  get closed(): boolean {
    return this.closing !== null || this.dead !== null;
  }

  query<T>(sql: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return this.runQuery<T>(sql, params, options, undefined);
  }

  exec(sql: string, options?: QueryOptions): Promise<Results[]> {
    return this.runExec(sql, options, undefined);
  }

  /**
   * PGlite's transaction(): BEGIN, the callback's statements, COMMIT; ROLLBACK
   * (and the callback's error) if it throws. The session is the
   * transaction's until then.
   */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const id = this.nextTx++;
    await this.call({ op: "begin", tx: id });
    let closed = false;
    const open = () => {
      if (closed) throw new Error("Transaction is closed");
    };
    const tx: ThreadTransaction = {
      query: async <R>(sql: string, params: unknown[] = [], options?: QueryOptions) => {
        open();
        return this.runQuery<R>(sql, params, options, id);
      },
      exec: async (sql: string, options?: QueryOptions) => {
        open();
        return this.runExec(sql, options, id);
      },
      rollback: async () => {
        open();
        await this.call({ op: "rollback", tx: id });
        closed = true;
      },
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      closed = true;
      await this.call({ op: "end", tx: id, commit: false });
      throw error;
    }
    closed = true;
    await this.call({ op: "end", tx: id, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.dead) return;
    this.closing = (async () => {
      try {
        await this.call({ op: "close" }, true);
      } finally {
        await this.worker.terminate();
      }
    })();
    return this.closing;
  }

  /** Ends the thread at once, the database not closed: what a crash does (for the tests). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private async runQuery<T>(
    sql: string,
    params: unknown[],
    options: QueryOptions | undefined,
    tx: number | undefined,
  ): Promise<Results<T>> {
    unsupported(options);
    try {
      const raw = (await this.call({ op: "query", sql, params: params.map(crossing), tx })) as RawResults;
      return present(raw, this.parsersFor(options), options?.rowMode) as Results<T>;
    } catch (error) {
      throw withQuery(error, sql, params, options);
    }
  }

  private async runExec(sql: string, options: QueryOptions | undefined, tx: number | undefined): Promise<Results[]> {
    unsupported(options);
    try {
      const raw = (await this.call({ op: "exec", sql, tx })) as RawResults[];
      const parsers = this.parsersFor(options);
      return raw.map((r) => present(r, parsers, options?.rowMode));
    } catch (error) {
      throw withQuery(error, sql, undefined, options);
    }
  }

  /** The caller's parsers over PGlite's, as PGlite merges them per query (kept per parsers object: the adapter passes the same one each time). */
  private parsersFor(options: QueryOptions | undefined): Parsers {
    const own = options?.parsers;
    if (!own) return this.parsers;
    let merged = this.parsed.get(own);
    if (!merged) {
      merged = { ...this.parsers, ...own };
      this.parsed.set(own, merged);
    }
    return merged;
  }

  private call(message: Call, closing = false): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.closing && !closing) return Promise.reject(new Error("PGlite is closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as ToWorker);
    });
  }

  private receive(m: FromWorker): void {
    if (m.type !== "result" && m.type !== "error") return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    // Idle, the worker does not keep the process alive (as in-process PGlite would not).
    if (this.pending.size === 0) this.worker.unref();
    if (m.type === "result") p.resolve(m.result);
    else p.reject(rebuildError(m.error));
  }
}

function unsupported(options: QueryOptions | undefined): void {
  if (options && (options.serializers || options.blob || options.onNotice || options.paramTypes)) {
    throw new TypeError("PGliteThread: only the rowMode and parsers query options cross to the database thread");
  }
}

/** Rows as PGlite's parseResults builds them, from the worker's text. */
function present(raw: RawResults, parsers: Parsers, rowMode: QueryOptions["rowMode"]): Results {
  const { fields } = raw;
  const rows =
    rowMode === "array"
      ? raw.rows.map((row) => row.map((value, i) => types.parseType(value, fields[i]!.dataTypeID, parsers)))
      : raw.rows.map((row) => {
          const object: Record<string, unknown> = {};
          for (let i = 0; i < row.length; i++) object[fields[i]!.name] = types.parseType(row[i]!, fields[i]!.dataTypeID, parsers);
          return object;
        });
  return { ...raw, rows } as Results;
}

const jsonSerializer = types.serializers[types.JSONB]!;

/** What structured clone carries so that PGlite's serializers see no difference. */
function crossesAsIs(value: unknown): boolean {
  if (value === null || typeof value !== "object") return typeof value !== "function" && typeof value !== "symbol";
  if (value instanceof Date || ArrayBuffer.isView(value)) return true;
  return Array.isArray(value) && value.every(crossesAsIs);
}

/**
 * A parameter as it must cross: as it is if structured clone carries it
 * unchanged (primitives, Dates, byte arrays, arrays of those), otherwise
 * serialised here every way PGlite could serialise it (see CrossingValue).
 */
function crossing(value: unknown): unknown {
  if (crossesAsIs(value)) return value;
  const attempt = (f: () => string): string | { error: string } => {
    try {
      return f();
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const crossed: CrossingValue = {
    __pgliteThread: true,
    json: attempt(() => jsonSerializer(value)),
    text: attempt(() => (value as { toString(): string }).toString()),
  };
  if (Array.isArray(value)) crossed.items = value.map(crossing);
  return crossed;
}

function rebuildError(e: SerializedError): Error {
  if (!e.database) {
    const error = new Error(e.message);
    error.name = e.name;
    if (e.stack) error.stack = e.stack;
    return error;
  }
  const error = e.aborted ? new TransactionAbortedError() : new messages.DatabaseError(e.message, e.length, e.name as messages.MessageName);
  Object.assign(error, e.fields);
  return error;
}

/** PGlite's makePGliteError: a database error carries its statement. */
function withQuery(error: unknown, query: string, params: unknown[] | undefined, options: QueryOptions | undefined): unknown {
  if (error instanceof messages.DatabaseError) Object.assign(error, { query, params, queryOptions: options });
  return error;
}
