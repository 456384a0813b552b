// What a request's status means wherever it is shown or acted on: which
// statuses are still open (the villager can add to or cancel them, staff
// work on them, reports count them as open) and the colour a card gives
// each. The words differ by reader and live in each texts file.
import { type HelpRequestStatus, Prisma } from "../generated/prisma/client.ts";

export const OPEN_STATUSES: readonly HelpRequestStatus[] = ["PENDING", "ACCEPTED", "IN_PROGRESS"];

/** OPEN_STATUSES as a list in raw SQL: `status IN (${OPEN_STATUS_LIST})`. Our own constants, not input. */
export const OPEN_STATUS_LIST = Prisma.raw(OPEN_STATUSES.map((s) => `'${s}'`).join(", "));

export const isOpenStatus = (status: HelpRequestStatus) => OPEN_STATUSES.includes(status);

export const STATUS_COLORS: Record<HelpRequestStatus, string> = {
  PENDING: "#B26A00",
  ACCEPTED: "#1565C0",
  IN_PROGRESS: "#1565C0",
  RESOLVED: "#1B7F5A",
  REJECTED: "#C62828",
  CANCELLED: "#6B6B6B",
};
