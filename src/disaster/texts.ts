// Thai words disaster mode's modules share: the situation levels, the safety
// answers and the kinds of aid. Each module's own sentences live in its own
// texts file beside it.
import type { AidKind, SafetyStatus, SituationLevel } from "../generated/prisma/client.ts";

export const LEVEL_NAMES: Record<SituationLevel, string> = {
  WATCH: "เฝ้าระวัง",
  INCIDENT: "เกิดเหตุ",
  CRISIS: "วิกฤต",
};

export const SAFETY_NAMES: Record<SafetyStatus, string> = {
  SAFE: "ปลอดภัย",
  NEEDS_HELP: "ต้องการความช่วยเหลือ",
  CONTACTED_SAFE: "ติดต่อแล้ว ปลอดภัย",
};

export const AID_NAMES: Record<AidKind, string> = {
  FOOD_PACK: "ถุงยังชีพ",
  WATER: "น้ำดื่ม",
  MEDICINE: "ยา",
  CASH: "เงินช่วยเหลือ",
};

/** "ยังไม่ตอบ": a member sent the check-in who has not answered. */
export const NOT_ANSWERED = "ยังไม่ตอบ";
