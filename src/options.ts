// Options with defaults. `{ ...defaults, ...options }` lets a key that is
// present but undefined (`{ sweepIntervalMs: options.sweepIntervalMs }`,
// passed through from a caller that did not set it) replace the default
// with undefined: the processor's sweep timer never started in production
// that way. Every component with defaults merges them here instead.

/** Keys of T whose value may be undefined (optional or `| undefined`). */
type Defined<T> = Exclude<T, undefined>;

/**
 * The merged options: every key that has a default is present and never
 * undefined; the other keys keep their own types.
 */
export type WithDefaults<D, O> = { [K in keyof D]-?: K extends keyof O ? Defined<O[K]> | D[K] : D[K] } & Omit<O, keyof D>;

/**
 * `defaults`, overridden by every key of `options` whose value is not
 * undefined. A key given as undefined keeps its default.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): WithDefaults<D, O> {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as WithDefaults<D, O>;
}
