// npm run db:migrate: applies pending migrations to the configured database
// (the server also does this at start).
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { runCli } from "./run-cli.ts";

runCli("db:migrate", async () => {
  const db = await openDatabase(loadConfig().database);
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
  } finally {
    await db.close();
  }
});
