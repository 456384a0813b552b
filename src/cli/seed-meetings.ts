// Seeds a few upcoming meetings for PROVINCE_CODE (until coordinators create
// their own), so villagers can try "ประชุม":
//
//   npm run meetings:seed
//
// Uses the database the environment names (DATABASE_URL, or the embedded one
// under DATA_DIR). Needs the geography (the server loads it at start, or
// `npm run geography:load`). Safe to run again: nothing is added twice.
import { loadConfig } from "../config.ts";
import { runCli } from "./run-cli.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { seedMeetings } from "../meetings/seed.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  let db: Database | undefined;
  try {
    db = await openDatabase(config.database);
    const applied = await db.migrate();
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);
    const now = new Date();
    const result = await db.transaction((tx) => seedMeetings(tx, { provinceCode: config.provinceCode, now }));
    for (const title of result.created) console.log(`Added: ${title}`);
    for (const title of result.skipped) console.log(`Already there: ${title}`);
    console.log(`Meetings for province ${config.provinceCode}: ${result.created.length} added, ${result.skipped.length} already there.`);
  } finally {
    await db?.close();
  }
}

runCli("seed-meetings", main);
