import { describe, expect, expectTypeOf, it } from "vitest";
import { withDefaults } from "../src/options.ts";

describe("withDefaults", () => {
  const DEFAULTS = { sweepIntervalMs: 2_000, leaseMs: 30_000, name: "processor" };

  it("keeps a default when the option is present but undefined", () => {
    const passedThrough: { sweepIntervalMs?: number; leaseMs?: number } = { sweepIntervalMs: undefined, leaseMs: undefined };
    expect(withDefaults(DEFAULTS, passedThrough)).toEqual(DEFAULTS);
    // What the spread did, and what this replaces.
    expect({ ...DEFAULTS, ...passedThrough }.sweepIntervalMs).toBeUndefined();
  });

  it("takes every value that is set, falsy ones included", () => {
    expect(withDefaults(DEFAULTS, { sweepIntervalMs: 0, name: "", leaseMs: 5 })).toEqual({ sweepIntervalMs: 0, leaseMs: 5, name: "" });
    expect(withDefaults({ flag: true, value: 1 as number | null }, { flag: false, value: null })).toEqual({ flag: false, value: null });
  });

  it("keeps options that have no default, and does not change its arguments", () => {
    const options = { leaseMs: 1, extra: "x" };
    const merged = withDefaults(DEFAULTS, options);
    expect(merged).toEqual({ sweepIntervalMs: 2_000, leaseMs: 1, name: "processor", extra: "x" });
    expect(options).toEqual({ leaseMs: 1, extra: "x" });
    expect(DEFAULTS).toEqual({ sweepIntervalMs: 2_000, leaseMs: 30_000, name: "processor" });
  });

  it("types every defaulted key as present and defined", () => {
    const merged = withDefaults(DEFAULTS, {} as { sweepIntervalMs?: number | undefined; other?: string });
    expectTypeOf(merged.sweepIntervalMs).toEqualTypeOf<number>();
    expectTypeOf(merged.name).toEqualTypeOf<string>();
    expectTypeOf(merged.other).toEqualTypeOf<string | undefined>();
  });
});
