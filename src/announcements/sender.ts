// Who an announcement is from, as recipients read it: the author's
// coordinator area ("ผู้ประสานงานอำเภอกันทรลักษ์"), the narrowest of their
// areas that covers every area it goes to (a province coordinator who also
// holds a district writes to that district as its coordinator). Asked when
// the preview is shown and again when the announcement is sent, so it names
// the role the author holds then.
import type { Tx } from "../db/database.ts";
import { rolesOf, type StaffArea } from "../staff/roles.ts";
import { ANNOUNCE_TEXT as T } from "./texts.ts";

export async function announcementSender(tx: Tx, userId: string, areas: readonly StaffArea[]): Promise<string | null> {
  const grants = (await rolesOf(tx, userId)).filter((g) => g.role === "COORDINATOR");
  // District roles first: the narrowest that covers the audience names the sender.
  grants.sort((a, b) => (a.level === b.level ? a.areaId - b.areaId : a.level === "DISTRICT" ? -1 : 1));
  const place = async (g: (typeof grants)[number]) =>
    g.level === "DISTRICT"
      ? (await tx.district.findUnique({ where: { id: g.areaId }, select: { nameTh: true } }))?.nameTh
      : (await tx.province.findUnique({ where: { id: g.areaId }, select: { nameTh: true } }))?.nameTh;
  for (const g of grants) {
    const only = await onlyRole(tx, g);
    if (areas.length > 0 && (await only(areas))) {
      const name = await place(g);
      if (name) return T.from(g.level === "DISTRICT" ? "DISTRICT" : "PROVINCE", name);
    }
  }
  return null;
}

/** Coverage by this one role: its area contains every area given. */
async function onlyRole(tx: Tx, g: { level: string; areaId: number }): Promise<(areas: readonly StaffArea[]) => Promise<boolean>> {
  const covers = async (area: StaffArea): Promise<boolean> => {
    if (g.level === "PROVINCE") {
      if (area.level === "PROVINCE") return area.areaId === g.areaId;
      if (area.level === "DISTRICT")
        return (await tx.district.findUnique({ where: { id: area.areaId }, select: { provinceId: true } }))?.provinceId === g.areaId;
    }
    if (area.level === "DISTRICT") return g.level === "DISTRICT" && area.areaId === g.areaId;
    if (area.level === "PROVINCE") return false;
    const c = await tx.council.findUnique({
      where: { id: area.areaId },
      select: { tambon: { select: { district: { select: { id: true, provinceId: true } } } } },
    });
    if (!c) return false;
    return g.level === "DISTRICT" ? c.tambon.district.id === g.areaId : c.tambon.district.provinceId === g.areaId;
  };
  return async (areas) => {
    for (const a of areas) if (!(await covers(a))) return false;
    return true;
  };
}
