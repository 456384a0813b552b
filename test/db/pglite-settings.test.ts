// The embedded database starts with the page cache the configuration names,
// in its worker thread and on the event loop's thread alike (a setting only
// one of the two paths passed on would leave production at PostgreSQL's
// 128MB).
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type Database, openDatabase } from "../../src/db/database.ts";

describe("PGlite's shared_buffers", () => {
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  const shown = async (d: Database) => (await d.sql.query<{ shared_buffers: string }>("SHOW shared_buffers"))[0]?.shared_buffers;

  it.each([true, false])("is 32MB by default (thread: %s)", async (thread) => {
    const { sharedBuffers } = loadConfig({}).database as { sharedBuffers?: string };
    db = await openDatabase({ kind: "pglite-memory", thread, sharedBuffers });
    expect(await shown(db)).toBe("32MB");
  });

  it.each([true, false])("follows PGLITE_SHARED_BUFFERS (thread: %s)", async (thread) => {
    const { sharedBuffers } = loadConfig({ PGLITE_SHARED_BUFFERS: "48MB" }).database as { sharedBuffers?: string };
    db = await openDatabase({ kind: "pglite-memory", thread, sharedBuffers });
    expect(await shown(db)).toBe("48MB");
  });
});
