// What LINE refuses, against the bot as it ships (src/main.ts, environment
// only, a fake LINE on loopback):
//  - with LINE credentials, the bot does not start with an http:// (or no)
//    PUBLIC_BASE_URL: LINE would refuse every announcement photo, and with it
//    the whole multicast (text, photo and meeting card) for every recipient;
//  - a multicast LINE refuses (400) is reported to the announcement's author
//    in Thai, with LINE's reason, and the delivery report shows it failed;
//  - any other push LINE refuses is logged with LINE's words, not retried.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMulticast, enqueuePush } from "../../src/outbox/outbox.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { textOf } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";

describe("PUBLIC_BASE_URL with LINE credentials set", () => {
  it.each([
    ["unset (the http://localhost default)", ""],
    ["http://", "http://bot.example.test"],
  ])(
    "%s: main.ts exits non-zero naming PUBLIC_BASE_URL",
    async (_name, value) => {
      // A bot that came up anyway is stopped at once (and the test fails).
      const refused = await ShippedBot.start({ db: "pglite", env: { PUBLIC_BASE_URL: value }, waitHealthy: false }).then(
        async (bot) => {
          await bot.stop();
          return null;
        },
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/exited \(1\) before it was up/);
      expect(refused).toMatch(/PUBLIC_BASE_URL: (is not set|must be an https:\/\/ URL)/);
    },
    60_000,
  );
});

/** LINE's answer to a message with an http:// image (its shape: message plus details). */
const HTTPS_REFUSAL = {
  message: "The request body has 1 error(s)",
  details: [{ message: "must be specified with https", property: "messages[1].originalContentUrl" }],
};

const COORDINATOR = lineUserId(0xc0);
const RECIPIENTS = [lineUserId(0x11), lineUserId(0x12), lineUserId(0x13)];

describe("a message LINE refuses, in the shipped bot", () => {
  let bot: ShippedBot;
  let districtId = 0;

  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
    bot.line.policy = ({ kind, to }) =>
      kind === "multicast" || (kind === "push" && to.includes(RECIPIENTS[0]!))
        ? { kind: "status", status: 400, body: HTTPS_REFUSAL }
        : { kind: "accept" };
    districtId = await bot.withDb(async (db) => {
      const district = await db.prisma.district.findFirstOrThrow({ orderBy: { id: "asc" }, select: { id: true } });
      await grantRole(
        db.prisma,
        COORDINATOR,
        { role: "COORDINATOR", level: "DISTRICT", areaId: district.id },
        { by: "Uadmin", at: new Date(), via: "test" },
      );
      return district.id;
    });
  });
  afterAll(async () => bot?.stop());

  it("an announcement LINE refuses: its author is told why at once, and the report says it failed", async () => {
    const text = "ประชุมใหญ่ประจำปี วันเสาร์นี้ ณ ศาลาประชาคม";
    // What the send job leaves behind when it starts an announcement (src/announcements/send-job.ts).
    const announcementId = await bot.withDb((db) =>
      db.transaction(async (tx) => {
        const now = new Date();
        const a = await tx.announcement.create({
          data: {
            createdBy: COORDINATOR,
            text,
            audience: "EVERYONE",
            status: "SENDING",
            scheduledAt: now,
            createdAt: now,
            startedAt: now,
            recipientCount: RECIPIENTS.length,
            areas: { create: [{ level: "DISTRICT", areaId: districtId }] },
          },
        });
        await tx.announcementRecipient.createMany({ data: RECIPIENTS.map((lineUserId) => ({ announcementId: a.id, lineUserId })) });
        const image = "https://bot.example.test/media/1.jpg";
        const messages: messagingApi.Message[] = [
          { type: "text", text: `📢 ประกาศจากสภาองค์กรชุมชน\n\n${text}` },
          { type: "image", originalContentUrl: image, previewImageUrl: image },
        ];
        const [chunk] = await enqueueMulticast(tx, RECIPIENTS, messages, {
          purpose: "announcement",
          now,
          dedupeKey: `announcement:${a.id}`,
        });
        await tx.announcementRecipient.updateMany({ where: { announcementId: a.id }, data: { outboxMessageId: chunk! } });
        return a.id;
      }),
    );

    const author = bot.user(COORDINATOR);
    await waitUntil(() => author.accepted().length > 0, { what: "the author told" });
    const told = author.lastText();
    expect(author.accepted()[0]!.kind).toBe("push");
    expect(told).toContain("ส่งไม่สำเร็จ");
    expect(told).toContain("ประชุมใหญ่ประจำปี");
    // Why, in plain words, and LINE's own.
    expect(told).toContain("ลิงก์รูปภาพต้องขึ้นต้นด้วย https://");
    expect(told).toContain("messages[1].originalContentUrl must be specified with https");
    // Refused for good: tried once, not retried.
    expect(bot.line.requests.filter((r) => r.kind === "multicast")).toHaveLength(1);

    await waitUntil(
      async () => (await bot.withDb((db) => db.prisma.announcement.findUniqueOrThrow({ where: { id: announcementId } }))).status === "SENT",
      { what: "the announcement finished" },
    );
    const [report] = await author.say("รายงานการส่ง");
    expect(textOf(report!)).toContain("ส่งไม่สำเร็จ (LINE ไม่รับ)");
    expect(textOf(report!)).toContain(`ไม่สำเร็จ ${RECIPIENTS.length}`);
    expect(textOf(report!)).not.toContain("ส่งครบแล้ว");
    // Told once, however often the report is read.
    expect(author.accepted().filter((r) => r.kind === "push")).toHaveLength(1);
  });

  it("another push LINE refuses is failed at once and logged with LINE's words, without its content", async () => {
    const id = await bot.withDb((db) =>
      db.transaction((tx) =>
        enqueuePush(tx, RECIPIENTS[0]!, [{ type: "text", text: "คุณสมศรี ได้ที่นั่งแล้วค่ะ" }], { purpose: "meeting.promoted", now: new Date() }),
      ),
    );
    await waitUntil(
      async () => (await bot.withDb((db) => db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: id! } }))).status === "FAILED",
      { what: "the push failed" },
    );
    const logged = () => bot.log.split("\n").find((l) => l.includes("outbox send failed for good") && l.includes("meeting.promoted"));
    await waitUntil(() => logged() !== undefined, { what: "logged" });
    const line = logged()!;
    expect(line).toContain("must be specified with https");
    expect(line).not.toContain("สมศรี");
    expect(bot.line.requests.filter((r) => r.kind === "push" && r.to.includes(RECIPIENTS[0]!))).toHaveLength(1);
  });
});
