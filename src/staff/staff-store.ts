// Staff members' own settings. Every function takes the turn's transaction.
// (Roles are in roles.ts, invite codes in invites.ts.)
import type { Tx } from "../db/database.ts";

/** Does this staff member take non-urgent notices as one evening digest (else one push each)? */
export async function wantsDigest(tx: Tx, lineUserId: string): Promise<boolean> {
  const pref = await tx.staffPreference.findUnique({ where: { lineUserId } });
  return pref?.digest ?? false;
}

export async function setDigest(tx: Tx, lineUserId: string, digest: boolean): Promise<void> {
  await tx.staffPreference.upsert({
    where: { lineUserId },
    create: { lineUserId, digest },
    update: { digest },
  });
}
