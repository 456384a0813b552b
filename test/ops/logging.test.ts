// The log of a real run, at debug level: a sign-up with a phone number, a
// fund link with a national ID, a flood request with phones in it, a LINE
// outage, and a log call that wrongly passes personal data. None of the
// phones, IDs or names may appear in any spelling; the event and request ids
// must, so one delivery can be followed through the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, scrubLine } from "../../src/log.ts";
import { nationalIdCheckDigit } from "../../src/thai/national-id.ts";
import { Harness, newEventId, sign, type ChatUser } from "../support/harness.ts";

const FULL_NAME = "บุญมี ล็อกไม่เห็น";
const SIGNUP_PHONE = "0863217654";
const FLOOD_PHONE = "089-741-2580";
const NOTE_PHONE = "0951234567";
const first12 = "310990012345";
const NATIONAL_ID = `${first12}${nationalIdCheckDigit(first12)}`;
const dashed = (id: string) => `${id[0]}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id[12]}`;
const thaiDigits = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
const digitsOnly = (s: string) => s.replace(/\D/g, "");

/** Every way the secrets could show up in a line. */
const FORBIDDEN = [
  FULL_NAME,
  "บุญมี",
  ...[SIGNUP_PHONE, FLOOD_PHONE, NOTE_PHONE].flatMap((p) => [p, digitsOnly(p), digitsOnly(p).slice(1), thaiDigits(p)]),
  NATIONAL_ID,
  dashed(NATIONAL_ID),
  thaiDigits(NATIONAL_ID),
  NATIONAL_ID.slice(0, 10),
];

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

describe("logs", () => {
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line));
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ kind: "pglite", logger });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("hold no phone number, national ID or name from a run, and do hold event and request ids", async () => {
    // Sign-up with a phone number.
    const member = h.user("U-log-member");
    await member.follow();
    await member.tap("ยินยอม");
    await member.say(FULL_NAME);
    await member.say(SIGNUP_PHONE);
    await member.say("กันทรลักษ์");
    await member.tap(quickLabels(member)[0]!);
    await member.tap("ยืนยัน");
    expect(member.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);

    // Fund link with a national ID (no match: becomes a request for the secretary).
    await member.say("เชื่อมบัญชีกองทุน");
    await member.say(dashed(NATIONAL_ID));
    await member.say("14/03/2501");
    await member.tap("ยืนยัน");
    expect(member.lastText()).toMatch(/เลขาฯ/);

    // A flood request by a non-member, phones typed in the phone step and the note.
    const villager = h.user("U-log-flood");
    await villager.say("น้ำท่วม");
    await villager.tap("บ้านของฉันเอง");
    await villager.location();
    await villager.tap("เลือกเอง");
    await villager.say("กันทรลักษ์");
    await villager.tap(quickLabels(villager)[0]!);
    await villager.say(FLOOD_PHONE);
    await villager.say("4");
    await villager.tap("ผู้สูงอายุ");
    await villager.tap("เสร็จแล้ว");
    await villager.tap("เอว");
    await villager.tap("น้ำดื่ม");
    await villager.tap("เสร็จแล้ว");
    await villager.tap("ข้าม");
    await villager.say(`${FULL_NAME} โทร ${NOTE_PHONE} เลขบัตร ${NATIONAL_ID}`);
    await villager.tap("ยืนยันส่งคำขอ");
    expect(await h.db.prisma.helpRequest.count({ where: { lineUserId: villager.id } })).toBe(1);

    // An error path: LINE answers 500 to the reply; the retry is logged.
    h.line.failNext("reply", 500);
    h.line.failNext("push", 500);
    await member.say(`ชื่อ ${FULL_NAME} เบอร์ ${SIGNUP_PHONE}`);

    // A delivery with our own x-request-id.
    const event = h.event("U-log-member", {
      type: "message",
      message: { type: "text", id: newEventId(), quoteToken: "q", text: SIGNUP_PHONE },
      webhookEventId: "01JDQZ7V3K9XWEBHOOKREQ1D7A", // ULID-shaped, as LINE's are
    });
    const body = JSON.stringify({ destination: "Ubot", events: [event] });
    const res = await fetch(`${h.baseUrl}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-line-signature": sign(body), "x-request-id": "req-log-test-1" },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-log-test-1");
    await h.settle();

    // A careless log call: the nets must still hold.
    logger.error("a mistaken call", {
      member: { fullName: FULL_NAME, phone: SIGNUP_PHONE },
      text: `โทร ${FLOOD_PHONE}`,
      detail: `typed ${thaiDigits(dashed(NATIONAL_ID))} and ${NOTE_PHONE}`,
      error: new Error(`lookup of ${NATIONAL_ID} for +66 86 321 7654 failed`),
    });

    const log = lines.join("");
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    for (const secret of FORBIDDEN) expect(log.includes(secret), `the log contains ${secret}`).toBe(false);

    // Event ids: every stored event appears, and each delivery's request id with its events.
    const ids = (await h.db.prisma.webhookEvent.findMany({ select: { id: true } })).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(20);
    // As the net leaves them: a harness id can hold 13 digits in a row (its
    // pid and counter) and is then masked like a national ID; LINE's ULIDs
    // practically never do.
    for (const id of ids) expect(log).toContain(scrubLine(id));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l.msg === "webhook stored" && l.requestId === "req-log-test-1")).toMatchObject({
      eventIds: [event.webhookEventId],
    });
    expect(parsed.some((l) => l.msg === "delivery failed, will retry" && typeof l.eventId === "string")).toBe(true);
    expect(parsed.every((l) => typeof l.level === "string" && typeof l.time === "string" && typeof l.msg === "string")).toBe(true);
  });

  it("scrubs phone numbers and national IDs in any spelling, and leaves ids and times alone", () => {
    const line = `{"phone":"${SIGNUP_PHONE}","a":"${FLOOD_PHONE}","b":"+66 89 741 2580","c":"${thaiDigits(SIGNUP_PHONE)}","d":"${dashed(NATIONAL_ID)}","e":"${thaiDigits(NATIONAL_ID)}"}`;
    const scrubbed = scrubLine(line);
    for (const secret of [SIGNUP_PHONE, FLOOD_PHONE, "741 2580", thaiDigits(SIGNUP_PHONE), dashed(NATIONAL_ID), thaiDigits(NATIONAL_ID)]) {
      expect(scrubbed).not.toContain(secret);
    }
    const harmless = `{"time":"2026-11-28T03:00:00.000Z","eventId":"01TESTABC000000000012","case":"SSK-F-6911-0001","count":1234,"durationMs":12.5}`;
    expect(scrubLine(harmless)).toBe(harmless);
  });
});
