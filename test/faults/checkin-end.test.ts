// A flood situation ended by its coordinator in the middle of the check-in's
// send, with the bot as it ships (`node dist/main.js`, configured by the
// environment only): the chunks not yet on their way to LINE are cancelled
// and never sent, the one in flight may still go, nobody gets the check-in
// twice, and the flood-first menu is taken back from everyone it was linked to.
//
// 3,000 members in Kantharalak (six multicast chunks of 500), a district
// coordinator with a seeded role and the situation seeded as their
// declaration leaves it. LINE (the fake on loopback) takes the first two
// chunks and answers 503 to the others while the flood-first menu is
// bulk-linked to the members; then it holds the next chunk the bot offers
// (no answer: the outbox worker's round waits on it) and still fails the
// rest. The coordinator ends the situation through signed webhooks, as a
// person taps it ("ยุติสถานการณ์" → "ยุติ 1" → "ยืนยันยุติ"), and LINE is
// released. The worker sends claimed chunks concurrently, so "in flight" is
// what it holds a lease on; the ones waiting for their retry are not.
// On PostgreSQL and on the embedded database on disk.
import { afterAll, describe, expect, it } from "vitest";
import { FLOOD_MENU } from "../../src/line/rich-menu/flood-menu.ts";
import { enqueuePush } from "../../src/outbox/outbox.ts";
import { isCheckIn, KANTHARALAK, seedFloodArea } from "../support/checkin-seed.ts";
import { ACCEPT, type Behaviour, waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedDatabase } from "../support/shipped.ts";

const IN_AREA = 3_000;
const OUTSIDE = 40;
const CHUNKS = IN_AREA / 500;
const TAKEN_FIRST = 2;
const FLOOD_MENU_ID = "richmenu-flood-first";
const MARKER = "ข้อความทดสอบหลังยุติสถานการณ์";

describe.each([["PostgreSQL", "postgres"] as const, ["PGlite on disk", "pglite"] as const])(
  "ending a situation mid check-in on %s",
  (name, db: ShippedDatabase) => {
    let bot: ShippedBot | undefined;
    afterAll(async () => bot?.stop());

    it("cancels the chunks not yet sent, sends nothing more, and unlinks the flood-first menu", async () => {
      bot = await ShippedBot.start({ db });
      const { line } = bot;
      line.richMenuAliases.set(FLOOD_MENU.alias, FLOOD_MENU_ID);
      // Seeded while no process runs (PGlite on disk allows one).
      expect(await bot.kill("SIGTERM")).toBe(0);
      const inArea = Array.from({ length: IN_AREA }, (_, i) => lineUserId(0x200000 + i));
      const outside = Array.from({ length: OUTSIDE }, (_, i) => lineUserId(0xa00000 + i));
      const coordinatorId = lineUserId(0xc0de);
      const situationId = await bot.withDb((database) =>
        seedFloodArea(database, {
          inArea,
          outside,
          staff: [{ id: coordinatorId, grant: { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK } }],
          declaredBy: coordinatorId,
        }),
      );

      // LINE takes the first two chunks and fails the rest (503) until the test says otherwise.
      let phase: "start" | "hold" | "released" = "start";
      let arrived = 0;
      let heldKey: string | undefined;
      const releases: ((b: Behaviour) => void)[] = [];
      line.policy = (r) => {
        if (r.kind !== "multicast" || phase === "released") return { kind: "accept" };
        arrived += 1;
        if (phase === "start") return arrived <= TAKEN_FIRST ? { kind: "accept" } : { kind: "status", status: 503 };
        // Held: the first chunk offered now (and its own retry, if the bot gives up on it and tries again).
        heldKey ??= r.retryKey;
        if (r.retryKey !== heldKey) return { kind: "status", status: 503 };
        return { kind: "hold", until: new Promise<Behaviour>((resolve) => releases.push(resolve)) };
      };
      await bot.restart();
      const checkIns = () => line.requests.filter(isCheckIn);
      const accepted = () => checkIns().filter((r) => r.accepted);
      const linked = () => new Set(line.bulkRichMenu.filter((b) => b.richMenuId === FLOOD_MENU_ID).flatMap((b) => b.userIds));
      await waitUntil(
        () =>
          accepted().length === TAKEN_FIRST &&
          checkIns().filter((r) => r.outcome === 503).length >= CHUNKS - TAKEN_FIRST &&
          linked().size === IN_AREA,
        { what: "two chunks taken, the others failed, the flood-first menu linked to every member of the area" },
      );
      const beforeHold = new Set(accepted().map((r) => r.retryKey));
      phase = "hold";
      // Offered again once its backoff is over (at the worker's next look: up to its 15 s idle look).
      await waitUntil(() => releases.length > 0, { what: "a check-in chunk held by LINE" });
      expect(accepted().length).toBe(TAKEN_FIRST);

      // The coordinator ends it, tap by tap.
      const coordinator = bot.user(coordinatorId);
      await coordinator.say("ยุติสถานการณ์");
      expect(coordinator.lastText()).toMatch(/สถานการณ์ที่ประกาศอยู่ในพื้นที่ของท่านค่ะ/);
      await coordinator.tap("ยุติ 1");
      expect(coordinator.lastText()).toMatch(/ยุติสถานการณ์น้ำท่วม .* ใช่ไหมคะ/);
      await coordinator.tap("ยืนยันยุติ");
      const ended = /ยุติสถานการณ์น้ำท่วม .* แล้วค่ะ(?: ยกเลิกข้อความถามความปลอดภัยที่ยังไม่ได้ส่ง ([\d,]+) คน)?/.exec(coordinator.lastText());
      expect(ended, coordinator.lastText()).not.toBeNull();
      const cancelledMembers = Number((ended![1] ?? "0").replace(/,/g, ""));
      const atEnd = checkIns().length;
      const notTaken = IN_AREA - 500 * TAKEN_FIRST;
      // Everything not taken is stopped, except at most the chunk in flight.
      expect([notTaken, notTaken - 500]).toContain(cancelledMembers);
      const linkedBeforeEnd = linked();
      const bulkAtEnd = line.bulkRichMenu.length;

      // LINE answers again; the held chunk is taken (unless the bot gave up on it and it was cancelled).
      phase = "released";
      line.policy = ACCEPT;
      for (const release of releases) release({ kind: "accept" });
      const heldSent = () => accepted().some((r) => r.retryKey === heldKey);
      const unlinked = () =>
        new Set(
          line.bulkRichMenu
            .slice(bulkAtEnd)
            .filter((b) => b.richMenuId === null)
            .flatMap((b) => b.userIds),
        );
      await waitUntil(() => (cancelledMembers === notTaken || heldSent()) && [...linkedBeforeEnd].every((id) => unlinked().has(id)), {
        what: "the chunk in flight settled and the flood-first menu unlinked",
      });

      // The worker's next look: a push queued after all this goes out, and no check-in with it.
      const marker = async () => {
        await bot!.withDb(async (database) => {
          await database.prisma.$transaction((tx) =>
            enqueuePush(tx, coordinatorId, [{ type: "text", text: MARKER }], { purpose: "test.marker", now: new Date() }),
          );
        });
      };
      const before = line.requests.length;
      if (db === "postgres") {
        await marker();
        // A turn wakes the outbox; nothing is left to end. (The marker push
        // may reach LINE before or after this reply: look for the reply.)
        const since = coordinator.accepted().length;
        await coordinator.say("ยุติสถานการณ์");
        await waitUntil(
          () =>
            coordinator
              .accepted()
              .slice(since)
              .some((r) => JSON.stringify(r.messages).includes("พื้นที่ใดได้รับผลกระทบ")),
          {
            what: "the coordinator told there is no situation left to end",
          },
        );
      } else {
        expect(await bot.kill("SIGTERM")).toBe(0);
        await marker();
        await bot.restart();
      }
      await waitUntil(() => line.requests.slice(before).some((r) => r.kind === "push" && r.accepted && r.to[0] === coordinatorId), {
        what: "the marker push sent by the outbox worker",
      });
      expect(await bot.kill("SIGTERM")).toBe(0);
      expect(line.requests.slice(before).filter(isCheckIn)).toEqual([]);
      expect(line.bulkRichMenu.slice(bulkAtEnd).filter((b) => b.richMenuId !== null)).toEqual([]);

      // Who got it: the chunks taken before the hold, and at most the one in flight; nobody twice.
      const sentKeys = new Set(accepted().map((r) => r.retryKey));
      expect([...sentKeys].filter((k) => !beforeHold.has(k) && k !== heldKey)).toEqual([]);
      expect(
        checkIns()
          .slice(atEnd)
          .every((r) => r.retryKey === heldKey),
      ).toBe(true);
      const perMember = new Map<string, number>();
      for (const r of accepted()) for (const to of r.to) perMember.set(to, (perMember.get(to) ?? 0) + 1);
      expect([...perMember.values()].filter((n) => n !== 1)).toEqual([]);
      expect([...perMember.keys()].filter((id) => !inArea.includes(id))).toEqual([]);
      expect(perMember.size).toBe(IN_AREA - cancelledMembers);
      expect(linkedBeforeEnd).toEqual(new Set(inArea));

      await bot.withDb(async (database) => {
        const p = database.prisma;
        const chunks = await p.outboxMessage.findMany({
          where: { purpose: "situation.checkin" },
          select: { status: true, retryKey: true, recipients: true, lastError: true },
        });
        expect(chunks).toHaveLength(CHUNKS);
        const sent = chunks.filter((c) => c.status === "SENT");
        expect(new Set(sent.map((c) => c.retryKey))).toEqual(sentKeys);
        expect(new Set(sent.flatMap((c) => c.recipients as string[]))).toEqual(new Set(perMember.keys()));
        const others = chunks.filter((c) => c.status !== "SENT");
        expect(others.map((c) => c.status)).toEqual(others.map(() => "CANCELLED"));
        for (const c of others) expect(c.lastError).toMatch(/situation ended/);
        expect(others.flatMap((c) => c.recipients as string[])).toHaveLength(cancelledMembers);
        // Check-in rows only for those who got it (the cancelled chunks' rows were removed).
        const rows = await p.safetyCheckIn.findMany({ where: { situationId }, select: { lineUserId: true } });
        expect(new Set(rows.map((r) => r.lineUserId))).toEqual(new Set(perMember.keys()));
        expect(await p.situation.findUniqueOrThrow({ where: { id: situationId } })).toMatchObject({
          status: "ENDED",
          endedBy: coordinatorId,
        });
        const changes = await p.situationChange.findMany({ where: { situationId }, orderBy: { id: "asc" } });
        expect(changes.map((c) => [c.action, c.by])).toEqual([
          ["DECLARED", coordinatorId],
          ["ENDED", coordinatorId],
        ]);
        expect(await p.richMenuLink.count({ where: { menu: FLOOD_MENU.alias } })).toBe(0);
        expect(await p.outboxMessage.count({ where: { purpose: "test.marker", status: "SENT" } })).toBe(1);
      });
      console.log(
        `check-in ended mid-send (${name}): ${TAKEN_FIRST} chunks taken before the end, ` +
          `${sentKeys.size - TAKEN_FIRST} in flight and sent after it, ${cancelledMembers} members' check-ins cancelled`,
      );
    });
  },
);
