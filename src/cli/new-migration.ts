// npm run db:migration -- <name>: writes prisma/migrations/<timestamp>_<name>/
// with the SQL that turns the schema as committed (HEAD) into the schema as
// it is now. A pure datamodel diff: no shadow database, nothing downloaded.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2]?.replace(/[^a-z0-9_]/gi, "_").toLowerCase();
if (!name) {
  process.stderr.write("Usage: npm run db:migration -- <name>\n");
  process.exit(2);
}
const schema = "prisma/schema.prisma";
let previous: string | null = null;
try {
  previous = execFileSync("git", ["show", `HEAD:${schema}`], { encoding: "utf8" });
} catch {
  previous = null; // no committed schema yet: diff from empty
}
const from = ["--from-empty"];
if (previous !== null) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "schema-")), "schema.prisma");
  writeFileSync(file, previous);
  from.splice(0, 1, "--from-schema-datamodel", file);
}
const sql = execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], {
  encoding: "utf8",
  env: { ...process.env, DATA_DIR: "memory" },
});
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  process.stdout.write("schema.prisma matches HEAD: no migration written.\n");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
process.stdout.write(`Wrote ${dir}/migration.sql — review it, then commit it with the schema.\n`);
