// A voice message as a flood request's note (issue 11 §2), as transcripts
// on PGlite: the villager sends a voice message instead of typing
// the note; it is kept with the request, fetched from LINE after the turn
// (LINE may answer "not ready" first: tried again later), and the
// secretary's case card plays it through a signed, expiring link.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { MediaLinks, PHOTO_LINK_DAYS } from "../../src/line/media-links.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";
import { floodToPhotos } from "../support/flood.ts";

const KANTHARALAK = 3304;
const CASE = /เลขที่คำขอ: (SSK-F-6911-\d{4})/;
const cases = (arg: string) => encodePostback({ kind: "menu", entry: "staff-cases", arg });

/** The uri buttons of a Flex card: label → uri. */
function uriButtons(node: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const child of n) walk(child);
      return;
    }
    if (!n || typeof n !== "object") return;
    const obj = n as Record<string, unknown>;
    const action = obj.action as { type?: string; label?: string; uri?: string } | undefined;
    if (obj.type === "button" && action?.type === "uri") found.set(String(action.label), String(action.uri));
    Object.values(obj).forEach(walk);
  };
  walk(node);
  return found;
}

describe.each(FLOW_DATABASES)("a voice note on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let council: CouncilWithPlace;
  const newUser = (label: string) => h.user(`U-voice-${label}-${++n}`);
  const fetchMedia = (url: string) => fetch(url.replace(h.config.publicBaseUrl.replace(/\/+$/, ""), h.baseUrl));

  /** A non-member's flood request up to the note question. */
  async function toNote(u: ChatUser) {
    await floodToPhotos(u, council);
    await u.tap("ข้าม");
    expect(u.lastText()).toContain("ส่งข้อความเสียงได้");
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const row = await h.db.prisma.council.findFirstOrThrow({
      where: { tambon: { districtId: KANTHARALAK } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    council = (await getCouncilWithPlace(h.db.prisma, row.id))!;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("a voice message answers the note; it is fetched after the turn (again when LINE is not ready) and the secretary plays it from the case", async () => {
    const sec = newUser("sec");
    await grantRole(
      h.db.prisma,
      sec.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: council.id },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    const villager = newUser("villager");
    await toNote(villager);
    const voiceId = `voice-${n}-${kind}`;
    await villager.audio({ id: voiceId, durationMs: 5_000 });
    const summary = villager.lastText();
    expect(summary).toMatch(/^ได้รับข้อความเสียงแล้วค่ะ\n/);
    expect(summary).toContain("ข้อความเพิ่มเติม: ข้อความเสียง");
    await villager.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(villager.lastText())?.[1];
    expect(caseNumber).toBeDefined();
    const request = await h.db.prisma.helpRequest.findUniqueOrThrow({ where: { caseNumber: caseNumber! }, include: { voices: true } });
    expect(request.note).toBeNull();
    expect(request.voices).toMatchObject([
      { lineMessageId: voiceId, durationMs: 5_000, addedBy: villager.id, status: "PENDING", bytes: null },
    ]);

    // LINE is still preparing the audio: asked again later, then kept.
    h.line.contents.set(voiceId, { contentType: "audio/m4a", bytes: Buffer.from("fake voice note") });
    h.line.failNext("content", 404);
    await h.runJobs();
    expect(await h.db.prisma.helpRequestVoice.findFirstOrThrow({ where: { requestId: request.id } })).toMatchObject({
      status: "PENDING",
      attempts: 1,
    });
    h.line.failNext("content", 202);
    h.clock.advance(60_000);
    await h.runJobs();
    expect(await h.db.prisma.helpRequestVoice.findFirstOrThrow({ where: { requestId: request.id } })).toMatchObject({
      status: "PENDING",
      attempts: 2,
    });
    h.clock.advance(120_000);
    await h.runJobs();
    const voice = await h.db.prisma.helpRequestVoice.findFirstOrThrow({ where: { requestId: request.id } });
    expect(voice).toMatchObject({ status: "FETCHED", contentType: "audio/m4a", attempts: 3 });

    // The secretary's card: the note row says it is a voice message, and a button plays it.
    await sec.postback(cases(String(request.id)));
    const card = sec.last().find((m): m is messagingApi.FlexMessage => m.type === "flex")!;
    expect(textOf([card])).toContain("ข้อความเสียง");
    const url = uriButtons(card.contents).get("ฟังข้อความเสียง");
    expect(url).toMatch(/^https:\/\/bot\.example\.test\/media\/v\d+-[0-9a-z]+-[\w-]{43}\.m4a$/);
    const res = await fetchMedia(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/m4a");
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe("fake voice note");
    // Not bent to another id; expired after PHOTO_LINK_DAYS.
    expect((await fetchMedia(url!.replace(/\/media\/v(\d+)-/, (_, d: string) => `/media/v${Number(d) + 1000}-`))).status).toBe(404);
    const now = h.clock.now;
    h.clock.advance((PHOTO_LINK_DAYS + 1) * 86_400_000);
    expect((await fetchMedia(url!)).status).toBe(404);
    h.clock.now = now;
  });

  it("is erased with the request when the villager withdraws consent, and its link stops working", async () => {
    const sec = newUser("sec-erase");
    await grantRole(
      h.db.prisma,
      sec.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: council.id },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    const member = newUser("member");
    await member.follow();
    await member.tap("ยินยอม");
    await member.say("สมศรี ใจดี");
    await member.say("0812345678");
    await member.say(council.districtNameTh);
    await member.tap(council.tambonNameTh);
    await member.tap("ยืนยัน");
    await member.say("น้ำท่วม");
    await member.tap("บ้านของฉันเอง");
    await member.location(15.05, 104.52);
    await member.say("3");
    await member.tap("ผู้สูงอายุ");
    await member.tap("เสร็จแล้ว");
    await member.tap("หัวเข่า");
    await member.tap("อาหาร");
    await member.tap("เสร็จแล้ว");
    await member.tap("ข้าม");
    const voiceId = `voice-erase-${kind}`;
    h.line.contents.set(voiceId, { contentType: "audio/m4a", bytes: Buffer.from("a voice to forget") });
    await member.audio({ id: voiceId });
    await member.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(member.lastText())?.[1];
    expect(caseNumber, member.lastText()).toBeDefined();
    await h.runJobs();
    const request = await h.db.prisma.helpRequest.findUniqueOrThrow({ where: { caseNumber: caseNumber! } });
    await sec.postback(cases(String(request.id)));
    const url = uriButtons(sec.last().find((m) => m.type === "flex")).get("ฟังข้อความเสียง")!;
    expect((await fetchMedia(url)).status).toBe(200);
    // Closed (as a secretary's rejection would), then the villager withdraws: anonymised at once.
    await h.db.prisma.helpRequest.update({ where: { id: request.id }, data: { status: "REJECTED" } });
    await member.say("ถอนความยินยอม");
    await member.tap("ยืนยันถอน");
    expect(member.lastText()).toContain("ถอนความยินยอม");
    const voice = await h.db.prisma.helpRequestVoice.findFirstOrThrow({ where: { requestId: request.id } });
    expect(voice.bytes).toBeNull();
    expect(voice.addedBy).toBe("erased");
    expect(voice.lineMessageId).not.toContain(voiceId);
    expect((await fetchMedia(url)).status).toBe(404);
  });

  it("no voice link without an https:// address (LINE opens only those)", () => {
    const secret = Buffer.from("s");
    const now = new Date("2026-11-28T03:00:00Z");
    expect(new MediaLinks({ secret, baseUrl: "http://localhost:3000" }).voiceUrl(1, "audio/m4a", now)).toBeNull();
    expect(new MediaLinks({ secret, baseUrl: "https://bot.example.test" }).voiceUrl(1, "audio/m4a", now)).toMatch(/\/media\/v1-/);
  });
});
