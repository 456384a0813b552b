// Disaster mode in the demo (local mode only), from the time panel:
//
// - "จำลองน้ำท่วม": the district coordinator persona declares a flood over
//   ตำบลเมืองเหนือ (where the demo's signed-up villagers live) in one tap.
//   The same store function as the coordinator's declare flow
//   (situation-write.ts), under the same lock and checks (the role, the
//   area, no other active situation there), and the flow's own confirmation
//   pushed to the coordinator's chat with the buttons to the summary and to
//   the situation. From there everything is the bot's: the check-in job
//   queues the check-ins, the outbox sends them, the bulk link job gives the
//   villagers the flood-first menu.
// - "เลื่อนเวลาไป 3 ชั่วโมง": the active situations' clocks (declared, sent,
//   answered, reported, last summary) moved 3 hours back, which is the same
//   to every query as 3 hours passing; the jobs then run (the caller kicks
//   them): the secretaries' unanswered notice and the coordinators' periodic
//   summary with its chart fall due.
import type { Database } from "../db/database.ts";
import { SUMMARY_ENTRY_ID } from "../disaster/summary-module.ts";
import { SUMMARY_TEXT } from "../disaster/summary-texts.ts";
import { SITUATION_TEXT } from "../disaster/situation-texts.ts";
import { checkInAudienceCount, declareSituation, lockSituations, overlappingSituations } from "../disaster/situation-write.ts";
import { entryButton } from "../engine/engine.ts";
import { enqueuePush } from "../outbox/outbox.ts";
import { allWithin, areaNames, councilsOf, type Area } from "../staff/areas.ts";
import { DEMO_FUNDS, DEMO_PERSONAS } from "./demo-seed.ts";

export const DEMO_FLOOD_MESSAGE = "น้ำมูลล้นตลิ่ง ระดับน้ำสูงขึ้นเร็ว ขอให้ยกของขึ้นที่สูงและเตรียมพร้อมอพยพ";
export const DEMO_FLOOD_PURPOSE = "simulator.flood-declared";
const HOUR_MS = 3_600_000;

/** The coordinator persona who declares: the district coordinator of อ.เมืองศรีสะเกษ. */
export const demoFloodCoordinator = () => DEMO_PERSONAS.find((p) => p.role === "coordinator" && p.about.includes("อำเภอ"))!;

export type DemoFloodResult =
  | { declared: true; situationId: number; recipients: number }
  | { declared: false; reason: "exists" | "no-council" | "no-role"; situationId?: number };

/** Declares the demo flood; a second tap while it lasts declares nothing. */
export async function declareDemoFlood(db: Database, now: Date = new Date()): Promise<DemoFloodResult> {
  const by = demoFloodCoordinator().userId;
  return db.transaction(async (tx) => {
    const council = await tx.council.findFirst({ where: { tambonId: DEMO_FUNDS[0]!.tambonId, active: true }, orderBy: { id: "asc" } });
    if (!council) return { declared: false, reason: "no-council" };
    const areas: Area[] = [{ level: "COUNCIL", areaId: council.id }];
    if (!(await allWithin(tx, by, areas))) return { declared: false, reason: "no-role" };
    await lockSituations(tx);
    const councils = await councilsOf(tx, areas);
    const [existing] = await overlappingSituations(tx, councils, null);
    if (existing) return { declared: false, reason: "exists", situationId: existing.id };
    const situationId = await declareSituation(tx, { areas, level: "INCIDENT", message: DEMO_FLOOD_MESSAGE }, by, now);
    const recipients = await checkInAudienceCount(tx, councils, situationId);
    // What the declare flow answers, in the coordinator's chat.
    await enqueuePush(
      tx,
      by,
      {
        replies: [{ kind: "text", text: SITUATION_TEXT.declared(await areaNames(tx, areas), recipients) }],
        buttons: [entryButton(SUMMARY_ENTRY_ID, SUMMARY_TEXT.menu), entryButton("situation", SITUATION_TEXT.menu)],
      },
      { purpose: DEMO_FLOOD_PURPOSE, now, dedupeKey: `simulator-flood:${situationId}` },
    );
    return { declared: true, situationId, recipients };
  });
}

/** Moves the active situations' recorded times `hours` back; resolves how many check-ins it moved. */
export async function advanceSituations(db: Database, hours = 3): Promise<number> {
  const ms = hours * HOUR_MS;
  return db.transaction(async (tx) => {
    const ids = (await tx.situation.findMany({ where: { status: "ACTIVE" }, select: { id: true } })).map((s) => s.id);
    if (ids.length === 0) return 0;
    const back = (d: Date) => new Date(d.getTime() - ms);
    for (const s of await tx.situation.findMany({ where: { id: { in: ids } } })) {
      await tx.situation.update({
        where: { id: s.id },
        data: { declaredAt: back(s.declaredAt), ...(s.summaryAt ? { summaryAt: back(s.summaryAt) } : {}) },
      });
    }
    await tx.$executeRaw`UPDATE situation_change SET at = at - make_interval(hours => ${hours}::int) WHERE "situationId" = ANY(${ids}::int[])`;
    await tx.$executeRaw`UPDATE safety_answer SET "answeredAt" = "answeredAt" - make_interval(hours => ${hours}::int) WHERE "situationId" = ANY(${ids}::int[])`;
    await tx.$executeRaw`UPDATE neighbour_report SET "reportedAt" = "reportedAt" - make_interval(hours => ${hours}::int) WHERE "situationId" = ANY(${ids}::int[])`;
    return tx.$executeRaw`UPDATE safety_check_in SET "sentAt" = "sentAt" - make_interval(hours => ${hours}::int) WHERE "situationId" = ANY(${ids}::int[])`;
  });
}
