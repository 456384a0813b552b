// Prisma CLI configuration (generate, migrate diff, migrate status).
// The CLI cannot download native engines here, so it runs the JavaScript
// schema engine through a driver adapter: PGlite for the embedded default,
// PostgreSQL when DATABASE_URL is set. Migrations at run time are applied by
// src/db/migrator.ts, not by this file.
import path from "node:path";
import { defineConfig } from "prisma/config";

// The CLI reads the schema's `url = env("DATABASE_URL")` to learn the engine
// type and, when the variable is unset, falls back to downloading a native
// engine. Remember the real value, then give it a placeholder.
const databaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ??= "postgresql://embedded-pglite/unused";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    if (databaseUrl) {
      // 7.x of the adapter maps PostgreSQL's `name` type, which the
      // migration engine's introspection needs (6.19's does not).
      const { PrismaPg } = await import("@prisma/adapter-pg-migrate");
      return new PrismaPg({ connectionString: databaseUrl }) as never;
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // DATA_DIR=memory gives a throw-away database (used to diff schemas).
    const dataDir = process.env.DATA_DIR ?? "./data";
    const dir = dataDir === "memory" ? "memory://" : path.resolve(dataDir, "pglite");
    return new PrismaPGlite(new PGlite(dir)) as never;
  },
});
