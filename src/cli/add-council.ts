// Adds a council to a tambon, beyond the one per tambon that
// scripts/load-geography.ts creates (e.g. for municipal areas):
//
//   npm run council:add -- --tambon 330101 --name "สภาองค์กรชุมชนเทศบาลเมืองศรีสะเกษ"
//
// Uses the database the environment names (DATABASE_URL, or the embedded one
// under DATA_DIR). Adding the same name to the same tambon again changes
// nothing. Exit codes: 0 done, 1 unknown tambon or failure, 2 bad usage.
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { runCli, UsageError } from "./run-cli.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { addCouncil } from "../geography/councils.ts";

const USAGE = 'Usage: npm run council:add -- --tambon <6-digit DOPA code> --name "<council name>"';

function parseCommandLine(argv: string[]): { tambonId: number; name: string } {
  let values: { tambon?: string; name?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { tambon: { type: "string" }, name: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const tambon = values.tambon?.trim() ?? "";
  const name = values.name?.trim() ?? "";
  if (!/^\d{6}$/.test(tambon)) throw new UsageError(`--tambon must be a 6-digit tambon code, got "${values.tambon ?? ""}"`);
  if (name === "") throw new UsageError("--name is required and must not be empty");
  return { tambonId: Number(tambon), name };
}

async function main(): Promise<number> {
  let args: { tambonId: number; name: string };
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }

  const config = loadConfig();
  let db: Database | undefined;
  try {
    db = await openDatabase(config.database);
    await db.migrate();
    const result = await addCouncil(db.prisma, args.tambonId, args.name);
    if (result.status === "unknown-tambon") {
      const loaded = await db.prisma.tambon.count();
      console.error(
        loaded === 0
          ? `Unknown tambon ${args.tambonId}: the database has no geography yet. Run "npm run geography:load" first.`
          : `Unknown tambon ${args.tambonId}: no tambon has that code (codes are 6-digit DOPA geocodes, e.g. 330101).`,
      );
      return 1;
    }
    const c = result.council;
    const place = `tambon ${c.tambonId} ${c.tambonNameTh}, district ${c.districtId} ${c.districtNameTh}, province ${c.provinceId}`;
    if (result.status === "created") {
      console.log(`Added council #${c.id} "${c.name}" to ${place}.`);
    } else {
      console.log(`Council #${c.id} "${c.name}" already exists in ${place}${c.active ? "" : " (inactive)"}; nothing changed.`);
    }
    if (c.provinceId !== config.provinceCode) {
      console.warn(`Note: this tambon is in province ${c.provinceId}, not the configured PROVINCE_CODE ${config.provinceCode}.`);
    }
    return 0;
  } finally {
    await db?.close();
  }
}

runCli("add-council", main);
