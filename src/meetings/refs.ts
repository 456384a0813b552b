// The names of the meetings domain's menu entries, as refs (src/engine/refs.ts):
// card buttons, other entries and other modules (an announcement's
// "ลงทะเบียน" button) name them through these, and the bot checks at boot
// that each names a registered entry. The module files re-export them.
import { entryRef } from "../engine/refs.ts";

/** The villagers' entries (meetings-module.ts). */
export const MEETING_ENTRIES = {
  list: entryRef("meetings"),
  /** The same list for a non-member: why not, and how to sign up. */
  guest: entryRef("meetings-guest"),
  mine: entryRef("meeting-mine"),
  detail: entryRef("meeting-detail"),
  register: entryRef("meeting-register"),
  cancel: entryRef("meeting-cancel"),
} as const;

/** The coordinators' entries (organize-module.ts). */
export const ORGANIZE_ENTRIES = {
  create: entryRef("organize-create"),
  mine: entryRef("organize-mine"),
  edit: entryRef("organize-edit"),
  cancel: entryRef("organize-cancel"),
} as const;

/** The members module's sign-up (src/members/members.ts), offered to a non-member who wants to register. */
export const SIGNUP_ENTRY = entryRef("signup");
