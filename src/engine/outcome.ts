// What a menu entry or a finished flow asks the engine to do, instead of
// calling the engine back: the module says what to show and where the
// conversation goes next, the engine carries it out (menus, starting a
// flow, detours and what waits under them stay the engine's business).
import type { FlowRef } from "./refs.ts";
import type { Button, FlowData, Outgoing, Reply, StartOptions } from "./types.ts";

export type Next =
  /** The menu's buttons; `prompt` adds the menu's question after `say`. `first` go in front. */
  | { kind: "menu"; prompt: boolean; first: Button[] }
  | { kind: "flow"; flow: string; options: StartOptions }
  /** Nothing more: `say` with `buttons` as given (none: the chat's own keyboard). */
  | { kind: "end" };

export interface Outcome {
  say?: Reply[];
  /** Quick replies under `say` (with `next: endFlow`); with a menu, use `withMenu(first)`. */
  buttons?: Button[];
  /** Default: end. */
  next?: Next;
}

/** "What else?" with every service a tap away. */
export const showMenu = (): Next => ({ kind: "menu", prompt: true, first: [] });

/** The menu's buttons under what was said, with `first` in front (no second question). */
export const withMenu = (first: Button[] = []): Next => ({ kind: "menu", prompt: false, first });

export interface StartFlowOptions<D> {
  /** Answers known before the first step (a meeting id, the member's council). */
  data?: Partial<D> & FlowData;
  /** The step to start at (default: the first). */
  at?: string;
  returnTo?: string;
}

export function startFlow<D>(flow: FlowRef<D>, options: StartFlowOptions<D> = {}): Next {
  return { kind: "flow", flow: flow.id, options: options as StartOptions };
}

export const endFlow: Next = { kind: "end" };

/** Outgoing is what the engine itself produces; modules return Outcomes. */
export function isOutcome(x: Outcome | Outgoing): x is Outcome {
  return !("replies" in x);
}

/** What to say, then where the conversation goes. */
export const outcome = (say: Reply[], next: Next = endFlow): Outcome => ({ say, next });
