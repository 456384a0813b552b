// The flood priority rule (src/help-requests/priority.ts) as a table, and
// the case-number prefix.
import { describe, expect, it } from "vitest";
import { CASE_NUMBER_PATTERN, casePrefix } from "../../src/help-requests/case-number.ts";
import { floodPriority, type FloodFacts, type Priority } from "../../src/help-requests/priority.ts";

const facts = (waterLevel: string, vulnerable: string[] = [], needs: string[] = []): FloodFacts => ({ waterLevel, vulnerable, needs });

describe("floodPriority", () => {
  const table: [string, FloodFacts, Priority][] = [
    ["bedridden person, ankle water", facts("ankle", ["bedridden"], ["food"]), "CRITICAL"],
    ["evacuation needed, knee water", facts("knee", [], ["evacuation"]), "CRITICAL"],
    ["chest-high water, nobody vulnerable", facts("chest", [], ["other"]), "CRITICAL"],
    ["water to the roof", facts("roof"), "CRITICAL"],
    ["bedridden among others", facts("knee", ["elderly", "bedridden"], ["water"]), "CRITICAL"],
    ["waist-high water", facts("waist", [], ["food"]), "HIGH"],
    ["elderly, ankle water", facts("ankle", ["elderly"], ["other"]), "HIGH"],
    ["young children", facts("knee", ["children"], ["food"]), "HIGH"],
    ["pregnant", facts("ankle", ["pregnant"]), "HIGH"],
    ["disabled", facts("ankle", ["disabled"]), "HIGH"],
    ["medicine needed", facts("ankle", [], ["medicine"]), "HIGH"],
    ["knee-high water", facts("knee", [], ["other"]), "MEDIUM"],
    ["drinking water", facts("ankle", [], ["water"]), "MEDIUM"],
    ["food", facts("ankle", [], ["food"]), "MEDIUM"],
    ["shelter", facts("ankle", [], ["shelter"]), "MEDIUM"],
    ["ankle water, other needs", facts("ankle", [], ["other"]), "LOW"],
    ["ankle water, nothing", facts("ankle"), "LOW"],
    ["'none' is not a vulnerable person", facts("ankle", ["none"], ["other"]), "LOW"],
  ];
  it.each(table)("%s", (_name, f, expected) => {
    expect(floodPriority(f)).toBe(expected);
  });
});

describe("case numbers", () => {
  it("name province, kind, Buddhist-era year and month in Bangkok time", () => {
    expect(casePrefix(33, "FLOOD", new Date("2026-11-28T03:00:00Z"))).toBe("SSK-F-6911");
    expect(casePrefix(33, "HOUSING", new Date("2026-12-01T00:00:00Z"))).toBe("SSK-H-6912");
    // 30 November 18:00 UTC is already 1 December in Bangkok.
    expect(casePrefix(33, "FLOOD", new Date("2026-11-30T18:00:00Z"))).toBe("SSK-F-6912");
    expect(casePrefix(34, "FLOOD", new Date("2027-01-05T00:00:00Z"))).toBe("P34-F-7001");
  });
  it("match the documented format", () => {
    expect("SSK-F-6912-0042").toMatch(CASE_NUMBER_PATTERN);
    expect("SSK-X-6912-0042").not.toMatch(CASE_NUMBER_PATTERN);
  });
});
