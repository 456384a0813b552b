// The kinds of help request, keyed by the database's enum (HelpRequestKind
// in prisma/schema.prisma): the compiler refuses a kind of the enum that is
// missing here, or one missing a field of RequestKindDef (kind.ts). The
// menu entries, the staff card's rows, the case number's letter, the
// reports' tables and the notices all read this, in this order.
//
// The kind files import their flows, which file requests and notify staff,
// whose cards read this registry: a cycle that is fine as long as nothing
// reads the registry while modules load. Read it inside functions only
// (this file excepted), and import the kinds from here, not their files.
import type { HelpRequestKind } from "../../generated/prisma/client.ts";
import { casePattern } from "../case-number.ts";
import { FLOOD, FLOOD_ENTRY } from "./flood.ts";
import { HOUSING } from "./housing.ts";
import type { RequestKindDef } from "./kind.ts";

export const REQUEST_KINDS = {
  FLOOD,
  HOUSING,
} as const satisfies { [K in HelpRequestKind]: RequestKindDef<K> };

/** Every kind, in menu order. */
export const KIND_LIST: readonly RequestKindDef[] = Object.values(REQUEST_KINDS);

export const kindOf = (kind: HelpRequestKind): RequestKindDef => REQUEST_KINDS[kind];

const letters = KIND_LIST.map((k) => k.letter);
for (const k of KIND_LIST) {
  if (!/^[A-Z]$/.test(k.letter) || letters.indexOf(k.letter) !== letters.lastIndexOf(k.letter)) {
    throw new Error(`Help request kind ${k.kind}: its case-number letter ${k.letter} must be one capital letter no other kind uses`);
  }
}

/** A typed case number (SSK-F-6911-0042) of any kind. */
export const CASE_NUMBER_PATTERN = casePattern(letters);

export { FLOOD_ENTRY };
