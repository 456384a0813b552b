// Seeds the demo province (Sisaket): three welfare funds with members, two
// years of savings and benefits, upcoming meetings, and the demo personas'
// staff roles. The first start without LINE credentials does this by itself;
// this command is for a database that already had data, or PostgreSQL:
//
//   npm run demo:seed
//
// Uses the database the environment names (DATABASE_URL, or the embedded one
// under DATA_DIR; not while the server runs on it). Safe to run again:
// nothing is added twice. Everyone in it is invented.
import { loadConfig } from "../config.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { loadGeography } from "../geography/load-geography.ts";
import { DEMO_MEMBER, DEMO_PERSONAS, type DemoSeedResult, DemoSeedRefused, seedDemo } from "../simulator/demo-seed.ts";
import { runCli } from "./run-cli.ts";

async function main(): Promise<number> {
  const config = loadConfig();
  if (config.provinceCode !== 33) {
    console.error(`The demo data is for Sisaket: run with PROVINCE_CODE=33 (it is ${config.provinceCode}).`);
    return 2;
  }
  let db: Database | undefined;
  try {
    db = await openDatabase(config.database);
    await db.migrate();
    await loadGeography(db.prisma, { provinceCode: config.provinceCode });
    let result: DemoSeedResult;
    try {
      result = await seedDemo(db);
    } catch (error) {
      if (!(error instanceof DemoSeedRefused)) throw error;
      console.error(error.message);
      return 1;
    }
    for (const f of result.funds) {
      console.log(
        `${f.code} (${f.council}): ${f.membersAdded} members, ${f.contributionsAdded} contributions, ${f.paymentsAdded} payments added`,
      );
    }
    console.log(
      `Benefit rules added: ${result.rulesAdded}; meetings added: ${result.meetingsAdded}; staff roles granted: ${result.rolesGranted}; villagers signed up: ${result.membersSignedUp}.`,
    );
    console.log(`Demo personas: ${DEMO_PERSONAS.map((p) => `${p.displayName} (${p.role})`).join(", ")}.`);
    // Invented data: printing this ID is the point (the evaluator types it to link).
    console.log(`To link a fund account in the demo: ID ${DEMO_MEMBER.nationalId}, birth date ${DEMO_MEMBER.birthDateThai}.`);
    return 0;
  } finally {
    await db?.close();
  }
}

runCli("seed-demo", main);
