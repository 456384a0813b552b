// What src/db/pglite-thread.ts (the main thread) and src/db/pglite-worker.js
// (the database's thread) say to each other. Messages cross by structured
// clone: strings, numbers, bigints, Dates, byte arrays, plain objects and
// arrays arrive as they left; functions and class instances do not.

/** The worker's start: where the database lives, and the compiled PostgreSQL. */
export interface WorkerInit {
  /** PGlite's data directory: a path, or memory://. */
  dataDir: string;
  /** A dump of a data directory to start from (PGlite's loadDataDir), as bytes. */
  loadDataDir?: ArrayBuffer;
  /**
   * pglite.wasm compiled once per process: a WebAssembly.Module crosses to
   * every worker without being compiled again. (Typed loosely: the build's
   * lib has no WebAssembly types.)
   */
  wasmModule?: object;
  /** PostgreSQL's start arguments (pglite-settings.ts). */
  startParams: string[];
}

export type ToWorker =
  | { id: number; op: "query"; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: "exec"; sql: string; tx?: number }
  | { id: number; op: "begin"; tx: number }
  | { id: number; op: "rollback"; tx: number }
  | { id: number; op: "end"; tx: number; commit: boolean }
  | { id: number; op: "close" };

export type FromWorker =
  | { type: "ready"; arrayTypes: [number, number][] }
  | { type: "failed"; error: SerializedError }
  | { type: "result"; id: number; result: unknown }
  | { type: "error"; id: number; error: SerializedError };

/** A result set with every value as PostgreSQL's text (or null), rows as arrays. */
export interface RawResults {
  rows: (string | null)[][];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
  command?: string;
  rowCount?: number;
}

export type SerializedError =
  | {
      database: true;
      /** PGlite's TransactionAbortedError (COMMIT of an aborted transaction). */
      aborted: boolean;
      message: string;
      length: number;
      name: string;
      fields: Record<string, string>;
    }
  | { database: false; message: string; name: string; stack?: string };

/**
 * A parameter that would not survive the crossing (a class instance, a plain
 * object meant as JSON, an array holding one), serialised on the main thread
 * every way PGlite's own serializers could take it: as JSON (json/jsonb
 * parameters), element by element (array types: `items`, each crossing in
 * turn), by its `toString()` (every other type). The worker picks by the
 * parameter's type, as PGlite picks the serializer.
 */
export interface CrossingValue {
  __pgliteThread: true;
  json: string | { error: string };
  text: string | { error: string };
  items?: unknown[];
}
