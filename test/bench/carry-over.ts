// How a new docs/performance.md keeps what the run that wrote it did not measure.

/** The line under a section's heading that says when and on what it was measured. */
const STAMP = /^_Measured .*_$/;
const HEADING = /^## (\d+[a-z]?)\. /;

/**
 * Under each numbered section: when and on what machine it was measured.
 * The sections this run measured (`ran`, by number) get `stamp`; the
 * others keep the line the previous report gave them (report() writes a
 * skipped section again from the previous raw results, without one). The
 * sessions' machines differ by a factor of ~2.4, and a report whose
 * sections ran on different machines must say which figure comes from where.
 */
export function stampSections(md: string, stamp: string, ran: ReadonlySet<string>, previous = ""): string {
  const earlier = new Map<string, string>();
  const before = previous.split("\n");
  before.forEach((line, i) => {
    const key = HEADING.exec(line)?.[1];
    const next = before[i + 2];
    if (key && next && STAMP.test(next)) earlier.set(key, next);
  });
  const lines = md.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    const key = HEADING.exec(line)?.[1];
    if (!key) continue;
    if (STAMP.test(lines[i + 2] ?? "")) i += 2; // the section's old line: replaced below
    const own = ran.has(key) ? `_Measured ${stamp}_` : earlier.get(key);
    if (own) out.push("", own);
  }
  return out.join("\n");
}

/**
 * Sections this run did not measure are carried over from the previous
 * report, with their rows of the targets table: section 3a (answers in
 * flight at a SIGKILL) is measured by a fault test and section 6 (issue 13's
 * levers, before and after) is written by hand from several runs, never by
 * this script; and `--only=checkin` (say) must not erase the flood day.
 */
export function keepFaultFigures(md: string, previous: string): string {
  if (!previous) return md;
  type Section = { key: string; text: string };
  const split = (doc: string) => {
    const parts = doc.split(/^(?=## )/m);
    return {
      head: parts[0] ?? "",
      sections: parts.slice(1).map((text): Section => ({ key: /^## (\d+[a-z]?)\./.exec(text)?.[1] ?? text.split("\n")[0]!, text })),
    };
  };
  const now = split(md);
  const before = split(previous);
  const numbered = (x: Section) => /^\d/.test(x.key);
  const have = new Set(now.sections.map((x) => x.key));
  const carried = before.sections.filter((x) => numbered(x) && !have.has(x.key));
  if (carried.length === 0) return md;
  const carriedKeys = new Set(carried.map((x) => x.key));
  // Which section a target row belongs to, by how its first cell starts.
  const sectionOfRow = (row: string) =>
    row.includes("(§3a)")
      ? "3a"
      : row.startsWith("| flood day")
        ? "3"
        : row.startsWith("| 2 instances")
          ? "4"
          : row.startsWith("| ack ")
            ? "1"
            : row.startsWith("| idle") || row.startsWith("| start")
              ? "5"
              : row.startsWith("| check-in")
                ? "7"
                : row.startsWith("| saturation")
                  ? "8"
                  : null;
  const oldTargets = before.sections.find((x) => x.key === "## Targets")?.text ?? "";
  const rows = oldTargets.split("\n").filter((row) => {
    const key = row.startsWith("| ") && !row.startsWith("| target") ? sectionOfRow(row) : null;
    return key !== null && carriedKeys.has(key);
  });
  const order = (key: string) =>
    numbered({ key, text: "" }) ? Number.parseFloat(key) + (key.endsWith("a") ? 0.5 : 0) : key === "## Targets" ? -1 : 1e9;
  const sections = [...now.sections, ...carried]
    .map((x) =>
      x.key === "## Targets" && rows.length > 0
        ? { ...x, text: x.text.replace(/((?:^\|.*\n)+)/m, (table) => `${table + rows.join("\n")}\n`) }
        : x,
    )
    .sort((a, b) => order(a.key) - order(b.key));
  return now.head + sections.map((x) => x.text).join("");
}

/**
 * The measured results of sections this run skipped (`--only`), read back
 * from the previous report's raw JSON, so the new report's JSON and chart
 * stay whole (carrying only the markdown left the chart empty and the JSON
 * with one section).
 */
export function carryResults<R extends object>(
  results: R,
  previous: string,
  ran: readonly string[],
  sections: readonly (keyof R & string)[],
): R {
  const json = /<summary>Raw results \(JSON\)<\/summary>\s*```json\n([\s\S]*?)\n```/.exec(previous)?.[1];
  if (!json) return results;
  let old: Record<string, unknown>;
  try {
    old = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return results;
  }
  const merged = { ...results } as Record<string, unknown>;
  for (const key of sections) if (!ran.includes(key) && old[key] !== undefined) merged[key] = old[key];
  return merged as R;
}
