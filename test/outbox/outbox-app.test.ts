// The outbox in the whole app: a message exists only if the change that
// queued it committed, and the app's background jobs send it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueuePush } from "../../src/outbox/outbox.ts";
import { STORE_DATABASES } from "../support/database.ts";
import { Harness, textOf } from "../support/harness.ts";

const uid = (n: number) => `U${n.toString(16).padStart(32, "0")}`;
const ADMIN = uid(0xad);

describe.each(STORE_DATABASES)("outbox in the app on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({
      kind,
      geography: false,
      env: { PUSH_QUOTA_MONTHLY: "3", PUSH_QUOTA_WARN_PERCENT: "50", ADMIN_LINE_USER_IDS: ADMIN },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const pushes = () => h.line.calls.filter((c) => c.kind === "push");

  it("never sends a message queued in a transaction that rolled back; sends the committed one", async () => {
    const now = h.clock.now;
    await expect(
      h.db.transaction(async (tx) => {
        await enqueuePush(tx, uid(1), [{ type: "text", text: "rolled back" }], { purpose: "test", now });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await h.db.transaction((tx) => enqueuePush(tx, uid(2), [{ type: "text", text: "committed" }], { purpose: "test", now }));
    await h.runJobs();
    expect(pushes().map((c) => (c.kind === "push" ? [c.to, textOf(c.messages)] : []))).toEqual([[uid(2), "committed"]]);
    expect(await h.db.prisma.outboxMessage.count()).toBe(1);
  });

  it("warns the admins named in the configuration when the month's quota passes the threshold", async () => {
    // 1 sent above; this one makes 2 of 3, past 50%.
    await h.db.transaction((tx) => enqueuePush(tx, uid(3), [{ type: "text", text: "x" }], { purpose: "test", now: h.clock.now }));
    await h.runJobs();
    const toAdmin = pushes().filter((c) => c.kind === "push" && c.to === ADMIN);
    expect(toAdmin).toHaveLength(1);
    expect(textOf(toAdmin[0]!.messages)).toMatch(/โควตาข้อความ LINE/);
  });
});
