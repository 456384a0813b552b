// Flex Message templates live as JSON in flex-templates/, so their layout can
// be edited (or pasted into LINE's Flex simulator) without touching code.
// "{{name}}" in any string is replaced by a value; values are inserted as
// data, never parsed as JSON, so user text cannot change the structure.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const TEMPLATES_DIR = fileURLToPath(new URL("../../flex-templates/", import.meta.url));

const cache = new Map<string, unknown>();

function load(name: string): unknown {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad template name ${name}`);
  let template = cache.get(name);
  if (template === undefined) {
    template = JSON.parse(readFileSync(`${TEMPLATES_DIR}${name}.json`, "utf8"));
    cache.set(name, template);
  }
  return template;
}

function fill(node: unknown, vars: Record<string, string>, missing: Set<string>): unknown {
  if (typeof node === "string") {
    return node.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in vars)) missing.add(key);
      return vars[key] ?? "";
    });
  }
  if (Array.isArray(node)) return node.map((child) => fill(child, vars, missing));
  if (node && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, vars, missing)]));
  }
  return node;
}

/** The template's Flex container with every {{placeholder}} filled. */
export function renderFlexTemplate(name: string, vars: Record<string, string>): Record<string, unknown> {
  const missing = new Set<string>();
  const filled = fill(load(name), vars, missing) as Record<string, unknown>;
  if (missing.size > 0) throw new Error(`Template ${name} needs ${[...missing].join(", ")}`);
  return filled;
}
