// What LINE itself expects of a bot (issue 10, §9 "smaller"), on the shipped
// process (src/main.ts started with environment only, PostgreSQL):
//  - a datetime picker's `min` is inclusive: the minute it allows is taken;
//  - every quick-reply postback carries displayText, the page buttons too;
//  - "เมนู" followed by a LINE emoji (alt text in the text, spans in
//    `emojis`) or a Unicode emoji is still the global word;
//  - a 3-photo album outside a flow is answered once, not three times;
//  - `unsend` forgets the message: a photo still arriving in a flow, and a
//    photo already saved to a request (only the sender's own).
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEventId } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedUser } from "../support/shipped.ts";

const KANTHARALAK = 3304;

type QuickAction = Record<string, unknown> & { type: string; label?: string };
const quickActions = (messages: messagingApi.Message[]): QuickAction[] =>
  messages.flatMap((m) => (m.quickReply?.items ?? []).map((i) => i.action as unknown as QuickAction));

describe("what LINE expects, on the shipped bot", () => {
  let bot: ShippedBot;
  let n = 0;
  const newUser = () => bot.user(lineUserId(0x10a000 + ++n));
  /** Waits until the bot has finished these events (answered or not). */
  const finished = (ids: string[]) =>
    waitUntil(
      () => bot.withDb(async (db) => (await db.prisma.webhookEvent.count({ where: { id: { in: ids }, status: "DONE" } })) === ids.length),
      { what: `events ${ids.join(", ")} done` },
    );
  /** Delivers events of one user (no waiting for an answer); returns their ids. */
  const deliver = async (u: ShippedUser, events: Record<string, unknown>[]) => {
    const built = events.map((e) => bot.event(u.id, e));
    expect(await bot.deliver(built)).toBe(200);
    return built.map((e) => String(e.webhookEventId));
  };
  const image = (id: string, set?: { id: string; index: number; total: number }) => ({
    type: "message",
    message: { type: "image", id, quoteToken: `q-${id}`, contentProvider: { type: "line" }, ...(set ? { imageSet: set } : {}) },
  });
  const unsend = (messageId: string) => ({ type: "unsend", unsend: { messageId } });

  async function signUpToDistrict(u: ShippedUser) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say("สมหญิง ทดสอบ");
    await u.say("0812345678");
    expect(u.lastText()).toMatch(/อำเภอใด/);
  }

  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it("gives every quick-reply postback a displayText, the page buttons included", async () => {
    const u = newUser();
    await signUpToDistrict(u);
    // Sisaket's 22 districts do not fit one set of quick replies.
    expect(u.buttons()).toContain("ถัดไป ▶");
    await u.tap("ถัดไป ▶");
    expect(u.buttons()).toEqual(expect.arrayContaining(["◀ ก่อนหน้า", "ถัดไป ▶"]));
    const seen = u
      .accepted()
      .flatMap((r) => quickActions(r.messages))
      .filter((a) => a.type === "postback");
    expect(seen.map((a) => a.label)).toEqual(expect.arrayContaining(["ยินยอม", "ถัดไป ▶", "◀ ก่อนหน้า"]));
    for (const action of seen) expect(action.displayText, `displayText of "${action.label}"`).toBeTruthy();
  });

  it("reads เมนู with a LINE emoji, and ยกเลิก with a Unicode emoji, as the global words", async () => {
    const u = newUser();
    await signUpToDistrict(u);
    // LINE writes the emoji's alt text into the text and says where it is.
    await u.send({
      type: "message",
      message: {
        type: "text",
        id: newEventId(),
        quoteToken: "q",
        text: "เมนู(love)",
        emojis: [{ index: 4, length: 6, productId: "5ac1bfd5040ab15980c9b435", emojiId: "001" }],
      },
    });
    expect(u.lastText()).toMatch(/ออกจากการสมัครสมาชิกแล้วค่ะ|ออกจาก.*แล้วค่ะ/);
    expect(u.lastText()).toMatch(/ต้องการทำรายการใดคะ/);
    await u.say("สมัครสมาชิก");
    await u.say("ยกเลิก 🙏🏽");
    expect(u.lastText()).toMatch(/^ยกเลิก.*แล้วค่ะ/m);
    expect(u.lastText()).not.toMatch(/ยังไม่เข้าใจ/);
  });

  it("answers a three-photo album once: outside any flow, and at a step that takes no photo", async () => {
    const u = newUser();
    const album = async (tag: string) => {
      const before = u.accepted().length;
      const set = { id: `set-${tag}-${n}`, total: 3 };
      await finished(
        await deliver(
          u,
          [1, 2, 3].map((index) => image(`${tag}-${n}-${index}`, { ...set, index })),
        ),
      );
      return u
        .accepted()
        .slice(before)
        .map((r) => r.messages.map((m) => (m.type === "text" ? m.text : "")).join("\n"));
    };
    await u.follow(); // the consent question: a step that takes no photo
    const inFlow = await album("consent");
    expect(inFlow).toHaveLength(1);
    expect(inFlow[0]).toMatch(/ยังไม่ต้องใช้รูป/);
    await u.say("เมนู");
    const idle = await album("idle");
    expect(idle).toHaveLength(1);
    expect(idle[0]).toMatch(/ยังไม่เข้าใจ/);
    // Another album is another message: answered again, once.
    expect(await album("idle-again")).toHaveLength(1);
  });

  it("takes the minute a datetime picker's min allows (start and registration deadline)", async () => {
    const coord = newUser();
    await bot.withDb((db) =>
      db.prisma.staffRole.create({
        data: {
          lineUserId: coord.id,
          role: "COORDINATOR",
          level: "DISTRICT",
          areaId: KANTHARALAK,
          grantedBy: "test",
          grantedAt: new Date(),
        },
      }),
    );
    const pickMin = async () => {
      const picker = quickActions(coord.last()).find((a) => a.type === "datetimepicker");
      expect(picker?.min, "the picker has a min").toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      return coord.postback(String(picker!.data), { params: { datetime: String(picker!.min) } });
    };
    await coord.say("สร้างการประชุม");
    expect(coord.lastText()).toMatch(/ชื่อการประชุมคืออะไร/);
    await coord.say("ประชุมด่วนเรื่องน้ำ");
    await pickMin(); // min: now
    expect(coord.lastText()).toMatch(/ประชุมเลิกเวลาเท่าไร/);
    // A meeting starting now leaves no time for a deadline before it: start tomorrow.
    await coord.say("ย้อนกลับ");
    const start = quickActions(coord.last()).find((a) => a.type === "datetimepicker")!;
    await coord.postback(String(start.data), { params: { datetime: String(start.initial) } });
    expect(coord.lastText()).toMatch(/ประชุมเลิกเวลาเท่าไร/);
    await coord.tap("3 ชั่วโมง");
    await coord.send({
      type: "message",
      message: { type: "location", id: newEventId(), latitude: 15.05, longitude: 104.63, address: "ศาลาวัด" },
    });
    expect(coord.lastText()).toMatch(/วาระการประชุม/);
    await coord.tap("ไม่ระบุวาระ");
    await coord.tap(coord.buttons().find((b) => b.startsWith("ต."))!);
    await coord.tap("เลือกเสร็จแล้ว");
    expect(coord.lastText()).toMatch(/รับได้กี่ที่นั่ง/);
    await coord.say("20");
    expect(coord.lastText()).toMatch(/ปิดรับลงทะเบียนเมื่อไร/);
    await pickMin(); // min: now again
    expect(coord.lastText()).toMatch(/ปิดรับลงทะเบียน: /);
    expect(coord.lastText()).not.toMatch(/ต้อง/);
  });

  it("forgets an unsent photo: one still arriving in a flow, and one saved to the sender's request", async () => {
    const u = newUser();
    await u.follow();
    await u.say("เมนู");
    const request = await bot.withDb(async (db) => {
      const council = await db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" } });
      return db.prisma.helpRequest.create({
        data: { kind: "FLOOD", caseNumber: `SSK-F-TEST-${n}`, councilId: council.id, lineUserId: u.id, priority: "LOW" },
      });
    });
    await u.say("คำขอของฉัน");
    await u.tap("ดูรายละเอียด");
    await u.tap("เพิ่มรูป");
    expect(u.lastText()).toMatch(/รูป/);

    const set = { id: `set-unsend-${n}`, total: 3 };
    const [m1, m2, m3] = ["u1", "u2", "u3"].map((x) => `${x}-${n}`) as [string, string, string];
    await finished(await deliver(u, [image(m1, { ...set, index: 1 })]));
    await finished(await deliver(u, [unsend(m1)]));
    const data = await bot.withDb(async (db) => (await db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } })).data);
    expect(JSON.stringify(data)).not.toContain(m1);
    // The album still completes with the photos left.
    const before = u.accepted().length;
    await deliver(u, [image(m2, { ...set, index: 2 }), image(m3, { ...set, index: 3 })]);
    await waitUntil(() => u.accepted().length > before, { what: "the album answered" });
    const photos = () =>
      bot.withDb(async (db) =>
        (await db.prisma.helpRequestPhoto.findMany({ where: { requestId: request.id }, orderBy: { id: "asc" } })).map(
          (p) => p.lineMessageId,
        ),
      );
    expect(await photos()).toEqual([m2, m3]);

    // Someone else cannot take back another user's photo.
    const other = newUser();
    await finished(await deliver(other, [unsend(m3)]));
    await finished(await deliver(u, [unsend(m2)]));
    expect(await photos()).toEqual([m3]);
    expect(u.accepted().length).toBe(before + 1); // an unsend is not answered
  });
});
