// Opens the database the configuration names: embedded PGlite (default) or a
// PostgreSQL server. Both get the same schema, migrations and Prisma client.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Config } from "../config.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import { pgliteDriver, postgresDriver, type SqlDriver } from "./driver.ts";
import { isMigrated, migrate, readMigrations, type Migration } from "./migrator.ts";

export type Prisma = PrismaClient;
/** The client inside an interactive transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export interface Database {
  readonly prisma: PrismaClient;
  readonly sql: SqlDriver;
  /** Applies pending migrations; returns their names. */
  migrate(): Promise<string[]>;
  /** Reachable and fully migrated: what /healthz reports. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export type DatabaseTarget = Config["database"] | { kind: "pglite-memory" };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  let prisma: PrismaClient;
  let sql: SqlDriver;
  let closeDriver: () => Promise<void>;
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 5_000 });
    // A dropped server connection must not crash the process: the pool
    // reconnects, and callers see errors on their own queries.
    pool.on("error", () => undefined);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    sql = postgresDriver(pool);
    closeDriver = () => pool.end();
  } else {
    let dataDir = "memory://";
    if (target.kind === "pglite") {
      dataDir = path.resolve(target.dataDir, "pglite");
      await mkdir(dataDir, { recursive: true });
    }
    const pglite = await PGlite.create(dataDir);
    // The adapter is typed against an older @prisma/driver-adapter-utils; the
    // runtime contract is the same (checked by every database test).
    const adapter = new PrismaPGlite(pglite) as unknown as PrismaPg;
    prisma = new PrismaClient({ adapter });
    sql = pgliteDriver(pglite);
    closeDriver = () => pglite.close();
  }

  let migrations: Migration[] | undefined;
  const onDisk = async () => (migrations ??= await readMigrations());

  return {
    prisma,
    sql,
    migrate: async () => migrate(sql, await onDisk()),
    isReady: async () => isMigrated(sql, await onDisk()),
    async close() {
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}
