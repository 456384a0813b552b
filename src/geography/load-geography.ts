// Loads Thailand's administrative geography (provinces, districts, tambons;
// DOPA codes) from prisma/seed-data/thai-geography/*.csv, and creates one
// tambon council per tambon of the pilot province.
//
// Idempotent: when the database already holds as many rows as the files, the
// geography insert is skipped; otherwise rows are inserted in chunks with
// ON CONFLICT DO NOTHING, so a half-finished earlier run is simply completed.
// No interactive transaction is used, so it runs the same on PGlite (one
// in-process connection) and on PostgreSQL.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PrismaClient } from "../generated/prisma/client.ts";

export const DEFAULT_GEOGRAPHY_DIR = fileURLToPath(new URL("../../prisma/seed-data/thai-geography/", import.meta.url));

/** Prefix of the council created for each tambon of the pilot province. */
export const COUNCIL_NAME_PREFIX = "สภาองค์กรชุมชนตำบล";

const CHUNK_SIZE = 1000;

export interface LoadGeographyResult {
  provinces: number;
  districts: number;
  tambons: number;
  councilsCreated: number;
}

export interface ProvinceRow {
  id: number; // DOPA code
  nameTh: string;
  nameEn: string;
}
export interface DistrictRow {
  id: number;
  provinceId: number;
  nameTh: string;
  nameEn: string;
}
export interface TambonRow {
  id: number;
  districtId: number;
  nameTh: string;
  nameEn: string;
  zipCode: string | null;
}
export interface Geography {
  provinces: ProvinceRow[];
  districts: DistrictRow[];
  tambons: TambonRow[];
}

export function councilNameFor(tambonNameTh: string): string {
  return `${COUNCIL_NAME_PREFIX}${tambonNameTh}`;
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180): comma-separated, fields optionally in double quotes with ""
// for a quote inside; quoted fields may hold commas and line breaks. Accepts
// CRLF, LF or CR line ends and a leading byte-order mark; skips blank lines.

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted
  let rowHadQuotes = false; // so a line holding just "" is a record, not a blank line
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    row.push(field);
    field = "";
    wasQuoted = false;
  };
  const endRow = () => {
    endField();
    // A line with nothing on it is not a record.
    if (!(row.length === 1 && row[0] === "" && !rowHadQuotes)) rows.push(row);
    row = [];
    rowHadQuotes = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
          throw new Error(`CSV line ${line}: unexpected character after a closing quote`);
        }
        continue;
      }
      if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line += 1;
      field += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (field !== "" || wasQuoted) throw new Error(`CSV line ${line}: a quote inside an unquoted field`);
      quoted = true;
      wasQuoted = true;
      rowHadQuotes = true;
      i += 1;
    } else if (c === ",") {
      endField();
      i += 1;
    } else if (c === "\r" || c === "\n") {
      endRow();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line += 1;
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) throw new Error(`CSV line ${line}: unterminated quoted field`);
  if (field !== "" || row.length > 0 || wasQuoted) endRow();
  return rows;
}

/** Records as objects keyed by the header row; every record must have as many fields as the header. */
export function parseCsvRecords(text: string, fileName = "CSV"): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rows.map((fields, index) => {
    if (fields.length !== names.length) {
      throw new Error(`${fileName}: record ${index + 1} has ${fields.length} fields, the header has ${names.length}`);
    }
    return Object.fromEntries(names.map((name, j) => [name, fields[j]!]));
  });
}

// ---------------------------------------------------------------------------
// The three files, validated and mapped to our rows.

function column(record: Record<string, string>, name: string, file: string): string {
  const value = record[name];
  if (value === undefined) throw new Error(`${file}: missing column "${name}"`);
  return value.trim();
}

function intColumn(record: Record<string, string>, name: string, file: string): number {
  const value = column(record, name, file);
  if (!/^\d+$/.test(value)) throw new Error(`${file}: column "${name}" is not a whole number: "${value}"`);
  return Number(value);
}

function textColumn(record: Record<string, string>, name: string, file: string): string {
  const value = column(record, name, file);
  if (value === "") throw new Error(`${file}: empty "${name}" (id ${record.id ?? "?"})`);
  return value;
}

/** The live records of one of the dataset's files (its text already read). */
export function geographyRecords(text: string, file: string): Record<string, string>[] {
  // Rows the dataset marks as deleted are not part of today's geography.
  return parseCsvRecords(text, file).filter((r) => column(r, "deleted_at", file) === "");
}

async function readRecords(dataDir: string, file: string): Promise<Record<string, string>[]> {
  return geographyRecords(await readFile(path.join(dataDir, file), "utf8"), file);
}

export async function readGeography(dataDir: string = DEFAULT_GEOGRAPHY_DIR): Promise<Geography> {
  const [provinceRecords, districtRecords, tambonRecords] = await Promise.all([
    readRecords(dataDir, "provinces.csv"),
    readRecords(dataDir, "districts.csv"),
    readRecords(dataDir, "sub_districts.csv"),
  ]);

  // provinces.csv numbers provinces serially; the DOPA code is the first two
  // digits of the province's district codes (Sisaket: serial 22, DOPA 33).
  const codeBySerial = new Map<number, number>();
  const districts: DistrictRow[] = districtRecords.map((r) => {
    const id = intColumn(r, "id", "districts.csv");
    if (id < 1000 || id > 9999) throw new Error(`districts.csv: district id ${id} is not a 4-digit DOPA code`);
    const serial = intColumn(r, "province_id", "districts.csv");
    const code = Math.floor(id / 100);
    const known = codeBySerial.get(serial);
    if (known !== undefined && known !== code) {
      throw new Error(`districts.csv: province ${serial} has districts with DOPA prefixes ${known} and ${code}`);
    }
    codeBySerial.set(serial, code);
    return { id, provinceId: code, nameTh: textColumn(r, "name_th", "districts.csv"), nameEn: textColumn(r, "name_en", "districts.csv") };
  });

  const provinces: ProvinceRow[] = provinceRecords.map((r) => {
    const serial = intColumn(r, "id", "provinces.csv");
    const code = codeBySerial.get(serial);
    const nameTh = textColumn(r, "name_th", "provinces.csv");
    if (code === undefined) throw new Error(`provinces.csv: province ${serial} (${nameTh}) has no districts, so no DOPA code`);
    return { id: code, nameTh, nameEn: textColumn(r, "name_en", "provinces.csv") };
  });
  const provinceCodes = new Set(provinces.map((p) => p.id));
  if (provinceCodes.size !== provinces.length) throw new Error("provinces.csv: two provinces map to the same DOPA code");
  for (const d of districts) {
    if (!provinceCodes.has(d.provinceId)) throw new Error(`districts.csv: district ${d.id} belongs to no listed province`);
  }

  const districtIds = new Set(districts.map((d) => d.id));
  const tambons: TambonRow[] = tambonRecords.map((r) => {
    const id = intColumn(r, "id", "sub_districts.csv");
    if (id < 100000 || id > 999999) throw new Error(`sub_districts.csv: tambon id ${id} is not a 6-digit DOPA code`);
    const districtId = intColumn(r, "district_id", "sub_districts.csv");
    if (!districtIds.has(districtId)) throw new Error(`sub_districts.csv: tambon ${id} belongs to unknown district ${districtId}`);
    const zip = column(r, "zip_code", "sub_districts.csv");
    return {
      id,
      districtId,
      nameTh: textColumn(r, "name_th", "sub_districts.csv"),
      nameEn: textColumn(r, "name_en", "sub_districts.csv"),
      zipCode: zip === "" ? null : zip,
    };
  });

  return { provinces, districts, tambons };
}

// ---------------------------------------------------------------------------

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_SIZE) {
    await insert(rows.slice(start, start + CHUNK_SIZE));
  }
}

async function countGeography(prisma: PrismaClient) {
  const [provinces, districts, tambons] = await Promise.all([prisma.province.count(), prisma.district.count(), prisma.tambon.count()]);
  return { provinces, districts, tambons };
}

export async function loadGeography(
  prisma: PrismaClient,
  options: { provinceCode: number; dataDir?: string },
): Promise<LoadGeographyResult> {
  const geo = await readGeography(options.dataDir ?? DEFAULT_GEOGRAPHY_DIR);
  if (!geo.provinces.some((p) => p.id === options.provinceCode)) {
    throw new Error(`Province code ${options.provinceCode} is not in the geography data (DOPA codes 10–96)`);
  }

  let counts = await countGeography(prisma);
  const complete =
    counts.provinces === geo.provinces.length && counts.districts === geo.districts.length && counts.tambons === geo.tambons.length;
  if (!complete) {
    // Parents first, for the foreign keys. Existing rows are left as they are.
    await insertInChunks(geo.provinces, (data) => prisma.province.createMany({ data, skipDuplicates: true }));
    await insertInChunks(geo.districts, (data) => prisma.district.createMany({ data, skipDuplicates: true }));
    await insertInChunks(geo.tambons, (data) => prisma.tambon.createMany({ data, skipDuplicates: true }));
    counts = await countGeography(prisma);
  }

  // One council for each tambon of the province that has none yet (an
  // inactive council counts: it was switched off on purpose).
  const bare = await prisma.tambon.findMany({
    where: { district: { provinceId: options.provinceCode }, councils: { none: {} } },
    select: { id: true, nameTh: true },
    orderBy: { id: "asc" },
  });
  let councilsCreated = 0;
  await insertInChunks(bare, async (chunk) => {
    const { count } = await prisma.council.createMany({
      data: chunk.map((t) => ({ tambonId: t.id, name: councilNameFor(t.nameTh) })),
      skipDuplicates: true,
    });
    councilsCreated += count;
  });

  return { ...counts, councilsCreated };
}
