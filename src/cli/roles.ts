// Grants, revokes and lists staff roles by LINE user id (the admin's tool;
// coordinators can also invite people from the chat):
//
//   npm run roles -- grant  --user U1234… --role secretary   --council 17
//   npm run roles -- grant  --user U1234… --role coordinator --district 3301
//   npm run roles -- grant  --user U1234… --role coordinator --province 33
//   npm run roles -- grant  --user U1234… --role admin       --province 33
//   npm run roles -- revoke --user U1234… --role secretary   --council 17
//   npm run roles -- list
//
// A LINE user id is shown in the bot's profile card (ข้อมูลของฉัน) to its
// owner, so a new secretary can read it out. Revoking also voids the unused
// invite codes the person made that their remaining roles do not cover.
// Exit codes: 0 done, 1 failure (unknown area), 2 bad usage.
import { userInfo } from "node:os";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { openDatabase, type Database } from "../db/database.ts";
import {
  areaExists,
  grantRole,
  listRoles,
  revokeRole,
  validGrant,
  type AreaLevel,
  type RoleGrant,
  type StaffRoleKind,
} from "../staff/roles.ts";
import { runCli, UsageError } from "./run-cli.ts";

const USAGE = `Usage:
  npm run roles -- grant  --user <LINE user id> --role secretary|coordinator|admin --council <id> | --district <code> | --province <code>
  npm run roles -- revoke --user <LINE user id> --role … --council … | --district … | --province …
  npm run roles -- list`;

// The command line is parsed here; its tests check what a bad one throws.
export { UsageError };

export type RolesCommand = { action: "list" } | { action: "grant" | "revoke"; userId: string; grant: RoleGrant };

const ROLES: Record<string, StaffRoleKind> = { secretary: "SECRETARY", coordinator: "COORDINATOR", admin: "ADMIN" };

export function parseRolesCommand(argv: string[]): RolesCommand {
  let parsed: { values: Record<string, string | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        user: { type: "string" },
        role: { type: "string" },
        council: { type: "string" },
        district: { type: "string" },
        province: { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [action, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected ${extra.join(" ")}`);
  if (action === "list") return { action };
  if (action !== "grant" && action !== "revoke") throw new UsageError("The first word must be grant, revoke or list");
  const v = parsed.values;
  const userId = v.user?.trim() ?? "";
  // LINE user ids: "U" and 32 hex digits. Demo and test ids are looser.
  if (!/^U[0-9A-Za-z_-]{1,64}$/.test(userId)) throw new UsageError("--user must be a LINE user id (U followed by 32 characters)");
  const role = ROLES[(v.role ?? "").toLowerCase()];
  if (!role) throw new UsageError("--role must be secretary, coordinator or admin");
  const areas = (["council", "district", "province"] as const).filter((k) => v[k] !== undefined);
  if (areas.length !== 1) throw new UsageError("Give exactly one of --council, --district, --province");
  const key = areas[0]!;
  const raw = v[key]!.trim();
  if (!/^\d{1,9}$/.test(raw)) throw new UsageError(`--${key} must be a number`);
  const level = key.toUpperCase() as AreaLevel;
  const grant: RoleGrant = { role, level, areaId: Number(raw) };
  if (!validGrant(grant)) throw new UsageError(`A ${key} cannot be the area of a ${role.toLowerCase()}`);
  return { action, userId, grant };
}

async function main(): Promise<number> {
  let command: RolesCommand;
  try {
    command = parseRolesCommand(process.argv.slice(2));
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
    if (command.action === "list") {
      const roles = await listRoles(db.prisma);
      if (roles.length === 0) console.log("No staff roles yet.");
      for (const r of roles) {
        console.log(
          `${r.role.toLowerCase().padEnd(11)} ${r.level.toLowerCase().padEnd(8)} ${String(r.areaId).padEnd(6)} ${r.lineUserId}  (since ${r.grantedAt.toISOString()} by ${r.grantedBy})`,
        );
      }
      return 0;
    }
    const { userId, grant } = command;
    if (!(await areaExists(db.prisma, grant.level, grant.areaId))) {
      console.error(`No ${grant.level.toLowerCase()} ${grant.areaId} in the database (run "npm run geography:load" first?).`);
      return 1;
    }
    const by = { by: `cli:${userInfo().username}`, at: new Date(), via: "cli" };
    const what = `${grant.role.toLowerCase()} of ${grant.level.toLowerCase()} ${grant.areaId}`;
    if (command.action === "grant") {
      const done = await db.transaction((tx) => grantRole(tx, userId, grant, by));
      console.log(done ? `Granted: ${userId} is now ${what}.` : `${userId} was already ${what}; nothing changed.`);
    } else {
      const { done, voided } = await db.transaction(async (tx) => {
        const done = await revokeRole(tx, userId, grant, by);
        return { done, voided: await tx.inviteCode.count({ where: { createdBy: userId, voidedAt: by.at } }) };
      });
      console.log(done ? `Revoked: ${userId} is no longer ${what}.` : `${userId} was not ${what}; nothing changed.`);
      if (voided > 0) console.log(`Voided ${voided} unused invite code(s) ${userId} had made.`);
    }
    return 0;
  } finally {
    await db?.close();
  }
}

// Imported by tests for parseRolesCommand: run only as a script.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runCli("roles", main);
