// Typed names of flows and menu entries. A module that opens another
// module's flow or entry imports its ref instead of repeating its id as a
// string, and the bot refuses to boot when a ref names nothing registered
// (checkRefs in module.ts): a renamed flow fails at start, not on a
// villager's phone.
import type { FlowData } from "./types.ts";

export interface FlowRef<D = FlowData> {
  readonly id: string;
  /** Carries the flow's data type; never set. */
  readonly __data?: (data: D) => void;
}

export interface EntryRef {
  readonly id: string;
  readonly __entry?: true;
}

const declared = { flows: new Set<string>(), entries: new Set<string>() };

/** The name of a flow defined elsewhere (for one defined with defineFlow, use the flow itself). */
export function flowRef<D = FlowData>(id: string): FlowRef<D> {
  declared.flows.add(id);
  return { id };
}

export function entryRef(id: string): EntryRef {
  declared.entries.add(id);
  return { id };
}

/** Every ref made so far (refs are module-level constants: all made once the modules are imported). */
export function declaredRefs(): { flows: ReadonlySet<string>; entries: ReadonlySet<string> } {
  return declared;
}

/** An entry named by its ref or, in older code, by its id. */
export type EntryName = EntryRef | string;
export const entryId = (e: EntryName): string => (typeof e === "string" ? e : e.id);
