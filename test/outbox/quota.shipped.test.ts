// LINE's monthly message quota used up, against the bot as it ships
// (src/main.ts, environment only). LINE answers 429 to every push with the
// quota's body ("You have reached your monthly limit."), as it does once the
// plan's messages are gone; replies cost nothing and LINE keeps taking them.
//  - LINE's rate-limit 429 is still retried within seconds;
//  - no push loop on the quota's 429: the bot stops pushing (one push now and then, every 15
//    minutes), where a rate-limit 429 would be retried within seconds;
//  - the admins are warned: in the log at once, and in the reply to their
//    next message;
//  - a secretary's new-case card, held by the quota, arrives with the reply
//    to the secretary's next message;
//  - villagers' replies keep working throughout.
import { floodToPhotos } from "../support/flood.ts";
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { SENT_IN_REPLY } from "../../src/outbox/held.ts";
import { enqueuePush } from "../../src/outbox/outbox.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { textOf } from "../support/harness.ts";
import { waitUntil, type LineRequest } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedUser } from "../support/shipped.ts";

const MONTHLY_LIMIT = { message: "You have reached your monthly limit." };
const RATE_LIMIT = { message: "The API rate limit has been exceeded. Try again later." };
const CASE = /เลขที่คำขอ: (SSK-F-\d{4}-\d{4})/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ADMIN = lineUserId(0xad);
const SECRETARY = lineUserId(0x5ec);
const VILLAGER = lineUserId(0x1);
const OTHER_VILLAGER = lineUserId(0x2);

/** The Flex cards of a batch, as text (alt text and every text in them). */
const cards = (messages: messagingApi.Message[]) => textOf(messages.filter((m) => m.type === "flex"));

describe("LINE's monthly quota used up, in the shipped bot", () => {
  let bot: ShippedBot;
  let council: CouncilWithPlace;
  const pushes = () => bot.line.requests.filter((r: LineRequest) => r.kind !== "reply");

  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres", env: { ADMIN_LINE_USER_IDS: ADMIN, LOG_LEVEL: "warn" } });
    council = await bot.withDb(async (db) => {
      const first = await db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" }, select: { id: true } });
      const place = (await getCouncilWithPlace(db.prisma, first.id))!;
      await grantRole(
        db.prisma,
        SECRETARY,
        { role: "SECRETARY", level: "COUNCIL", areaId: place.id },
        { by: ADMIN, at: new Date(), via: "test" },
      );
      return place;
    });
  });
  afterAll(async () => bot?.stop());

  /** A non-member files a critical flood request (bedridden) through the chat; every answer is a reply. */
  async function fileFlood(u: ShippedUser): Promise<string> {
    await floodToPhotos(u, council);
    await u.tap("ข้าม");
    await u.tap("ข้าม");
    await u.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(u.lastText())?.[1];
    if (!caseNumber) throw new Error(`No case number in: ${u.lastText()}`);
    return caseNumber;
  }

  let caseNumber = "";

  it("a rate-limit 429 (LINE's other 429) is still retried within seconds, and nothing is held", async () => {
    const target = lineUserId(0x77);
    bot.line.policy = ({ kind }) => (kind === "reply" ? { kind: "accept" } : { kind: "status", status: 429, body: RATE_LIMIT });
    await bot.withDb((db) =>
      db.transaction((tx) =>
        enqueuePush(tx, target, [{ type: "text", text: "แจ้งเตือนทดสอบ" }], { purpose: "test.rate-limit", now: new Date() }),
      ),
    );
    await waitUntil(() => pushes().filter((r) => r.to.includes(target)).length >= 2, { what: "retried" });
    bot.line.policy = () => ({ kind: "accept" });
    await waitUntil(() => bot.user(target).accepted().length === 1, { what: "sent once LINE takes it" });
    expect(await bot.withDb((db) => db.prisma.pushQuotaUsage.count({ where: { exhaustedAt: { not: null } } }))).toBe(0);
    expect(bot.log).not.toMatch(/quota used up/);

    // From now on: replies are free, LINE takes them; every push or multicast: the quota is gone.
    bot.line.policy = ({ kind }) => (kind === "reply" ? { kind: "accept" } : { kind: "status", status: 429, body: MONTHLY_LIMIT });
  });

  it("a flood request filed: the secretary's card is tried once, then held; no push loop; the admins are warned in the log", async () => {
    const villager = bot.user(VILLAGER);
    const base = pushes().length;
    caseNumber = await fileFlood(villager);
    expect(villager.accepted().every((r) => r.kind === "reply")).toBe(true);

    // The worker tries the secretary's card and hears that the quota is gone.
    await waitUntil(() => pushes().some((r) => r.to.includes(SECRETARY)), { what: "the card tried once" });
    await waitUntil(() => /monthly message quota used up/.test(bot.log), { what: "the quota logged" });
    const tried = pushes().length - base;
    // A rate-limit 429 is retried after 1 s, 2 s, 4 s…; the quota is not retried for 15 minutes.
    await sleep(8_000);
    expect(pushes().length - base).toBe(tried);
    expect(tried).toBeLessThanOrEqual(2);

    const rows = await bot.withDb((db) =>
      db.prisma.outboxMessage.findMany({ where: { status: "PENDING" }, select: { purpose: true, recipients: true, attempts: true } }),
    );
    // The card waits (its attempt not counted), and so does the admins' warning.
    expect(rows).toContainEqual({ purpose: "request.new", recipients: [SECRETARY], attempts: 0 });
    expect(rows).toContainEqual({ purpose: "push-quota.exhausted", recipients: [ADMIN], attempts: 0 });
    const month = await bot.withDb((db) => db.prisma.pushQuotaUsage.findMany({ where: { exhaustedAt: { not: null } } }));
    expect(month).toHaveLength(1);
  });

  it("villagers' replies keep working while pushes cannot go", async () => {
    const other = bot.user(OTHER_VILLAGER);
    const before = pushes().length;
    const [answer] = await other.say("เมนู");
    expect(textOf(answer!)).not.toBe("");
    expect(other.accepted().at(-1)!.kind).toBe("reply");
    const [again] = await bot.user(VILLAGER).say("คำขอของฉัน");
    expect(textOf(again!)).toContain(caseNumber);
    expect(pushes().length).toBe(before);
  });

  it("the secretary writes anything: the held new-case card comes with the reply, once", async () => {
    const secretary = bot.user(SECRETARY);
    const [reply] = await secretary.say("สวัสดี");
    expect(secretary.accepted().at(-1)!.kind).toBe("reply");
    expect(reply!.length).toBeLessThanOrEqual(5);
    // The card first, the answer (with its buttons) last.
    expect(cards(reply!)).toContain(caseNumber);
    expect(reply!.at(-1)!.quickReply).toBeDefined();
    const card = await bot.withDb((db) =>
      db.prisma.outboxMessage.findFirstOrThrow({
        where: { purpose: "request.new" },
        select: { status: true, lastError: true, messages: true },
      }),
    );
    expect(card).toEqual({ status: "SENT", lastError: SENT_IN_REPLY, messages: [] });

    // Handed over once: the next reply is the answer alone.
    const [next] = await secretary.say("เมนู");
    expect(cards(next!)).not.toContain(caseNumber);
  });

  it("the admin writes anything: the quota warning comes with the reply", async () => {
    const admin = bot.user(ADMIN);
    const [reply] = await admin.say("สวัสดี");
    expect(admin.accepted().at(-1)!.kind).toBe("reply");
    expect(textOf(reply!)).toMatch(/โควตาข้อความ LINE ของเดือน.*หมดแล้ว/);
    expect(textOf(reply!)).toContain("การตอบแชตยังใช้ได้");
  });
});
