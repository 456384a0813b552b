// Step shapes written the same way in many flows.
import { EDIT_PREFIX, type Choice, type FlowData, type Reply, type StepDef, type TurnContext, type END } from "./types.ts";

export const YES = "yes";
export const NO = "no";

export interface ConfirmStepOptions {
  id?: string;
  slot?: string;
  prompt: (ctx: TurnContext) => Reply[] | Promise<Reply[]>;
  expects: string;
  /** The "yes" button (stores "yes"). */
  yes: string;
  /** A "no" button (stores "no"). */
  no?: string;
  /** Buttons that go back to a step to change its answer, then return here. */
  edits?: { label: string; step: string }[];
  ownCancel?: boolean;
  slow?: boolean;
  next?: (data: FlowData) => string | typeof END;
}

/** A confirmation: yes, perhaps no, perhaps "change X" buttons. */
export function confirmStep(o: ConfirmStepOptions): StepDef {
  const choices: Choice[] = [
    { label: o.yes, value: YES },
    ...(o.no ? [{ label: o.no, value: NO }] : []),
    ...(o.edits ?? []).map((e) => ({ label: e.label, value: `${EDIT_PREFIX}${e.step}` })),
  ];
  return {
    id: o.id ?? "confirm",
    slot: o.slot ?? "confirmed",
    prompt: o.prompt,
    expects: o.expects,
    input: { kind: "choice", choices: () => choices },
    ...(o.ownCancel ? { ownCancel: true } : {}),
    ...(o.slow ? { slow: true } : {}),
    ...(o.next ? { next: o.next } : {}),
  };
}
