// Reading values back out of stored JSON (a flow's data, the conversation's
// history): what was saved as a list of strings may come back as anything
// once a flow changed or a row was edited by hand.

/** The strings of a list (a multiple choice's answers, photo ids); anything else is ignored. */
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
