// Geography and council look-ups for the council choice (district →
// council, src/geography/council-steps.ts) and for naming areas, plus
// adding a council by hand (scripts/add-council.ts). Ids arrive from
// postback data, so an id that cannot exist gives "not found", not an error.
import type { Tx } from "../db/database.ts";

export interface DistrictOption {
  id: number;
  nameTh: string;
}

export interface CouncilOption {
  id: number;
  name: string;
  tambonNameTh: string;
}

export interface CouncilWithPlace {
  id: number;
  name: string;
  /** False once the council is switched off; the sign-up flow should refuse it. */
  active: boolean;
  tambonId: number;
  tambonNameTh: string;
  districtId: number;
  districtNameTh: string;
  provinceId: number;
}

const MAX_INT4 = 2_147_483_647;

/** A value that can be an id in an INTEGER column. */
function isDbId(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && value <= MAX_INT4;
}

/** Districts of a province, in DOPA code order (the official order). */
export async function listDistricts(db: Tx, provinceCode: number): Promise<DistrictOption[]> {
  if (!isDbId(provinceCode)) return [];
  return db.district.findMany({
    where: { provinceId: provinceCode },
    select: { id: true, nameTh: true },
    orderBy: { id: "asc" },
  });
}

/** A district by its DOPA code (any province), or null. */
export async function getDistrict(db: Tx, districtId: number): Promise<DistrictOption | null> {
  if (!isDbId(districtId)) return null;
  return db.district.findUnique({ where: { id: districtId }, select: { id: true, nameTh: true } });
}

/** A province's Thai name by its DOPA code, or null. */
export async function provinceName(db: Tx, provinceCode: number): Promise<string | null> {
  if (!isDbId(provinceCode)) return null;
  return (await db.province.findUnique({ where: { id: provinceCode }, select: { nameTh: true } }))?.nameTh ?? null;
}

/** Active councils of the tambons of a district, by tambon code then council id. */
export async function listCouncilsInDistrict(db: Tx, districtId: number): Promise<CouncilOption[]> {
  if (!isDbId(districtId)) return [];
  const councils = await db.council.findMany({
    where: { active: true, tambon: { districtId } },
    select: { id: true, name: true, tambon: { select: { nameTh: true } } },
    orderBy: [{ tambonId: "asc" }, { id: "asc" }],
  });
  return councils.map((c) => ({ id: c.id, name: c.name, tambonNameTh: c.tambon.nameTh }));
}

/** A council with its tambon, district and province; inactive ones too (see `active`). */
export async function getCouncilWithPlace(db: Tx, councilId: number): Promise<CouncilWithPlace | null> {
  if (!isDbId(councilId)) return null;
  // Raw SQL, one statement: asked by every filed request, summary and
  // profile card, and the model query (three nested relations) costs
  // several times the CPU of a raw one (docs/performance.md §6).
  const [row] = await db.$queryRaw<CouncilWithPlace[]>`
    SELECT c.id, c.name, c.active, t.id AS "tambonId", t."nameTh" AS "tambonNameTh",
           d.id AS "districtId", d."nameTh" AS "districtNameTh", d."provinceId"
      FROM council c JOIN tambon t ON t.id = c."tambonId" JOIN district d ON d.id = t."districtId"
     WHERE c.id = ${councilId}`;
  return row ?? null;
}

export type AddCouncilResult =
  | { status: "created"; council: CouncilWithPlace }
  | { status: "exists"; council: CouncilWithPlace }
  | { status: "unknown-tambon" };

/**
 * Adds a council to a tambon (a tambon may have several, e.g. municipal
 * areas). The same name on the same tambon is not added twice.
 */
export async function addCouncil(db: Tx, tambonId: number, name: string): Promise<AddCouncilResult> {
  const trimmed = name.trim();
  if (trimmed === "") throw new Error("A council needs a name");
  if (!isDbId(tambonId)) return { status: "unknown-tambon" };
  const tambon = await db.tambon.findUnique({ where: { id: tambonId }, select: { id: true } });
  if (!tambon) return { status: "unknown-tambon" };

  const key = { tambonId_name: { tambonId, name: trimmed } };
  // Looked up first so a repeat does not use up a serial id; skipDuplicates
  // still covers two runs racing each other.
  let created = 0;
  if (!(await db.council.findUnique({ where: key, select: { id: true } }))) {
    ({ count: created } = await db.council.createMany({ data: [{ tambonId, name: trimmed }], skipDuplicates: true }));
  }
  const row = await db.council.findUniqueOrThrow({ where: key, select: { id: true } });
  const council = await getCouncilWithPlace(db, row.id);
  if (!council) throw new Error(`Council ${row.id} vanished while it was being added`);
  return { status: created === 1 ? "created" : "exists", council };
}

/** The active councils of a tambon, with their place, by council id. */
export async function activeCouncilsOfTambon(db: Tx, tambonId: number): Promise<CouncilWithPlace[]> {
  if (!isDbId(tambonId)) return [];
  const rows = await db.council.findMany({ where: { active: true, tambonId }, select: { id: true }, orderBy: { id: "asc" } });
  const councils = await Promise.all(rows.map((r) => getCouncilWithPlace(db, r.id)));
  return councils.filter((c): c is CouncilWithPlace => c !== null);
}
