// How the embedded PostgreSQL starts: PGlite's own arguments (single-user
// mode, no parallel workers, …) and the memory it may keep.
import { PGlite } from "@electric-sql/pglite";
import { PGLITE_SHARED_BUFFERS_DEFAULT } from "../config.ts";

/**
 * The page cache is the embedded database's biggest fixed cost: PostgreSQL
 * touches all of shared_buffers at start, so 128MB (its default) is ~120 MB
 * of resident memory before the bot reads a row (measured: an existing data
 * directory opens at 289 MB RSS with 128MB, 166 MB with 16MB). On disk, a
 * page it does not hold is one read from the OS's file cache away.
 */
export function pgliteStartParams(sharedBuffers = PGLITE_SHARED_BUFFERS_DEFAULT): string[] {
  return [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffers}`];
}
