// The welfare fund's menu entries by name (refs, checked at boot): the
// fund's cards and the secretaries' notices name them, and other modules
// may. Here rather than in fund-module.ts, which imports the link store
// that imports the review module: link-review.ts names the balance too.
import { entryRef } from "../engine/refs.ts";

export const FUND_LINK_ENTRY = entryRef("fund-link");
export const FUND_BALANCE_ENTRY = entryRef("fund-balance");
/** The balance card's "ประวัติล่าสุด". */
export const FUND_HISTORY_ENTRY = entryRef("fund-history");
/** The balance card's "รายการทั้งปี"; its argument picks a year (BE). */
export const FUND_STATEMENT_ENTRY = entryRef("fund-statement");
