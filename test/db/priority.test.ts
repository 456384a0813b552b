// On the embedded database the jobs' work yields to the turns' (src/db/
// priority.ts): a job's transaction waiting with a turn's goes after it, a
// job's statement waits while a turn's transaction is open, and neither
// waits for ever under a steady load. On PostgreSQL nothing is held.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asBackground, ForegroundGate, inBackground } from "../../src/db/priority.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("ForegroundGate", () => {
  it("lets foreground work in at once and holds background work until the foreground is done", async () => {
    const gate = new ForegroundGate();
    const order: string[] = [];
    const leave = await gate.admit();
    const held = asBackground(async () => {
      const done = await gate.admit();
      order.push("background");
      done();
    });
    const second = await gate.admit(); // foreground: not held by anything
    order.push("foreground");
    second();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["foreground"]);
    leave();
    await held;
    expect(order).toEqual(["foreground", "background"]);
  });

  it("lets at most maxPassed foreground items go first, so a steady foreground never starves the background", async () => {
    const gate = new ForegroundGate(3);
    const steady = gate.enter(); // stays in progress throughout
    let released = false;
    const held = asBackground(() => gate.clear()).then(() => {
      released = true;
    });
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      expect(released).toBe(false);
      gate.enter()();
    }
    await held;
    expect(released).toBe(true);
    steady();
  });
});

describe("the embedded database", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("runs a turn's transaction before a job's that was waiting with it, each in its own lane", async () => {
    const hold = deferred();
    const order: string[] = [];
    // A job's transaction first: the turn's starts when it ends, and must still run as foreground.
    const first = asBackground(() =>
      db.transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await hold.promise;
        order.push("first");
      }),
    );
    // Queued behind the first: the job's, then the turn's.
    const job = asBackground(() =>
      db.transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        order.push("job");
      }),
    );
    const turn = db.transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      order.push(inBackground() ? "turn in the background lane" : "turn");
    });
    hold.resolve();
    await Promise.all([first, job, turn]);
    expect(order).toEqual(["first", "turn", "job"]);
  });

  it("holds a job's statement while a transaction is open: a webhook's statement sent after it goes first", async () => {
    const started = deferred();
    const hold = deferred();
    const order: string[] = [];
    const turn = db.sql.transaction(async (tx) => {
      await tx.query("SELECT 1");
      started.resolve();
      await hold.promise;
    });
    await started.promise;
    // Without the gate the job's statement would reach the database thread first and run first.
    const job = asBackground(() => db.sql.query("SELECT 'job'")).then(() => order.push("job"));
    const webhook = db.sql.query("SELECT 'webhook'").then(() => order.push("webhook"));
    hold.resolve();
    await Promise.all([turn, job, webhook]);
    expect(order).toEqual(["webhook", "job"]);
  });
});
