// The household's vulnerable people, with their own consent (health data,
// PDPA s.26): why (the council reaches these households first in a flood),
// consent (recorded in consent_record, notice "household-…"), then who is in
// the house (bedridden, elderly, disabled, pregnant; values as the flood
// flow's) or nobody. Stored on the member row (householdVulnerable, …At);
// erased here on request, and on consent withdrawal (src/privacy/erasure.ts).
import { z } from "zod";
import { defineFlow } from "../engine/module.ts";
import { withMenu } from "../engine/outcome.ts";
import { END } from "../engine/types.ts";
import { activeMember } from "../members/member-store.ts";
import { thaiDateTime } from "../thai/format.ts";
import { ANSWER_TEXT } from "./answer-texts.ts";
import { HOUSEHOLD_VULNERABLE, householdOf, recordHouseholdConsent, setHouseholdVulnerable } from "./answer-store.ts";

const T = ANSWER_TEXT.household;
const text = (t: string) => ({ kind: "text" as const, text: t });

export const householdNames = (values: readonly string[]) => values.map((v) => T.names[v as keyof typeof T.names] ?? v).join(", ");

const HOUSEHOLD_SCHEMA = z.object({
  consent: z.enum(["yes", "no", "erase"]),
  vulnerable: z.array(z.enum([...HOUSEHOLD_VULNERABLE, "none"])).optional(),
});

export function householdFlow() {
  return defineFlow({
    id: "disaster-household",
    version: 1,
    title: T.title,
    schema: HOUSEHOLD_SCHEMA,
    steps: [
      {
        id: "consent",
        slot: "consent",
        prompt: async (ctx) => {
          const member = await activeMember(ctx.tx, ctx.userId);
          const now = householdOf(member?.householdVulnerable);
          const at = member?.householdVulnerableAt;
          return [text(at ? `${T.current(now.length > 0 ? householdNames(now) : T.none, thaiDateTime(at))}\n\n${T.why}` : T.why)];
        },
        expects: T.consentExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => {
            const member = await activeMember(ctx.tx, ctx.userId);
            return [
              { label: T.agree, value: "yes" },
              { label: T.disagree, value: "no" },
              ...(member?.householdVulnerableAt ? [{ label: T.erase, value: "erase" }] : []),
            ];
          },
        },
        next: (data) => (data.consent === "yes" ? "vulnerable" : END),
      },
      {
        id: "vulnerable",
        slot: "vulnerable",
        prompt: () => [text(T.ask)],
        expects: T.expects,
        input: {
          kind: "multi",
          choices: () => [...HOUSEHOLD_VULNERABLE.map((v) => ({ label: T.names[v], value: v })), { label: T.none, value: "none" }],
          doneLabel: T.done,
          none: "none",
          required: T.required,
        },
      },
    ],
    async complete(ctx, data) {
      const member = await activeMember(ctx.tx, ctx.userId);
      if (!member) return { say: [text(T.membersOnly)], next: withMenu() };
      if (data.consent !== "yes") {
        await recordHouseholdConsent(ctx.tx, ctx.userId, false, ctx.now);
        // Declining after an earlier yes takes the data back too.
        await setHouseholdVulnerable(ctx.tx, member.id, [], null);
        return { say: [text(data.consent === "erase" ? T.erased : T.declined)], next: withMenu() };
      }
      const values = (data.vulnerable ?? []).filter((v) => v !== "none");
      await recordHouseholdConsent(ctx.tx, ctx.userId, true, ctx.now);
      await setHouseholdVulnerable(ctx.tx, member.id, householdOf(values), ctx.now);
      return { say: [text(values.length > 0 ? T.saved(householdNames(values)) : T.savedNone)], next: withMenu() };
    },
  });
}
