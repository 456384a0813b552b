// The folder rules of src/README.md, checked: no import goes up the layers,
// and no units of one layer import each other round in a circle. First the
// checker itself (its scanner and a small made-up graph it must fail), then
// the real src/.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkImports, findImports, formatViolations, importGraph, type Layer, LAYERS, listSources, unitOf } from "./import-graph.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

describe("the import scanner", () => {
  it("finds static, type-only, re-exported, side-effect and dynamic imports, with their lines", () => {
    const source = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b/b.ts";',
      "import {",
      "  c,",
      "  type D,",
      '} from "./c.ts";',
      'export { e } from "./e.ts";',
      'export type { F } from "./f.ts";',
      'export * as g from "./g.ts";',
      'import "./side.ts";',
      'const h = await import("./h.ts");',
      'import pino from "pino";',
      'import type from "./default-named-type.ts";',
    ].join("\n");
    expect(findImports(source)).toEqual([
      { specifier: "./a.ts", kind: "import", typeOnly: false, line: 1 },
      { specifier: "../b/b.ts", kind: "import", typeOnly: true, line: 2 },
      { specifier: "./c.ts", kind: "import", typeOnly: false, line: 3 },
      { specifier: "./e.ts", kind: "export", typeOnly: false, line: 7 },
      { specifier: "./f.ts", kind: "export", typeOnly: true, line: 8 },
      { specifier: "./g.ts", kind: "export", typeOnly: false, line: 9 },
      { specifier: "./side.ts", kind: "side-effect", typeOnly: false, line: 10 },
      { specifier: "./h.ts", kind: "dynamic", typeOnly: false, line: 11 },
      { specifier: "pino", kind: "import", typeOnly: false, line: 12 },
      { specifier: "./default-named-type.ts", kind: "import", typeOnly: false, line: 13 },
    ]);
  });

  it("ignores imports in comments, template literals and regular expressions", () => {
    const source = [
      '// import { x } from "./line-comment.ts";',
      '/* import { y } from "./block-comment.ts"; */',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test has a template literal with placeholders
      'const t = `import { z } from "./template.ts" ${"${"} ${{ a: 1 }.a} import("./in-template.ts")`;',
      "const r = /[\"'`]/g; const q = x / 2 / 3;",
      'import { real } from "./real.ts";',
      "const s = 'import(\"./in-string.ts\")';",
    ].join("\n");
    expect(findImports(source).map((i) => `${i.line}:${i.specifier}`)).toEqual(["5:./real.ts"]);
  });
});

describe("the checker", () => {
  // Made up: app on top, two domains (a, b), a leaf.
  const layers: Layer[] = [
    { name: "root", units: ["app.ts"] },
    { name: "domains", units: ["a", "b", "c"] },
    { name: "leaves", units: ["leaf.ts", "a/pure.ts"] },
  ];
  const files = ["app.ts", "a/one.ts", "a/two.ts", "a/pure.ts", "b/one.ts", "c/one.ts", "leaf.ts", "stray/x.ts"];
  const sources: Record<string, string> = {
    "app.ts": 'import { one } from "./a/one.ts";\nimport { b } from "./b/one.ts";',
    "a/one.ts": 'import { two } from "./two.ts";\nimport type { B } from "../b/one.ts";\nimport { leaf } from "../leaf.ts";',
    "a/two.ts": 'import { pure } from "./pure.ts";',
    "a/pure.ts": "export const pure = 1;",
    "b/one.ts": 'import { c } from "../c/one.ts";',
    "c/one.ts": 'import { two } from "../a/two.ts";',
    // The wrong way: a leaf imports the root.
    "leaf.ts": 'export const leaf = () => import("./app.ts");',
    "stray/x.ts": "export {};",
  };
  const edges = importGraph("/made-up", files, (f) => sources[f]!);
  const violations = checkImports(files, edges, layers);

  it("assigns a file to the longest unit that holds it", () => {
    expect(unitOf("a/one.ts", layers)).toEqual({ unit: "a", layer: 1 });
    expect(unitOf("a/pure.ts", layers)).toEqual({ unit: "a/pure.ts", layer: 2 });
    expect(unitOf("stray/x.ts", layers)).toBeNull();
  });

  it("fails the made-up graph: a file in no layer, a wrong-way import and a cycle", () => {
    expect(violations.unassigned).toEqual(["stray/x.ts"]);
    expect(violations.wrongWay.map((w) => `${w.edge.from} → ${w.edge.to}`)).toEqual(["leaf.ts → app.ts"]);
    expect(violations.cycles.map((c) => c.path)).toEqual([["a", "b", "c", "a"]]);
    // A type-only import closes a cycle like any other.
    expect(violations.cycles[0]!.edges.map((e) => `${e.from} → ${e.to}`)).toEqual([
      "a/one.ts → b/one.ts",
      "b/one.ts → c/one.ts",
      "c/one.ts → a/two.ts",
    ]);
    // Same-unit imports (a/one → a/two), imports down (app → a, a → leaf.ts) and into a leaf inside a folder (a/two → a/pure.ts) are fine.
  });

  it("says what is wrong, file by file", () => {
    expect(formatViolations(violations, layers)).toBe(
      [
        "1 file(s) in no layer (add the folder to LAYERS in test/architecture/import-graph.ts and to src/README.md):",
        "  src/stray/x.ts",
        "1 wrong-way import(s) (a layer imports one above it):",
        "  src/leaf.ts:1 → src/app.ts (dynamic import)",
        "      leaves must not import root",
        "cycle between domains: a → b → c → a",
        "  a → b: 1 import(s)",
        "    src/a/one.ts:2 → src/b/one.ts (import type)",
        "  b → c: 1 import(s)",
        "    src/b/one.ts:1 → src/c/one.ts",
        "  c → a: 1 import(s)",
        "    src/c/one.ts:1 → src/a/two.ts",
      ].join("\n"),
    );
  });

  it("passes once the wrong-way import and one import of the cycle are gone", () => {
    const fixed = edges.filter((e) => e.from !== "leaf.ts" && e.from !== "c/one.ts");
    expect(checkImports(files.slice(0, -1), fixed, layers)).toEqual({ unassigned: [], wrongWay: [], cycles: [] });
  });
});

describe("src/", () => {
  it("follows the layers of src/README.md: nothing imports upwards, no cycles between modules", () => {
    const files = listSources(SRC, ["generated"]);
    expect(files.length).toBeGreaterThan(100);
    const edges = importGraph(SRC, files);
    // The scanner sees the imports there are (a blind one would pass anything).
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: "bot.ts", to: "engine/engine.ts", line: expect.any(Number), kind: "import", typeOnly: false });
    expect(formatViolations(checkImports(files, edges, LAYERS))).toBe("");
  });
});
