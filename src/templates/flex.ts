// Flex Message templates live as JSON in flex-templates/, so their layout can
// be edited (or pasted into LINE's Flex simulator) without touching code.
// "{{name}}" in any string is replaced by a value; values are inserted as
// data, never parsed as JSON, so user text cannot change the structure.
//
// Repeated parts (history rows, table lines, carousel bubbles) are a second
// template, rendered once per item and spliced where an array holds the
// string "{{...name}}":
//
//   renderFlexTemplate("fund-history", { fundName }, { rows: items.map((i) =>
//     renderFlexTemplate("fund-history-row", { date: i.date, amount: i.amount })) })
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

const SPREAD = /^\{\{\.\.\.(\w+)\}\}$/;

type Lists = Record<string, unknown[]>;

function fill(node: unknown, vars: Record<string, string>, lists: Lists, missing: Set<string>): unknown {
  if (typeof node === "string") {
    return node.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in vars)) missing.add(key);
      return vars[key] ?? "";
    });
  }
  if (Array.isArray(node)) {
    return node.flatMap((child) => {
      const spread = typeof child === "string" ? SPREAD.exec(child) : null;
      if (!spread) return [fill(child, vars, lists, missing)];
      const key = spread[1]!;
      if (!(key in lists)) missing.add(`...${key}`);
      return lists[key] ?? [];
    });
  }
  if (node && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, vars, lists, missing)]));
  }
  return node;
}

/** The template's Flex node with every {{placeholder}} filled and every {{...list}} spliced. */
export function renderFlexTemplate(name: string, vars: Record<string, string>, lists: Lists = {}): Record<string, unknown> {
  const missing = new Set<string>();
  const filled = fill(load(name), vars, lists, missing) as Record<string, unknown>;
  if (missing.size > 0) throw new Error(`Template ${name} needs ${[...missing].join(", ")}`);
  return filled;
}
