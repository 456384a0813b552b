// Two secretaries confirm the same kind for the same household in one
// webhook delivery (two users' turns, processed side by side), on both
// databases: one row is saved, and the other secretary is warned with its
// date instead of saving a second. Whether the two turns' saves overlap is
// up to the scheduler here; the overlap itself (which the lock on the
// household is for) is forced in aid-store.test.ts, which fails without it.
import { afterAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { STORE_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";

const aid = (arg: string) => encodePostback({ kind: "menu", entry: "aid", arg });

describe.each(STORE_DATABASES)("aid confirmed twice at once on %s", (kind) => {
  let h: Harness;
  afterAll(async () => {
    await h?.stop();
  });

  it("saves one and warns the other", async () => {
    h = await Harness.start({ kind });
    const council = await h.db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" } });
    await h.db.prisma.situation.create({
      data: {
        level: "CRISIS",
        message: "น้ำท่วม",
        declaredBy: "U-aid-coordinator",
        declaredAt: h.clock.now,
        updatedAt: h.clock.now,
        areas: { create: [{ level: "COUNCIL", areaId: council.id }] },
      },
    });
    await h.db.prisma.lineUser.create({ data: { id: "U-aid-c-villager" } });
    const member = await h.db.prisma.member.create({
      data: { lineUserId: "U-aid-c-villager", fullName: "สมใจ รักดี", councilId: council.id, status: "ACTIVE" },
    });
    const secs: ChatUser[] = [h.user("U-aid-c-sec1"), h.user("U-aid-c-sec2")];
    for (const sec of secs) {
      await grantRole(
        h.db.prisma,
        sec.id,
        { role: "SECRETARY", level: "COUNCIL", areaId: council.id },
        { by: "Uadmin", at: h.clock.now, via: "test" },
      );
      await sec.postback(aid(`m:${member.id}`));
      await sec.tap("ถุงยังชีพ");
      expect(sec.lastText()).toContain("ยืนยันบันทึกการช่วยเหลือไหมคะ");
    }

    // Both taps of "บันทึก" in one delivery.
    const events = secs.map((sec) => {
      const data = sec.actions().find((a) => a.label === "บันทึก")?.data;
      if (!data) throw new Error(`No "บันทึก" for ${sec.id}`);
      const event = h.event(sec.id, { type: "postback", postback: { data } });
      h.rememberToken(String(event.replyToken), sec.id);
      return event;
    });
    const before = h.line.calls.length;
    const res = await h.deliver(events);
    expect(res.status).toBe(200);
    const answers = secs.map((sec) => textOf(h.messagesTo(sec.id, before).flat()));

    expect(await h.db.prisma.aidDistribution.count({ where: { householdKey: `m:${member.id}` } })).toBe(1);
    expect(answers.filter((a) => a.includes("บันทึกแล้วค่ะ: ถุงยังชีพ"))).toHaveLength(1);
    expect(answers.filter((a) => a.includes("ครัวเรือนนี้ได้รับถุงยังชีพแล้วเมื่อ 28/11/2569 10:00 น. ค่ะ"))).toHaveLength(1);
    expect(h.line.limitProblems).toEqual([]);
  });
});
