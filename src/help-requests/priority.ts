// The priority of a flood help request, from what the requester told us.
// One rule, checked top to bottom; the first line that matches decides:
//
//   critical  someone bedridden, OR evacuation/boat needed, OR water chest-high or above (chest, roof)
//   high      water waist-high, OR any other vulnerable person (elderly, young children,
//             pregnant, disabled), OR medicine needed
//   medium    water knee-high, OR drinking water, food or shelter needed
//   low       anything else (ankle-high water, "other" needs only)
//
// Tested as a table in test/help-requests/priority.test.ts.

export const VULNERABLE = ["elderly", "bedridden", "children", "pregnant", "disabled"] as const;
export type Vulnerable = (typeof VULNERABLE)[number];

export const WATER_LEVELS = ["ankle", "knee", "waist", "chest", "roof"] as const;
export type WaterLevel = (typeof WATER_LEVELS)[number];

export const NEEDS = ["evacuation", "water", "food", "medicine", "shelter", "other"] as const;
export type Need = (typeof NEEDS)[number];

export type Priority = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW";

export interface FloodFacts {
  vulnerable: readonly string[];
  waterLevel: string;
  needs: readonly string[];
}

export function floodPriority(f: FloodFacts): Priority {
  const has = (list: readonly string[], x: string) => list.includes(x);
  if (has(f.vulnerable, "bedridden") || has(f.needs, "evacuation") || f.waterLevel === "chest" || f.waterLevel === "roof") {
    return "CRITICAL";
  }
  if (f.waterLevel === "waist" || f.vulnerable.some((v) => v !== "bedridden" && has(VULNERABLE, v)) || has(f.needs, "medicine")) {
    return "HIGH";
  }
  if (f.waterLevel === "knee" || has(f.needs, "water") || has(f.needs, "food") || has(f.needs, "shelter")) return "MEDIUM";
  return "LOW";
}
