// The help-request module as the bot sees it: each kind of request's flow
// and menu entry (kinds/index.ts), shown to everyone (a villager in a
// flood, or a poor household, may not have signed up).
import { defineModule } from "../engine/module.ts";
import { startFlow } from "../engine/outcome.ts";
import type { MenuEntry, TurnContext } from "../engine/types.ts";
import { activeMember } from "../members/member-store.ts";
import { KIND_LIST } from "./kinds/index.ts";
import type { RequestStart } from "./kinds/kind.ts";

export { FLOOD_ENTRY } from "./kinds/index.ts";

/** Members file for their own council; anyone else picks one in the flow. */
async function starter(ctx: TurnContext): Promise<RequestStart> {
  const member = await activeMember(ctx.tx, ctx.userId);
  return member?.councilId ? { viaMember: true, councilId: String(member.councilId) } : {};
}

export function helpRequestsModule(options: { provinceCode: number }) {
  const kinds = KIND_LIST.map((kind) => ({ kind, flow: kind.flow(options.provinceCode) }));
  const entries: MenuEntry[] = kinds.map(({ kind, flow }) => ({
    id: kind.entry.ref.id,
    label: kind.entry.label,
    keywords: [...kind.entry.keywords],
    open: async (ctx) => ({
      say: [{ kind: "text", text: kind.entry.intro }],
      next: startFlow<RequestStart>(flow, { data: await starter(ctx) }),
    }),
  }));
  return defineModule({ name: "help-requests", entries, flows: kinds.map((k) => k.flow) });
}
