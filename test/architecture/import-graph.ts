// The import graph of src/ and the rules it must follow (src/README.md says
// them in prose; LAYERS below is the same thing as data). No dependency: a
// small scanner finds the import specifiers, a table assigns each file to a
// unit (a folder or a top-level file) and each unit to a layer.
//
// Two checks:
//  - wrong way: a file imports a unit of a higher layer;
//  - cycles: units of one layer (domain modules, leaves, …) may import each
//    other, but never round in a circle.
// `import type` counts for both: a type is part of a module's interface, so
// a type-only import up the layers or round a circle couples the modules
// just the same (and tsc needs both sides to check either).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Layer {
  name: string;
  /** A folder under src/ ("staff") or a file ("log.ts", "line/limits.ts"); a file's unit is the longest that contains it. */
  units: readonly string[];
}

/** Top to bottom: a file may import its own layer (without cycles between units) and any layer below it, never one above. */
export const LAYERS: readonly Layer[] = [
  { name: "composition root", units: ["main.ts", "app.ts", "bot.ts", "cli", "simulator"] },
  { name: "http", units: ["http"] },
  {
    name: "domain modules",
    units: [
      "reports",
      "announcements",
      "privacy",
      "help-requests",
      "meetings",
      "welfare-fund",
      "disaster",
      "staff",
      "members",
      "geography",
    ],
  },
  { name: "infrastructure", units: ["inbox", "outbox"] },
  { name: "line adapter", units: ["line"] },
  { name: "engine", units: ["engine"] },
  { name: "storage and jobs", units: ["db", "generated", "jobs"] },
  { name: "leaves", units: ["thai", "templates", "log.ts", "metrics.ts", "options.ts", "config.ts", "line/limits.ts"] },
];

export type ImportKind = "import" | "export" | "side-effect" | "dynamic";

export interface FoundImport {
  specifier: string;
  kind: ImportKind;
  /** `import type …` / `export type … from`: erased at run time, still counted. */
  typeOnly: boolean;
  line: number;
}

/** One import between files of src/, paths relative to src/ ("staff/roles.ts"). */
export interface Edge {
  from: string;
  to: string;
  line: number;
  kind: ImportKind;
  typeOnly: boolean;
}

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "instanceof",
  "yield",
  "await",
]);

/**
 * The source with comments, the text of strings and template literals, and
 * regular expression literals blanked (newlines kept, so every offset still
 * points at the same place in the source): an "import" inside any of them
 * is not an import. A string's quotes stay; its text is read back from the source.
 */
export function codeOnly(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  };
  /** Brace depth of each open `${`: a `}` at that depth returns to the template. */
  const templates: number[] = [];
  let depth = 0;
  let last = ""; // the last significant token's kind: "word", "value" (number, string, `)`, `]`) or the punctuator itself
  let lastWord = "";
  let i = 0;
  const n = source.length;

  /** Scans template text from i (just past ` or a closing }); returns where code resumes. */
  const templateText = (start: number): number => {
    let j = start;
    while (j < n) {
      const c = source[j];
      if (c === "\\") j += 2;
      else if (c === "`") {
        blank(start, j);
        return j + 1;
      } else if (c === "$" && source[j + 1] === "{") {
        blank(start, j);
        templates.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    blank(start, n);
    return n;
  };

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      last = "value";
    } else if (c === "`") {
      i = templateText(i + 1);
      last = "value";
    } else if (c === "/") {
      const regexHere = last === "" || (last === "word" ? KEYWORDS_BEFORE_EXPRESSION.has(lastWord) : last !== "value");
      if (regexHere) {
        let j = i + 1;
        let inClass = false;
        while (j < n && source[j] !== "\n") {
          const d = source[j];
          if (d === "/" && !inClass) break;
          if (d === "[") inClass = true;
          else if (d === "]") inClass = false;
          j += d === "\\" ? 2 : 1;
        }
        j++;
        while (j < n && /[a-z]/i.test(source[j]!)) j++;
        blank(i, j);
        i = j;
        last = "value";
      } else {
        i++;
        last = "/";
      }
    } else if (/[A-Za-z_$0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(source[j]!)) j++;
      const word = source.slice(i, j);
      last = /^[0-9]/.test(word) ? "value" : "word";
      lastWord = word;
      i = j;
    } else if (c === "{") {
      depth++;
      last = "{";
      i++;
    } else if (c === "}") {
      depth--;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        i = templateText(i + 1);
        last = "value";
      } else {
        last = "}";
        i++;
      }
    } else if (c === ")" || c === "]") {
      last = "value";
      i++;
    } else {
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return out.join("");
}

// An import clause: names, braces, commas, `* as`, `type`, but never another statement's keyword.
const CLAUSE = String.raw`(?:(?!\b(?:import|export)\b)[\w$*{},\s])*?`;
const STATIC = new RegExp(String.raw`(?<![\w$.])(import|export)(\s+type\b)?(${CLAUSE})\bfrom\s*(["'])([^"'\n]*)\4`, "dg");
const SIDE_EFFECT = /(?<![\w$.])import\s*(["'])([^"'\n]*)\1/dg;
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(["'])([^"'\n]*)\1\s*[,)]/dg;

/** Every import specifier of a TypeScript source: static imports, `export … from`, `import "…"` and `import("…")`. */
export function findImports(source: string): FoundImport[] {
  const code = codeOnly(source);
  const lineAt = (index: number) => code.slice(0, index).split("\n").length;
  /** The specifier's text, from the source: in `code` it is blanked. */
  const text = (m: RegExpExecArray, group: number) => source.slice(...m.indices![group]!);
  const found: FoundImport[] = [];
  for (const m of code.matchAll(STATIC)) {
    // "import type X" has the type keyword before the clause; "import type from 'x'" (a default named type) would not.
    const typeOnly = m[2] !== undefined && m[3]!.trim() !== "";
    found.push({ specifier: text(m, 5), kind: m[1] === "import" ? "import" : "export", typeOnly, line: lineAt(m.index) });
  }
  for (const m of code.matchAll(SIDE_EFFECT))
    found.push({ specifier: text(m, 2), kind: "side-effect", typeOnly: false, line: lineAt(m.index) });
  for (const m of code.matchAll(DYNAMIC)) found.push({ specifier: text(m, 2), kind: "dynamic", typeOnly: false, line: lineAt(m.index) });
  return found.sort((a, b) => a.line - b.line);
}

/** Every .ts file under `dir` (relative to it, "/"-separated), but `skip`ped folders. */
export function listSources(dir: string, skip: readonly string[] = []): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip.includes(child)) walk(child);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(child);
    }
  };
  walk("");
  return files.sort();
}

/** The imports between the files of `dir`: relative specifiers only (packages and node: are not ours), resolved against the importing file. */
export function importGraph(
  dir: string,
  files: readonly string[],
  read = (file: string) => readFileSync(path.join(dir, file), "utf8"),
): Edge[] {
  const edges: Edge[] = [];
  for (const from of files) {
    for (const found of findImports(read(from))) {
      if (!found.specifier.startsWith("./") && !found.specifier.startsWith("../")) continue;
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), found.specifier));
      if (to.startsWith("../")) continue; // outside src/
      edges.push({ from, to, line: found.line, kind: found.kind, typeOnly: found.typeOnly });
    }
  }
  return edges;
}

/** A file's unit: the longest unit of any layer that is the file itself or a folder containing it. */
export function unitOf(file: string, layers: readonly Layer[] = LAYERS): { unit: string; layer: number } | null {
  let best: { unit: string; layer: number } | null = null;
  layers.forEach((layer, index) => {
    for (const unit of layer.units) {
      if ((file === unit || file.startsWith(`${unit}/`)) && (!best || unit.length > best.unit.length)) best = { unit, layer: index };
    }
  });
  return best;
}

export interface WrongWay {
  edge: Edge;
  fromLayer: string;
  toLayer: string;
}

export interface Cycle {
  layer: string;
  /** One round trip, first unit again at the end: ["help-requests", "staff", "help-requests"]. */
  path: string[];
  /** The imports behind each arrow of the path, in its order. */
  edges: Edge[];
}

export interface Violations {
  unassigned: string[];
  wrongWay: WrongWay[];
  cycles: Cycle[];
}

/** Checks `edges` (between `files`) against `layers`. */
export function checkImports(files: readonly string[], edges: readonly Edge[], layers: readonly Layer[] = LAYERS): Violations {
  const unassigned = files.filter((f) => unitOf(f, layers) === null);
  const wrongWay: WrongWay[] = [];
  /** unit → unit → the imports behind that arrow (same layer only: across layers the arrows all point down once wrongWay is empty). */
  const sideways = new Map<string, Map<string, Edge[]>>();
  for (const edge of edges) {
    const from = unitOf(edge.from, layers);
    const to = unitOf(edge.to, layers);
    if (!from || !to || from.unit === to.unit) continue;
    if (to.layer < from.layer) wrongWay.push({ edge, fromLayer: layers[from.layer]!.name, toLayer: layers[to.layer]!.name });
    else if (to.layer === from.layer) {
      const targets = sideways.get(from.unit) ?? new Map<string, Edge[]>();
      sideways.set(from.unit, targets);
      targets.set(to.unit, [...(targets.get(to.unit) ?? []), edge]);
    }
  }
  // Each set of units that reach each other: for each arrow inside it, the shortest loop the arrow is on (each loop once).
  const cycles: Cycle[] = [];
  const seen = new Set<string>();
  for (const set of stronglyConnected(sideways)) {
    const members = new Set(set);
    const next = (u: string) => [...(sideways.get(u)?.keys() ?? [])].filter((v) => members.has(v)).sort();
    for (const u of set) {
      for (const v of next(u)) {
        const loop = [u, ...shortestPath(v, u, next).slice(0, -1)];
        const first = loop.indexOf([...loop].sort()[0]!);
        const path = [...loop.slice(first), ...loop.slice(0, first), loop[first]!];
        if (seen.has(path.join(" "))) continue;
        seen.add(path.join(" "));
        const edges = path.slice(0, -1).flatMap((w, i) => sideways.get(w)!.get(path[i + 1]!)!);
        cycles.push({ layer: layers[unitOf(u, layers)!.layer]!.name, path, edges });
      }
    }
  }
  return { unassigned, wrongWay, cycles };
}

/** Tarjan's algorithm: the sets of two or more units that reach each other. */
function stronglyConnected(graph: Map<string, Map<string, Edge[]>>): string[][] {
  const nodes = new Set<string>([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sets: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const set: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        set.push(w);
      } while (w !== v);
      if (set.length > 1) sets.push(set.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return sets.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The shortest way from `from` to `to` (breadth first), both ends included; `from` and `to` are in one strongly connected set. */
function shortestPath(from: string, to: string, next: (unit: string) => string[]): string[] {
  const cameFrom = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0 && !cameFrom.has(to)) {
    const u = queue.shift()!;
    for (const v of next(u)) {
      if (cameFrom.has(v)) continue;
      cameFrom.set(v, u);
      queue.push(v);
    }
  }
  const path = [to];
  for (let w = to; w !== from; w = cameFrom.get(w)!) path.unshift(cameFrom.get(w)!);
  return path;
}

const describeEdge = (e: Edge, root: string) =>
  `${root}${e.from}:${e.line} → ${root}${e.to}${e.typeOnly ? " (import type)" : e.kind === "dynamic" ? " (dynamic import)" : ""}`;

/** Imports listed per arrow of a cycle. */
const SHOWN = 4;

/** What a reader needs to fix each violation; "" when there is none. */
export function formatViolations(v: Violations, layers: readonly Layer[] = LAYERS, root = "src/"): string {
  const parts: string[] = [];
  if (v.unassigned.length > 0) {
    parts.push(
      `${v.unassigned.length} file(s) in no layer (add the folder to LAYERS in test/architecture/import-graph.ts and to src/README.md):`,
      ...v.unassigned.map((f) => `  ${root}${f}`),
    );
  }
  if (v.wrongWay.length > 0) {
    parts.push(
      `${v.wrongWay.length} wrong-way import(s) (a layer imports one above it):`,
      ...v.wrongWay.map((w) => `  ${describeEdge(w.edge, root)}\n      ${w.fromLayer} must not import ${w.toLayer}`),
    );
  }
  for (const c of v.cycles) {
    parts.push(`cycle between ${c.layer}: ${c.path.join(" → ")}`);
    c.path.slice(0, -1).forEach((from, i) => {
      const to = c.path[i + 1]!;
      const behind = c.edges.filter((e) => unitOf(e.from, layers)?.unit === from && unitOf(e.to, layers)?.unit === to);
      parts.push(`  ${from} → ${to}: ${behind.length} import(s)`);
      for (const e of behind.slice(0, SHOWN)) parts.push(`    ${describeEdge(e, root)}`);
      if (behind.length > SHOWN) parts.push(`    … and ${behind.length - SHOWN} more`);
    });
  }
  return parts.join("\n");
}
