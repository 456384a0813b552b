// How a domain plugs into the bot: defineFlow for a conversation with a
// typed result, defineModule for what a domain brings (menu entries,
// flows), assembleModules for the bot's boot-time check that every name
// one module uses of another exists.
import type { z } from "zod";
import type { Outcome } from "./outcome.ts";
import { declaredRefs, entryId, type FlowRef } from "./refs.ts";
import type { FlowDef, MenuEntry, Outgoing, TurnContext } from "./types.ts";

export interface TypedFlowDef<S extends z.ZodType> extends Omit<FlowDef, "complete"> {
  /**
   * The answers the flow collects (and the data it starts with), checked
   * once when the last step is answered: `complete` gets them typed.
   */
  schema: S;
  complete: (ctx: TurnContext, data: z.output<S>) => Promise<Outcome | Outgoing>;
}

export class FlowDataError extends Error {
  constructor(flowId: string, issues: string) {
    super(`Flow ${flowId}: its answers do not match its schema: ${issues}`);
  }
}

/** A flow whose answers are validated against its zod schema before `complete` sees them. */
export function defineFlow<S extends z.ZodType>(def: TypedFlowDef<S>): FlowDef & FlowRef<z.input<S>> {
  return {
    ...def,
    complete: async (ctx, raw) => {
      const parsed = def.schema.safeParse(raw);
      // The steps' own validation makes a mismatch a programming error, not a user's: it must show in tests.
      if (!parsed.success) throw new FlowDataError(def.id, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      return def.complete(ctx, parsed.data);
    },
  };
}

/** What a domain brings to the bot. Extra fields (staff actions, follow handlers) pass through typed. */
export interface BotModule {
  readonly name: string;
  readonly entries?: readonly MenuEntry[];
  readonly flows?: readonly FlowDef[];
}

export function defineModule<M extends BotModule>(module: M): M {
  return module;
}

/**
 * The flows and entries of all modules, after checking that names are
 * unique and that every ref made anywhere (flowRef/entryRef), every
 * entry's stand-in and the emergency entry name something registered.
 * A test assembling a few modules on their own passes the refs it means.
 */
export function assembleModules(
  modules: readonly BotModule[],
  options: { emergency?: string; refs?: ReturnType<typeof declaredRefs> } = {},
): { flows: FlowDef[]; menu: MenuEntry[] } {
  const flows = modules.flatMap((m) => m.flows ?? []);
  const menu = modules.flatMap((m) => m.entries ?? []);
  const problems: string[] = [];
  const flowIds = new Set<string>();
  for (const f of flows) {
    if (flowIds.has(f.id)) problems.push(`two flows named ${f.id}`);
    flowIds.add(f.id);
  }
  const entryIds = new Set<string>();
  for (const e of menu) {
    if (entryIds.has(e.id)) problems.push(`two menu entries named ${e.id}`);
    entryIds.add(e.id);
  }
  // Refs are module-level constants, all made once the bot's modules are imported.
  const refs = options.refs ?? declaredRefs();
  for (const id of refs.flows) if (!flowIds.has(id)) problems.push(`no flow ${id} (a flowRef names it)`);
  for (const id of refs.entries) if (!entryIds.has(id)) problems.push(`no menu entry ${id} (an entryRef names it)`);
  for (const e of menu) {
    if (e.otherwise && !entryIds.has(entryId(e.otherwise.entry)))
      problems.push(`entry ${e.id}: its stand-in ${entryId(e.otherwise.entry)} does not exist`);
  }
  if (options.emergency && !entryIds.has(options.emergency)) problems.push(`no menu entry ${options.emergency} for emergency words`);
  if (problems.length > 0) throw new Error(`The bot's modules do not fit together:\n- ${problems.join("\n- ")}`);
  return { flows, menu };
}
