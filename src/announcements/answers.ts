// What the announcement entries and flows share: the answer they end with
// (a line, then "รายงานการส่ง" and the menu's buttons) and reading an
// announcement id from a button.
import { entryButton } from "../engine/engine.ts";
import { withMenu, type Outcome } from "../engine/outcome.ts";
import type { Reply } from "../engine/types.ts";
import { ANNOUNCE_ENTRIES } from "./refs.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

export const text = (t: string): Reply => ({ kind: "text", text: t });

export const reportButton = () => entryButton(ANNOUNCE_ENTRIES.report, T.menu.report);

import { outcome } from "../engine/outcome.ts";
export { outcome };

/** A line, then "รายงานการส่ง" and the menu's buttons. */
export const reply = (message: string): Outcome => outcome([text(message)], withMenu([reportButton()]));

/** An announcement id from a button's argument (which can be forged), or null. */
export const announcementIdOf = (arg: unknown) => (typeof arg === "string" && /^\d{1,9}$/.test(arg) ? Number(arg) : null);
