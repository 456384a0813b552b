// The numbers of a situation's summary, per council, in two statements
// however many councils it covers (a province has about 200): one for the
// check-ins, answers, open flood requests and aid of every council, one for
// the oldest critical request nobody accepted. Counts only: no names, no
// phones, no households leave this file.
//
// Which situations and councils a coordinator sees is asked here too, on
// the server, from staff_role at the time of the turn (or of the periodic
// job): a province coordinator sees every council of the province a
// situation covers, a district coordinator only those of their district.
import type { Tx } from "../db/database.ts";
import { type AidKind, type HelpPriority, Prisma } from "../generated/prisma/client.ts";
import { areaNames } from "../staff/areas.ts";
import { councilsInScope } from "../staff/roles.ts";
import { activeSituations, type SituationWithAreas, situationCouncils } from "./situation-store.ts";

// A copy of OPEN_STATUSES in src/help-requests/request-status.ts (disaster
// may not import help-requests, which imports disaster): the statuses of a
// request staff still work on. Keep the two lists the same.
const OPEN_STATUS_LIST = Prisma.raw(["'PENDING'", "'ACCEPTED'", "'IN_PROGRESS'"].join(", "));

export const AID_KINDS: readonly AidKind[] = ["FOOD_PACK", "WATER", "MEDICINE", "CASH"];

export interface CouncilFigures {
  councilId: number;
  councilName: string;
  tambon: string;
  districtId: number;
  district: string;
  /** Members sent the check-in. */
  sent: number;
  /** Answered SAFE or CONTACTED_SAFE. */
  safe: number;
  /** Answered NEEDS_HELP. */
  help: number;
  /** Sent the check-in, no answer yet. */
  notAnswered: number;
  /** Open flood requests filed since the situation was declared, by priority; openTotal counts those without one too. */
  open: Record<HelpPriority, number>;
  openTotal: number;
  /** Aid handed out in the situation: distributions per kind, and the cash total in baht. */
  aid: Record<AidKind, number>;
  cash: number;
}

export interface OldestCritical {
  caseNumber: string;
  councilId: number;
  createdAt: Date;
}

/** A situation as one coordinator sees it: the councils of it they cover. */
export interface SummaryScope {
  situation: SituationWithAreas;
  councilIds: number[];
  /** Every council the situation covers is in councilIds. */
  whole: boolean;
}

/**
 * The active situations meeting this coordinator's areas, with the councils
 * of each they cover; null when the user coordinates nothing now.
 */
export async function summaryScopes(tx: Tx, userId: string): Promise<SummaryScope[] | null> {
  const mine = new Set(await councilsInScope(tx, userId, "COORDINATOR"));
  if (mine.size === 0) return null;
  const scopes: SummaryScope[] = [];
  for (const situation of await activeSituations(tx)) {
    const all = await situationCouncils(tx, situation);
    const councilIds = all.filter((id) => mine.has(id));
    if (councilIds.length > 0) scopes.push({ situation, councilIds, whole: councilIds.length === all.length });
  }
  return scopes;
}

/** "อ.กันทรลักษ์, ต.ละลาย": what the situation covers. */
export function situationAreaNames(tx: Tx, situation: SituationWithAreas): Promise<string> {
  return areaNames(tx, situation.areas);
}

interface FigureRow {
  councilId: number;
  councilName: string;
  tambon: string;
  districtId: number;
  district: string;
  sent: number;
  notAnswered: number;
  safe: number;
  help: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  openTotal: number;
  foodPack: number;
  water: number;
  medicine: number;
  cashCount: number;
  cash: number;
}

/** Every council's figures in one statement, by district and tambon name. */
export async function councilFigures(
  tx: Tx,
  situation: Pick<SituationWithAreas, "id" | "declaredAt">,
  councilIds: number[],
): Promise<CouncilFigures[]> {
  if (councilIds.length === 0) return [];
  const rows = await tx.$queryRaw<FigureRow[]>`
    SELECT c.id AS "councilId", c.name AS "councilName", t."nameTh" AS tambon, d.id AS "districtId", d."nameTh" AS district,
      COALESCE(ci.sent, 0)::int AS sent, COALESCE(ci."notAnswered", 0)::int AS "notAnswered",
      COALESCE(an.safe, 0)::int AS safe, COALESCE(an.help, 0)::int AS help,
      COALESCE(r.critical, 0)::int AS critical, COALESCE(r.high, 0)::int AS high,
      COALESCE(r.medium, 0)::int AS medium, COALESCE(r.low, 0)::int AS low, COALESCE(r.total, 0)::int AS "openTotal",
      COALESCE(g."foodPack", 0)::int AS "foodPack", COALESCE(g.water, 0)::int AS water,
      COALESCE(g.medicine, 0)::int AS medicine, COALESCE(g."cashCount", 0)::int AS "cashCount", COALESCE(g.cash, 0)::int AS cash
    FROM council c
    JOIN tambon t ON t.id = c."tambonId"
    JOIN district d ON d.id = t."districtId"
    LEFT JOIN (
      SELECT k."councilId", count(*) AS sent, count(*) FILTER (WHERE a."lineUserId" IS NULL) AS "notAnswered"
      FROM safety_check_in k
      LEFT JOIN safety_answer a ON a."situationId" = k."situationId" AND a."lineUserId" = k."lineUserId"
      WHERE k."situationId" = ${situation.id} AND k."councilId" = ANY(${councilIds}::int[])
      GROUP BY k."councilId"
    ) ci ON ci."councilId" = c.id
    LEFT JOIN (
      SELECT "councilId",
        count(*) FILTER (WHERE status IN ('SAFE', 'CONTACTED_SAFE')) AS safe,
        count(*) FILTER (WHERE status = 'NEEDS_HELP') AS help
      FROM safety_answer
      WHERE "situationId" = ${situation.id} AND "councilId" = ANY(${councilIds}::int[])
      GROUP BY "councilId"
    ) an ON an."councilId" = c.id
    LEFT JOIN (
      SELECT "councilId",
        count(*) FILTER (WHERE priority = 'CRITICAL') AS critical, count(*) FILTER (WHERE priority = 'HIGH') AS high,
        count(*) FILTER (WHERE priority = 'MEDIUM') AS medium, count(*) FILTER (WHERE priority = 'LOW') AS low,
        count(*) AS total
      FROM help_request
      WHERE kind = 'FLOOD' AND status IN (${OPEN_STATUS_LIST}) AND "createdAt" >= ${situation.declaredAt}
        AND "councilId" = ANY(${councilIds}::int[])
      GROUP BY "councilId"
    ) r ON r."councilId" = c.id
    LEFT JOIN (
      SELECT "councilId",
        count(*) FILTER (WHERE kind = 'FOOD_PACK') AS "foodPack", count(*) FILTER (WHERE kind = 'WATER') AS water,
        count(*) FILTER (WHERE kind = 'MEDICINE') AS medicine, count(*) FILTER (WHERE kind = 'CASH') AS "cashCount",
        sum(amount) FILTER (WHERE kind = 'CASH') AS cash
      FROM aid_distribution
      WHERE "situationId" = ${situation.id} AND "councilId" = ANY(${councilIds}::int[])
      GROUP BY "councilId"
    ) g ON g."councilId" = c.id
    WHERE c.id = ANY(${councilIds}::int[])
    ORDER BY d.id, t."nameTh", c.id`;
  return rows.map((r) => ({
    councilId: r.councilId,
    councilName: r.councilName,
    tambon: r.tambon,
    districtId: r.districtId,
    district: r.district,
    sent: r.sent,
    safe: r.safe,
    help: r.help,
    notAnswered: r.notAnswered,
    open: { CRITICAL: r.critical, HIGH: r.high, MEDIUM: r.medium, LOW: r.low },
    openTotal: r.openTotal,
    aid: { FOOD_PACK: r.foodPack, WATER: r.water, MEDICINE: r.medicine, CASH: r.cashCount },
    cash: r.cash,
  }));
}

/** The oldest open critical flood request of these councils nobody has accepted, filed since the situation was declared. */
export async function oldestUnacceptedCritical(
  tx: Tx,
  situation: Pick<SituationWithAreas, "declaredAt">,
  councilIds: number[],
): Promise<OldestCritical | null> {
  if (councilIds.length === 0) return null;
  const rows = await tx.$queryRaw<OldestCritical[]>`
    SELECT "caseNumber", "councilId", "createdAt" FROM help_request
    WHERE kind = 'FLOOD' AND priority = 'CRITICAL' AND status IN (${OPEN_STATUS_LIST}) AND "acceptedAt" IS NULL
      AND "createdAt" >= ${situation.declaredAt} AND "councilId" = ANY(${councilIds}::int[])
    ORDER BY "createdAt", id
    LIMIT 1`;
  return rows[0] ?? null;
}

/** Records the periodic summary sent at `at` (the job decides when one is due from summaryAt). */
export async function markSummarySent(tx: Tx, situationId: number, at: Date): Promise<void> {
  await tx.situation.updateMany({ where: { id: situationId }, data: { summaryAt: at } });
}

/** The media_file row of a chart PNG: an identical chart (same numbers) reuses its row. */
export async function storeChart(
  tx: Tx,
  png: Uint8Array,
  sha256: string,
  createdBy: string,
  at: Date,
): Promise<{ id: number; contentType: string }> {
  const found = await tx.mediaFile.findFirst({ where: { sha256, contentType: "image/png" }, select: { id: true, contentType: true } });
  if (found) return found;
  // The bytes as hex, decoded by the database: Prisma's PGlite adapter does not pass a Uint8Array as bytea.
  const rows = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO media_file ("contentType", bytes, sha256, "createdBy", "createdAt")
    VALUES ('image/png', decode(${Buffer.from(png).toString("hex")}, 'hex'), ${sha256}, ${createdBy}, ${at})
    RETURNING id`;
  return { id: rows[0]!.id, contentType: "image/png" };
}
