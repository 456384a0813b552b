// The staff module's menu entries by name (refs, checked at boot): the
// invite card and the staff home name them, as may other modules. Apart
// from staff-module.ts, which imports the invite flow that uses them.
import { entryRef } from "../engine/refs.ts";

/** "งานเจ้าหน้าที่": the user's roles and a button for each thing they may do. */
export const STAFF_HOME = entryRef("staff");
export const INVITE_ENTRY = entryRef("staff-invite");
export const NOTIFY_ENTRY = entryRef("staff-notify");
