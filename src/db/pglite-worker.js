// The embedded database's own thread: PGlite (PostgreSQL compiled to
// WebAssembly) runs here, so its CPU is the second core's and not the event
// loop's (acknowledgements, turns). src/db/pglite-thread.ts starts this file
// and is the only thing that talks to it; the messages are typed in
// src/db/pglite-protocol.ts.
//
// JavaScript, not TypeScript: Node 20 does not apply `--import tsx` to a
// worker's entry, so a .ts worker could not start from the sources
// (`node --import tsx src/main.ts`, vitest). The build copies this file to
// dist/db/ as it is.
//
// Everything PGlite does runs here unchanged: its session, its mutexes (one
// statement at a time, a transaction holding the session until it ends), its
// transaction code (BEGIN, COMMIT, ROLLBACK on error, the aborted-COMMIT
// check), its serializers (by the parameter types PostgreSQL describes). Only
// the parsing of result values is left to the main thread, because a
// caller's parsers are functions and functions cannot cross threads: every
// value leaves as PostgreSQL's text.
import { parentPort, workerData } from "node:worker_threads";
import { messages, PGlite, TransactionAbortedError, types } from "@electric-sql/pglite";

/** @typedef {import("./pglite-protocol.ts").WorkerInit} WorkerInit */
/** @typedef {import("./pglite-protocol.ts").ToWorker} ToWorker */
/** @typedef {import("./pglite-protocol.ts").FromWorker} FromWorker */
/** @typedef {import("./pglite-protocol.ts").RawResults} RawResults */
/** @typedef {import("./pglite-protocol.ts").SerializedError} SerializedError */
/** @typedef {import("./pglite-protocol.ts").CrossingValue} CrossingValue */

if (!parentPort) throw new Error("pglite-worker.js runs as a worker thread (started by pglite-thread.ts)");
const port = parentPort;
/** @type {WorkerInit} */
const init = workerData;

/** @param {FromWorker} message */
const post = (message) => port.postMessage(message);

/** The array types and their element types, as PGlite reads them at start (BasePGlite._initArrayTypes). */
const ARRAY_TYPES_SQL = `
  SELECT b.oid, b.typarray
  FROM pg_catalog.pg_type a
  LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem
  WHERE a.typcategory = 'A'
  GROUP BY b.oid, b.typarray
  ORDER BY b.oid`;

/** Text in, text out: PGlite looks a parser up by type OID in this object. */
const rawParsers = new Proxy({}, { get: () => (/** @type {string} */ x) => x });

const JSON_TYPES = new Set([String(types.JSON), String(types.JSONB)]);

/** @returns {x is CrossingValue} */
const isCrossing = (/** @type {unknown} */ x) => typeof x === "object" && x !== null && /** @type {any} */ (x).__pgliteThread === true;

/** @param {string | { error: string }} as */
function pick(as) {
  if (typeof as === "string") return as;
  throw new Error(as.error);
}

/**
 * PGlite's serializers, taking a value the main thread serialised itself
 * (CrossingValue) as what it stands for, the way PGlite picks: JSON for
 * json/jsonb, element by element for an array type, `toString()` otherwise.
 * Without a serializer for the type, PGlite calls `toString()`; so does this.
 * @param {Record<string, (x: any) => string>} own
 * @param {ReadonlySet<string>} arrayTypes
 */
function crossingSerializers(own, arrayTypes) {
  return new Proxy(own, {
    get(target, key) {
      const serialize = typeof key === "string" ? target[key] : undefined;
      return (/** @type {any} */ x) => {
        if (isCrossing(x)) {
          if (JSON_TYPES.has(/** @type {string} */ (key))) return pick(x.json);
          if (x.items && serialize && arrayTypes.has(/** @type {string} */ (key))) return serialize(x.items);
          return pick(x.text);
        }
        return serialize ? serialize(x) : x.toString();
      };
    },
  });
}

/**
 * @param {import("@electric-sql/pglite").Results} results
 * @returns {RawResults}
 */
function rawResults(results) {
  /** @type {RawResults} */
  const out = {
    rows: /** @type {any} */ (results.rows),
    fields: results.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    affectedRows: results.affectedRows,
  };
  if (results.command !== undefined) out.command = results.command;
  if (results.rowCount !== undefined) out.rowCount = results.rowCount;
  return out;
}

const ERROR_FIELDS = /** @type {const} */ ([
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
]);

/**
 * @param {unknown} error
 * @returns {SerializedError}
 */
function serializeError(error) {
  if (error instanceof messages.DatabaseError) {
    /** @type {Record<string, string>} */
    const fields = {};
    for (const f of ERROR_FIELDS) {
      const v = error[f];
      if (v !== undefined) fields[f] = v;
    }
    return {
      database: true,
      aborted: error instanceof TransactionAbortedError,
      message: error.message,
      length: error.length,
      name: error.name,
      fields,
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { database: false, message: e.message, name: e.name, stack: e.stack };
}

/** Rejects a transaction's callback in PGlite: its path for a callback that threw (ROLLBACK). */
const CALLBACK_FAILED = Symbol("callback failed");

async function main() {
  /** @type {PGlite} */
  let db;
  try {
    db = await PGlite.create(init.dataDir, {
      ...(init.loadDataDir ? { loadDataDir: new Blob([init.loadDataDir]) } : {}),
      ...(init.wasmModule ? { pgliteWasmModule: /** @type {any} */ (init.wasmModule) } : {}),
      startParams: init.startParams,
    });
  } catch (error) {
    post({ type: "failed", error: serializeError(error) });
    return;
  }
  const arrayTypes = /** @type {[number, number][]} */ ((await db.query(ARRAY_TYPES_SQL, [], { rowMode: "array" })).rows);
  db.parsers = rawParsers;
  db.serializers = crossingSerializers(db.serializers, new Set(arrayTypes.map(([, typarray]) => String(typarray))));

  /**
   * Open transactions by the main thread's number: PGlite's tx object, how
   * to end the callback PGlite is waiting on, and PGlite's transaction()
   * itself (settles once COMMIT or ROLLBACK ran).
   * @type {Map<number, { tx: import("@electric-sql/pglite").Transaction, finish: (commit: boolean) => void, done: Promise<unknown> }>}
   */
  const transactions = new Map();
  /** @param {number} id */
  const open = (id) => {
    const t = transactions.get(id);
    if (!t) throw new Error("Transaction is closed");
    return t;
  };
  /** @param {number | undefined} id */
  const session = (id) => (id === undefined ? db : open(id).tx);

  /** @param {ToWorker} m */
  const handle = async (m) => {
    switch (m.op) {
      case "query":
        return rawResults(await session(m.tx).query(m.sql, m.params, { rowMode: "array" }));
      case "exec":
        return (await session(m.tx).exec(m.sql, { rowMode: "array" })).map(rawResults);
      case "begin":
        return await new Promise((begun, failed) => {
          const done = db.transaction(
            (tx) =>
              new Promise((resolve, reject) => {
                transactions.set(m.tx, { tx, finish: (commit) => (commit ? resolve(undefined) : reject(CALLBACK_FAILED)), done });
                begun(undefined);
              }),
          );
          // Before the callback ran, a failure is BEGIN's; after it, end's.
          done.catch((error) => {
            if (!transactions.has(m.tx)) failed(error);
          });
        });
      case "rollback":
        return await open(m.tx).tx.rollback();
      case "end": {
        const t = open(m.tx);
        t.finish(m.commit);
        try {
          await t.done;
        } catch (error) {
          if (error !== CALLBACK_FAILED) throw error;
        } finally {
          transactions.delete(m.tx);
        }
        return undefined;
      }
      case "close":
        await db.close();
        return undefined;
    }
  };

  port.on("message", (/** @type {ToWorker} */ m) => {
    handle(m).then(
      (result) => post({ type: "result", id: m.id, result }),
      (error) => post({ type: "error", id: m.id, error: serializeError(error) }),
    );
  });
  post({ type: "ready", arrayTypes });
}

void main();
