// The bench server as compiled JavaScript over dist/ (what `npm start` runs),
// so its memory and start are the shipped process's: under tsx the same
// server carries ~80 MB more (the loader, its source maps; §5 measures both
// ways) and the flood day's peak RSS would be tsx's as much as the bot's.
// bench-server.ts and statement-counter.ts are transpiled as they are, with
// their imports of src/*.ts pointed at the build in dist/ (run-all builds it
// first); the output sits two folders below the root, like dist/'s modules, so
// the relative paths stay right.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const OUT = path.join(ROOT, "scratch", "bench-server");

/** Writes scratch/bench-server/*.js and returns the entry's path. */
export function compileBenchServer(): string {
  mkdirSync(OUT, { recursive: true });
  for (const name of ["bench-server", "statement-counter"]) {
    const source = readFileSync(path.join(HERE, `${name}.ts`), "utf8");
    // esbuild (tsx's own compiler): TypeScript 7's API has no transpileModule.
    const { code } = transformSync(source, { loader: "ts", format: "esm", target: "es2023", sourcefile: `${name}.ts` });
    const js = code
      .replace(/(["'])\.\.\/\.\.\/src\/([^"']+)\.ts\1/g, (_m, q: string, p: string) => `${q}../../dist/${p}.js${q}`)
      .replace(/(["'])\.\/([^"']+)\.ts\1/g, (_m, q: string, p: string) => `${q}./${p}.js${q}`);
    if (/["']\.\.?\/[^"']*\.ts["']/.test(js)) throw new Error(`${name}.ts imports a .ts file the compiled bench server cannot load`);
    writeFileSync(path.join(OUT, `${name}.js`), js);
  }
  writeFileSync(path.join(OUT, "package.json"), '{ "type": "module" }\n');
  return path.join(OUT, "bench-server.js");
}
