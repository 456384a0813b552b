// One engine runs every flow. A flow is data (steps with prompts, input
// kinds, validation, buttons, next step); this file holds the only copy of
// the logic that walks it: global words, re-prompts, stale buttons, expiry,
// back, edits from a summary, paging of long button lists, and detours: a
// service asked for in the middle of a flow (a menu word, an invite code, a
// rich-menu tile, an emergency) runs at once and the flow put aside comes
// back where it was when that service is done.
//
// The engine mutates ctx.state; the caller loads it under a per-user lock
// and saves it in the same transaction (src/inbox/turn.ts).
import { truncateForLine } from "../line/limits.ts";
import { parsePickerValue, pickerValue } from "./datetime.ts";
import { globalWordOf, isEmergency, type GlobalWord } from "./global-words.ts";
import { matchKey } from "./normalize.ts";
import { decodePostback, encodePostback } from "./postback.ts";
import { ENGINE_TEXT as T } from "./texts.ts";
import { endFlow, isOutcome, type Outcome } from "./outcome.ts";
import { type EntryName, entryId as entryIdOf } from "./refs.ts";
import {
  EDIT_PREFIX,
  END,
  type Button,
  type Choice,
  type ConversationState,
  type FlowData,
  type FlowDef,
  type Input,
  type LocationAnswer,
  type MenuEntry,
  type Outgoing,
  type Reply,
  type StartOptions,
  type StepDef,
  type TurnContext,
  type VoiceAnswer,
} from "./types.ts";

export const MAX_QUICK_REPLIES = 13;
export const QUICK_REPLY_LABEL = 20;
export const MISSES_BEFORE_MENU = 3;
/** accept()'s flag for a value that is one of the step's own choices. */
const OFFERED = true;

/** Data keys the engine keeps for a step being answered (a multi-select, an image set). */
export const PENDING_SLOT = "_pending";
const DONE_SETS_SLOT = "_imageSets";
/** The datetime picker's bounds as last sent (picker values), what LINE let the user pick from. */
const PICKER_SLOT = "_picker";
/** Flows put aside under the running one, and services waiting for it (see Suspended). */
const SUSPENDED_SLOT = "_suspended";
/** The menu entry that started the running flow: its own words inside it are answers, not a restart. */
const OPENER_SLOT = "_opener";
/** At most this many flows and services wait under the running one; the oldest go first. */
export const MAX_SUSPENDED = 3;
/** Postback values of the multi-select "done" and the image "skip" buttons. */
export const MULTI_DONE = "~done";
export const IMAGE_SKIP = "~skip";
/** Postback value of an image step's done button (doneLabel): the photos in so far are the answer. */
export const IMAGE_DONE = "~photos-done";
/** Postback value of the datetime picker's button; the instant comes in params.datetime. */
export const DATETIME_PICKED = "~picked";
/** Postback value of เริ่มใหม่ when a kept flow is offered back. */
const KEPT_RESTART = "~restart";

type ImageInput = Extract<Input, { kind: "image" }>;
type MultiInput = Extract<StepDef["input"], { kind: "multi" }>;
type ImageStepInput = Extract<StepDef["input"], { kind: "image" }>;
type DatetimeStepInput = Extract<StepDef["input"], { kind: "datetime" }>;

function pendingSelection(data: FlowData): string[] {
  const p = data[PENDING_SLOT];
  return Array.isArray(p) ? p.filter((v): v is string => typeof v === "string") : [];
}

/** The photos in so far at an image step taking several (doneLabel). */
function collectedPhotos(data: FlowData): string[] {
  const p = data[PENDING_SLOT] as { ids?: unknown } | undefined;
  return p && typeof p === "object" && Array.isArray(p.ids) ? p.ids.filter((v): v is string => typeof v === "string") : [];
}

/** How many more photos the step takes; undefined without a maximum. */
function photoRoom(step: ImageStepInput, ids: string[]): number | undefined {
  return step.max === undefined ? undefined : Math.max(step.max - ids.length, 0);
}

/**
 * True for a later photo of an image set this conversation already answered;
 * otherwise notes the set as answered (the last few sets are kept; outside a
 * flow too, where data is otherwise empty: set ids are no personal data).
 */
function answeredBefore(state: ConversationState, input: ImageInput): boolean {
  if (!input.imageSet) return false;
  const done = Array.isArray(state.data[DONE_SETS_SLOT]) ? (state.data[DONE_SETS_SLOT] as unknown[]) : [];
  if (done.includes(input.imageSet.id)) return true;
  state.data = { ...state.data, [DONE_SETS_SLOT]: [...done.slice(-4), input.imageSet.id] };
  return false;
}

/**
 * What waits under the running flow: a flow put aside for a detour (all it
 * needs to continue at its step), or a service asked for that needed the
 * running flow first (the balance, once sign-up is done). Kept in the
 * conversation's data, so it expires and is forgotten with the answers.
 */
type Suspended =
  | { flow: string; step: string; version: number; data: FlowData; history: string[]; returnTo: string | null }
  | { entry: string; arg?: string };

function suspendedOf(data: FlowData): Suspended[] {
  const stack = data[SUSPENDED_SLOT];
  if (!Array.isArray(stack)) return [];
  return stack.filter((x): x is Suspended => {
    if (!x || typeof x !== "object") return false;
    const o = x as Record<string, unknown>;
    if (typeof o.entry === "string") return true;
    return (
      typeof o.flow === "string" &&
      typeof o.step === "string" &&
      typeof o.version === "number" &&
      !!o.data &&
      typeof o.data === "object" &&
      Array.isArray(o.history)
    );
  });
}

/** A flow's answers as the flow sees them: without what the engine keeps beside them. */
function answersOf(data: FlowData): FlowData {
  const { [SUSPENDED_SLOT]: _suspended, [OPENER_SLOT]: _opener, ...answers } = data;
  return answers;
}

const floorMinute = (d: Date | undefined) => (d ? new Date(Math.floor(d.getTime() / 60_000) * 60_000) : undefined);

/** The picker's bounds stored when it was sent; undefined when none were (a conversation from before). */
function pickerBounds(data: FlowData): { min?: Date; max?: Date } | undefined {
  const sent = data[PICKER_SLOT];
  if (!sent || typeof sent !== "object") return undefined;
  const read = (v: unknown) => (typeof v === "string" ? (parsePickerValue(v) ?? undefined) : undefined);
  const { min, max } = sent as { min?: unknown; max?: unknown };
  return { min: read(min), max: read(max) };
}

export interface EngineOptions {
  flows: FlowDef[];
  menu: MenuEntry[];
  timeoutMinutes: number;
  /**
   * The menu entry emergency words (global-words.ts) open from any step of
   * any other flow, for anyone who can see it: the flood request.
   */
  emergency?: string;
}

const text = (t: string): Reply => ({ kind: "text", text: t });

export function clearFlow(state: ConversationState): void {
  state.flowId = null;
  state.stepId = null;
  state.flowVersion = null;
  state.data = {};
  state.history = [];
  state.returnTo = null;
  state.attempts = 0;
  state.expiresAt = null;
}

/** A button that opens a menu entry (with an argument for it, e.g. a meeting id). */
export function entryButton(entryName: EntryName, label: string, arg?: string): Button {
  const entry = entryIdOf(entryName);
  return {
    kind: "postback",
    label: shortLabel(label),
    data: encodePostback(arg === undefined ? { kind: "menu", entry } : { kind: "menu", entry, arg }),
    displayText: label,
  };
}

/** Cut as LINE counts (UTF-16 units), never inside an emoji or a Thai syllable. */
export function shortLabel(label: string): string {
  return truncateForLine(label, QUICK_REPLY_LABEL);
}

/** A typed answer matches a choice by its label: exactly, else as the only label containing it. */
export function matchChoice(choices: Choice[], typed: string, options = { partial: true }): Choice | undefined {
  const key = matchKey(typed);
  if (!key) return undefined;
  const exact = choices.find((c) => matchKey(c.label) === key || matchKey(c.value) === key || c.aliases?.some((a) => matchKey(a) === key));
  if (exact) return exact;
  if (!options.partial || [...key].length < 2) return undefined;
  const partial = choices.filter((c) => matchKey(c.label).includes(key));
  return partial.length === 1 ? partial[0] : undefined;
}

export class Engine {
  private readonly flows = new Map<string, FlowDef>();
  /** A choice step's list as the detour check read it, reused for the answer in the same turn (one query, not two). */
  private readonly turnChoices = new WeakMap<TurnContext, { step: StepDef; choices: Choice[] }>();

  constructor(private readonly options: EngineOptions) {
    for (const flow of options.flows) {
      if (this.flows.has(flow.id)) throw new Error(`Two flows named ${flow.id}`);
      const ids = new Set(flow.steps.map((s) => s.id));
      if (ids.size !== flow.steps.length || flow.steps.length === 0) throw new Error(`Flow ${flow.id}: steps need unique ids`);
      this.flows.set(flow.id, flow);
    }
    if (options.emergency && !options.menu.some((e) => e.id === options.emergency)) {
      throw new Error(`No menu entry ${options.emergency} for emergency words`);
    }
  }

  /** Every menu entry's id, shown to the user or not: what a postback may open. */
  get entryIds(): string[] {
    return this.options.menu.map((e) => e.id);
  }

  /** The step the next input will answer, if any. */
  currentStep(state: ConversationState): StepDef | undefined {
    if (!state.flowId || !state.stepId) return undefined;
    return this.flows.get(state.flowId)?.steps.find((s) => s.id === state.stepId);
  }

  async handle(ctx: TurnContext, input: Input): Promise<Outgoing> {
    const s = ctx.state;
    const lead: Reply[] = [];
    let justExpired = false;
    if (s.flowId) {
      const flow = this.flows.get(s.flowId);
      if (!flow || s.flowVersion !== flow.version || !this.currentStep(s)) {
        lead.push(text(T.flowChanged(flow?.title ?? "รายการ")));
        clearFlow(s);
        justExpired = true;
      } else if (s.expiresAt && s.expiresAt.getTime() <= ctx.now.getTime()) {
        lead.push(text(T.expired(flow.title, flow.keep?.minutes ?? this.options.timeoutMinutes)));
        clearFlow(s);
        justExpired = true;
      }
    }

    if (input.kind === "postback") {
      const pb = decodePostback(input.data);
      if (pb.kind === "global") return this.global(ctx, pb.word, lead);
      // The service's tile tapped again after a long while: offered back, not dropped.
      if (pb.kind === "menu" && pb.entry === s.flowId && this.cameBack(ctx)) return this.offerKept(ctx, lead);
      if (pb.kind === "menu") return this.openEntry(ctx, pb.entry, lead, pb.arg);
      const current = pb.kind !== "unknown" && s.flowId === pb.flow && s.stepId === pb.step && s.turn === pb.turn;
      if (current && pb.kind === "answer" && pb.value === KEPT_RESTART) return this.restartKept(ctx, lead);
      if (!current) {
        if (!justExpired) lead.push(text(T.stale));
        return s.flowId ? this.reprompt(ctx, lead) : this.menu(ctx, lead);
      }
      if (pb.kind === "page") return this.reprompt(ctx, lead, pb.page);
      if (pb.kind === "resume") return this.enterStep(ctx, pb.step, lead);
      if (pb.kind === "answer") {
        if (this.currentStep(s)?.slow) ctx.busy?.();
        return this.answerValue(ctx, pb.value, lead, input.params);
      }
    }

    if (input.kind === "text") {
      const word = globalWordOf(input.text);
      if (word) return this.global(ctx, word, lead);
    }

    if (s.flowId) {
      if (input.kind === "text" && this.cameBack(ctx)) return this.offerKept(ctx, lead);
      if (input.kind === "text") {
        const detour = await this.detour(ctx, input.text);
        if (detour) return this.openEntry(ctx, detour.entry, lead, detour.arg);
      }
      if (this.currentStep(s)?.slow) ctx.busy?.();
      return this.answerInput(ctx, input, lead);
    }
    return this.idle(ctx, input, lead, justExpired);
  }

  /** Carries out what a module asked for (an Outgoing it built itself passes as it is). */
  async carry(ctx: TurnContext, result: Outcome | Outgoing): Promise<Outgoing> {
    if (!isOutcome(result)) return result;
    const say = result.say ?? [];
    const then = result.next ?? endFlow;
    switch (then.kind) {
      case "menu": {
        const first = [...(result.buttons ?? []), ...then.first];
        if (!then.prompt) return this.menuWith(ctx, say, first);
        const menu = await this.menu(ctx, say);
        const own = new Set(first.map((b) => b.label));
        return { replies: menu.replies, buttons: [...first, ...menu.buttons.filter((b) => !own.has(b.label))].slice(0, MAX_QUICK_REPLIES) };
      }
      case "flow":
        return this.startFlow(ctx, then.flow, then.options, say);
      case "end":
        return { replies: say, buttons: result.buttons ?? [] };
    }
  }

  async startFlow(ctx: TurnContext, flowId: string, options: StartOptions = {}, lead: Reply[] = []): Promise<Outgoing> {
    const flow = this.flows.get(flowId);
    if (!flow) throw new Error(`Unknown flow ${flowId}`);
    const s = ctx.state;
    clearFlow(s);
    s.flowId = flow.id;
    s.flowVersion = flow.version;
    s.data = { ...(options.data ?? {}) };
    s.returnTo = options.returnTo ?? null;
    return this.enterStep(ctx, options.at ?? flow.steps[0]!.id, lead);
  }

  /**
   * The menu's buttons under `lead`, with `first` in front (and not twice):
   * how a module answers and still leaves every service a tap away.
   */
  async menuWith(ctx: TurnContext, lead: Reply[], first: Button[] = []): Promise<Outgoing> {
    const { buttons } = await this.menu(ctx);
    const own = new Set(first.map((b) => b.label));
    return { replies: lead, buttons: [...first, ...buttons.filter((b) => !own.has(b.label))].slice(0, MAX_QUICK_REPLIES) };
  }

  async menu(ctx: TurnContext, lead: Reply[] = []): Promise<Outgoing> {
    const entries = (await this.visibleEntries(ctx)).filter((e) => e.listed !== false);
    const buttons: Button[] = entries.map((e) => ({
      kind: "postback",
      label: shortLabel(e.label),
      data: encodePostback({ kind: "menu", entry: e.id }),
      displayText: e.label,
    }));
    buttons.push(this.globalButton("help"));
    return { replies: [...lead, text(T.menuPrompt)], buttons };
  }

  // --- global words --------------------------------------------------------

  private async global(ctx: TurnContext, word: GlobalWord, lead: Reply[]): Promise<Outgoing> {
    const s = ctx.state;
    const flow = s.flowId ? this.flows.get(s.flowId) : undefined;
    switch (word) {
      case "cancel": {
        if (!flow) return this.menu(ctx, [...lead, text(T.nothingToCancel)]);
        // A flow put aside comes back; a service that waited for this one
        // to finish (the balance after sign-up) is dropped with it.
        const stack = suspendedOf(s.data);
        while (stack.length > 0 && "entry" in stack.at(-1)!) stack.pop();
        clearFlow(s);
        const said = text(flow.cancelled ?? T.cancelled(flow.title));
        if (stack.length === 0) return this.menu(ctx, [...lead, said]);
        const back = await this.after(ctx, { replies: [...lead, said], buttons: [] }, stack);
        return back.buttons.length > 0 ? back : this.menu(ctx, back.replies);
      }
      case "menu":
        if (flow) {
          clearFlow(s);
          lead.push(text(T.leftFlow(flow.title)));
        }
        return this.menu(ctx, lead);
      case "help":
        lead.push(text(T.help));
        if (!flow) return this.menu(ctx, lead);
        lead.push(text(T.helpContinue));
        return this.reprompt(ctx, lead);
      case "back": {
        if (!flow) return this.menu(ctx, lead);
        const previous = s.history.pop();
        if (!previous) return this.reprompt(ctx, [...lead, text(T.atFirstStep)]);
        if (previous === s.returnTo) s.returnTo = null;
        // A later step in the history (the summary) may need an answer that
        // was cleared since (a new district clears the council): ask it first.
        const gap = this.firstGap(flow, previous, s.data);
        if (gap) {
          s.history = gap.before;
          return this.enterStep(ctx, gap.step.id, lead);
        }
        return this.enterStep(ctx, previous, lead);
      }
    }
  }

  private globalButton(word: GlobalWord): Button {
    const label = T.buttons[word];
    return { kind: "postback", label, data: encodePostback({ kind: "global", word }), displayText: label };
  }

  // --- answering a step ----------------------------------------------------

  private async answerInput(ctx: TurnContext, input: Input, lead: Reply[]): Promise<Outgoing> {
    const step = this.currentStep(ctx.state)!;
    if (input.kind === "location" && step.input.kind === "location") {
      const address = input.address ?? input.title;
      const answer: LocationAnswer = { latitude: input.latitude, longitude: input.longitude, ...(address ? { address } : {}) };
      return this.accept(ctx, answer, lead);
    }
    if (input.kind === "image") {
      if (step.input.kind === "image") return this.answerImage(ctx, step.input, input, lead);
      // The rest of an image set already answered (taken as one answer, or
      // told once that a photo is not expected here): nothing to say.
      if (answeredBefore(ctx.state, input)) return { replies: lead, buttons: [] };
    }
    if (input.kind === "media" && input.what === "audio" && input.messageId && step.input.kind === "text" && step.input.voice) {
      const answer: VoiceAnswer = { voice: input.messageId, ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}) };
      return this.accept(ctx, answer, [...lead, text(step.input.voice)]);
    }
    if (input.kind !== "text") {
      const kind = input.kind === "postback" ? "media" : input.kind;
      return this.reprompt(ctx, [...lead, text(T.unexpectedKind[kind])]);
    }
    if (step.input.kind === "multi") {
      const choices = await step.input.choices(ctx);
      const choice = matchChoice([...choices, { label: step.input.doneLabel, value: MULTI_DONE }], input.text);
      if (!choice) return this.miss(ctx, T.chooseFromButtons, lead);
      return this.answerMulti(ctx, step.input, choice.value, lead);
    }
    if (step.input.kind === "image") {
      const collected = collectedPhotos(ctx.state.data);
      const done = step.input.doneLabel && collected.length > 0 ? step.input.doneLabel : undefined;
      const skip = matchChoice([{ label: done ?? step.input.skipLabel, value: IMAGE_SKIP }], input.text);
      if (!skip)
        return this.miss(
          ctx,
          done ? T.photosIn(collected.length, photoRoom(step.input, collected), done) : T.sendPhoto(step.input.skipLabel),
          lead,
        );
      return this.accept(ctx, collected, lead);
    }
    if (step.input.kind === "datetime") {
      const choice = matchChoice((await step.input.choices?.(ctx)) ?? [], input.text);
      if (choice) return this.accept(ctx, choice.value, lead, OFFERED);
      const parsed = step.input.parse?.(input.text);
      if (!parsed) return this.miss(ctx, step.input.invalid, lead);
      if (!parsed.ok) return this.miss(ctx, parsed.message, lead);
      return this.answerDatetime(ctx, step.input, parsed.value instanceof Date ? parsed.value : null, lead);
    }
    if (step.input.kind === "location") {
      if (!step.input.parse) return this.miss(ctx, T.sendLocation(step.input.label), lead);
      const parsed = step.input.parse(input.text);
      if (!parsed.ok) return this.miss(ctx, parsed.message, lead);
      return this.accept(ctx, parsed.value, lead);
    }
    if (step.input.kind === "choice") {
      const read = this.turnChoices.get(ctx);
      const choice = matchChoice(read?.step === step ? read.choices : await step.input.choices(ctx), input.text);
      if (!choice) return this.miss(ctx, T.chooseFromButtons, lead);
      return this.accept(ctx, choice.value, lead, OFFERED);
    }
    // Only an exact match: a typed part of the suggested name is the user's own answer.
    const suggested = matchChoice((await step.input.suggestions?.(ctx)) ?? [], input.text, { partial: false });
    const parsed = step.input.parse(suggested?.value ?? input.text);
    if (!parsed.ok) return this.miss(ctx, parsed.message, lead);
    return this.accept(ctx, parsed.value, lead);
  }

  /** A tapped button: its value must still be one the step offers. */
  private async answerValue(ctx: TurnContext, value: string, lead: Reply[], params?: Record<string, string>): Promise<Outgoing> {
    const step = this.currentStep(ctx.state)!;
    if (step.input.kind === "datetime") {
      if (value === DATETIME_PICKED)
        return this.answerDatetime(ctx, step.input, parsePickerValue(params?.datetime), lead, pickerBounds(ctx.state.data));
      const offered = ((await step.input.choices?.(ctx)) ?? []).some((c) => c.value === value);
      if (!offered) return this.reprompt(ctx, [...lead, text(T.stale)]);
      return this.accept(ctx, value, lead, OFFERED);
    }
    if (step.input.kind === "choice") {
      const offered = (await step.input.choices(ctx)).some((c) => c.value === value);
      if (!offered) return this.reprompt(ctx, [...lead, text(T.stale)]);
      return this.accept(ctx, value, lead, OFFERED);
    }
    if (step.input.kind === "multi") {
      const offered = value === MULTI_DONE || (await step.input.choices(ctx)).some((c) => c.value === value);
      if (!offered) return this.reprompt(ctx, [...lead, text(T.stale)]);
      return this.answerMulti(ctx, step.input, value, lead);
    }
    if (step.input.kind === "image") {
      const collected = step.input.doneLabel ? collectedPhotos(ctx.state.data) : [];
      if (value === IMAGE_DONE && collected.length > 0) return this.accept(ctx, collected, lead);
      if (value !== IMAGE_SKIP || collected.length > 0) return this.reprompt(ctx, [...lead, text(T.stale)]);
      return this.accept(ctx, [], lead);
    }
    if (step.input.kind === "location") return this.reprompt(ctx, [...lead, text(T.stale)]);
    const parsed = step.input.parse(value);
    if (!parsed.ok) return this.miss(ctx, parsed.message, lead);
    return this.accept(ctx, parsed.value, lead);
  }

  /** A picked or typed instant: within the step's bounds and its check, stored as an ISO string. */
  private async answerDatetime(
    ctx: TurnContext,
    input: DatetimeStepInput,
    at: Date | null,
    lead: Reply[],
    picked?: { min?: Date; max?: Date },
  ): Promise<Outgoing> {
    if (!at) return this.miss(ctx, input.invalid, lead);
    // The step's own check first: it says more ("before the start") than the bounds do.
    const problem = input.check?.(at, ctx);
    if (problem) return this.miss(ctx, problem, lead);
    // A picked value: the bounds the picker had. Typed: today's bounds, in
    // whole minutes as typed (09:30 typed at 09:30:20 is not in the past).
    const min = picked ? picked.min : floorMinute(input.min?.(ctx));
    const max = picked ? picked.max : input.max?.(ctx);
    if ((min && at.getTime() < min.getTime()) || (max && at.getTime() > max.getTime())) return this.miss(ctx, input.invalid, lead);
    return this.accept(ctx, at.toISOString(), lead);
  }

  /** A toggle (or done) of a multi-select: toggles re-prompt with the selection, done answers. */
  private async answerMulti(ctx: TurnContext, input: MultiInput, value: string, lead: Reply[]): Promise<Outgoing> {
    const s = ctx.state;
    const selected = pendingSelection(s.data);
    if (value === MULTI_DONE) {
      if (selected.length === 0 && input.required) return this.miss(ctx, input.required, lead);
      return this.accept(ctx, selected, lead);
    }
    const choices = await input.choices(ctx);
    let next: string[];
    if (selected.includes(value)) next = selected.filter((v) => v !== value);
    else if (value === input.none) next = [value];
    else next = [...selected.filter((v) => v !== input.none), value];
    const inOrder = choices.filter((c) => next.includes(c.value));
    s.data = { ...s.data, [PENDING_SLOT]: inOrder.map((c) => c.value) };
    // A new prompt: buttons of the previous one (with the old ticks) go stale.
    s.attempts = 0;
    s.turn += 1;
    this.touch(ctx);
    const step = this.currentStep(s)!;
    return {
      replies: [
        ...lead,
        text(
          T.multiSelected(
            inOrder.map((c) => c.label),
            input.doneLabel,
          ),
        ),
      ],
      buttons: await this.stepButtons(ctx, step, 0),
    };
  }

  /** An image, or one of an image set: the set answers once all of it has arrived. */
  private async answerImage(ctx: TurnContext, step: ImageStepInput, input: ImageInput, lead: Reply[]): Promise<Outgoing> {
    const s = ctx.state;
    const set = input.imageSet;
    if (step.doneLabel) return this.collectImage(ctx, step, step.doneLabel, input, lead);
    if (!set) return this.accept(ctx, [input.messageId], lead);
    const pending = s.data[PENDING_SLOT] as { set?: unknown; ids?: unknown; unsent?: unknown } | undefined;
    const same = pending && pending.set === set.id;
    const earlier = same && Array.isArray(pending.ids) ? (pending.ids as string[]) : [];
    // Photos of the set the user took back (src/line/unsend.ts) still count as arrived.
    const unsent = same && typeof pending.unsent === "number" ? pending.unsent : 0;
    const ids = earlier.includes(input.messageId) ? earlier : [...earlier, input.messageId];
    const doneSets = Array.isArray(s.data[DONE_SETS_SLOT]) ? (s.data[DONE_SETS_SLOT] as string[]) : [];
    if (!set.total || ids.length + unsent >= set.total) {
      s.data = { ...s.data, [DONE_SETS_SLOT]: [...doneSets.slice(-4), set.id] };
      if (step.max !== undefined && ids.length > step.max) {
        return this.accept(ctx, ids.slice(0, step.max), step.tooMany ? [...lead, text(step.tooMany)] : lead);
      }
      return this.accept(ctx, ids, lead);
    }
    // More of the set is on its way, each in its own event: wait quietly.
    s.data = { ...s.data, [PENDING_SLOT]: { set: set.id, ids, unsent } };
    this.touch(ctx);
    return { replies: lead, buttons: [] };
  }

  /**
   * A photo of a step that takes several (doneLabel): it adds to those in;
   * the step is answered when `max` is reached or done is tapped. Each
   * single photo, or each whole image set, is answered with the count.
   */
  private async collectImage(ctx: TurnContext, step: ImageStepInput, done: string, input: ImageInput, lead: Reply[]): Promise<Outgoing> {
    const s = ctx.state;
    const pending = s.data[PENDING_SLOT] as { ids?: unknown; set?: unknown; setSeen?: unknown } | undefined;
    const earlier = collectedPhotos(s.data);
    if (earlier.includes(input.messageId)) return { replies: lead, buttons: [] };
    const ids = [...earlier, input.messageId];
    const set = input.imageSet;
    const sameSet = set && pending && pending.set === set.id;
    // Photos of the set seen so far, an unsent one included (src/line/unsend.ts drops it from ids).
    const setSeen = set ? (sameSet && typeof pending.setSeen === "number" ? pending.setSeen : 0) + 1 : 0;
    if (step.max !== undefined && ids.length >= step.max) {
      // The rest of the set, still arriving, is answered already.
      if (set) s.data = { ...s.data, [DONE_SETS_SLOT]: [...((s.data[DONE_SETS_SLOT] as string[] | undefined) ?? []).slice(-4), set.id] };
      const tooMany = ids.length > step.max || (set?.total !== undefined && setSeen < set.total);
      return this.accept(ctx, ids.slice(0, step.max), tooMany && step.tooMany ? [...lead, text(step.tooMany)] : lead);
    }
    s.data = { ...s.data, [PENDING_SLOT]: set ? { ids, set: set.id, setSeen } : { ids } };
    this.touch(ctx);
    // More of the set is on its way, each in its own event: wait quietly.
    if (set?.total && setSeen < set.total) return { replies: lead, buttons: [] };
    s.turn += 1;
    const room = photoRoom(step, ids);
    return { replies: [...lead, text(T.photosIn(ids.length, room, done))], buttons: await this.stepButtons(ctx, this.currentStep(s)!, 0) };
  }

  /**
   * Stores the step's answer and moves on. An "edit:" value jumps to that
   * step only when it is one of the step's own choices (`offered`): text a
   * user typed and a parser accepted ("edit:confirm" as a household name)
   * is an answer like any other, never a jump past required steps.
   */
  private async accept(ctx: TurnContext, value: unknown, lead: Reply[], offered = false): Promise<Outgoing> {
    const s = ctx.state;
    const flow = this.flows.get(s.flowId!)!;
    const step = this.currentStep(s)!;
    if (offered && typeof value === "string" && value.startsWith(EDIT_PREFIX)) {
      const target = value.slice(EDIT_PREFIX.length);
      if (!flow.steps.some((x) => x.id === target)) return this.reprompt(ctx, [...lead, text(T.stale)]);
      s.history.push(step.id);
      s.returnTo = step.id;
      return this.enterStep(ctx, target, lead);
    }
    s.data = { ...s.data, [step.slot]: value };
    delete s.data[PENDING_SLOT];
    delete s.data[PICKER_SLOT];
    for (const key of step.clears ?? []) delete s.data[key];
    s.history.push(step.id);

    let target = step.next ? step.next(s.data) : this.following(flow, step);
    if (target !== END && s.returnTo) {
      const returnTo = s.returnTo;
      const targetStep = flow.steps.find((x) => x.id === target);
      if (target === returnTo) s.returnTo = null;
      else if (targetStep && s.data[targetStep.slot] !== undefined) {
        target = returnTo;
        s.returnTo = null;
      }
    }
    if (target === END) {
      const data = s.data;
      clearFlow(s);
      const done = await this.carry(ctx, await flow.complete(ctx, answersOf(data)));
      // A flow its completion starts carries on the same service.
      if (s.flowId && typeof data[OPENER_SLOT] === "string" && s.data[OPENER_SLOT] === undefined) {
        s.data = { ...s.data, [OPENER_SLOT]: data[OPENER_SLOT] };
      }
      return this.after(ctx, { replies: [...lead, ...done.replies], buttons: done.buttons }, suspendedOf(data));
    }
    return this.enterStep(ctx, target, lead);
  }

  private following(flow: FlowDef, step: StepDef): string | typeof END {
    const i = flow.steps.indexOf(step);
    return flow.steps[i + 1]?.id ?? END;
  }

  /** The first step on the way to `target` whose answer is missing, and the steps before it. */
  private firstGap(flow: FlowDef, target: string, data: FlowData): { step: StepDef; before: string[] } | undefined {
    const before: string[] = [];
    let step = flow.steps[0];
    while (step && step.id !== target && before.length < flow.steps.length) {
      if (data[step.slot] === undefined) return { step, before };
      before.push(step.id);
      const next = step.next ? step.next(data) : this.following(flow, step);
      step = next === END ? undefined : flow.steps.find((x) => x.id === next);
    }
    return undefined;
  }

  private async miss(ctx: TurnContext, problem: string, lead: Reply[]): Promise<Outgoing> {
    const s = ctx.state;
    s.attempts += 1;
    const lines = [problem];
    if (s.attempts >= MISSES_BEFORE_MENU) lines.push(T.stuck);
    return this.reprompt(ctx, [...lead, text(lines.join("\n"))]);
  }

  // --- prompting -----------------------------------------------------------

  private async enterStep(ctx: TurnContext, stepId: string, lead: Reply[]): Promise<Outgoing> {
    const s = ctx.state;
    const flow = this.flows.get(s.flowId!)!;
    const step = flow.steps.find((x) => x.id === stepId);
    if (!step) throw new Error(`Flow ${flow.id} has no step ${stepId}`);
    s.stepId = step.id;
    s.attempts = 0;
    s.turn += 1;
    delete s.data[PENDING_SLOT];
    // A multi-select starts from its earlier answer (back, or an edit from the summary).
    const earlier = s.data[step.slot];
    if (step.input.kind === "multi" && Array.isArray(earlier)) s.data = { ...s.data, [PENDING_SLOT]: [...earlier] };
    this.touch(ctx);
    const prompt = await step.prompt(ctx);
    return { replies: [...lead, ...prompt], buttons: await this.stepButtons(ctx, step, 0) };
  }

  /** Says again what the current step expects, with its buttons. */
  private async reprompt(ctx: TurnContext, lead: Reply[], page = 0): Promise<Outgoing> {
    const step = this.currentStep(ctx.state)!;
    this.touch(ctx);
    return {
      replies: [...lead, text(T.reprompt(step.expects))],
      buttons: await this.stepButtons(ctx, step, page),
    };
  }

  private touch(ctx: TurnContext): void {
    const keep = ctx.state.flowId ? this.flows.get(ctx.state.flowId)?.keep?.minutes : undefined;
    ctx.state.expiresAt = new Date(ctx.now.getTime() + (keep ?? this.options.timeoutMinutes) * 60_000);
  }

  /** A kept flow (FlowDef.keep) whose user was away longer than the usual timeout. */
  private cameBack(ctx: TurnContext): boolean {
    const s = ctx.state;
    const keep = s.flowId ? this.flows.get(s.flowId)?.keep : undefined;
    if (!keep || !s.expiresAt) return false;
    const lastTurn = s.expiresAt.getTime() - keep.minutes * 60_000;
    return ctx.now.getTime() - lastTurn > this.options.timeoutMinutes * 60_000;
  }

  /**
   * ทำต่อ / เริ่มใหม่. The turn stays, so the question's own buttons (and
   * ทำต่อ, a page postback) still answer; whatever was typed is not taken
   * as an answer to a question asked hours ago.
   */
  private offerKept(ctx: TurnContext, lead: Reply[]): Outgoing {
    const s = ctx.state;
    this.touch(ctx);
    const base = { flow: s.flowId!, step: s.stepId!, turn: s.turn };
    const button = (label: string, data: string): Button => ({ kind: "postback", label, data, displayText: label });
    return {
      replies: [...lead, text(T.keptAsk(this.flows.get(s.flowId!)!.title))],
      buttons: [
        button(T.keptContinue, encodePostback({ kind: "page", ...base, page: 0 })),
        button(T.keptRestart, encodePostback({ kind: "answer", ...base, value: KEPT_RESTART })),
        this.globalButton("cancel"),
      ],
    };
  }

  private async restartKept(ctx: TurnContext, lead: Reply[]): Promise<Outgoing> {
    const flow = this.flows.get(ctx.state.flowId!)!;
    return this.startFlow(ctx, flow.id, { data: flow.keep?.restart(ctx.state.data) ?? {} }, lead);
  }

  private async stepButtons(ctx: TurnContext, step: StepDef, page: number): Promise<Button[]> {
    const s = ctx.state;
    const fixed: Button[] = [];
    if (s.history.length > 0) fixed.push(this.globalButton("back"));
    if (!step.ownCancel) fixed.push(this.globalButton("cancel"));
    if (s.attempts >= MISSES_BEFORE_MENU) fixed.unshift(this.globalButton("menu"));

    const base = { flow: s.flowId!, step: step.id, turn: s.turn };
    const selected = step.input.kind === "multi" ? pendingSelection(s.data) : [];
    const toButton = (c: Choice): Button => ({
      kind: "postback",
      label: shortLabel(selected.includes(c.value) ? `✓ ${c.label}` : c.label),
      data: encodePostback({ kind: "answer", ...base, value: c.value }),
      displayText: c.label,
    });

    let options: Choice[] = [];
    const first: Button[] = [];
    switch (step.input.kind) {
      case "choice":
        options = await step.input.choices(ctx);
        break;
      case "text":
        options = (await step.input.suggestions?.(ctx)) ?? [];
        break;
      case "multi":
        options = await step.input.choices(ctx);
        fixed.unshift(toButton({ label: step.input.doneLabel, value: MULTI_DONE }));
        break;
      case "image":
        options =
          step.input.doneLabel && collectedPhotos(s.data).length > 0
            ? [{ label: step.input.doneLabel, value: IMAGE_DONE }]
            : [{ label: step.input.skipLabel, value: IMAGE_SKIP }];
        break;
      case "location":
        first.push({ kind: "location", label: shortLabel(step.input.label) });
        break;
      case "datetime": {
        const bound = (d: Date | undefined) => (d ? pickerValue(d) : undefined);
        const [min, max, initial] = [step.input.min?.(ctx), step.input.max?.(ctx), step.input.initial?.(ctx)];
        // LINE's bounds are inclusive and whole minutes, and the user picks a
        // while later: the answer is checked against these, not against the
        // bounds at answer time (a `min` of "now" has moved on by then).
        s.data = { ...s.data, [PICKER_SLOT]: { min: bound(min), max: bound(max) } };
        first.push({
          kind: "datetime",
          label: shortLabel(step.input.label),
          data: encodePostback({ kind: "answer", ...base, value: DATETIME_PICKED }),
          ...(min ? { min: bound(min) } : {}),
          ...(max ? { max: bound(max) } : {}),
          ...(initial ? { initial: bound(initial) } : {}),
        });
        options = (await step.input.choices?.(ctx)) ?? [];
        break;
      }
    }

    const room = MAX_QUICK_REPLIES - fixed.length - first.length;
    if (options.length <= room) return [...first, ...options.map(toButton), ...fixed];

    const size = room - 2; // leave room for previous and next
    const pages = Math.ceil(options.length / size);
    const p = Math.min(Math.max(page, 0), pages - 1);
    const nav: Button[] = [];
    if (p > 0) {
      nav.push({
        kind: "postback",
        label: T.buttons.previousPage,
        data: encodePostback({ kind: "page", ...base, page: p - 1 }),
        displayText: T.buttons.previousPage,
      });
    }
    if (p < pages - 1) {
      nav.push({
        kind: "postback",
        label: T.buttons.nextPage,
        data: encodePostback({ kind: "page", ...base, page: p + 1 }),
        displayText: T.buttons.nextPage,
      });
    }
    return [...first, ...options.slice(p * size, (p + 1) * size).map(toButton), ...nav, ...fixed];
  }

  // --- no flow running -----------------------------------------------------

  /**
   * Who may see which entry, asked lazily and at most once per entry. The
   * checks share a cache (TurnContext.cache) so thirty entries asking "is
   * this a member?" or "which roles?" cost one query each, not thirty; the
   * cache lives for this one question, so a change later in the turn (a
   * sign-up just completed) is seen by the next.
   */
  private visibility(ctx: TurnContext): (entry: MenuEntry) => Promise<boolean> {
    const scoped: TurnContext = { ...ctx, cache: new Map() };
    const known = new Map<MenuEntry, Promise<boolean>>();
    return (entry) => {
      if (!entry.visible) return Promise.resolve(true);
      let answer = known.get(entry);
      if (!answer) {
        answer = entry.visible(scoped);
        known.set(entry, answer);
      }
      return answer;
    };
  }

  private async visibleEntries(ctx: TurnContext): Promise<MenuEntry[]> {
    const visible = this.visibility(ctx);
    const shown: MenuEntry[] = [];
    for (const entry of this.options.menu) if (await visible(entry)) shown.push(entry);
    return shown;
  }

  /** The first entry, in menu order, that `wanted` picks and this user may see. */
  private async firstVisible(ctx: TurnContext, wanted: (e: MenuEntry) => boolean): Promise<MenuEntry | undefined> {
    const visible = this.visibility(ctx);
    for (const entry of this.options.menu) if (wanted(entry) && (await visible(entry))) return entry;
    return undefined;
  }

  /**
   * Opens a menu entry; a running flow is put aside and comes back when the
   * entry is done. `waiting`: the service first asked for, when this is its
   * stand-in (sign-up for the balance): it opens once the stand-in is done.
   */
  private async openEntry(
    ctx: TurnContext,
    entryId: string,
    lead: Reply[],
    arg?: string,
    hops = 0,
    waiting: Suspended[] = [],
  ): Promise<Outgoing> {
    const entry = await this.firstVisible(ctx, (e) => e.id === entryId);
    if (!entry) {
      // A rich menu tile or an old card names an entry this user cannot
      // see now (members only, staff only): its stand-in if it has one
      // (sign-up for a members-only service), else the menu. Only an id
      // that does not exist at all is a stale button.
      const hidden = this.options.menu.find((e) => e.id === entryId);
      const instead = hidden?.otherwise;
      // Stand-ins may chain (fund-link → fund-balance → sign-up); a short
      // chain, so a mistaken cycle ends at the menu.
      if (instead && hops < 3) {
        if (instead.say && !lead.some((r) => r.kind === "text" && r.text === instead.say)) lead.push(text(instead.say));
        const asked: Suspended[] = hops === 0 ? [arg === undefined ? { entry: entryId } : { entry: entryId, arg }] : waiting;
        return this.openEntry(ctx, entryIdOf(instead.entry), lead, undefined, hops + 1, asked);
      }
      const note = hidden ? [] : [text(T.stale)];
      if (ctx.state.flowId) return this.reprompt(ctx, [...lead, ...note]);
      return this.menu(ctx, [...lead, ...note]);
    }
    return this.run(ctx, entry, lead, arg, [...this.putAside(ctx.state), ...waiting]);
  }

  /** The running flow, ready to come back, on top of what already waits under it. */
  private putAside(s: ConversationState): Suspended[] {
    if (!s.flowId || !s.stepId || s.flowVersion === null) return [];
    const below = suspendedOf(s.data);
    const { [SUSPENDED_SLOT]: _below, ...data } = s.data;
    return [...below, { flow: s.flowId, step: s.stepId, version: s.flowVersion, data, history: [...s.history], returnTo: s.returnTo }];
  }

  /**
   * Opens `entry`; `stack` (the running flow, put aside, and what waits
   * with it) waits for a flow the entry starts. An entry that answers at
   * once (a card, a report's buttons) leaves the running flow where it was,
   * its step still answerable, with a button back to its question.
   */
  private async run(ctx: TurnContext, entry: MenuEntry, lead: Reply[], arg: string | undefined, stack: Suspended[]): Promise<Outgoing> {
    const s = ctx.state;
    const running = s.flowId;
    const turn = s.turn;
    const out = await this.carry(ctx, await entry.open(ctx, arg));
    const started = s.flowId !== null && (s.flowId !== running || s.turn !== turn);
    if (started) s.data = { ...s.data, [OPENER_SLOT]: entry.id };
    const answered = { replies: [...lead, ...out.replies], buttons: out.buttons };
    if (!started && running && s.flowId === running) return this.stillWaiting(ctx, answered);
    return this.after(ctx, answered, stack);
  }

  /** A service's answer while a flow waits: a word and a button back to the flow's question. */
  private stillWaiting(ctx: TurnContext, out: Outgoing): Outgoing {
    const s = ctx.state;
    const flow = this.flows.get(s.flowId!)!;
    const back: Button = {
      kind: "postback",
      label: T.buttons.resume,
      data: encodePostback({ kind: "resume", flow: flow.id, step: s.stepId!, turn: s.turn }),
      displayText: T.resumeDisplay(flow.title),
    };
    this.touch(ctx);
    return {
      replies: [...out.replies, text(T.stillWaiting(flow.title))],
      buttons: [back, ...out.buttons.filter((b) => b.label !== back.label)].slice(0, MAX_QUICK_REPLIES),
    };
  }

  /**
   * After a service answered: with a flow running, what waits goes under it
   * (a fresh start of a flow replaces its own copy put aside); with none,
   * the innermost waiting one comes back: a service opens if this user may
   * now use it (else it is dropped: sign-up refused), a flow continues at
   * its step with its prompt.
   */
  private async after(ctx: TurnContext, out: Outgoing, stack: Suspended[]): Promise<Outgoing> {
    const s = ctx.state;
    if (s.flowId) {
      const kept = stack.filter((x) => !("flow" in x) || x.flow !== s.flowId).slice(-MAX_SUSPENDED);
      if (kept.length > 0) s.data = { ...s.data, [SUSPENDED_SLOT]: kept };
      return out;
    }
    const rest = [...stack];
    const top = rest.pop();
    if (!top) return out;
    if ("entry" in top) {
      const entry = await this.firstVisible(ctx, (e) => e.id === top.entry);
      if (!entry) return this.after(ctx, out, rest);
      return this.run(ctx, entry, this.withoutMenuPrompt(out.replies), top.arg, rest);
    }
    const flow = this.flows.get(top.flow);
    if (!flow || flow.version !== top.version || !flow.steps.some((x) => x.id === top.step)) {
      return this.after(ctx, { replies: [...out.replies, text(T.flowChanged(flow?.title ?? "รายการ"))], buttons: out.buttons }, rest);
    }
    s.flowId = flow.id;
    s.flowVersion = flow.version;
    s.data = rest.length > 0 ? { ...top.data, [SUSPENDED_SLOT]: rest } : { ...top.data };
    s.history = [...top.history];
    s.returnTo = top.returnTo;
    return this.enterStep(ctx, top.step, [...this.withoutMenuPrompt(out.replies), text(T.resumed(flow.title))]);
  }

  /** A finished service's "what next?" asks nothing when something else comes next. */
  private withoutMenuPrompt(replies: Reply[]): Reply[] {
    return replies.filter((r) => !(r.kind === "text" && r.text === T.menuPrompt));
  }

  /**
   * Typed text that leaves the current step for a service, or undefined
   * when the step takes it. A tap on one of the step's buttons (or its label
   * typed) is always the answer. Emergency words come next, except in prose
   * and in the emergency service's own flow. Then the step's own answer
   * (text its parser accepts); only text it would refuse opens a service
   * by name or by shape (an invite code), never the flow already running.
   */
  private async detour(ctx: TurnContext, typed: string): Promise<{ entry: string; arg?: string } | undefined> {
    const s = ctx.state;
    const step = this.currentStep(s)!;
    const opener = s.data[OPENER_SLOT];
    if (await this.offers(ctx, step, typed)) return undefined;
    const prose = step.input.kind === "text" && step.input.prose === true;
    const emergency = this.options.emergency;
    if (emergency && !prose && opener !== emergency && isEmergency(typed)) {
      if (await this.firstVisible(ctx, (e) => e.id === emergency)) return { entry: emergency };
    }
    if (this.parses(step, typed)) return undefined;
    const key = matchKey(typed);
    const named = (e: MenuEntry) => e.id !== opener && e.keywords.some((k) => key.includes(matchKey(k)));
    const shaped = await this.firstVisible(ctx, (e) => e.id !== opener && e.matches?.(typed) === true);
    if (shaped) return { entry: shaped.id, arg: typed };
    const entry = (await this.firstVisible(ctx, named)) ?? this.options.menu.find((e) => e.otherwise && named(e));
    return entry ? { entry: entry.id } : undefined;
  }

  /** Typed text that is one of the step's buttons. */
  private async offers(ctx: TurnContext, step: StepDef, typed: string): Promise<boolean> {
    const input = step.input;
    switch (input.kind) {
      case "choice": {
        const choices = await input.choices(ctx);
        this.turnChoices.set(ctx, { step, choices });
        return matchChoice(choices, typed) !== undefined;
      }
      case "multi":
        return matchChoice([...(await input.choices(ctx)), { label: input.doneLabel, value: MULTI_DONE }], typed) !== undefined;
      case "image":
        return (
          matchChoice(
            [{ label: input.skipLabel, value: IMAGE_SKIP }, ...(input.doneLabel ? [{ label: input.doneLabel, value: IMAGE_DONE }] : [])],
            typed,
          ) !== undefined
        );
      case "datetime":
        return matchChoice((await input.choices?.(ctx)) ?? [], typed) !== undefined;
      case "text":
        return matchChoice((await input.suggestions?.(ctx)) ?? [], typed, { partial: false }) !== undefined;
      case "location":
        return false;
    }
  }

  /** Typed text the step's parser accepts as its answer. */
  private parses(step: StepDef, typed: string): boolean {
    const input = step.input;
    if (input.kind === "text" || input.kind === "location" || input.kind === "datetime") return input.parse?.(typed).ok === true;
    return false;
  }

  private async idle(ctx: TurnContext, input: Input, lead: Reply[], quiet: boolean): Promise<Outgoing> {
    if (input.kind === "text") {
      const emergency = this.options.emergency;
      if (emergency && isEmergency(input.text)) {
        const entry = await this.firstVisible(ctx, (e) => e.id === emergency);
        if (entry) return this.run(ctx, entry, lead, undefined, []);
      }
      const key = matchKey(input.text);
      const named = (e: MenuEntry) => e.keywords.some((k) => key.includes(matchKey(k)));
      const entry = (await this.firstVisible(ctx, (e) => e.matches?.(input.text) === true)) ?? (await this.firstVisible(ctx, named));
      if (entry) return this.run(ctx, entry, lead, entry.matches?.(input.text) ? input.text : undefined, []);
      // A service this user cannot use yet, asked for by name ("ยอดเงินกองทุน"
      // from a non-member): its stand-in, as for a tap on its button. (No
      // entry named by the text is visible, so any named one is hidden.)
      const hidden = this.options.menu.find((e) => e.otherwise && named(e));
      if (hidden) return this.openEntry(ctx, hidden.id, lead);
    }
    // An album is one message to the user, though LINE sends each photo as
    // its own event: one answer per image set.
    if (input.kind === "image" && answeredBefore(ctx.state, input)) return { replies: lead, buttons: [] };
    if (input.kind === "sticker") lead.push(text(T.idleSticker));
    else if (!quiet) lead.push(text(T.notUnderstood));
    return this.menu(ctx, lead);
  }
}
