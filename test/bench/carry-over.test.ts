// The report's sections say when and on what machine they were measured:
// the sections a run measured get its line, the others keep theirs.
import { describe, expect, it } from "vitest";
import { keepFaultFigures, stampSections } from "./carry-over.ts";

const report = (sections: string[]) =>
  ["# Performance", "", "## Targets", "", "| target | measured | verdict |", "", ...sections].join("\n");

describe("bench report sections", () => {
  it("stamps each numbered section the run measured, once", () => {
    const md = stampSections(
      report(["## 1. Ack", "", "fast", "", "## 7. Check-in", "", "| a |", "", "## Reproduce", ""]),
      "2026-12-03 on Intel.",
      new Set(["1", "7"]),
    );
    expect(md).toContain("## 1. Ack\n\n_Measured 2026-12-03 on Intel._\n\nfast");
    expect(md).toContain("## 7. Check-in\n\n_Measured 2026-12-03 on Intel._\n\n| a |");
    expect(md).not.toMatch(/## Reproduce\n\n_Measured/);
    expect(stampSections(md, "2026-12-03 on Intel.", new Set(["1", "7"]))).toBe(md);
  });

  it("gives a section written again from the previous results the previous report's line", () => {
    const earlier = stampSections(
      report(["## 3. Flood day", "", "slow", "", "## 7. Check-in", "", "old", ""]),
      "2026-12-02 on AMD.",
      new Set(["3", "7"]),
    );
    // report() writes §3 again from the carried raw results, without a line; §6 is carried as text.
    const now = report(["## 3. Flood day", "", "slow", "", "## 7. Check-in", "", "new", ""]);
    const md = stampSections(keepFaultFigures(now, earlier), "2026-12-03 on Intel.", new Set(["7"]), earlier);
    expect(md).toContain("## 3. Flood day\n\n_Measured 2026-12-02 on AMD._\n\nslow");
    expect(md).toContain("## 7. Check-in\n\n_Measured 2026-12-03 on Intel._\n\nnew");
    expect(md).not.toContain("old");
    expect(md.match(/_Measured/g)).toHaveLength(2);
  });
});
