// Case handling by secretaries and coordinators as transcripts, on both
// databases: a flood request filed in the chat pushes a card to its
// council's secretaries (and nobody else); accept from the card, start,
// resolve with an after-photo; reject with a typed reason; hand over to
// another council; the villager's status messages; the history; every
// refusal (a villager's forged postback, another council's secretary,
// another district's coordinator, a transition the status does not allow, a
// bad or unknown id); housing notices held for the digest; the pending list,
// scoped and ordered; back, cancel and a sticker inside the flows.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import type { HelpPriority, HelpRequestKind, HelpRequestStatus } from "../../src/generated/prisma/client.ts";
import { getCouncilWithPlace, type CouncilWithPlace } from "../../src/geography/councils.ts";
import { grantRole, type RoleGrant } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, textOf, type ChatUser } from "../support/harness.ts";
import { floodToPhotos } from "../support/flood.ts";

const KANTHARALAK = 3304;
const NOT_FOUND = "ขออภัยค่ะ ไม่พบคำขอนี้ในพื้นที่ที่ท่านดูแล";
const MENU_PROMPT = "ต้องการทำรายการใดคะ";
const CASE = /เลขที่คำขอ: (SSK-[FH]-6911-\d{4})/;
const cases = (arg?: string) => encodePostback({ kind: "menu", entry: "staff-cases", ...(arg === undefined ? {} : { arg }) });

function quickLabels(u: ChatUser): string[] {
  return (u.last().at(-1)?.quickReply?.items ?? []).map((i) => (i.action as { label?: string }).label ?? "");
}
function flexIn(messages: messagingApi.Message[]): messagingApi.FlexMessage {
  const flex = messages.find((m) => m.type === "flex");
  if (!flex) throw new Error(`No Flex message in: ${textOf(messages)}`);
  return flex as messagingApi.FlexMessage;
}
/** Labels of the buttons on a Flex card (not the quick replies). */
function cardButtons(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardButtons);
  if (!node || typeof node !== "object") return [];
  const obj = node as Record<string, unknown>;
  const own = obj.type === "button" ? [String((obj.action as { label: string }).label)] : [];
  return [...own, ...Object.values(obj).flatMap(cardButtons)];
}
function uriOf(node: unknown, label: string): string | undefined {
  if (Array.isArray(node)) return node.map((n) => uriOf(n, label)).find(Boolean);
  if (!node || typeof node !== "object") return undefined;
  const obj = node as Record<string, unknown>;
  const action = obj.action as { type?: string; label?: string; uri?: string } | undefined;
  if (obj.type === "button" && action?.type === "uri" && action.label === label) return action.uri;
  return Object.values(obj)
    .map((n) => uriOf(n, label))
    .find(Boolean);
}

describe.each(FLOW_DATABASES)("case handling on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let numbers = 0;
  let councilA: CouncilWithPlace; // Kantharalak
  let councilB: CouncilWithPlace; // Kantharalak, another tambon
  let councilX: CouncilWithPlace; // Kantharalak, a third tambon (digest)
  let councilC: CouncilWithPlace; // another district
  let listCouncils: CouncilWithPlace[]; // two councils of a third district, and one of a fourth: the pending list
  const seen = new Map<string, number>();

  const newUser = (label: string) => h.user(`U-case-${label}-${++n}`);
  const grant = (u: ChatUser, g: RoleGrant) => grantRole(h.db.prisma, u.id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  async function secretaryOf(council: CouncilWithPlace, label: string) {
    const u = newUser(label);
    await grant(u, { role: "SECRETARY", level: "COUNCIL", areaId: council.id });
    return u;
  }
  async function coordinatorOf(districtId: number, label: string) {
    const u = newUser(label);
    await grant(u, { role: "COORDINATOR", level: "DISTRICT", areaId: districtId });
    return u;
  }
  const requestRow = (caseNumber: string) =>
    h.db.prisma.helpRequest.findUniqueOrThrow({
      where: { caseNumber },
      include: { history: { orderBy: { id: "asc" } }, photos: { orderBy: { id: "asc" } } },
    });
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });

  /** Pushes that reached the user since last asked; they become the user's latest messages (so tap works on them). */
  function newPushes(u: ChatUser): messagingApi.Message[][] {
    const from = seen.get(u.id) ?? 0;
    const batches = h.line.calls.slice(from).flatMap((c) => (c.kind === "push" && c.to === u.id ? [c.messages] : []));
    seen.set(u.id, h.line.calls.length);
    u.received.push(...batches);
    return batches;
  }
  async function jobs() {
    await h.runJobs();
  }

  /** A non-member files a critical flood request (bedridden) for `council` through the chat. */
  async function fileFlood(u: ChatUser, council: CouncilWithPlace): Promise<string> {
    await floodToPhotos(u, council);
    await u.tap("ข้าม");
    await u.tap("ข้าม");
    await u.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(u.lastText())?.[1];
    if (!caseNumber) throw new Error(`No case number in: ${u.lastText()}`);
    return caseNumber;
  }

  /** A non-member files a housing request for `council` through the chat. */
  async function fileHousing(u: ChatUser, council: CouncilWithPlace): Promise<string> {
    await u.say("บ้านพอเพียง");
    await u.say("นางบุญมี ยากจน");
    await u.say("4");
    await u.tap("ต่ำกว่า 3,000 บาท");
    await u.tap("หลังคา");
    await u.tap("เสร็จแล้ว");
    await u.tap("ที่ดินของตัวเอง");
    await u.tap("ข้าม");
    await u.say("บ้านหนองแวง หมู่ 3");
    await u.say(council.districtNameTh);
    await u.tap(council.tambonNameTh);
    await u.say("0898765432");
    await u.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(u.lastText())?.[1];
    if (!caseNumber) throw new Error(`No case number in: ${u.lastText()}`);
    return caseNumber;
  }

  /** A request row as the flows leave it (for the list: exact times, statuses and priorities). */
  async function insertRequest(options: {
    council: CouncilWithPlace;
    kind?: HelpRequestKind;
    status?: HelpRequestStatus;
    priority?: HelpPriority | null;
    createdAt: Date;
  }) {
    const requestKind = options.kind ?? "FLOOD";
    const request = await h.db.prisma.helpRequest.create({
      data: {
        kind: requestKind,
        caseNumber: `SSK-${requestKind === "FLOOD" ? "F" : "H"}-6910-${String(++numbers).padStart(4, "0")}`,
        councilId: options.council.id,
        lineUserId: "U-case-someone",
        village: "บ้านโนนสูง หมู่ 5",
        priority: requestKind === "FLOOD" ? (options.priority ?? "LOW") : null,
        status: options.status ?? "PENDING",
        createdAt: options.createdAt,
        updatedAt: options.createdAt,
      },
    });
    await h.db.prisma.helpRequestEvent.create({
      data: { requestId: request.id, kind: "CREATED", at: options.createdAt, actorUserId: "U-case-someone", toStatus: "PENDING" },
    });
    return request;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      select: { id: true, tambon: { select: { districtId: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    const inK = rows.filter((r) => r.tambon.districtId === KANTHARALAK);
    const place = async (id: number) => (await getCouncilWithPlace(h.db.prisma, id))!;
    councilA = await place(inK[0]!.id);
    councilB = await place(inK[1]!.id);
    councilX = await place(inK[2]!.id);
    const districts = [...new Set(rows.map((r) => r.tambon.districtId))].filter((d) => d !== KANTHARALAK);
    councilC = await place(rows.find((r) => r.tambon.districtId === districts[0])!.id);
    const inL = rows.filter((r) => r.tambon.districtId === districts[1]);
    const inM = rows.filter((r) => r.tambon.districtId === districts[2]);
    listCouncils = [await place(inL[0]!.id), await place(inL[1]!.id), await place(inM[0]!.id)];
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("a new flood case: a card to its secretaries only; accept, start, resolve with a photo; the villager is told each step", async () => {
    const secA = await secretaryOf(councilA, "secA");
    const secA2 = await secretaryOf(councilA, "secA2");
    const secC = await secretaryOf(councilC, "secC");
    const villager = newUser("villager");
    const caseNumber = await fileFlood(villager, councilA);
    const created = await requestRow(caseNumber);
    expect(created.notifiedAt).toEqual(h.clock.now);

    await jobs();
    expect(newPushes(secC)).toEqual([]);
    expect(newPushes(secA2)).toHaveLength(1);
    const [notice] = newPushes(secA);
    expect(notice).toBeDefined();
    const card = flexIn(notice!);
    const shown = textOf(notice!);
    expect(card.altText).toContain(caseNumber);
    for (const part of [
      caseNumber,
      "น้ำท่วม · ความเร่งด่วน: วิกฤต",
      councilA.name,
      "ส่งตำแหน่งแล้ว",
      "4 คน",
      "ผู้ป่วยติดเตียง",
      "เอว",
      "ยา",
      "xxx-xxx-4567",
      "ไม่มี",
    ]) {
      expect(shown).toContain(part);
    }
    expect(shown).not.toContain("0891234567");
    // Who needs care at home, in the plain words the villager was asked in (no กลุ่มเปราะบาง).
    expect(shown).toContain("ผู้ต้องดูแล ผู้ป่วยติดเตียง");
    expect(shown).not.toContain("เปราะบาง");
    // The full number only inside the call button (the secretary's purpose of having it).
    expect(cardButtons(card.contents)).toEqual(["รับเรื่อง", "ดูรายละเอียด", "โทร", "แผนที่"]);
    expect(uriOf(card.contents, "โทร")).toBe("tel:0891234567");
    expect(uriOf(card.contents, "แผนที่")).toContain("query=15.05,104.52");

    // Accept from the pushed card.
    await secA.tap("รับเรื่อง");
    expect(secA.lastText()).toContain(`รับเรื่องคำขอ ${caseNumber} แล้วค่ะ`);
    expect(textOf([flexIn(secA.last())])).toContain("รับเรื่องแล้ว");
    expect(cardButtons(flexIn(secA.last()).contents)).toEqual([
      "เริ่มดำเนินการ",
      "ดำเนินการเสร็จ",
      "ไม่รับเรื่อง",
      "ส่งต่อสภาอื่น",
      "มอบหมายงาน",
      "บันทึกการช่วยเหลือ",
      "คำขอที่รอดำเนินการ",
      "โทร",
      "แผนที่",
    ]);
    expect(await requestRow(caseNumber)).toMatchObject({ status: "ACCEPTED", acceptedAt: h.clock.now });

    // The second secretary's card is stale now: told who took it, nothing changes.
    h.clock.advance(60_000);
    await secA2.tap("รับเรื่อง");
    expect(secA2.lastText()).toContain(`คำขอ ${caseNumber} รับเรื่องแล้วโดยเลขานุการสภาฯ เมื่อ 28/11/2569 10:00 น. ค่ะ`);
    expect((await requestRow(caseNumber)).history).toHaveLength(2);

    await secA.tap("เริ่มดำเนินการ");
    expect(secA.lastText()).toContain(`บันทึกว่ากำลังดำเนินการคำขอ ${caseNumber} แล้วค่ะ`);
    expect(cardButtons(flexIn(secA.last()).contents).slice(0, 3)).toEqual(["ดำเนินการเสร็จ", "ไม่รับเรื่อง", "ส่งต่อสภาอื่น"]);

    await secA.tap("ดำเนินการเสร็จ");
    expect(secA.lastText()).toContain(`ส่งรูปหลังดำเนินการของคำขอ ${caseNumber} ได้ไม่เกิน 3 รูปค่ะ`);
    await secA.image({ id: "after-1" });
    expect(secA.lastText()).toMatch(/สรุปผลสั้น ๆ/);
    await secA.say("ซ่อมหลังคาและมอบถุงยังชีพแล้ว โทร 0812345678 หากมีปัญหา");
    expect(secA.lastText()).toContain("รูปหลังดำเนินการ: 1 รูป");
    // The phone in the note is masked when shown back.
    expect(secA.lastText()).toContain("xxx-xxx-5678");
    await secA.tap("ยืนยันเสร็จสิ้น");
    expect(secA.lastText()).toContain(`ปิดคำขอ ${caseNumber} เป็น “เสร็จสิ้น” แล้วค่ะ`);
    expect(cardButtons(flexIn(secA.last()).contents)).toEqual(["บันทึกการช่วยเหลือ", "คำขอที่รอดำเนินการ", "โทร", "แผนที่"]);

    const row = await requestRow(caseNumber);
    expect(row.status).toBe("RESOLVED");
    expect(row.photos.map((p) => [p.lineMessageId, p.stage, p.addedBy])).toEqual([["after-1", "AFTER", secA.id]]);
    expect(row.history.map((e) => [e.kind, e.actorUserId, e.byStaff, e.fromStatus, e.toStatus])).toEqual([
      ["CREATED", villager.id, false, null, "PENDING"],
      ["STATUS", secA.id, true, "PENDING", "ACCEPTED"],
      ["STATUS", secA.id, true, "ACCEPTED", "IN_PROGRESS"],
      ["PHOTO", secA.id, true, null, null],
      ["STATUS", secA.id, true, "IN_PROGRESS", "RESOLVED"],
    ]);
    expect(row.history[4]!.note).toBe("ซ่อมหลังคาและมอบถุงยังชีพแล้ว โทร 0812345678 หากมีปัญหา");
    expect(row.history[1]!.at).toEqual(new Date(h.clock.now.getTime() - 60_000));

    // The villager's status messages, in order, each with ดูคำขอ opening their own card.
    await jobs();
    const told = newPushes(villager).map(textOf);
    expect(told).toHaveLength(3);
    expect(told[0]).toContain(`คำขอ ${caseNumber} ได้รับเรื่องแล้วโดย${councilA.name}ค่ะ`);
    expect(told[1]).toContain(`${councilA.name}กำลังดำเนินการให้ค่ะ`);
    expect(told[2]).toContain(`${councilA.name}ดำเนินการเสร็จแล้วค่ะ`);
    expect(told[2]).toContain("ข้อความจากเจ้าหน้าที่: ซ่อมหลังคา");
    await villager.tap("ดูคำขอ");
    expect(villager.lastText()).toContain(caseNumber);
    expect(villager.lastText()).toContain("เสร็จสิ้น");

    // Staff may type the case number; another council's secretary learns nothing from it.
    await secA.say(caseNumber.toLowerCase());
    expect(secA.lastText()).toContain(`คำขอ ${caseNumber}: เสร็จสิ้น`);
    await secC.say(caseNumber);
    expect(secC.lastText()).toContain(NOT_FOUND);
    expect(secC.lastText()).not.toContain("เสร็จสิ้น");

    // A stale button of a transition the status no longer allows: a polite refusal naming it.
    await secA.postback(cases(`accept:${row.id}`));
    expect(secA.lastText()).toContain(`คำขอ ${caseNumber} ตอนนี้มีสถานะ “เสร็จสิ้น” จึงรับเรื่องไม่ได้ค่ะ`);
    expect((await requestRow(caseNumber)).history).toHaveLength(5);
  });

  it("reject with a typed reason: cancel, back and a sticker inside the flow; the villager reads the reason", async () => {
    const secA = await secretaryOf(councilA, "secA-reject");
    const villager = newUser("villager-reject");
    const caseNumber = await fileFlood(villager, councilA);
    const id = (await requestRow(caseNumber)).id;
    await jobs();
    newPushes(villager);

    await secA.postback(cases(String(id)));
    expect(cardButtons(flexIn(secA.last()).contents).slice(0, 3)).toEqual(["รับเรื่อง", "ไม่รับเรื่อง", "ส่งต่อสภาอื่น"]);
    await secA.tap("ไม่รับเรื่อง");
    expect(secA.lastText()).toContain(`ไม่รับเรื่องคำขอ ${caseNumber} เพราะอะไรคะ`);
    expect(secA.buttons()).toEqual(["ไม่อยู่ในเกณฑ์", "ข้อมูลไม่ครบ", "ซ้ำกับคำขออื่น", "ได้รับช่วยเหลือแล้ว", "อื่น ๆ", "ยกเลิก"]);
    await secA.say("ยกเลิก");
    expect(secA.lastText()).toContain("ยกเลิกการแจ้งไม่รับเรื่องแล้วค่ะ");
    expect((await requestRow(caseNumber)).status).toBe("PENDING");

    await secA.postback(cases(`reject:${id}`));
    await secA.tap("อื่น ๆ");
    expect(secA.lastText()).toContain("พิมพ์เหตุผลสั้น ๆ");
    await secA.sticker();
    expect(secA.lastText()).toContain("ขอบคุณสำหรับสติกเกอร์ค่ะ");
    expect((await conversation(secA)).stepId).toBe("detail");
    await secA.say("ย้อนกลับ");
    expect(secA.lastText()).toContain("เพราะอะไรคะ");
    await secA.say("บ้านอยู่นอกเขตตำบล");
    expect(secA.lastText()).toContain("เหตุผลที่จะแจ้งผู้ขอ: บ้านอยู่นอกเขตตำบล");
    await secA.tap("ยืนยันไม่รับเรื่อง");
    expect(secA.lastText()).toContain(`แจ้งไม่รับเรื่องคำขอ ${caseNumber} แล้วค่ะ`);

    const row = await requestRow(caseNumber);
    expect(row.status).toBe("REJECTED");
    expect(row.acceptedAt).toBeNull();
    expect(row.history.at(-1)).toMatchObject({
      kind: "STATUS",
      actorUserId: secA.id,
      byStaff: true,
      fromStatus: "PENDING",
      toStatus: "REJECTED",
      note: "บ้านอยู่นอกเขตตำบล",
    });
    await jobs();
    const [told] = newPushes(villager).map(textOf);
    expect(told).toContain(`คำขอ ${caseNumber} ไม่ผ่านการพิจารณาของ${councilA.name}ค่ะ`);
    expect(told).toContain("เหตุผล: บ้านอยู่นอกเขตตำบล");
  });

  it("hand over to another council: its secretary is told and can act, the old one is refused", async () => {
    const secA = await secretaryOf(councilA, "secA-hand");
    const secB = await secretaryOf(councilB, "secB-hand");
    const villager = newUser("villager-hand");
    const caseNumber = await fileFlood(villager, councilA);
    const id = (await requestRow(caseNumber)).id;
    await secA.postback(cases(`accept:${id}`));
    await jobs();
    newPushes(villager);
    newPushes(secB);

    // Cancel inside the flow leaves the case as it was.
    await secA.tap("ส่งต่อสภาอื่น");
    expect(secA.lastText()).toContain(`จะส่งต่อคำขอ ${caseNumber} ให้สภาฯ ในอำเภอใดคะ`);
    await secA.say("ยกเลิก");
    expect(secA.lastText()).toContain("ยกเลิกการส่งต่อคำขอแล้วค่ะ");

    await secA.postback(cases(`handover:${id}`));
    await secA.say(councilA.districtNameTh);
    expect(secA.lastText()).toContain("เลือกสภาองค์กรชุมชนในอำเภอกันทรลักษ์ค่ะ");
    // Its own council is not offered.
    expect(secA.buttons()).not.toContain(councilA.tambonNameTh);
    await secA.say("ย้อนกลับ");
    expect(secA.lastText()).toContain("ในอำเภอใดคะ");
    await secA.say(councilB.districtNameTh);
    await secA.tap(councilB.tambonNameTh);
    expect(secA.lastText()).toContain(`ยืนยันส่งต่อคำขอ ${caseNumber}\nจาก ${councilA.name}\nให้ ${councilB.name}`);
    await secA.tap("ยืนยันส่งต่อ");
    expect(secA.lastText()).toContain(`ส่งต่อคำขอ ${caseNumber} ให้${councilB.name}แล้วค่ะ`);
    // The old secretary no longer sees the card.
    expect(secA.last().some((m) => m.type === "flex")).toBe(false);

    const row = await requestRow(caseNumber);
    expect(row).toMatchObject({ councilId: councilB.id, status: "PENDING", acceptedAt: null, notifiedAt: h.clock.now });
    expect(row.history.at(-1)).toMatchObject({
      kind: "HANDOVER",
      actorUserId: secA.id,
      byStaff: true,
      fromStatus: "ACCEPTED",
      toStatus: "PENDING",
      fromCouncilId: councilA.id,
      toCouncilId: councilB.id,
    });

    await jobs();
    const [notice] = newPushes(secB);
    expect(textOf(notice!)).toContain(`ส่งต่อมาจาก${councilA.name}`);
    expect(textOf(notice!)).toContain(caseNumber);
    expect(newPushes(villager).map(textOf)[0]).toContain(`คำขอ ${caseNumber} ส่งต่อให้${councilB.name}ดูแลแล้วค่ะ`);

    const before = (await requestRow(caseNumber)).history.length;
    await secA.postback(cases(String(id)));
    expect(secA.lastText()).toContain(NOT_FOUND);
    await secA.postback(cases(`accept:${id}`));
    expect(secA.lastText()).toContain(NOT_FOUND);
    expect((await requestRow(caseNumber)).history).toHaveLength(before);

    await secB.tap("รับเรื่อง");
    expect(secB.lastText()).toContain(`รับเรื่องคำขอ ${caseNumber} แล้วค่ะ`);
    expect(await requestRow(caseNumber)).toMatchObject({ status: "ACCEPTED", councilId: councilB.id, acceptedAt: h.clock.now });
  });

  it("refuses everyone outside the role or the area, transitions the status does not allow, and bad ids", async () => {
    const villager = newUser("villager-refuse");
    const caseNumber = await fileFlood(villager, councilA);
    const id = (await requestRow(caseNumber)).id;
    const unchanged = async () => {
      const row = await requestRow(caseNumber);
      expect(row.status).toBe("PENDING");
      expect(row.history).toHaveLength(1);
    };

    // A villager forging a staff postback gets the villagers' menu.
    await villager.postback(cases(`accept:${id}`));
    expect(villager.lastText()).toContain(MENU_PROMPT);
    expect(villager.buttons()).not.toContain("คำขอที่รอดำเนินการ");
    await villager.say("คำขอที่รอดำเนินการ");
    expect(villager.last().some((m) => m.type === "flex" && textOf([m]).includes(caseNumber))).toBe(false);
    await unchanged();

    const secC = await secretaryOf(councilC, "secC-refuse");
    for (const arg of [`accept:${id}`, String(id), `reject:${id}`, `handover:${id}`]) {
      await secC.postback(cases(arg));
      expect(secC.lastText()).toContain(NOT_FOUND);
      expect(secC.lastText()).not.toContain(caseNumber);
    }
    expect((await conversation(secC)).flowId).toBeNull();

    const otherDistrict = await coordinatorOf(councilC.districtId, "coord-other");
    await otherDistrict.postback(cases(`accept:${id}`));
    expect(otherDistrict.lastText()).toContain(NOT_FOUND);
    await unchanged();

    // Resolving needs an acceptance first.
    const secA = await secretaryOf(councilA, "secA-refuse");
    await secA.postback(cases(`resolve:${id}`));
    expect(secA.lastText()).toContain(`คำขอ ${caseNumber} ตอนนี้มีสถานะ “รอรับเรื่อง” จึงบันทึกว่าดำเนินการเสร็จไม่ได้ค่ะ`);
    await secA.postback(cases(`progress:${id}`));
    expect(secA.lastText()).toContain("จึงเริ่มดำเนินการไม่ได้ค่ะ");
    expect((await conversation(secA)).flowId).toBeNull();
    for (const arg of ["accept:abc", "accept:", "accept:9999999999", "accept:0", "accept:99999999", "destroy:1", `${id}x`]) {
      await secA.postback(cases(arg));
      expect(secA.lastText(), arg).toContain(NOT_FOUND);
    }
    await unchanged();

    // The district's coordinator may act on it.
    const coordinator = await coordinatorOf(KANTHARALAK, "coord-k");
    await coordinator.postback(cases(`accept:${id}`));
    expect(coordinator.lastText()).toContain(`รับเรื่องคำขอ ${caseNumber} แล้วค่ะ`);

    // A secretary whose role is revoked mid-flow is refused at the end.
    await secA.postback(cases(`reject:${id}`));
    await secA.tap("ข้อมูลไม่ครบ");
    await h.db.prisma.staffRole.deleteMany({ where: { lineUserId: secA.id } });
    await secA.tap("ยืนยันไม่รับเรื่อง");
    expect(secA.lastText()).toContain(NOT_FOUND);
    expect(secA.buttons()).not.toContain("คำขอที่รอดำเนินการ");
    expect((await requestRow(caseNumber)).status).toBe("ACCEPTED");
  });

  it("a housing notice waits for the digest of a secretary who chose it; a flood case is still pushed", async () => {
    const digester = await secretaryOf(councilX, "secX-digest");
    const pusher = await secretaryOf(councilX, "secX-push");
    await h.db.prisma.staffPreference.create({ data: { lineUserId: digester.id, digest: true } });
    const housing = await fileHousing(newUser("villager-housing"), councilX);
    await jobs();
    expect(newPushes(digester)).toEqual([]);
    const items = await h.db.prisma.staffDigestItem.findMany({ where: { lineUserId: digester.id } });
    expect(items).toHaveLength(1);
    expect(items[0]!.text).toContain(housing);
    expect(items[0]!.text).toContain("ขอซ่อมบ้าน");
    expect(items[0]!.text).not.toContain("0898765432");
    const [card] = newPushes(pusher);
    expect(textOf(card!)).toContain(housing);
    for (const part of ["นางบุญมี ยากจน", "หลังคา", "ต่ำกว่า 3,000 บาท", "ที่ดินของตัวเอง", "หมู่บ้าน บ้านหนองแวง หมู่ 3", "xxx-xxx-5432"]) {
      expect(textOf(card!)).toContain(part);
    }
    expect((await requestRow(housing)).notifiedAt).toEqual(h.clock.now);

    const flood = await fileFlood(newUser("villager-flood-x"), councilX);
    await jobs();
    const pushed = newPushes(digester);
    expect(pushed).toHaveLength(1);
    expect(textOf(pushed[0]!)).toContain(flood);
    expect(await h.db.prisma.staffDigestItem.count({ where: { lineUserId: digester.id } })).toBe(1);
  });

  it("the pending list: only the user's area, open cases, critical first then the oldest, ten a page", async () => {
    const [l1, l2, m1] = listCouncils as [CouncilWithPlace, CouncilWithPlace, CouncilWithPlace];
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 1, minute));
    const oldLow = await insertRequest({ council: l1, priority: "LOW", createdAt: at(0) });
    const housing = await insertRequest({ council: l1, kind: "HOUSING", status: "ACCEPTED", createdAt: at(5) });
    const newCritical = await insertRequest({ council: l1, priority: "CRITICAL", status: "IN_PROGRESS", createdAt: at(30) });
    const oldCritical = await insertRequest({ council: l2, priority: "CRITICAL", createdAt: at(20) });
    const high = await insertRequest({ council: l1, priority: "HIGH", createdAt: at(10) });
    const done = await insertRequest({ council: l1, status: "RESOLVED", createdAt: at(1) });
    const elsewhere = await insertRequest({ council: m1, priority: "CRITICAL", createdAt: at(2) });

    const secretary = await secretaryOf(l1, "sec-list");
    await secretary.say("คำขอที่รอดำเนินการ");
    const mine = textOf([flexIn(secretary.last())]);
    expect(secretary.lastText()).toContain("คำขอที่รอดำเนินการ 4 รายการ");
    const order = (text: string, rows: { caseNumber: string }[]) => rows.map((r) => text.indexOf(r.caseNumber));
    const positions = order(mine, [newCritical, oldLow, housing, high]);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const hidden of [oldCritical, done, elsewhere]) expect(mine).not.toContain(hidden.caseNumber);
    expect(
      secretary
        .actions()
        .filter((a) => a.label === "ดูรายละเอียด")
        .map((a) => a.data),
    ).toEqual([newCritical, oldLow, housing, high].map((r) => cases(String(r.id))));
    await secretary.tap("ดูรายละเอียด");
    expect(secretary.lastText()).toContain(newCritical.caseNumber);
    expect(secretary.lastText()).toContain("กำลังดำเนินการ");

    // The district's coordinator sees both councils of the district: 4 + 1 + 8 more = 13, ten a page.
    for (let i = 0; i < 8; i++) await insertRequest({ council: l2, priority: "MEDIUM", createdAt: at(40 + i) });
    const coordinator = await coordinatorOf(l1.districtId, "coord-list");
    await coordinator.postback(cases());
    expect(coordinator.lastText()).toContain("คำขอที่รอดำเนินการ 13 รายการ แสดงรายการที่ 1–10");
    const page1 = textOf([flexIn(coordinator.last())]);
    expect(order(page1, [oldCritical, newCritical, oldLow]).every((p, i, all) => p >= 0 && (i === 0 || p > all[i - 1]!))).toBe(true);
    expect((flexIn(coordinator.last()).contents as messagingApi.FlexCarousel).contents).toHaveLength(10);
    expect(quickLabels(coordinator)[0]).toBe("ดูเพิ่ม");
    await coordinator.tap("ดูเพิ่ม");
    expect(coordinator.lastText()).toContain("แสดงรายการที่ 11–13");
    expect((flexIn(coordinator.last()).contents as messagingApi.FlexCarousel).contents).toHaveLength(3);
    expect(textOf([flexIn(coordinator.last())])).not.toContain(elsewhere.caseNumber);

    // A secretary with nothing open is told so.
    const idle = await secretaryOf(councilC, "sec-idle");
    await idle.say("คำขอที่รอดำเนินการ");
    expect(idle.lastText()).toContain("ตอนนี้ไม่มีคำขอที่รอดำเนินการในพื้นที่ของท่านค่ะ");

    // The staff home offers the list.
    await secretary.say("งานเจ้าหน้าที่");
    expect(secretary.buttons()).toContain("คำขอที่รอดำเนินการ");
  });
});
