// The report's sections say when and on what machine they were measured,
// and a section carried over from an earlier report keeps its own line.
import { describe, expect, it } from "vitest";
import { keepFaultFigures, stampSections } from "./carry-over.ts";

const report = (sections: string[]) =>
  ["# Performance", "", "## Targets", "", "| target | measured | verdict |", "", ...sections].join("\n");

describe("bench report sections", () => {
  it("stamps each numbered section this run wrote, once", () => {
    const md = stampSections(
      report(["## 1. Ack", "", "fast", "", "## 7. Check-in", "", "| a |", "", "## Reproduce", ""]),
      "2026-12-03 on Intel.",
    );
    expect(md).toContain("## 1. Ack\n\n_Measured 2026-12-03 on Intel._\n\nfast");
    expect(md).toContain("## 7. Check-in\n\n_Measured 2026-12-03 on Intel._\n\n| a |");
    expect(md).not.toMatch(/## Reproduce\n\n_Measured/);
    expect(stampSections(md, "2026-12-04 on AMD.")).toBe(md);
  });

  it("keeps a carried section's own stamp when the new run stamps its own", () => {
    const earlier = stampSections(report(["## 3. Flood day", "", "slow", "", "## 7. Check-in", "", "old", ""]), "2026-12-02 on AMD.");
    const now = stampSections(report(["## 7. Check-in", "", "new", ""]), "2026-12-03 on Intel.");
    const md = keepFaultFigures(now, earlier);
    expect(md).toContain("## 3. Flood day\n\n_Measured 2026-12-02 on AMD._\n\nslow");
    expect(md).toContain("## 7. Check-in\n\n_Measured 2026-12-03 on Intel._\n\nnew");
    expect(md).not.toContain("old");
  });
});
