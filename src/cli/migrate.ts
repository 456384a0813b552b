// npm run db:migrate: applies pending migrations to the configured database
// (the server also does this at start).
import { ConfigError, loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";

try {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    const applied = await db.migrate();
    process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "Database is up to date.\n");
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
