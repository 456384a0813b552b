// How what a villager wrote (a note, a reason) is shown on cards: masked
// on staff cards, as written (cut to fit) on their own.
import { replaceThaiPhones } from "../log.ts";
import { maskPhone, parseThaiPhone } from "../members/phone.ts";
import { redactNationalIds } from "../thai/national-id.ts";

/** History notes are cut on the card; the whole note stays in the database. */
const NOTE_SHOWN = 120;

/**
 * A note on a staff card: phone numbers typed into it (however typed: the
 * log scrubber's pattern) shown masked as the card's own phone is, and
 * national IDs hidden (PDPA).
 */
export function maskNote(note: string): string {
  const masked = replaceThaiPhones(redactNationalIds(note), (m) => {
    const phone = parseThaiPhone(m.replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50)));
    return phone ? maskPhone(phone) : m;
  });
  return shortNote(masked);
}

/** A note on the villager's own card: as written (it is about them), cut to fit; national IDs still hidden. */
export function shortNote(note: string): string {
  const shown = redactNationalIds(note);
  const chars = [...shown];
  return chars.length <= NOTE_SHOWN ? shown : `${chars.slice(0, NOTE_SHOWN - 1).join("")}…`;
}
