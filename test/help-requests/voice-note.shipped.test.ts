// A voice note through the shipped process (`src/main.ts`, env only,
// PostgreSQL; issue 11 §2): the villager sends a voice message as the flood
// request's note, the background job fetches the audio from (the stand-in
// for) LINE's data API, and the secretary's case card links to it, signed,
// served by the bot itself.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { newEventId } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";

const CASE = /เลขที่คำขอ: (SSK-F-\d{4}-\d{4})/;
const AUDIO = Buffer.from("fake m4a voice note");

function uriOf(messages: messagingApi.Message[], label: string): string | undefined {
  let found: string | undefined;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const child of n) walk(child);
      return;
    }
    if (!n || typeof n !== "object") return;
    const obj = n as Record<string, unknown>;
    const action = obj.action as { type?: string; label?: string; uri?: string } | undefined;
    if (obj.type === "button" && action?.type === "uri" && action.label === label) found = action.uri;
    Object.values(obj).forEach(walk);
  };
  walk(messages);
  return found;
}

describe("a voice note, shipped", () => {
  let bot: ShippedBot;
  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
  });
  afterAll(async () => bot?.stop());

  it("is fetched from LINE in the background and played from the secretary's case card by its signed link", async () => {
    const u = bot.user(lineUserId(0x70c1));
    const sec = bot.user(lineUserId(0x70c2));
    await u.follow();
    await u.tap("ยินยอม");
    await u.say("สมศรี ใจดี");
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    await u.tap(u.buttons()[0]!);
    await u.tap("ยืนยัน");
    const councilId = await bot.withDb(async (db) => {
      const { councilId } = await db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
      await db.prisma.staffRole.create({
        data: { lineUserId: sec.id, role: "SECRETARY", level: "COUNCIL", areaId: councilId!, grantedBy: "cli:test", grantedAt: new Date() },
      });
      return councilId;
    });
    expect(councilId).toBeGreaterThan(0);

    await u.say("น้ำท่วม");
    await u.tap("บ้านของฉันเอง");
    await u.send({
      type: "message",
      message: { type: "location", id: newEventId(), latitude: 15.05, longitude: 104.52, address: "ศรีสะเกษ" },
    });
    await u.say("4");
    await u.tap("ผู้สูงอายุ");
    await u.tap("เสร็จแล้ว");
    await u.tap("เอว");
    await u.tap("ยา");
    await u.tap("เสร็จแล้ว");
    await u.tap("ข้าม");
    const voiceId = newEventId();
    bot.line.contents.set(voiceId, { contentType: "audio/m4a", bytes: AUDIO });
    await u.send({ type: "message", message: { type: "audio", id: voiceId, contentProvider: { type: "line" }, duration: 6_000 } });
    expect(u.lastText()).toContain("ได้รับข้อความเสียงแล้วค่ะ");
    expect(u.lastText()).toContain("ข้อความเพิ่มเติม: ข้อความเสียง");
    await u.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(u.lastText())?.[1];
    expect(caseNumber, u.lastText()).toBeDefined();

    const requestId = await bot.withDb(
      async (db) => (await db.prisma.helpRequest.findUniqueOrThrow({ where: { caseNumber: caseNumber! } })).id,
    );
    await waitUntil(
      () =>
        bot.withDb(async (db) => {
          expect(await db.prisma.helpRequestVoice.findFirst({ where: { requestId }, select: { status: true, contentType: true } })).toEqual(
            {
              status: "FETCHED",
              contentType: "audio/m4a",
            },
          );
        }),
      { what: "the voice note fetched" },
    );

    await sec.send({
      type: "postback",
      postback: { data: encodePostback({ kind: "menu", entry: "staff-cases", arg: String(requestId) }) },
    });
    const url = uriOf(sec.last(), "ฟังข้อความเสียง");
    expect(url).toMatch(/^https:\/\/bot\.example\.test\/media\/v\d+-[0-9a-z]+-[\w-]{43}\.m4a$/);
    const res = await fetch(url!.replace("https://bot.example.test", bot.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/m4a");
    expect(Buffer.from(await res.arrayBuffer()).equals(AUDIO)).toBe(true);
  });
});
