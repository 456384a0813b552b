// A flood situation's safety check-in, sent by the bot as it ships (`node
// dist/main.js`), killed with SIGKILL in the middle of the send and started
// again on the same database: every member of the area gets the check-in
// exactly once (no LINE user id in two accepted multicasts), nobody outside
// the area and no staff member gets it.
//
// 6,000 members in the area: two batches of the check-in job (5,000 + 1,000,
// twelve multicast chunks). LINE takes the first three chunks, takes the
// fourth without answering, and leaves the rest hanging; the process is
// killed there. Restarted with LINE answering: the chunk taken without an
// answer is offered again under its retry key (LINE's 409: already taken),
// the others go once each. Seeded straight into the database (members, the
// situation), as a coordinator's declaration would leave it.
// On PostgreSQL and on the embedded database on disk.
import { afterAll, describe, expect, it } from "vitest";
import { isCheckIn, seedFloodArea } from "../support/checkin-seed.ts";
import { ACCEPT, waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedDatabase } from "../support/shipped.ts";

const IN_AREA = 6_000;
const OUTSIDE = 50;

describe.each([["PostgreSQL", "postgres"] as const, ["PGlite on disk", "pglite"] as const])(
  "SIGKILL mid check-in on %s",
  (_name, db: ShippedDatabase) => {
    let bot: ShippedBot | undefined;
    afterAll(async () => bot?.stop());

    it("sends every member of the area the check-in exactly once after a SIGKILL mid-send and a restart", async () => {
      bot = await ShippedBot.start({ db });
      const { line } = bot;
      // Seeded while no process runs (PGlite on disk allows one).
      expect(await bot.kill("SIGTERM")).toBe(0);
      const inArea = Array.from({ length: IN_AREA }, (_, i) => lineUserId(0x100000 + i));
      const outside = Array.from({ length: OUTSIDE }, (_, i) => lineUserId(0x900000 + i));
      const staff = lineUserId(0x5ec);
      await bot.withDb((database) =>
        seedFloodArea(database, {
          inArea,
          outside,
          staff: [{ id: staff, member: true, grant: (council) => ({ role: "SECRETARY", level: "COUNCIL", areaId: council }) }],
        }),
      );

      // LINE takes three chunks, takes the fourth without answering, and leaves the rest hanging.
      let arrived = 0;
      line.policy = (r) => {
        if (r.kind !== "multicast") return { kind: "accept" };
        arrived += 1;
        return arrived <= 3 ? { kind: "accept" } : arrived === 4 ? { kind: "accept-then-hang" } : { kind: "hang" };
      };
      await bot.restart();
      const checkIns = () => line.requests.filter(isCheckIn);
      await waitUntil(() => checkIns().length >= 5 && checkIns().some((r) => r.accepted && r.outcome === "hung"), {
        what: "LINE took some check-in chunks and the bot is waiting on others",
      });
      expect(await bot.kill("SIGKILL")).toBe(-1);
      const atKill = checkIns().filter((r) => r.accepted).length;

      await bot.withDb(async (database) => {
        const pending = await database.prisma.outboxMessage.count({ where: { purpose: "situation.checkin", status: "PENDING" } });
        expect(pending).toBeGreaterThan(0);
      });

      line.policy = ACCEPT;
      await bot.restart();
      const accepted = () => checkIns().filter((r) => r.accepted);
      const covered = () => new Set(accepted().flatMap((r) => r.to));
      // Done when every member is in an accepted chunk, and each chunk LINE took without answering was offered again (409).
      const settled = () =>
        checkIns()
          .filter((r) => r.accepted && r.outcome === "hung")
          .every((taken) => checkIns().some((r) => r.seq > taken.seq && r.retryKey === taken.retryKey && r.outcome === 409));
      await waitUntil(() => covered().size >= IN_AREA && settled(), { what: "every member's check-in accepted by LINE" });
      // Anything sent twice would follow within moments.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(await bot.kill("SIGTERM")).toBe(0);

      const perMember = new Map<string, number>();
      for (const r of accepted()) {
        expect(r.to.length).toBeLessThanOrEqual(500);
        for (const to of r.to) perMember.set(to, (perMember.get(to) ?? 0) + 1);
      }
      expect([...perMember.values()].filter((n) => n !== 1)).toEqual([]);
      expect(inArea.filter((id) => !perMember.has(id))).toEqual([]);
      expect([...outside, staff].filter((id) => perMember.has(id))).toEqual([]);
      // No id in two chunks, whatever LINE answered: each retry key carries its own recipients.
      const byKey = new Map<string, string[]>();
      for (const r of checkIns()) byKey.set(r.retryKey!, r.to);
      expect([...byKey.values()].flat()).toHaveLength(IN_AREA);
      expect(checkIns().some((r) => r.outcome === 409)).toBe(true);
      console.log(
        `check-in SIGKILL (${_name}): ${atKill} chunks accepted at the kill, ${accepted().length} in all, ${byKey.size} chunks, ` +
          `${checkIns().filter((r) => r.outcome === 409).length} retried and refused as already taken`,
      );

      await bot.withDb(async (database) => {
        const p = database.prisma;
        expect(await p.safetyCheckIn.count()).toBe(IN_AREA);
        const chunks = await p.outboxMessage.findMany({
          where: { purpose: "situation.checkin" },
          select: { status: true, retryKey: true },
        });
        expect(chunks).toHaveLength(Math.ceil(IN_AREA / 500));
        expect(chunks.filter((c) => c.status !== "SENT")).toEqual([]);
        expect(new Set(accepted().map((r) => r.retryKey))).toEqual(new Set(chunks.map((c) => c.retryKey)));
      });
    });
  },
);
