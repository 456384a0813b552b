// Postback data carried by buttons. Flow buttons name the flow, the step and
// the turn they were made for, so a button from an old message is
// recognised as stale instead of acting on the wrong step.
// Kept short: LINE allows 300 characters.

export type Postback =
  | { kind: "answer"; flow: string; step: string; turn: number; value: string }
  | { kind: "page"; flow: string; step: string; turn: number; page: number }
  // Back to a step's question (its whole prompt) after a detour to another service.
  | { kind: "resume"; flow: string; step: string; turn: number }
  | { kind: "global"; word: "cancel" | "back" | "menu" | "help" }
  // A menu entry, optionally with an argument for it ("open:42"): buttons on
  // cards (a request, a meeting) name the entry and what to act on. The
  // entry must check the argument: postback data can be forged.
  | { kind: "menu"; entry: string; arg?: string }
  | { kind: "unknown" };

export function encodePostback(p: Exclude<Postback, { kind: "unknown" }>): string {
  const q = new URLSearchParams();
  if (p.kind === "answer" || p.kind === "page" || p.kind === "resume") {
    q.set("f", p.flow);
    q.set("s", p.step);
    q.set("t", String(p.turn));
  }
  switch (p.kind) {
    case "answer":
      q.set("v", p.value);
      break;
    case "page":
      q.set("p", String(p.page));
      break;
    case "resume":
      q.set("r", "1");
      break;
    case "global":
      q.set("g", p.word);
      break;
    case "menu":
      q.set("m", p.entry);
      if (p.arg !== undefined) q.set("a", p.arg);
      break;
  }
  return q.toString();
}

const GLOBALS = new Set(["cancel", "back", "menu", "help"]);

/** A whole number written in plain digits; Number() would read "" and a missing value as 0. */
const count = (s: string | null) => (s !== null && /^\d{1,9}$/.test(s) ? Number(s) : NaN);

export function decodePostback(data: string): Postback {
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(data);
  } catch {
    return { kind: "unknown" };
  }
  const g = q.get("g");
  if (g !== null) return GLOBALS.has(g) ? { kind: "global", word: g as "cancel" } : { kind: "unknown" };
  const m = q.get("m");
  if (m) {
    const a = q.get("a");
    return a === null ? { kind: "menu", entry: m } : { kind: "menu", entry: m, arg: a };
  }
  const flow = q.get("f");
  const step = q.get("s");
  const turn = count(q.get("t"));
  if (!flow || !step || !Number.isSafeInteger(turn)) return { kind: "unknown" };
  const v = q.get("v");
  if (v !== null) return { kind: "answer", flow, step, turn, value: v };
  if (q.get("r") === "1") return { kind: "resume", flow, step, turn };
  const page = count(q.get("p"));
  if (Number.isSafeInteger(page) && page >= 0 && page < 1000) return { kind: "page", flow, step, turn, page };
  return { kind: "unknown" };
}
