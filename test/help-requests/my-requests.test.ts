// "My requests" (คำขอของฉัน) as transcripts, on PGlite: the list
// (empty, newest update first, paging), a request's card with its history,
// a forged id of someone else's request, and the three flows (add photos,
// add a note, cancel) with back, cancel, wrong input, a sticker, and a
// request closed by staff while the villager was answering.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import type { HelpRequestKind, HelpRequestStatus } from "../../src/generated/prisma/client.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, START_TIME, newEventId, textOf, type ChatUser } from "../support/harness.ts";

const MINUTE = 60_000;
const NOT_FOUND = "ขออภัยค่ะ ไม่พบคำขอนี้ในรายการของท่าน";
const at = (bangkok: string) => new Date(`${bangkok}+07:00`);
const mine = (arg?: string) => encodePostback({ kind: "menu", entry: "my-requests", ...(arg === undefined ? {} : { arg }) });

function quickLabels(u: ChatUser): string[] {
  return (u.last().at(-1)?.quickReply?.items ?? []).map((i) => (i.action as { label?: string }).label ?? "");
}
function flexOf(u: ChatUser): messagingApi.FlexMessage {
  const flex = u.last().find((m) => m.type === "flex");
  if (!flex) throw new Error(`No Flex message in: ${u.lastText()}`);
  return flex as messagingApi.FlexMessage;
}
/** The labels of the buttons on the last Flex card (not the quick replies). */
const cardButtons = (u: ChatUser) => textOfButtons(flexOf(u).contents);
function textOfButtons(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(textOfButtons);
  if (!node || typeof node !== "object") return [];
  const obj = node as Record<string, unknown>;
  const own = obj.type === "button" ? [String((obj.action as { label: string }).label)] : [];
  return [...own, ...Object.values(obj).flatMap(textOfButtons)];
}
/** Asserts the strings appear in `text` in this order (each after the previous one). */
function expectInOrder(text: string, parts: string[]) {
  let from = 0;
  for (const part of parts) {
    const i = text.indexOf(part, from);
    expect(i, `"${part}" after position ${from} of: ${text}`).toBeGreaterThanOrEqual(0);
    from = i + part.length;
  }
}
/** The texts of each bubble of the last carousel. Within a bubble only arrays keep their order (the stored reply is JSONB). */
const bubbleTexts = (u: ChatUser) =>
  (flexOf(u).contents as messagingApi.FlexCarousel).contents.map((b) => textOf([{ type: "flex", altText: "-", contents: b }]));

describe.each(FLOW_DATABASES)("my requests on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let cases = 0;
  let councilId: number;
  let councilName: string;
  const newUser = (label: string) => h.user(`U-mine-${label}-${++n}`);
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const requestRow = (id: number) =>
    h.db.prisma.helpRequest.findUniqueOrThrow({
      where: { id },
      include: { photos: { orderBy: { id: "asc" } }, history: { orderBy: { id: "asc" } } },
    });

  /** A request as the flood or housing flow leaves it: the row and its CREATED event. */
  async function fileRequest(
    u: ChatUser,
    options: { kind?: HelpRequestKind; status?: HelpRequestStatus; createdAt?: Date; updatedAt?: Date } = {},
  ) {
    const requestKind = options.kind ?? "FLOOD";
    const createdAt = options.createdAt ?? at("2026-11-28T09:00:00");
    const request = await h.db.prisma.helpRequest.create({
      data: {
        kind: requestKind,
        caseNumber: `SSK-${requestKind === "FLOOD" ? "F" : "H"}-6911-${String(++cases).padStart(4, "0")}`,
        councilId,
        lineUserId: u.id,
        priority: requestKind === "FLOOD" ? "LOW" : null,
        status: options.status ?? "PENDING",
        createdAt,
        updatedAt: options.updatedAt ?? createdAt,
      },
    });
    await h.db.prisma.helpRequestEvent.create({
      data: { requestId: request.id, kind: "CREATED", at: createdAt, actorUserId: u.id, toStatus: "PENDING" },
    });
    return request;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const council = await h.db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" } });
    councilId = council.id;
    councilName = council.name;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  describe("the list", () => {
    it("says so politely when there is none, offers filing one, and is not in the menu yet", async () => {
      const u = newUser("empty");
      await u.say("คำขอของฉัน");
      expect(u.lastText()).toContain("ท่านยังไม่มีคำขอความช่วยเหลือค่ะ");
      expect(u.last().some((m) => m.type === "flex")).toBe(false);
      expect(quickLabels(u)[0]).toBe("ขอช่วยเหลือน้ำท่วม");
      expect(quickLabels(u)).not.toContain("คำขอของฉัน");
      await u.tap("ขอช่วยเหลือน้ำท่วม");
      expect(await conversation(u)).toMatchObject({ flowId: "flood-help" });
    });

    it("lists only the user's own requests, the latest update first, with Thai statuses and dates", async () => {
      const u = newUser("list");
      const other = newUser("list-other");
      const old = await fileRequest(u, { updatedAt: at("2026-11-28T09:30:00"), status: "ACCEPTED" });
      const housing = await fileRequest(u, {
        kind: "HOUSING",
        status: "RESOLVED",
        createdAt: at("2026-11-20T08:00:00"),
        updatedAt: at("2026-11-27T16:45:00"),
      });
      const newest = await fileRequest(u, {
        createdAt: at("2026-11-01T08:00:00"),
        updatedAt: at("2026-11-28T09:55:00"),
        status: "IN_PROGRESS",
      });
      const theirs = await fileRequest(other, { updatedAt: at("2026-11-28T09:59:00") });

      await u.say("ติดตามคำขอ");
      const flex = flexOf(u);
      expect(flex.contents.type).toBe("carousel");
      expect((flex.contents as messagingApi.FlexCarousel).contents).toHaveLength(3);
      expect(u.lastText()).toContain("คำขอของท่าน 3 รายการ");
      const shown = textOf([flex]);
      const bubbles = bubbleTexts(u);
      expectInOrder(shown, [newest.caseNumber, old.caseNumber, housing.caseNumber]);
      for (const [i, parts] of [
        [newest.caseNumber, "น้ำท่วม", "กำลังดำเนินการ", "28/11/2569 09:55 น."],
        [old.caseNumber, "น้ำท่วม", "รับเรื่องแล้ว", "28/11/2569 09:30 น."],
        [housing.caseNumber, "ขอซ่อมบ้าน", "เสร็จสิ้น", "27/11/2569 16:45 น."],
      ].entries()) {
        for (const part of parts) expect(bubbles[i]).toContain(part);
      }
      expect(shown).not.toContain(theirs.caseNumber);
      // One "ดูรายละเอียด" per bubble, each naming its own request.
      expect(
        u
          .actions()
          .filter((a) => a.label === "ดูรายละเอียด")
          .map((a) => a.data),
      ).toEqual([newest, old, housing].map((r) => mine(String(r.id))));
      // Now that there are requests, the menu lists the entry.
      expect(quickLabels(u)).toContain("คำขอของฉัน");
      await u.tap("คำขอของฉัน");
      expect(textOf([flexOf(u)])).toBe(shown);
    });

    it("pages: the 10 newest, how many more, and ดูเพิ่ม", async () => {
      const u = newUser("pages");
      const rows = [];
      for (let i = 0; i < 12; i++) rows.push(await fileRequest(u, { updatedAt: new Date(START_TIME.getTime() - (12 - i) * MINUTE) }));
      await u.say("สถานะคำขอ");
      const first = flexOf(u).contents as messagingApi.FlexCarousel;
      expect(first.contents).toHaveLength(10);
      expect(u.lastText()).toContain("แสดงรายการที่ 1–10");
      expect(u.lastText()).toContain("อีก 2 รายการ");
      expectInOrder(textOf([flexOf(u)]), [rows[11]!.caseNumber, rows[2]!.caseNumber]);
      expect(textOf([flexOf(u)])).not.toContain(rows[1]!.caseNumber);
      expect(quickLabels(u)[0]).toBe("ดูเพิ่ม");
      await u.tap("ดูเพิ่ม");
      const second = flexOf(u).contents as messagingApi.FlexCarousel;
      expect(second.contents).toHaveLength(2);
      expectInOrder(textOf([flexOf(u)]), [rows[1]!.caseNumber, rows[0]!.caseNumber]);
      expect(u.lastText()).toContain("แสดงรายการที่ 11–12");
      expect(quickLabels(u)[0]).toBe("ดูล่าสุด");
    });
  });

  describe("one request", () => {
    it("shows its card: status, council, dates, photos, history oldest first; a phone in a note as written (it is the villager's to call)", async () => {
      const u = newUser("detail");
      const r = await fileRequest(u);
      await h.db.prisma.helpRequestEvent.createMany({
        data: [
          {
            requestId: r.id,
            kind: "STATUS",
            at: at("2026-11-28T09:10:00"),
            actorUserId: "U-staff",
            byStaff: true,
            fromStatus: "PENDING",
            toStatus: "ACCEPTED",
          },
          {
            requestId: r.id,
            kind: "NOTE",
            at: at("2026-11-28T09:20:00"),
            actorUserId: "U-staff",
            byStaff: true,
            note: "ทีมอาสาจะไปถึงภายในหนึ่งชั่วโมง โทร 081-234-5678",
          },
        ],
      });
      await h.db.prisma.helpRequest.update({ where: { id: r.id }, data: { status: "ACCEPTED", updatedAt: at("2026-11-28T09:20:00") } });
      await h.db.prisma.helpRequestPhoto.create({
        data: { requestId: r.id, lineMessageId: newEventId(), addedBy: u.id, addedAt: at("2026-11-28T09:00:00") },
      });

      await u.say("คำขอของฉัน");
      await u.tap("ดูรายละเอียด");
      const card = textOf([flexOf(u)]);
      expect(flexOf(u).altText).toBe(`คำขอ ${r.caseNumber}: รับเรื่องแล้ว`);
      expect(card).toContain(r.caseNumber);
      expect(card).toContain("น้ำท่วม");
      expectInOrder(card, [
        "รับเรื่องแล้ว",
        councilName,
        "28/11/2569 09:00 น.",
        "1 รูป",
        "28/11/2569 09:00 น.",
        "แจ้งคำขอ",
        "28/11/2569 09:10 น.",
        "สถานะเปลี่ยนเป็น “รับเรื่องแล้ว”",
        "28/11/2569 09:20 น.",
        "เจ้าหน้าที่แจ้งข้อความ",
        "โทร 081-234-5678",
        "ทั้งหมด 3 รายการ",
      ]);
      expect(card).not.toContain("xxx-xxx");
      expect(cardButtons(u)).toEqual(["เพิ่มรูป", "เพิ่มข้อความ", "ยกเลิกคำขอ", "คำขอทั้งหมด"]);
      await u.tap("คำขอทั้งหมด");
      expect(flexOf(u).contents.type).toBe("carousel");
    });

    it("shows the last 10 history entries of a long history", async () => {
      const u = newUser("long");
      const r = await fileRequest(u);
      await h.db.prisma.helpRequestEvent.createMany({
        data: Array.from({ length: 11 }, (_, i) => ({
          requestId: r.id,
          kind: "NOTE" as const,
          at: new Date(at("2026-11-28T09:00:00").getTime() + (i + 1) * MINUTE),
          actorUserId: u.id,
          note: `ข้อความที่ ${i + 1}`,
        })),
      });
      await u.postback(mine(String(r.id)));
      const card = textOf([flexOf(u)]);
      expect(card).not.toContain("แจ้งคำขอ");
      expect(card).not.toContain("“ข้อความที่ 1”");
      expectInOrder(card, ["“ข้อความที่ 2”", "“ข้อความที่ 11”", "10 รายการล่าสุด จากทั้งหมด 12 รายการ"]);
    });

    it("answers a forged id of someone else's request exactly like one that does not exist", async () => {
      const owner = newUser("owner");
      const u = newUser("forger");
      const theirs = await fileRequest(owner, { status: "IN_PROGRESS" });
      await fileRequest(u);

      await u.postback(mine(String(theirs.id)));
      const forged = u.lastText();
      expect(forged).toContain(NOT_FOUND);
      expect(forged).not.toContain(theirs.caseNumber);
      expect(u.last().some((m) => m.type === "flex")).toBe(false);
      await u.postback(mine("999999999"));
      expect(u.lastText()).toBe(forged);
      await u.postback(mine("abc"));
      expect(u.lastText()).toBe(forged);
      for (const verb of ["photo", "note", "cancel"]) {
        await u.postback(mine(`${verb}:${theirs.id}`));
        expect(u.lastText()).toBe(forged);
        expect(await conversation(u)).toMatchObject({ flowId: null });
      }
      const row = await requestRow(theirs.id);
      expect(row.status).toBe("IN_PROGRESS");
      expect(row.history).toHaveLength(1);
    });
  });

  describe("adding photos", () => {
    it("takes an image set of three as one addition: three photos, one PHOTO event, updatedAt moved; a sticker mid-flow", async () => {
      const u = newUser("photo");
      const r = await fileRequest(u);
      await u.postback(mine(String(r.id)));
      await u.tap("เพิ่มรูป");
      expect(u.lastText()).toContain(`ส่งรูปที่ต้องการเพิ่มในคำขอ ${r.caseNumber}`);
      expect(quickLabels(u)).toEqual(["ข้าม", "ยกเลิก"]);
      await u.sticker();
      expect(u.lastText()).toContain("ขอบคุณสำหรับสติกเกอร์");
      expect(u.lastText()).toContain("กรุณาส่งรูป หรือแตะ “ข้าม”ค่ะ");
      await u.say("สวัสดี");
      expect(u.lastText()).toContain("กรุณาส่งรูปภาพ หรือแตะ “ข้าม” ค่ะ");
      await u.say("ย้อนกลับ");
      expect(u.lastText()).toContain("นี่เป็นคำถามแรกแล้วค่ะ");
      expect(await conversation(u)).toMatchObject({ flowId: "request-photo", stepId: "photo" });

      h.clock.advance(5 * MINUTE);
      const set = newEventId();
      const before = u.received.length;
      await u.image({ id: "mine-p1", imageSet: { id: set, index: 1, total: 3 } });
      await u.image({ id: "mine-p2", imageSet: { id: set, index: 2, total: 3 } });
      expect(u.received.length).toBe(before);
      await u.image({ id: "mine-p3", imageSet: { id: set, index: 3, total: 3 } });
      expect(u.lastText()).toContain(`เพิ่มรูป 3 รูปในคำขอ ${r.caseNumber} แล้วค่ะ`);
      expect(textOf([flexOf(u)])).toContain("3 รูป");

      const row = await requestRow(r.id);
      expect(row.photos.map((p) => ({ id: p.lineMessageId, by: p.addedBy, stage: p.stage }))).toEqual(
        ["mine-p1", "mine-p2", "mine-p3"].map((id) => ({ id, by: u.id, stage: "REQUEST" })),
      );
      expect(row.history.map((e) => e.kind)).toEqual(["CREATED", "PHOTO"]);
      expect(row.history[1]).toMatchObject({ actorUserId: u.id, byStaff: false, note: "3 รูป", at: h.clock.now });
      expect(row.updatedAt).toEqual(h.clock.now);
      expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });

      // The same photo again (LINE's redelivery, or sent twice): said as already in, never "เพิ่มรูป 0 รูป".
      await u.tap("เพิ่มรูป");
      await u.image({ id: "mine-p1" });
      if (quickLabels(u).includes("เสร็จแล้ว")) await u.tap("เสร็จแล้ว");
      expect(u.lastText()).toContain(`รูปที่ส่งมามีอยู่ในคำขอ ${r.caseNumber} แล้วค่ะ`);
      expect(u.lastText()).not.toMatch(/เพิ่มรูป 0 รูป/);
      expect((await requestRow(r.id)).history.map((e) => e.kind)).toEqual(["CREATED", "PHOTO"]);
    });

    it("keeps the first five of a larger set and says so; ข้าม adds nothing", async () => {
      const u = newUser("photo-cap");
      const r = await fileRequest(u);
      await u.postback(mine(`photo:${r.id}`));
      const set = newEventId();
      for (let i = 1; i <= 7; i++) await u.image({ id: `cap-${i}`, imageSet: { id: set, index: i, total: 7 } });
      expect(u.lastText()).toContain("เพิ่มรูป 5 รูป");
      expect(u.lastText()).toContain("ท่านส่งมา 7 รูป รับไว้ 5 รูปแรก");
      expect((await requestRow(r.id)).photos.map((p) => p.lineMessageId)).toEqual(["cap-1", "cap-2", "cap-3", "cap-4", "cap-5"]);

      await u.tap("เพิ่มรูป");
      await u.tap("ข้าม");
      expect(u.lastText()).toContain(`ไม่ได้เพิ่มรูปในคำขอ ${r.caseNumber} ค่ะ`);
      const row = await requestRow(r.id);
      expect(row.photos).toHaveLength(5);
      expect(row.history.map((e) => e.kind)).toEqual(["CREATED", "PHOTO"]);
    });
  });

  describe("adding a note", () => {
    it("re-prompts a note that is too long or empty, stops on ยกเลิก, stores a NOTE event", async () => {
      const u = newUser("note");
      const r = await fileRequest(u);
      await u.postback(mine(String(r.id)));
      await u.tap("เพิ่มข้อความ");
      expect(u.lastText()).toContain(`พิมพ์ข้อความที่ต้องการแจ้งเจ้าหน้าที่เพิ่มเติมในคำขอ ${r.caseNumber}`);
      await u.say("ก".repeat(501));
      expect(u.lastText()).toContain("กรุณาพิมพ์ข้อความ 1–500 ตัวอักษรค่ะ");
      await u.say("🙂🙂");
      expect(u.lastText()).toContain("กรุณาพิมพ์ข้อความ 1–500 ตัวอักษรค่ะ");
      await u.say("ยกเลิก");
      expect(u.lastText()).toContain("ยกเลิกการเพิ่มข้อความในคำขอแล้วค่ะ");
      expect((await requestRow(r.id)).history).toHaveLength(1);

      h.clock.advance(10 * MINUTE);
      await u.postback(mine(`note:${r.id}`));
      await u.say("น้ำขึ้นถึงเอวแล้ว คุณยายอยู่ชั้นบน");
      expect(u.lastText()).toContain(`เพิ่มข้อความในคำขอ ${r.caseNumber} แล้ว`);
      expectInOrder(textOf([flexOf(u)]), ["แจ้งคำขอ", "ท่านเพิ่มข้อความ", "“น้ำขึ้นถึงเอวแล้ว คุณยายอยู่ชั้นบน”"]);
      const row = await requestRow(r.id);
      expect(row.history.at(-1)).toMatchObject({ kind: "NOTE", actorUserId: u.id, byStaff: false, note: "น้ำขึ้นถึงเอวแล้ว คุณยายอยู่ชั้นบน" });
      expect(row.updatedAt).toEqual(h.clock.now);
      expect(await conversation(u)).toMatchObject({ flowId: null });
    });
  });

  describe("cancelling", () => {
    it("corrects the reason through ย้อนกลับ, confirms, and stores CANCELLED with a STATUS event", async () => {
      const u = newUser("cancel");
      const r = await fileRequest(u, { status: "ACCEPTED" });
      await u.postback(mine(String(r.id)));
      await u.tap("ยกเลิกคำขอ");
      expect(u.lastText()).toContain(`ต้องการยกเลิกคำขอ ${r.caseNumber} เพราะอะไรคะ`);
      expect(quickLabels(u)).toEqual(["ได้รับความช่วยเหลือ", "แก้ปัญหาได้เองแล้ว", "แจ้งซ้ำหรือแจ้งผิด", "อื่น ๆ", "ยกเลิก"]);
      await u.tap("อื่น ๆ");
      expect(u.lastText()).toContain("พิมพ์เหตุผลสั้น ๆ");
      await u.tap("ย้อนกลับ");
      expect(u.lastText()).toContain("เพราะอะไรคะ");
      await u.tap("ได้รับความช่วยเหลือ");
      expect(u.lastText()).toContain("เหตุผล: ได้รับความช่วยเหลือ");
      // One pair, no third cancel word.
      expect(quickLabels(u)).toEqual(["ยืนยันยกเลิกคำขอ", "ไม่ยกเลิก", "ย้อนกลับ"]);
      await u.sticker();
      expect(u.lastText()).toContain("ขอบคุณสำหรับสติกเกอร์");
      await u.say("ไม่แน่ใจ");
      expect(u.lastText()).toContain("กรุณาแตะเลือกจากปุ่มด้านล่าง");
      await u.say("ย้อนกลับ");
      await u.say("ก".repeat(201));
      expect(u.lastText()).toContain("กรุณาพิมพ์เหตุผลไม่เกิน 200 ตัวอักษร");
      await u.say("น้ำลดแล้ว ย้ายไปอยู่บ้านญาติ");
      expect(u.lastText()).toContain("เหตุผล: น้ำลดแล้ว ย้ายไปอยู่บ้านญาติ");
      expect((await requestRow(r.id)).status).toBe("ACCEPTED");

      h.clock.advance(15 * MINUTE);
      await u.tap("ยืนยันยกเลิกคำขอ");
      expect(u.lastText()).toContain(`ยกเลิกคำขอ ${r.caseNumber} แล้วค่ะ`);
      expect(textOf([flexOf(u)])).toContain("ยกเลิกแล้ว");
      expect(cardButtons(u)).toEqual(["คำขอทั้งหมด"]);
      const row = await requestRow(r.id);
      expect(row.status).toBe("CANCELLED");
      expect(row.updatedAt).toEqual(h.clock.now);
      expect(row.history.at(-1)).toMatchObject({
        kind: "STATUS",
        actorUserId: u.id,
        byStaff: false,
        fromStatus: "ACCEPTED",
        toStatus: "CANCELLED",
        note: "น้ำลดแล้ว ย้ายไปอยู่บ้านญาติ",
      });
      expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
    });

    it("อื่น ๆ with ข้าม stores อื่น ๆ; ไม่ยกเลิก and ยกเลิก leave the request as it was", async () => {
      const u = newUser("cancel-other");
      const kept = await fileRequest(u);
      await u.postback(mine(`cancel:${kept.id}`));
      await u.tap("แจ้งซ้ำหรือแจ้งผิด");
      await u.tap("ไม่ยกเลิก");
      expect(u.lastText()).toContain(`คำขอ ${kept.caseNumber} ยังอยู่ตามเดิมค่ะ`);
      await u.tap("ยกเลิกคำขอ");
      await u.say("ยกเลิก");
      expect(u.lastText()).toContain("ไม่ได้ยกเลิกคำขอ คำขอยังอยู่ตามเดิมค่ะ");
      expect(u.lastText()).not.toContain("ยกเลิกการแจ้งยกเลิก");
      const unchanged = await requestRow(kept.id);
      expect(unchanged.status).toBe("PENDING");
      expect(unchanged.history).toHaveLength(1);

      await u.postback(mine(`cancel:${kept.id}`));
      await u.tap("อื่น ๆ");
      await u.tap("ข้าม");
      expect(u.lastText()).toContain("เหตุผล: อื่น ๆ");
      await u.tap("ยืนยันยกเลิกคำขอ");
      expect((await requestRow(kept.id)).history.at(-1)).toMatchObject({ toStatus: "CANCELLED", note: "อื่น ๆ" });
      // A stale note button on the cancelled request: the status said once, no "ยกเลิกแล้ว” แล้ว".
      await u.postback(mine(`note:${kept.id}`));
      expect(u.lastText()).toContain(`คำขอ ${kept.caseNumber} ตอนนี้มีสถานะ “ยกเลิกแล้ว” จึงเพิ่มเติมหรือยกเลิกไม่ได้ค่ะ`);
      expect(u.lastText()).not.toContain("แล้ว” แล้ว");
    });

    it("refuses a RESOLVED request, and one closed by staff while the villager answered", async () => {
      const u = newUser("refused");
      const resolved = await fileRequest(u, { status: "RESOLVED" });
      await u.postback(mine(String(resolved.id)));
      expect(cardButtons(u)).toEqual(["คำขอทั้งหมด"]);
      // A forged (or stale) button to cancel it anyway.
      await u.postback(mine(`cancel:${resolved.id}`));
      expect(u.lastText()).toContain(`คำขอ ${resolved.caseNumber} ตอนนี้มีสถานะ “เสร็จสิ้น” จึง`);
      expect(await conversation(u)).toMatchObject({ flowId: null });
      expect((await requestRow(resolved.id)).status).toBe("RESOLVED");

      const open = await fileRequest(u, { status: "IN_PROGRESS" });
      await u.postback(mine(`cancel:${open.id}`));
      await u.tap("แก้ปัญหาได้เองแล้ว");
      // The secretary closes it in the meantime.
      await h.db.prisma.helpRequest.update({ where: { id: open.id }, data: { status: "RESOLVED" } });
      await u.tap("ยืนยันยกเลิกคำขอ");
      expect(u.lastText()).toContain(`คำขอ ${open.caseNumber} ตอนนี้มีสถานะ “เสร็จสิ้น” จึง`);
      const row = await requestRow(open.id);
      expect(row.status).toBe("RESOLVED");
      expect(row.history.map((e) => e.kind)).toEqual(["CREATED"]);
      expect(await conversation(u)).toMatchObject({ flowId: null });
    });
  });
});
