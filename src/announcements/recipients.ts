// Who gets an announcement. One function, used by the preview (the count
// the coordinator confirms) and by the send job (the list it sends to), so
// the two cannot disagree except for people who joined or left in between.
//
// - MEMBERS: active members whose council lies in the areas.
// - SECRETARIES: secretaries of those councils.
// - EVERYONE: the members, the secretaries, and the coordinators of the
//   areas (a district coordinator of a district the areas reach; a province
//   coordinator when the whole province is chosen). A province-wide one also
//   reaches LINE followers who never signed up (or withdrew): the bot serves
//   one province, so they are taken to live in it; narrower areas cannot
//   reach them, as nobody knows where they live.
// Nobody whose LINE account no longer follows the bot (line_user.following
// false) is counted: LINE would accept the message and drop it, and it
// would still cost quota. Staff with no line_user row are counted.
import type { Tx } from "../db/database.ts";
import type { AnnouncementAudience } from "../generated/prisma/client.ts";
import { councilsOf, type Area } from "../staff/areas.ts";
import { quotaMonth } from "../outbox/quota.ts";

export interface AudienceSpec {
  areas: Area[];
  audience: AnnouncementAudience;
}

async function unfollowed(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.lineUser.findMany({ where: { id: { in: ids }, following: false }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** LINE user ids, sorted and unique. */
export async function resolveRecipients(tx: Tx, spec: AudienceSpec): Promise<string[]> {
  const councils = await councilsOf(tx, spec.areas);
  const ids = new Set<string>();
  if (spec.audience !== "SECRETARIES") {
    // Raw: a province is 100,000 rows, which Prisma's model query turns into objects through its
    // query compiler on the event loop (docs/performance.md §2).
    const members = await tx.$queryRaw<{ id: string }[]>`
      SELECT m."lineUserId" AS id FROM member m JOIN line_user u ON u.id = m."lineUserId"
      WHERE m.status = 'ACTIVE' AND m."councilId" = ANY(${councils}::int[]) AND u.following`;
    for (const m of members) ids.add(m.id);
  }
  const staff: string[] = [];
  if (spec.audience !== "MEMBERS" && councils.length > 0) {
    const secretaries = await tx.staffRole.findMany({
      where: { role: "SECRETARY", level: "COUNCIL", areaId: { in: councils } },
      select: { lineUserId: true },
    });
    staff.push(...secretaries.map((s) => s.lineUserId));
  }
  if (spec.audience === "EVERYONE" && councils.length > 0) {
    const districts = await tx.district.findMany({
      where: { tambons: { some: { councils: { some: { id: { in: councils } } } } } },
      select: { id: true },
    });
    const provinces = spec.areas.filter((a) => a.level === "PROVINCE").map((a) => a.areaId);
    const coordinators = await tx.staffRole.findMany({
      where: {
        role: "COORDINATOR",
        OR: [
          { level: "DISTRICT", areaId: { in: districts.map((d) => d.id) } },
          { level: "PROVINCE", areaId: { in: provinces } },
        ],
      },
      select: { lineUserId: true },
    });
    staff.push(...coordinators.map((c) => c.lineUserId));
    if (provinces.length > 0) {
      const guests = await tx.lineUser.findMany({
        where: { following: true, OR: [{ member: null }, { member: { status: { not: "ACTIVE" } } }] },
        select: { id: true },
      });
      for (const g of guests) ids.add(g.id);
    }
  }
  const gone = await unfollowed(tx, staff);
  for (const s of staff) if (!gone.has(s)) ids.add(s);
  return [...ids].sort();
}

/** This month's pushes left in the plan; null when no quota is configured (0). */
export async function remainingQuota(tx: Tx, monthly: number, now: Date): Promise<number | null> {
  if (monthly <= 0) return null;
  const usage = await tx.pushQuotaUsage.findUnique({ where: { month: quotaMonth(now) } });
  return Math.max(0, monthly - (usage?.messages ?? 0));
}
