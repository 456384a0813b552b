// Loads provinces, districts and tambons from prisma/seed-data/thai-geography
// and creates one council per tambon of PROVINCE_CODE (default 33, Sisaket):
//
//   npm run geography:load
//
// Uses the database the environment names (DATABASE_URL, or the embedded one
// under DATA_DIR). Safe to run again: nothing is added twice.
import { loadConfig } from "../config.ts";
import { runCli } from "./run-cli.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { loadGeography } from "../geography/load-geography.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  let db: Database | undefined;
  try {
    db = await openDatabase(config.database);
    const applied = await db.migrate();
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);
    const started = performance.now();
    const result = await loadGeography(db.prisma, { provinceCode: config.provinceCode });
    const ms = Math.round(performance.now() - started);
    console.log(
      `Geography: ${result.provinces} provinces, ${result.districts} districts, ${result.tambons} tambons. ` +
        `Councils created for province ${config.provinceCode}: ${result.councilsCreated}. (${ms} ms)`,
    );
  } finally {
    await db?.close();
  }
}

runCli("load-geography", main);
