// The conversation engine's vocabulary. Nothing here knows about LINE:
// src/line/events.ts turns webhook events into Input, and src/line/render.ts
// turns Outgoing into LINE messages.
import type { Tx } from "../db/database.ts";
import type { Outcome } from "./outcome.ts";
import type { EntryName } from "./refs.ts";

export type Input =
  | { kind: "text"; text: string } // already normalised (see normalize.ts)
  | { kind: "postback"; data: string; params?: Record<string, string> }
  | { kind: "location"; latitude: number; longitude: number; title?: string; address?: string }
  | { kind: "image"; messageId: string; imageSet?: { id: string; index?: number; total?: number } }
  | { kind: "sticker" }
  /** video, audio, file; an audio message (a voice message) carries its id: a text step may take it (`voice`). */
  | { kind: "media"; what: string; messageId?: string; durationMs?: number };

export type Reply =
  | { kind: "text"; text: string }
  | { kind: "flex"; altText: string; contents: Record<string, unknown> }
  /** An image the bot serves itself (an https:// URL LINE fetches: a chart); altText only for transcripts and logs. */
  | { kind: "image"; url: string; previewUrl: string; altText: string };

export type Button =
  | { kind: "postback"; label: string; data: string; displayText?: string }
  | { kind: "text"; label: string; text: string }
  /** LINE's "send my location" quick reply: the answer arrives as a location message. */
  | { kind: "location"; label: string }
  /**
   * LINE's date-and-time picker: the answer is a postback with `data` and
   * params.datetime ("2026-12-05T09:30"). initial/min/max use that format.
   */
  | { kind: "datetime"; label: string; data: string; initial?: string; min?: string; max?: string };

/** What to send back: the buttons become quick replies on the last message. */
export interface Outgoing {
  replies: Reply[];
  buttons: Button[];
}

export type FlowData = Record<string, unknown>;

/** One user's conversation, as stored in the `conversation` table. */
export interface ConversationState {
  lineUserId: string;
  flowId: string | null;
  stepId: string | null;
  flowVersion: number | null;
  data: FlowData;
  history: string[];
  returnTo: string | null;
  attempts: number;
  turn: number;
  expiresAt: Date | null;
}

/** What a step, a flow or a menu entry may use while a turn runs. */
export interface TurnContext {
  /** The transaction holding this user's conversation lock. */
  readonly tx: Tx;
  readonly userId: string;
  readonly now: Date;
  readonly state: ConversationState;
  /** Tells the user we are working (LINE's loading animation). */
  readonly busy?: () => void;
  /**
   * Set by the engine while it asks menu entries whether they are visible:
   * facts several checks share (the member row, the roles) are loaded once.
   * See cachedForCheck in turn-cache.ts.
   */
  readonly cache?: Map<string, Promise<unknown>>;
}

export interface Choice {
  label: string; // ≤ 20 characters (quick-reply label)
  value: string;
  /** Other ways people type it ("ต.กำแพง" for กำแพง); matched exactly, never shown. */
  aliases?: string[];
}

/** A choice whose value starts with this jumps to that step and comes back. */
export const EDIT_PREFIX = "edit:";

export type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/** What a text step with `voice` stores for a voice message: its LINE message id (the audio is fetched later). */
export interface VoiceAnswer {
  voice: string;
  durationMs?: number;
}

/** What a "location" step stores for a LINE location message. */
export interface LocationAnswer {
  latitude: number;
  longitude: number;
  address?: string;
}

export type StepInput =
  | { kind: "choice"; choices: (ctx: TurnContext) => Choice[] | Promise<Choice[]> }
  | {
      kind: "text";
      /** Parses normalised text; the first issue's message is shown on a miss. */
      parse: (text: string) => ParseResult;
      /** Buttons that answer for the user (e.g. their LINE display name). */
      suggestions?: (ctx: TurnContext) => Choice[] | Promise<Choice[]>;
      /**
       * The answer is the user's own sentences (a note, a reason, an
       * announcement): emergency words in it are part of what they write,
       * not a cry for help. Elsewhere they start the emergency service.
       */
      prose?: boolean;
      /**
       * A voice message answers too (instead of typing): stored as a
       * VoiceAnswer, and this is said when it arrives.
       */
      voice?: string;
    }
  | {
      /** A LINE location message (stored as a LocationAnswer); typed text only through `parse`. */
      kind: "location";
      /** The label of the "send location" quick reply. */
      label: string;
      /** Typed fallback (e.g. a village name); without it typed text is a miss. */
      parse?: (text: string) => ParseResult;
    }
  | {
      /**
       * Several choices: each tap (or typed label) toggles one, the done
       * button stores the selected values (string[], in choice order).
       */
      kind: "multi";
      choices: (ctx: TurnContext) => Choice[] | Promise<Choice[]>;
      doneLabel: string;
      /** The value of a "none of these" choice: selecting it unselects the others, and back. */
      none?: string;
      /** Shown when done is tapped with nothing selected; without it an empty answer is fine. */
      required?: string;
    }
  | {
      /**
       * Optional photos: an image message, or an image set (several images
       * sent at once, arriving as several events) counts as one answer.
       * Stores the message ids (string[]; [] when skipped). Photos are
       * fetched later from LINE, not here.
       */
      kind: "image";
      skipLabel: string;
      /** Keeps at most this many (the first ones) of an image set; `tooMany` says so. */
      max?: number;
      tooMany?: string;
      /**
       * Several photos, sent one at a time or in sets: they add up (each
       * reply says how many are in) until this button is tapped or `max` is
       * reached. Without it, the first image or image set is the answer.
       */
      doneLabel?: string;
    }
  | {
      /**
       * A date and time: LINE's picker (its postback's params.datetime, read
       * as Bangkok wall time) or typed text through `parse` (default: none).
       * Stores the instant as an ISO string. `choices` answer for the user
       * ("ไม่กำหนด", "2 ชั่วโมง"): a tapped or typed choice stores its value.
       */
      kind: "datetime";
      /** The label of the picker quick reply. */
      label: string;
      parse?: (text: string) => ParseResult;
      /** The picker's bounds and starting point (also enforced on the answer: min/max). */
      min?: (ctx: TurnContext) => Date | undefined;
      max?: (ctx: TurnContext) => Date | undefined;
      initial?: (ctx: TurnContext) => Date | undefined;
      /** A problem with a picked or typed instant given the other answers (end before start), or null. */
      check?: (at: Date, ctx: TurnContext) => string | null;
      choices?: (ctx: TurnContext) => Choice[] | Promise<Choice[]>;
      /** Shown for a picked instant outside min/max, or typed text that is not a date. */
      invalid: string;
    };

export const END = Symbol("end of flow");

export interface StepDef {
  id: string;
  /** The data key this step fills. */
  slot: string;
  prompt: (ctx: TurnContext) => Reply[] | Promise<Reply[]>;
  /** What a re-prompt asks for, as a Thai phrase ("เลือกอำเภอ"). */
  expects: string;
  input: StepInput;
  /** Clears slots that depend on this one (a new district needs a new council). */
  clears?: string[];
  /** Where to go after this step; default: the next step in the list. */
  next?: (data: FlowData) => string | typeof END;
  /** Show LINE's loading animation before running: this step's answer takes a moment. */
  slow?: boolean;
  /**
   * A yes/no confirmation whose own "no" already stops (ยืนยันยกเลิก /
   * ไม่ยกเลิก): no global cancel button beside it, so no third cancel word.
   */
  ownCancel?: boolean;
}

export interface StartOptions {
  data?: FlowData;
  at?: string;
  returnTo?: string;
}

export interface FlowDef {
  id: string;
  /** Bump when steps change shape; conversations of an older version restart. */
  version: number;
  /** A Thai noun phrase for messages: "การสมัครสมาชิก". */
  title: string;
  /** Said when the user stops the flow with ยกเลิก; default "ยกเลิก<title>แล้วค่ะ" (wrong for a flow that itself cancels something). */
  cancelled?: string;
  /**
   * A half-finished flow worth coming back to (a help request): kept this
   * many minutes instead of the usual timeout, and offered back (ทำต่อ /
   * เริ่มใหม่) to a user who was away longer than the usual timeout.
   * `restart` gives the data a fresh start keeps (what the flow started with).
   */
  keep?: { minutes: number; restart: (data: FlowData) => FlowData };
  steps: StepDef[];
  /** Runs in the turn's transaction once the last step is answered; says what happens next. */
  complete: (ctx: TurnContext, data: FlowData) => Promise<Outcome | Outgoing>;
}

/** An entry of the main menu (and, later, the rich menu). */
export interface MenuEntry {
  id: string;
  label: string; // ≤ 20 characters
  /** Normalised substrings that open this entry when typed with no flow running. */
  keywords: string[];
  /**
   * Typed text of a shape rather than a word (an invite code, a case
   * number) that opens this entry; checked before keywords. The entry's
   * open() gets the text as its argument.
   */
  matches?: (text: string) => boolean;
  /** False: reachable by its buttons and keywords, not listed in the menu. */
  listed?: boolean;
  visible?: (ctx: TurnContext) => Promise<boolean>;
  /**
   * Opened instead when this entry is tapped (a rich menu tile, an old
   * card) by a user who cannot see it: e.g. sign-up, with a line saying
   * why. Without it such a tap shows the menu.
   */
  otherwise?: { entry: EntryName; say?: string };
  /**
   * `arg` comes from a card's button (encodePostback({ kind: "menu", entry,
   * arg })); typed keywords and the menu open without one. Untrusted: check
   * that it names something this user may act on.
   */
  open: (ctx: TurnContext, arg?: string) => Promise<Outcome | Outgoing>;
}
