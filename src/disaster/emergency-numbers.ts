// The "emergency-numbers" entry: the flood-first rich menu's เบอร์ฉุกเฉิน
// tile (src/line/rich-menu/flood-menu.ts). One text message with the
// national numbers, for anyone, member or not; not listed in the chat menu.
import { defineModule } from "../engine/module.ts";
import { outcome, withMenu } from "../engine/outcome.ts";
import { FLOOD_MENU_TEXT as T } from "./menu-texts.ts";

/** The entry id the flood-first menu's tile names. */
export const EMERGENCY_NUMBERS_ENTRY = "emergency-numbers";

export function emergencyNumbersModule() {
  return defineModule({
    name: "emergency-numbers",
    entries: [
      {
        id: EMERGENCY_NUMBERS_ENTRY,
        label: T.emergencyLabel,
        keywords: [...T.keywords],
        listed: false,
        open: async () => outcome([{ kind: "text", text: T.emergencyNumbers }], withMenu()),
      },
    ],
  });
}
