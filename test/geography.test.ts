import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCouncil, getCouncilWithPlace, listCouncilsInDistrict, listDistricts } from "../src/geography/councils.ts";
import {
  DEFAULT_GEOGRAPHY_DIR,
  loadGeography,
  parseCsv,
  parseCsvRecords,
  type LoadGeographyResult,
} from "../src/geography/load-geography.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "./support/database.ts";

const SISAKET = 33;

/** Live rows of a seed file, counted independently of the loader's parser (the files hold no quotes). */
async function liveRows(file: string): Promise<string[][]> {
  const text = await readFile(path.join(DEFAULT_GEOGRAPHY_DIR, file), "utf8");
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l !== "");
  const deletedAt = header!.split(",").indexOf("deleted_at");
  expect(deletedAt).toBeGreaterThanOrEqual(0);
  return lines.map((l) => l.split(",")).filter((fields) => fields[deletedAt] === "");
}

describe("parseCsv", () => {
  it("reads plain, quoted and escaped fields with any line ending", () => {
    const text = '\uFEFFid,name\r\n1,"a, b"\n2,"say ""hi"""\r3,"two\r\nlines"\n\n4,\n"",x\n';
    expect(parseCsv(text)).toEqual([
      ["id", "name"],
      ["1", "a, b"],
      ["2", 'say "hi"'],
      ["3", "two\r\nlines"],
      ["4", ""],
      ["", "x"],
    ]);
  });

  it("keeps a last record without a line end, and rejects malformed quoting", () => {
    expect(parseCsv("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(() => parseCsv('a\n"open')).toThrow(/unterminated/);
    expect(() => parseCsv('a\n"x"y')).toThrow(/after a closing quote/);
    expect(() => parseCsv('a\nx"y"')).toThrow(/quote inside an unquoted field/);
  });

  it("maps records to the header and rejects short records", () => {
    expect(parseCsvRecords("id,name\n1,x\n")).toEqual([{ id: "1", name: "x" }]);
    expect(() => parseCsvRecords("id,name\n1\n", "f.csv")).toThrow(/f\.csv: record 1 has 1 fields/);
  });
});

describe.each(STORE_DATABASES)("geography on %s", (kind) => {
  let db: TestDatabase;
  let first: LoadGeographyResult;
  const expected = { provinces: 0, districts: 0, tambons: 0 };

  beforeAll(async () => {
    const [provinces, districts, tambons] = await Promise.all(["provinces.csv", "districts.csv", "sub_districts.csv"].map(liveRows));
    Object.assign(expected, { provinces: provinces!.length, districts: districts!.length, tambons: tambons!.length });
    db = await createTestDatabase(kind);
    first = await loadGeography(db.prisma, { provinceCode: SISAKET });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it("loads every live row of the files", async () => {
    // The README's figures; the files currently mark no row as deleted.
    expect(expected).toEqual({ provinces: 77, districts: 929, tambons: 7451 });
    expect(first).toEqual({ ...expected, councilsCreated: 206 });
    expect(await db.prisma.province.count()).toBe(expected.provinces);
    expect(await db.prisma.district.count()).toBe(expected.districts);
    expect(await db.prisma.tambon.count()).toBe(expected.tambons);
  });

  it("keys provinces by DOPA code, not by the file's serial number", async () => {
    expect(await db.prisma.province.findUnique({ where: { id: SISAKET } })).toEqual({
      id: 33,
      nameTh: "ศรีสะเกษ",
      nameEn: "Si Sa Ket",
    });
    // Serial 22 in provinces.csv is Sisaket; DOPA code 22 is Chanthaburi.
    expect(await db.prisma.province.findUnique({ where: { id: 22 } })).toMatchObject({ nameTh: "จันทบุรี" });
    expect(await db.prisma.province.findUnique({ where: { id: 10 } })).toMatchObject({ nameTh: "กรุงเทพมหานคร" });
    const districts = await db.prisma.district.findMany({ select: { id: true, provinceId: true } });
    expect(districts.filter((d) => Math.floor(d.id / 100) !== d.provinceId)).toEqual([]);
  });

  it("gives Sisaket 22 districts, 206 tambons and one council per tambon", async () => {
    expect(await db.prisma.district.count({ where: { provinceId: SISAKET } })).toBe(22);
    expect(await db.prisma.tambon.count({ where: { district: { provinceId: SISAKET } } })).toBe(206);
    expect(await db.prisma.council.count()).toBe(206);
    expect(await db.prisma.tambon.count({ where: { district: { provinceId: SISAKET }, councils: { none: {} } } })).toBe(0);
    const tambon = await db.prisma.tambon.findUniqueOrThrow({ where: { id: 330101 }, include: { councils: true } });
    expect(tambon).toMatchObject({ districtId: 3301, nameTh: "เมืองเหนือ", zipCode: "33000" });
    expect(tambon.councils).toMatchObject([{ name: "สภาองค์กรชุมชนตำบลเมืองเหนือ", active: true }]);
  });

  it("changes nothing when run a second time", async () => {
    const again = await loadGeography(db.prisma, { provinceCode: SISAKET });
    expect(again).toEqual({ ...expected, councilsCreated: 0 });
    expect(await db.prisma.council.count()).toBe(206);
  });

  it("lists districts in DOPA order", async () => {
    const districts = await listDistricts(db.prisma, SISAKET);
    expect(districts).toHaveLength(22);
    expect(districts[0]).toEqual({ id: 3301, nameTh: "เมืองศรีสะเกษ" });
    expect(districts.map((d) => d.id)).toEqual([...districts.map((d) => d.id)].sort((a, b) => a - b));
    expect(await listDistricts(db.prisma, 99)).toEqual([]);
  });

  it("lists the active councils of a district, by tambon", async () => {
    const councils = await listCouncilsInDistrict(db.prisma, 3301);
    const tambons = await db.prisma.tambon.findMany({ where: { districtId: 3301 }, orderBy: { id: "asc" } });
    expect(councils).toHaveLength(tambons.length);
    expect(councils.map((c) => c.tambonNameTh)).toEqual(tambons.map((t) => t.nameTh));
    expect(councils[0]).toEqual({ id: expect.any(Number), name: "สภาองค์กรชุมชนตำบลเมืองเหนือ", tambonNameTh: "เมืองเหนือ" });
    for (const c of councils) expect(c.name).toBe(`สภาองค์กรชุมชนตำบล${c.tambonNameTh}`);
    expect(await listCouncilsInDistrict(db.prisma, 9999)).toEqual([]);
    expect(await listCouncilsInDistrict(db.prisma, Number.NaN)).toEqual([]);
  });

  it("returns a council with its place", async () => {
    const [c] = await listCouncilsInDistrict(db.prisma, 3301);
    expect(await getCouncilWithPlace(db.prisma, c!.id)).toEqual({
      id: c!.id,
      name: "สภาองค์กรชุมชนตำบลเมืองเหนือ",
      active: true,
      tambonId: 330101,
      tambonNameTh: "เมืองเหนือ",
      districtId: 3301,
      districtNameTh: "เมืองศรีสะเกษ",
      provinceId: 33,
    });
    expect(await getCouncilWithPlace(db.prisma, 999_999)).toBeNull();
    expect(await getCouncilWithPlace(db.prisma, 2 ** 40)).toBeNull();
    expect(await getCouncilWithPlace(db.prisma, -1)).toBeNull();
  });

  it("adds extra councils to a tambon, which later loads leave alone", async () => {
    const name = "สภาองค์กรชุมชนเทศบาลเมืองศรีสะเกษ";
    const added = await addCouncil(db.prisma, 330101, `  ${name} `);
    expect(added).toMatchObject({ status: "created", council: { name, tambonId: 330101, districtId: 3301 } });
    expect(await addCouncil(db.prisma, 330101, name)).toMatchObject({
      status: "exists",
      council: { id: added.status === "created" ? added.council.id : -1 },
    });
    expect(await addCouncil(db.prisma, 339999, name)).toEqual({ status: "unknown-tambon" });

    const inDistrict = await listCouncilsInDistrict(db.prisma, 3301);
    expect(inDistrict.slice(0, 2).map((c) => c.name)).toEqual(["สภาองค์กรชุมชนตำบลเมืองเหนือ", name]);

    // An inactive council is no longer offered, and its tambon gets no new one.
    const tambon330102 = await db.prisma.council.findFirstOrThrow({ where: { tambonId: 330102 } });
    await db.prisma.council.update({ where: { id: tambon330102.id }, data: { active: false } });
    expect((await listCouncilsInDistrict(db.prisma, 3301)).map((c) => c.id)).not.toContain(tambon330102.id);
    expect(await getCouncilWithPlace(db.prisma, tambon330102.id)).toMatchObject({ active: false });

    expect(await loadGeography(db.prisma, { provinceCode: SISAKET })).toMatchObject({ councilsCreated: 0 });
    expect(await db.prisma.council.count()).toBe(207);
  });

  it("rejects a province code that is not in the data", async () => {
    await expect(loadGeography(db.prisma, { provinceCode: 99 })).rejects.toThrow(/Province code 99/);
  });

  describe("with a small data set", () => {
    let small: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      small = await createTestDatabase(kind);
      dir = await mkdtemp(path.join(os.tmpdir(), "geo-"));
      const tail = "2019-08-09T03:33:09.000+07:00,2025-09-20T06:31:26.000+07:00";
      await writeFile(
        path.join(dir, "provinces.csv"),
        `id,name_th,name_en,geography_id,created_at,updated_at,deleted_at\r\n` +
          `5,ศรีสะเกษ,"Si Sa Ket, test",3,${tail},\r\n` +
          `6,ลบแล้ว,Deleted,3,${tail},2025-01-01T00:00:00.000+07:00\r\n`,
      );
      await writeFile(
        path.join(dir, "districts.csv"),
        `id,name_th,name_en,province_id,created_at,updated_at,deleted_at\n` +
          `3301,เมืองศรีสะเกษ,Mueang Si Sa Ket,5,${tail},\n` +
          `3302,ยางชุมน้อย,Yang Chum Noi,5,${tail},\n` +
          `3401,ลบแล้ว,Deleted,6,${tail},2025-01-01T00:00:00.000+07:00\n`,
      );
      await writeFile(
        path.join(dir, "sub_districts.csv"),
        `id,zip_code,name_th,name_en,district_id,lat,long,created_at,updated_at,deleted_at\n` +
          `330101,33000,เมืองเหนือ,"Mueang ""Nuea""",3301,,,${tail},\n` +
          `330102,,เมืองใต้,Mueang Tai,3301,,,${tail},\n` +
          `330201,33190,ยางชุมน้อย,Yang Chum Noi,3302,,,${tail},\n` +
          `330202,33190,ลบแล้ว,Deleted,3302,,,${tail},2025-01-01T00:00:00.000+07:00\n`,
      );
    });

    afterAll(async () => {
      await small?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("skips deleted rows, reads quoted fields and derives the DOPA province code", async () => {
      expect(await loadGeography(small.prisma, { provinceCode: 33, dataDir: dir })).toEqual({
        provinces: 1,
        districts: 2,
        tambons: 3,
        councilsCreated: 3,
      });
      expect(await small.prisma.province.findMany()).toEqual([{ id: 33, nameTh: "ศรีสะเกษ", nameEn: "Si Sa Ket, test" }]);
      expect(await small.prisma.tambon.findUnique({ where: { id: 330101 } })).toMatchObject({ nameEn: 'Mueang "Nuea"' });
      expect(await small.prisma.tambon.findUnique({ where: { id: 330102 } })).toMatchObject({ zipCode: null });
      expect(await small.prisma.tambon.findUnique({ where: { id: 330202 } })).toBeNull();
    });

    it("completes a partly loaded database", async () => {
      // Geography from the small set is present; loading the full files
      // inserts the rest and gives the new Sisaket tambons their councils.
      const result = await loadGeography(small.prisma, { provinceCode: 33 });
      expect(result).toEqual({ ...expected, councilsCreated: 206 - 3 });
      // Rows that were already there are kept as they were.
      expect(await small.prisma.province.findUnique({ where: { id: 33 } })).toMatchObject({ nameEn: "Si Sa Ket, test" });
    });
  });
});
