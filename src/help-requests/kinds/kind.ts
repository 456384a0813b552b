// What one kind of help request (flood, housing, …) declares: everything
// the rest of the bot needs to know about it, so that adding a kind is one
// file here, its texts and its migration (CONTRIBUTING.md walks through
// one). kinds/index.ts lists them, keyed by the database enum: a kind
// missing there, or missing a field here, does not compile.
import { strings } from "../../engine/flow-data.ts";
import type { EntryRef } from "../../engine/refs.ts";
import type { FlowDef } from "../../engine/types.ts";
import type { HelpRequestKind } from "../../generated/prisma/client.ts";
import type { CaseRow } from "../case-store.ts";
import { CASE_TEXT } from "../case-texts.ts";

/** One row of the staff card: label, value. */
export type CardRow = readonly [label: string, value: string];

export interface RequestKindDef<K extends HelpRequestKind = HelpRequestKind> {
  /** The value the rows store (enum HelpRequestKind in prisma/schema.prisma). */
  readonly kind: K;
  /** The case number's letter: SSK-F-6911-0042 for a flood. One capital letter, unique among kinds. */
  readonly letter: string;
  /** What it is called: on staff cards, notices and "my requests"; as a report's title; in the report's CSV. */
  readonly names: { readonly card: string; readonly report: string; readonly csv: string };
  /**
   * How the council's secretaries hear of a new one (and of the villager's
   * changes): pushed at once, or in the evening digest of those who chose it.
   */
  readonly urgent: boolean;
  /**
   * The menu entry that files one (help-module.ts registers it): also
   * offered, in this order, to a villager whose "my requests" is empty.
   */
  readonly entry: {
    readonly ref: EntryRef;
    /** ≤ 20 characters (a quick reply). */
    readonly label: string;
    /** Normalised words that open it when typed. */
    readonly keywords: readonly string[];
    /** Said before the flow's first question. */
    readonly intro: string;
  };
  /**
   * The conversation that collects and files it (defineFlow; its schema
   * includes RequestStart's fields, its complete calls fileRequest).
   */
  readonly flow: (provinceCode: number) => FlowDef;
  /** Its own rows of the staff card, between the place and the phone (the card checks the reader first). */
  readonly cardRows: (r: CaseRow) => CardRow[];
}

/** What every request flow starts with: a member files for their own council (help-module.ts). */
export type RequestStart = {
  viaMember?: boolean;
  councilId?: string;
};

/** A stored list (a Json column of codes) as its labels, joined; "-" when empty. */
export const labelList = (stored: unknown, names: Readonly<Record<string, string>>): string =>
  strings(stored)
    .map((v) => names[v] ?? v)
    .join(", ") || CASE_TEXT.dash;

/** A stored code as its label (the code itself when unknown); "-" when empty. */
export const labelOf = (stored: string | null, names: Readonly<Record<string, string>>): string =>
  stored ? (names[stored] ?? stored) : CASE_TEXT.dash;

/** The labels of a stored list of codes. */
export const labelsOf = (stored: unknown, names: Readonly<Record<string, string>>): string[] => strings(stored).map((v) => names[v] ?? v);
