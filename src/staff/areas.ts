// The areas a coordinator may address (meeting audiences, announcement
// areas): their province or district, and what lies in it. Choices carry
// "P:<province>", "D:<district>", "C:<council>"; a tapped value can be
// forged, so every area is checked again with areaWithin() when saved.
//
// A province coordinator is offered the province and its districts (a
// province has about 200 councils: too many buttons; a district's councils
// are reached through a district coordinator). A district coordinator is
// offered the district and its councils, by tambon name.
import type { Tx } from "../db/database.ts";
import type { Choice, StepDef } from "../engine/types.ts";
import type { AreaLevel } from "../generated/prisma/client.ts";
import { coordinatesAll, rolesOf } from "./roles.ts";

export interface Area {
  level: AreaLevel;
  areaId: number;
}

const PREFIX: Record<AreaLevel, string> = { PROVINCE: "P", DISTRICT: "D", COUNCIL: "C" };
const LEVEL: Record<string, AreaLevel> = { P: "PROVINCE", D: "DISTRICT", C: "COUNCIL" };

export const areaValue = (a: Area) => `${PREFIX[a.level]}:${a.areaId}`;

export function parseArea(value: unknown): Area | null {
  const m = typeof value === "string" ? /^([PDC]):(\d{1,10})$/.exec(value) : null;
  if (!m) return null;
  const areaId = Number(m[2]);
  return areaId > 0 && areaId <= 2_147_483_647 ? { level: LEVEL[m[1]!]!, areaId } : null;
}

export function parseAreas(values: unknown): Area[] {
  return Array.isArray(values) ? values.map(parseArea).filter((a): a is Area => a !== null) : [];
}

async function coordinatorGrants(tx: Tx, userId: string) {
  const grants = (await rolesOf(tx, userId)).filter((g) => g.role === "COORDINATOR");
  return {
    provinces: grants.filter((g) => g.level === "PROVINCE").map((g) => g.areaId),
    districts: grants.filter((g) => g.level === "DISTRICT").map((g) => g.areaId),
  };
}

/** How a coordinator's whole province or district reads among the choices (meetings' audiences, announcements' areas). */
export const areaLabels = { province: (n: string) => `ทั้งจังหวัด${n}`, district: (n: string) => `ทั้งอำเภอ${n}` };

/** The areas a coordinator may address, as choices (empty: not a coordinator). */
export async function areaChoices(
  tx: Tx,
  userId: string,
  labels: { province: (n: string) => string; district: (n: string) => string },
): Promise<Choice[]> {
  const g = await coordinatorGrants(tx, userId);
  const choices: Choice[] = [];
  for (const provinceId of g.provinces) {
    const province = await tx.province.findUnique({ where: { id: provinceId }, select: { nameTh: true } });
    if (!province) continue;
    choices.push({ label: labels.province(province.nameTh), value: areaValue({ level: "PROVINCE", areaId: provinceId }) });
    const districts = await tx.district.findMany({ where: { provinceId }, select: { id: true, nameTh: true }, orderBy: { id: "asc" } });
    for (const d of districts) choices.push({ label: `อ.${d.nameTh}`, value: areaValue({ level: "DISTRICT", areaId: d.id }) });
  }
  for (const districtId of g.districts) {
    const district = await tx.district.findUnique({ where: { id: districtId }, select: { nameTh: true } });
    if (!district) continue;
    choices.push({ label: labels.district(district.nameTh), value: areaValue({ level: "DISTRICT", areaId: districtId }) });
    const councils = await tx.council.findMany({
      where: { active: true, tambon: { districtId } },
      select: { id: true, tambon: { select: { nameTh: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    for (const c of councils) choices.push({ label: `ต.${c.tambon.nameTh}`, value: areaValue({ level: "COUNCIL", areaId: c.id }) });
  }
  const seen = new Set<string>();
  return choices.filter((c) => !seen.has(c.value) && seen.add(c.value));
}

/**
 * The step where a coordinator picks areas (several, with a done button)
 * among areaChoices: a meeting's audience, an announcement's areas, a flood
 * situation's areas. The flow checks them again when it saves.
 */
export function coordinatorAreasStep(
  step: Pick<StepDef, "id" | "slot" | "prompt" | "expects"> & { doneLabel: string; required: string },
): StepDef {
  const { doneLabel, required, ...rest } = step;
  return { ...rest, input: { kind: "multi", choices: (ctx) => areaChoices(ctx.tx, ctx.userId, areaLabels), doneLabel, required } };
}

/** Is the area inside what this user coordinates? Asked on the server, never trusted from a button. */
export async function areaWithin(tx: Tx, userId: string, area: Area): Promise<boolean> {
  return coordinatesAll(tx, userId, [area]);
}

/** Are all these areas (at least one) inside what this user coordinates now? src/staff/roles.ts decides. */
export async function allWithin(tx: Tx, userId: string, areas: Area[]): Promise<boolean> {
  return coordinatesAll(tx, userId, areas);
}

/** "อ.กันทรลักษ์, ต.ละลาย" for summaries. */
export async function areaNames(tx: Tx, areas: Area[]): Promise<string> {
  const names: string[] = [];
  for (const a of areas) {
    if (a.level === "PROVINCE") {
      const p = await tx.province.findUnique({ where: { id: a.areaId }, select: { nameTh: true } });
      names.push(`จ.${p?.nameTh ?? a.areaId}`);
    } else if (a.level === "DISTRICT") {
      const d = await tx.district.findUnique({ where: { id: a.areaId }, select: { nameTh: true } });
      names.push(`อ.${d?.nameTh ?? a.areaId}`);
    } else {
      const c = await tx.council.findUnique({ where: { id: a.areaId }, select: { tambon: { select: { nameTh: true } } } });
      names.push(`ต.${c?.tambon.nameTh ?? a.areaId}`);
    }
  }
  return names.join(", ");
}

/** The council ids an audience covers. */
export async function councilsOf(tx: Tx, areas: Area[]): Promise<number[]> {
  if (areas.length === 0) return [];
  const ids = (level: AreaLevel) => areas.filter((a) => a.level === level).map((a) => a.areaId);
  const rows = await tx.council.findMany({
    where: {
      OR: [
        { id: { in: ids("COUNCIL") } },
        { tambon: { districtId: { in: ids("DISTRICT") } } },
        { tambon: { district: { provinceId: { in: ids("PROVINCE") } } } },
      ],
    },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => r.id);
}
