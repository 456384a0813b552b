// Tambon centres (the `lat,long` columns of sub_districts.csv) and the
// nearest one to a shared location. Not stored in the database: read from
// the dataset once per process, the first time a location is placed.
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_GEOGRAPHY_DIR, geographyRecords } from "./load-geography.ts";

export interface TambonCentre {
  tambonId: number; // DOPA code
  latitude: number;
  longitude: number;
}

const FILE = "sub_districts.csv";

/** The centres of the tambons the dataset places (some have no coordinates). */
export function readTambonCentres(dataDir: string = DEFAULT_GEOGRAPHY_DIR): TambonCentre[] {
  const records = geographyRecords(readFileSync(path.join(dataDir, FILE), "utf8"), FILE);
  const centres: TambonCentre[] = [];
  for (const r of records) {
    const [id, lat, long] = [r.id, r.lat, r.long].map((v) => (v ?? "").trim());
    if (!id || !lat || !long) continue;
    const centre = { tambonId: Number(id), latitude: Number(lat), longitude: Number(long) };
    if ([centre.tambonId, centre.latitude, centre.longitude].every(Number.isFinite)) centres.push(centre);
  }
  return centres;
}

let cached: TambonCentre[] | undefined;

/** All centres, read once (synchronously: a flow's `next` asks for them). */
export function tambonCentres(): TambonCentre[] {
  cached ??= readTambonCentres();
  return cached;
}

const EARTH_RADIUS_KM = 6371;
const radians = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle (haversine) distance in kilometres. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = radians(lat2 - lat1);
  const dLon = radians(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The tambon whose centre is nearest, over the whole country, with its distance. */
export function nearestTambon(
  latitude: number,
  longitude: number,
  centres: TambonCentre[] = tambonCentres(),
): { tambonId: number; km: number } | null {
  let best: { tambonId: number; km: number } | null = null;
  for (const c of centres) {
    const km = distanceKm(latitude, longitude, c.latitude, c.longitude);
    if (!best || km < best.km) best = { tambonId: c.tambonId, km };
  }
  return best;
}

/** Farther than this from every centre, a location names no tambon. */
export const NEAR_TAMBON_KM = 15;

/**
 * The tambon of a location in the given province: the nearest centre, when
 * it is within NEAR_TAMBON_KM and that tambon is in the province (a place
 * just over the border is nearer one of the neighbour's tambons). Else null.
 */
export function tambonNear(provinceCode: number, latitude: number, longitude: number): number | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  const nearest = nearestTambon(latitude, longitude);
  if (!nearest || nearest.km > NEAR_TAMBON_KM) return null;
  return Math.floor(nearest.tambonId / 10000) === provinceCode ? nearest.tambonId : null;
}
