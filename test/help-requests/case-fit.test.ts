// What secretaries see of what the villager sent (issue 11 §2), as
// transcripts on PGlite: the request's photos on the staff card
// (thumbnails in its history, a carousel after it) under signed links that
// LINE can fetch and that expire; the villager's view of the after-photos
// once resolved; the history naming who acted; assigning a case to a
// colleague, who is told; secretaries told when the villager cancels, adds
// a note or a photo; a phone number in a reject reason shown in full to the
// villager and masked to staff.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { PHOTO_LINK_DAYS } from "../../src/line/media-links.ts";
import { grantRole } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, newEventId, textOf, type ChatUser } from "../support/harness.ts";
import { floodToPhotos } from "../support/flood.ts";

const KANTHARALAK = 3304;
const CASE = /เลขที่คำขอ: (SSK-[FH]-6911-\d{4})/;
const cases = (arg?: string) => encodePostback({ kind: "menu", entry: "staff-cases", ...(arg === undefined ? {} : { arg }) });
const mine = (arg: string) => encodePostback({ kind: "menu", entry: "my-requests", arg });

function flexes(messages: messagingApi.Message[]): messagingApi.FlexMessage[] {
  return messages.filter((m): m is messagingApi.FlexMessage => m.type === "flex");
}
/** Every image URL in a node (Flex heroes and image components). */
function imageUrls(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(imageUrls);
  if (!node || typeof node !== "object") return [];
  const obj = node as Record<string, unknown>;
  const own = obj.type === "image" && typeof obj.url === "string" ? [obj.url] : [];
  return [...own, ...Object.values(obj).flatMap(imageUrls)];
}
function cardButtons(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardButtons);
  if (!node || typeof node !== "object") return [];
  const obj = node as Record<string, unknown>;
  const own = obj.type === "button" ? [String((obj.action as { label: string }).label)] : [];
  return [...own, ...Object.values(obj).flatMap(cardButtons)];
}

describe.each(FLOW_DATABASES)("what secretaries see on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let council: CouncilWithPlace;
  const seen = new Map<string, number>();
  const newUser = (label: string) => h.user(`U-fit-${label}-${++n}`);
  async function secretary(label: string) {
    const u = newUser(label);
    await grantRole(
      h.db.prisma,
      u.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: council.id },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    return u;
  }
  /** Pushes since last asked; they become the user's latest messages (tap works on them). */
  function newPushes(u: ChatUser): messagingApi.Message[][] {
    const from = seen.get(u.id) ?? 0;
    const batches = h.line.calls.slice(from).flatMap((c) => (c.kind === "push" && c.to === u.id ? [c.messages] : []));
    seen.set(u.id, h.line.calls.length);
    u.received.push(...batches);
    return batches;
  }
  const requestRow = (caseNumber: string) =>
    h.db.prisma.helpRequest.findUniqueOrThrow({ where: { caseNumber }, include: { history: { orderBy: { id: "asc" } } } });
  /** GET a media link as LINE would (the harness serves the bot on a local port). */
  const fetchMedia = (url: string) => fetch(url.replace(h.config.publicBaseUrl.replace(/\/+$/, ""), h.baseUrl));

  /** A non-member files a flood request for the council, with `photos` images sent together. */
  async function fileFlood(u: ChatUser, photos: number): Promise<string> {
    await floodToPhotos(u, council);
    if (photos === 0) await u.tap("ข้าม");
    const set = newEventId();
    for (let i = 1; i <= photos; i++) await u.image({ imageSet: { id: set, index: i, total: photos } });
    // A photo step that takes photos one at a time ends with "เสร็จแล้ว".
    if (photos > 0 && u.buttons().includes("เสร็จแล้ว")) await u.tap("เสร็จแล้ว");
    await u.tap("ข้าม");
    await u.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(u.lastText())?.[1];
    if (!caseNumber) throw new Error(`No case number in: ${u.lastText()}`);
    return caseNumber;
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

  it("photos: on the staff card and its history under expiring signed links; the villager sees the after-photos once resolved", async () => {
    const sec = await secretary("sec-photos");
    const villager = newUser("villager-photos");
    const caseNumber = await fileFlood(villager, 2);
    const id = (await requestRow(caseNumber)).id;
    await h.runJobs(); // the notice goes out, the photos are fetched from LINE
    newPushes(sec);

    await sec.postback(cases(String(id)));
    const [card, carousel, ...more] = flexes(sec.last());
    expect(more).toEqual([]);
    // The history's photo row: a thumbnail of the first photo.
    expect(textOf([card!])).toContain("รูปจากผู้ขอ 2 รูป");
    const thumbs = imageUrls(card!.contents);
    expect(thumbs).toHaveLength(1);
    // Then every photo, in a carousel.
    expect(carousel!.altText).toBe(`รูปของคำขอ ${caseNumber} 2 รูป`);
    const urls = imageUrls(carousel!.contents);
    expect(urls).toHaveLength(2);
    expect(thumbs[0]).toBe(urls[0]);
    for (const url of urls) {
      expect(url).toMatch(/^https:\/\/bot\.example\.test\/media\/p\d+-[0-9a-z]+-[\w-]{43}\.jpg$/);
      const res = await fetchMedia(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/jpeg");
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    // A link cannot be bent to another photo, and it expires.
    const other = urls[0]!.replace(/\/media\/p(\d+)-/, (_, d: string) => `/media/p${Number(d) + 1000}-`);
    expect((await fetchMedia(other)).status).toBe(404);
    const later = h.clock.now;
    h.clock.advance((PHOTO_LINK_DAYS + 1) * 86_400_000);
    expect((await fetchMedia(urls[0]!)).status).toBe(404);
    h.clock.now = later;

    // Resolved with an after-photo: the villager is told, and sees it from the card.
    await sec.postback(cases(`accept:${id}`));
    await sec.postback(cases(`resolve:${id}`));
    await sec.image({ id: "fit-after-1" });
    if (sec.buttons().includes("เสร็จแล้ว")) await sec.tap("เสร็จแล้ว");
    await sec.tap("ข้าม");
    await sec.tap("ยืนยันเสร็จสิ้น");
    await h.runJobs();
    const told = newPushes(villager);
    expect(textOf(told.at(-1)!)).toContain("มีรูปหลังดำเนินการ 1 รูป");
    await villager.tap("ดูคำขอ");
    const [own, after] = flexes(villager.last());
    expect(textOf([own!])).toContain("เสร็จสิ้น");
    expect(after!.altText).toBe(`รูปของคำขอ ${caseNumber} 1 รูป`);
    const [afterUrl, ...rest] = imageUrls(after!.contents);
    expect(rest).toEqual([]);
    expect((await fetchMedia(afterUrl!)).status).toBe(200);
    expect(textOf([after!])).toContain("หลังดำเนินการ");
    // The staff card now shows all three; the villager's own photos are not repeated to them.
    await sec.postback(cases(String(id)));
    expect(imageUrls(flexes(sec.last())[1]!.contents)).toHaveLength(3);
    expect(textOf([flexes(sec.last())[0]!])).toContain("รูปหลังดำเนินการ 1 รูป");
  });

  it("a card opened before the photos are fetched counts them and shows none yet", async () => {
    const sec = await secretary("sec-early");
    const caseNumber = await fileFlood(newUser("villager-early"), 1);
    const id = (await requestRow(caseNumber)).id;
    await sec.postback(cases(String(id)));
    expect(flexes(sec.last())).toHaveLength(1);
    expect(imageUrls(sec.last())).toEqual([]);
    expect(textOf(sec.last())).toContain("1 รูป");
  });

  it("names who acted; a secretary assigns the case to a named colleague, who is told", async () => {
    const boss = await secretary("sec-boss");
    // A secretary who is also a member is named by her member name.
    const member = newUser("sec-member");
    await member.follow();
    await member.tap("ยินยอม");
    await member.say("สุภาพร ใจงาม");
    await member.say("0812345678");
    await member.say(council.districtNameTh);
    await member.tap(council.tambonNameTh);
    await member.tap("ยืนยัน");
    expect(member.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    await grantRole(
      h.db.prisma,
      member.id,
      { role: "SECRETARY", level: "COUNCIL", areaId: council.id },
      { by: "Uadmin", at: h.clock.now, via: "test" },
    );
    const villager = newUser("villager-assign");
    const caseNumber = await fileFlood(villager, 0);
    const id = (await requestRow(caseNumber)).id;
    await h.runJobs();
    newPushes(member);

    await boss.postback(cases(`accept:${id}`));
    expect(cardButtons(flexIn(boss)).slice(0, 5)).toEqual(["เริ่มดำเนินการ", "ดำเนินการเสร็จ", "ไม่รับเรื่อง", "ส่งต่อสภาอื่น", "มอบหมายงาน"]);
    await boss.tap("มอบหมายงาน");
    expect(boss.lastText()).toContain(`มอบหมายคำขอ ${caseNumber} ให้เจ้าหน้าที่ท่านใดคะ`);
    expect(boss.buttons()).toEqual(expect.arrayContaining(["ตัวฉันเอง", "สุภาพร ใจงาม"]));
    await boss.tap("สุภาพร ใจงาม");
    expect(boss.lastText()).toContain(`มอบหมายคำขอ ${caseNumber} ให้เจ้าหน้าที่ สุภาพร ใจงามแล้วค่ะ`);
    const shown = textOf(boss.last());
    expect(shown).toContain("ผู้รับผิดชอบ");
    // The history names who acted: the boss is no member (named by role), the assignee by name.
    expect(shown).toContain("รอรับเรื่อง → รับเรื่องแล้ว (เลขานุการสภาฯ)");
    expect(shown).toContain("มอบหมายให้เจ้าหน้าที่ สุภาพร ใจงาม (เลขานุการสภาฯ)");
    const row = await requestRow(caseNumber);
    expect(row.assignedTo).toBe(member.id);
    expect(row.history.at(-1)).toMatchObject({ kind: "ASSIGN", actorUserId: boss.id, byStaff: true, assigneeUserId: member.id });

    await h.runJobs();
    const [pushed, ...others] = newPushes(member);
    expect(others).toEqual([]);
    expect(textOf(pushed!)).toContain("เลขานุการสภาฯมอบหมายคำขอนี้ให้ท่าน");
    expect(textOf(pushed!)).toContain(caseNumber);
    // She opens it and starts: the history names her.
    await member.tap("ดูรายละเอียด");
    await member.tap("เริ่มดำเนินการ");
    expect(textOf(member.last())).toContain("รับเรื่องแล้ว → กำลังดำเนินการ (เจ้าหน้าที่ สุภาพร ใจงาม)");
    // The villager is not told whom: only that someone has it.
    await villager.postback(mine(String(id)));
    expect(villager.lastText()).toContain("มีเจ้าหน้าที่รับผิดชอบคำขอแล้ว");
    expect(villager.lastText()).not.toContain("สุภาพร");
  });

  function flexIn(u: ChatUser): unknown {
    return flexes(u.last())[0]!.contents;
  }

  it("secretaries are told when the villager adds a note or a photo, or cancels; the card as it is now", async () => {
    const sec = await secretary("sec-updates");
    const villager = newUser("villager-updates");
    const caseNumber = await fileFlood(villager, 0);
    const id = (await requestRow(caseNumber)).id;
    await h.runJobs();
    newPushes(sec);

    await villager.postback(mine(`note:${id}`));
    await villager.say("น้ำขึ้นถึงหน้าอกแล้ว ติดต่อ 081-234-5678");
    await h.runJobs();
    let [pushed, ...more] = newPushes(sec);
    expect(more).toEqual([]);
    expect(flexes(pushed!)[0]!.altText).toBe(`ผู้ขอเพิ่มข้อความ ${caseNumber}`);
    expect(textOf(pushed!)).toContain("น้ำขึ้นถึงหน้าอกแล้ว ติดต่อ xxx-xxx-5678");
    expect(textOf(pushed!)).not.toContain("081-234-5678");

    await villager.postback(mine(`photo:${id}`));
    await villager.image();
    if (villager.buttons().includes("เสร็จแล้ว")) await villager.tap("เสร็จแล้ว");
    await h.runJobs();
    [pushed, ...more] = newPushes(sec);
    expect(more).toEqual([]);
    expect(flexes(pushed!)[0]!.altText).toBe(`ผู้ขอเพิ่มรูป 1 รูป ${caseNumber}`);

    await villager.postback(mine(`cancel:${id}`));
    await villager.tap("แก้ปัญหาได้เองแล้ว");
    await villager.tap(villager.buttons().find((b) => b.startsWith("ยืนยัน"))!);
    expect((await requestRow(caseNumber)).status).toBe("CANCELLED");
    await h.runJobs();
    [pushed, ...more] = newPushes(sec);
    expect(more).toEqual([]);
    expect(flexes(pushed!)[0]!.altText).toBe(`ผู้ขอยกเลิกคำขอ ${caseNumber}`);
    expect(textOf(pushed!)).toContain("แก้ปัญหาได้เองแล้ว");
    // Nothing left to accept on a cancelled request: the card opens it.
    expect(cardButtons(flexes(pushed!)[0]!.contents)[0]).toBe("ดูรายละเอียด");
    await sec.tap("ดูรายละเอียด");
    expect(textOf(sec.last())).toContain("ผู้ขอยกเลิกแล้ว");
  });

  it("a housing request the villager added to, then cancelled: one line in the evening digest, as it stands", async () => {
    const sec = await secretary("sec-digest");
    await h.db.prisma.staffPreference.create({ data: { lineUserId: sec.id, digest: true } });
    const villager = newUser("villager-digest");
    const r = await h.db.prisma.helpRequest.create({
      data: {
        kind: "HOUSING",
        caseNumber: "SSK-H-6911-0901",
        councilId: council.id,
        lineUserId: villager.id,
        village: "บ้านโนนสูง หมู่ 5",
        createdAt: h.clock.now,
        updatedAt: h.clock.now,
      },
    });
    await h.db.prisma.helpRequestEvent.create({
      data: { requestId: r.id, kind: "CREATED", at: h.clock.now, actorUserId: villager.id, toStatus: "PENDING" },
    });
    const since = h.line.calls.length;
    await villager.postback(mine(`note:${r.id}`));
    await villager.say("หลังคารั่วเพิ่มอีกจุด");
    h.clock.advance(60_000);
    await villager.postback(mine(`cancel:${r.id}`));
    await villager.tap("แก้ปัญหาได้เองแล้ว");
    await villager.tap(villager.buttons().find((b) => b.startsWith("ยืนยัน"))!);
    await h.runJobs();
    expect(h.line.calls.slice(since).filter((c) => c.kind === "push" && c.to === sec.id)).toEqual([]);
    expect(await h.db.prisma.staffDigestItem.count({ where: { lineUserId: sec.id } })).toBe(2);

    h.clock.now = new Date(Date.UTC(2026, 10, 28, 11, 0)); // 18:00 in Bangkok
    await h.runJobs();
    const [digest, ...more] = h.line.calls.slice(since).flatMap((c) => (c.kind === "push" && c.to === sec.id ? [textOf(c.messages)] : []));
    expect(more).toEqual([]);
    expect(digest!.split("\n").filter((l) => l.startsWith("• "))).toEqual([`• ผู้ขอยกเลิกคำขอ SSK-H-6911-0901 ${council.name}`]);
  });

  it("a phone number in a reject reason: in full to the villager, masked in staff history", async () => {
    const sec = await secretary("sec-phone");
    const villager = newUser("villager-phone");
    const caseNumber = await fileFlood(villager, 0);
    const id = (await requestRow(caseNumber)).id;
    await h.runJobs();
    newPushes(villager);

    await sec.postback(cases(`reject:${id}`));
    // Typed as people type: Thai digits, spaces.
    await sec.say("บ้านอยู่นอกเขต โปรดติดต่อ อบต. ๐๔๕ ๖๑๒ ๓๔๕ หรือ +66 81 234 5678");
    expect(sec.lastText()).toContain("xx-xxx-2345");
    expect(sec.lastText()).toContain("xxx-xxx-5678");
    await sec.tap("ยืนยันไม่รับเรื่อง");
    const staff = textOf(sec.last());
    expect(staff).toContain("“บ้านอยู่นอกเขต โปรดติดต่อ อบต. xx-xxx-2345 หรือ xxx-xxx-5678”");
    expect(staff).not.toContain("๓๔๕");

    await h.runJobs();
    const told = textOf(newPushes(villager).at(-1)!);
    // (The bot reads Thai digits as digits: the reason is kept with Arabic ones.)
    expect(told).toContain("เหตุผล: บ้านอยู่นอกเขต โปรดติดต่อ อบต. 045 612 345 หรือ +66 81 234 5678");
    await villager.tap("ดูคำขอ");
    expect(villager.lastText()).toContain("“บ้านอยู่นอกเขต โปรดติดต่อ อบต. 045 612 345 หรือ +66 81 234 5678”");
  });
});
