// The names of the announcements module's menu entries, as refs
// (src/engine/refs.ts): its own buttons name them through these, and the
// bot checks at boot that each names a registered entry. announce-module.ts
// re-exports them.
import { entryRef } from "../engine/refs.ts";

export const ANNOUNCE_ENTRIES = {
  compose: entryRef("announce"),
  report: entryRef("announce-report"),
  cancel: entryRef("announce-cancel"),
} as const;
