// The secretary's side of fund-link requests, as transcripts on both
// databases: a request the flow could not match reaches the council's
// secretaries as a card (masked ID, BE birth date, reason, candidates of the
// council's funds); approving links the fund member and the member's
// balance card works; rejecting tells the member why. Every refusal is
// checked on the server: a villager's forged postback, another council's
// secretary, a request already decided, a fund member of another council,
// a fund member linked to someone else in the meantime.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { grantRole, type RoleGrant } from "../../src/staff/roles.ts";
import { nationalIdCheckDigit } from "../../src/thai/national-id.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { actionsOf, Harness, textOf, type ChatUser } from "../support/harness.ts";

const KANTHARALAK = 3304;
const BIRTH = "1958-03-14";
const BIRTH_TYPED = "14/03/2501";

function validId(seed: number): string {
  const first12 = `4${String(seed).padStart(11, "0")}`;
  return `${first12}${nationalIdCheckDigit(first12)}`;
}
const masked = (id: string) => `x-xxxx-xxxxx-${id.slice(10, 12)}-${id[12]}`;
const date = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

describe.each(FLOW_DATABASES)("fund-link review on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let seed = 5000;
  let homeCouncil: number; // the first council of Kantharalak: where sign-ups land
  let otherCouncil: number; // in another district
  const typedIds = new Set<string>();
  const newUser = (label: string) => h.user(`U-review-${label}-${++n}`);
  const nextId = () => {
    const id = validId(++seed);
    typedIds.add(id);
    return id;
  };
  const grant = (u: ChatUser, g: RoleGrant) => grantRole(h.db.prisma, u.id, g, { by: "Uadmin", at: h.clock.now, via: "test" });
  const requestOf = (memberId: number) => h.db.prisma.fundLinkRequest.findFirstOrThrow({ where: { memberId }, orderBy: { id: "desc" } });
  const pushesTo = (u: ChatUser, since: number) =>
    h.line.calls.slice(since).flatMap((c) => (c.kind === "push" && c.to === u.id ? [c.messages] : []));

  async function signUp(u: ChatUser, fullName: string) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say(fullName);
    await u.say("0812345678");
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    return h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
  }

  async function fund(councilId: number, code: string) {
    return h.db.prisma.welfareFund.create({ data: { councilId, code, name: `กองทุนสวัสดิการชุมชน${code}` } });
  }

  async function fundMember(fundId: number, memberNo: string, fields: { firstName?: string; lastName?: string; birth?: string } = {}) {
    return h.db.prisma.fundMember.create({
      data: {
        fundId,
        memberNo,
        nationalId: validId(++seed), // never typed: the ledger's own ID
        firstName: fields.firstName ?? "สมศรี",
        lastName: fields.lastName ?? "ใจดี",
        birthDate: date(fields.birth ?? BIRTH),
        joinedOn: date("2020-01-15"),
      },
    });
  }

  /** A member whose typed ID matches nothing: a NO_MATCH request. */
  async function unmatchedRequest(label: string, fullName = "สมศรี ใจดี") {
    const u = newUser(label);
    const member = await signUp(u, fullName);
    const id = nextId();
    await u.say("เชื่อมบัญชีกองทุน");
    await u.say(id);
    await u.say(BIRTH_TYPED);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/ส่งเรื่องให้เลขาฯ/);
    return { u, member, id, request: await requestOf(member.id) };
  }

  async function secretary(councilId: number, label = "sec") {
    const u = newUser(label);
    await grant(u, { role: "SECRETARY", level: "COUNCIL", areaId: councilId });
    return u;
  }

  /** Postback data of a button on the last push to `u`. */
  function pushedAction(u: ChatUser, since: number, label: string, pick = (data: string) => data.length > 0): string {
    const pushes = pushesTo(u, since);
    const found = actionsOf(pushes.flat()).find((a) => a.label === label && a.data && pick(a.data));
    if (!found?.data) throw new Error(`No "${label}" in pushes: ${pushes.map(textOf).join(" | ")}`);
    return found.data;
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      select: { id: true, tambon: { select: { districtId: true } } },
      orderBy: [{ tambonId: "asc" }, { id: "asc" }],
    });
    homeCouncil = rows.find((r) => r.tambon.districtId === KANTHARALAK)!.id;
    otherCouncil = rows.find((r) => r.tambon.districtId !== KANTHARALAK)!.id;
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
    // PDPA: no national ID a member typed is ever sent in full, to anyone.
    const sent = h.line.calls.flatMap((c) => (c.kind === "reply" || c.kind === "push" ? [JSON.stringify(c.messages)] : []));
    for (const id of typedIds) for (const json of sent) expect(json.includes(id), `${id} was sent`).toBe(false);
  });

  it("a request reaches the secretary as a card; approving links the fund member and the balance card works", async () => {
    const sec = await secretary(homeCouncil);
    const f = await fund(homeCouncil, "REV1");
    const fm = await fundMember(f.id, "0042");
    await fundMember(f.id, "0043", { firstName: "บุญมี", lastName: "มีสุข", birth: "1970-01-01" }); // nothing alike: not offered
    const since = h.line.calls.length;
    const { u, member, id, request } = await unmatchedRequest("approve");
    expect(request).toMatchObject({ status: "PENDING", reason: "NO_MATCH", councilId: homeCouncil });

    await h.runJobs();
    const card = textOf(pushesTo(sec, since).flat());
    expect(card).toContain("คำขอเชื่อมบัญชีกองทุน");
    expect(card).toContain("สมศรี ใจดี");
    expect(card).toContain(masked(id));
    expect(card).toContain("14 มีนาคม 2501");
    expect(card).toContain("ไม่พบเลขบัตรและวันเกิดนี้ในทะเบียนกองทุน");
    expect(card).toContain("เลขที่ 0042");
    expect(card).not.toContain("เลขที่ 0043");
    expect(actionsOf(pushesTo(sec, since).flat()).map((a) => a.label)).toEqual(["อนุมัติคนนี้", "ไม่อนุมัติ"]);

    await sec.postback(pushedAction(sec, since, "อนุมัติคนนี้"));
    expect(sec.lastText()).toMatch(/อนุมัติให้ สมศรี ใจดี เชื่อมบัญชีกับ/);
    expect(sec.lastText()).toContain("เลขสมาชิก 0042");
    expect(sec.buttons()).toContain("ยืนยันอนุมัติ");
    await sec.tap("ยืนยันอนุมัติ");
    expect(sec.lastText()).toMatch(/อนุมัติแล้วค่ะ/);
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: member.id });
    expect(await requestOf(member.id)).toMatchObject({ status: "APPROVED", decidedBy: sec.id, decidedAt: h.clock.now });

    const before = h.line.calls.length;
    await h.runJobs();
    expect(textOf(pushesTo(u, before).flat())).toMatch(/อนุมัติการเชื่อมบัญชีกองทุนของท่านแล้ว/);
    await u.postback(pushedAction(u, before, "ยอดเงินกองทุน"));
    expect(u.lastText()).toContain("ยอดเงินกองทุนของฉัน");
    expect(u.lastText()).toContain("0042");
  });

  it("warns in red when the ledger's name differs from the requester's, titles aside", async () => {
    const sec = await secretary(homeCouncil, "names");
    const f = await fund(homeCouncil, "REV5");
    await h.db.prisma.fundMember.update({
      where: { id: (await fundMember(f.id, "0501", { firstName: "ประไพ", lastName: "ศรีสุข" })).id },
      data: { title: "นาง" },
    });
    await fundMember(f.id, "0502", { firstName: "ประไพ", lastName: "ศรีสวัสดิ์" });
    const since = h.line.calls.length;
    await unmatchedRequest("names", "นางประไพ ศรีสุข");
    await h.runJobs();
    const card = pushesTo(sec, since)
      .flat()
      .find((m) => m.type === "flex")!;
    type Node = { type?: string; text?: string; color?: string; contents?: Node[] };
    const boxes: Node[] = [];
    const visit = (n: unknown) => {
      if (Array.isArray(n)) return n.forEach(visit);
      if (!n || typeof n !== "object") return;
      const node = n as Node & Record<string, unknown>;
      if (node.type === "box" && node.contents?.some((c) => c.text?.includes("เลขที่ 050"))) boxes.push(node);
      Object.values(node).forEach(visit);
    };
    visit(card);
    const candidate = (memberNo: string) => boxes.find((b) => b.contents!.some((c) => c.text?.includes(`เลขที่ ${memberNo}`)))!.contents!;
    // The same person under a title the requester also typed: no warning.
    expect(candidate("0501").map((c) => [c.text, c.color])).toEqual(
      expect.arrayContaining([
        ["นางประไพ ศรีสุข", "#111111"],
        ["✓ ชื่อตรงกับผู้ขอ", "#1B7F5A"],
      ]),
    );
    // Same birth date and first name, another family name: red.
    expect(candidate("0502").map((c) => [c.text, c.color])).toEqual(
      expect.arrayContaining([
        ["ประไพ ศรีสวัสดิ์", "#C62828"],
        ["⚠️ ชื่อในทะเบียนไม่ตรงกับชื่อผู้ขอ ตรวจสอบก่อนอนุมัติ", "#C62828"],
      ]),
    );
    // Choosing the one whose name differs says so again before confirming.
    await sec.postback(actionsOf(pushesTo(sec, since).flat()).filter((a) => a.label === "อนุมัติคนนี้")[1]!.data!);
    expect(sec.lastText()).toMatch(/^⚠️ ชื่อในทะเบียนไม่ตรงกับชื่อผู้ขอ/);
    expect(sec.lastText()).toContain("ประไพ ศรีสวัสดิ์");
    await sec.tap("ยืนยันอนุมัติ"); // decided: the next tests' lists start empty
  });

  it("rejecting from the list tells the member why", async () => {
    const sec = await secretary(homeCouncil);
    const { u, member } = await unmatchedRequest("reject", "มานี มีนา");
    await sec.say("คำขอเชื่อม");
    expect(sec.lastText()).toMatch(/คำขอเชื่อมบัญชีที่รอพิจารณา/);
    expect(sec.lastText()).toContain("มานี มีนา");
    await sec.tap("ไม่อนุมัติ");
    expect(sec.lastText()).toMatch(/ไม่อนุมัติคำขอของ มานี มีนา/);
    expect(sec.buttons()).toEqual(expect.arrayContaining(["ไม่พบในทะเบียนกองทุน", "ยกเลิก"]));
    await sec.tap("ไม่พบในทะเบียนกองทุน");
    expect(sec.lastText()).toMatch(/บันทึกว่าไม่อนุมัติ/);
    expect(await requestOf(member.id)).toMatchObject({ status: "REJECTED", decidedBy: sec.id });

    const before = h.line.calls.length;
    await h.runJobs();
    const pushed = textOf(pushesTo(u, before).flat());
    expect(pushed).toMatch(/ยังไม่ได้รับการอนุมัติ/);
    expect(pushed).toContain("เหตุผล: ไม่พบในทะเบียนกองทุน");
  });

  it("refuses a villager's forged postbacks, another council's secretary, a decided request and a fund member of another council", async () => {
    const f = await fund(homeCouncil, "REV3");
    const fm = await fundMember(f.id, "0301");
    const elsewhere = await fundMember((await fund(otherCouncil, "REV3X")).id, "0302");
    const { request } = await unmatchedRequest("refusals");
    const approve = (fundMemberId: number) =>
      encodePostback({ kind: "menu", entry: "fund-link-approve", arg: `${request.id}.${fundMemberId}` });
    const reject = encodePostback({ kind: "menu", entry: "fund-link-reject", arg: String(request.id) });
    const unchanged = async () => {
      expect(await h.db.prisma.fundLinkRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
        status: "PENDING",
        decidedBy: null,
      });
      expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: null });
    };

    // A villager: the entries are not theirs, so the normal menu answers.
    const villager = newUser("villager");
    for (const data of [approve(fm.id), reject, encodePostback({ kind: "menu", entry: "fund-link-review" })]) {
      await villager.postback(data);
      expect(villager.lastText()).toMatch(/ต้องการทำรายการใดคะ/);
      expect(villager.lastText()).not.toMatch(/อนุมัติ|คำขอเชื่อมบัญชี/);
    }
    await unchanged();

    // Another council's secretary: the request is not in their area.
    const stranger = await secretary(otherCouncil, "stranger");
    for (const data of [approve(fm.id), reject]) {
      await stranger.postback(data);
      expect(stranger.lastText()).toContain("ไม่พบคำขอนี้ในพื้นที่ที่ท่านดูแลค่ะ");
    }
    await stranger.say("คำขอเชื่อม");
    expect(stranger.lastText()).toContain("ไม่มีคำขอเชื่อมบัญชีที่รอพิจารณาค่ะ");
    // Forged ids of every shape.
    for (const arg of ["abc", "1.2.3", "99999999999", `${request.id}.`, "0"]) {
      await stranger.postback(encodePostback({ kind: "menu", entry: "fund-link-approve", arg }));
      expect(stranger.lastText()).toContain("ไม่พบคำขอนี้ในพื้นที่ที่ท่านดูแลค่ะ");
    }
    await unchanged();

    // The right secretary, a fund member of another council's fund.
    const sec = await secretary(homeCouncil);
    await sec.postback(approve(elsewhere.id));
    expect(sec.lastText()).toContain("ไม่ได้อยู่ในกองทุนของสภาฯ ที่รับคำขอ");
    await unchanged();

    // The district coordinator covers the council: sees it and may reject it.
    const coordinator = newUser("coord");
    await grant(coordinator, { role: "COORDINATOR", level: "DISTRICT", areaId: KANTHARALAK });
    await coordinator.say("คำขอเชื่อม");
    expect(coordinator.lastText()).toMatch(/คำขอเชื่อมบัญชีที่รอพิจารณา/);
    await coordinator.postback(reject);
    await coordinator.say("ข้อมูลไม่ตรงกับทะเบียน");
    expect(coordinator.lastText()).toMatch(/บันทึกว่าไม่อนุมัติ/);

    // Already decided: neither approve nor reject again.
    await sec.postback(approve(fm.id));
    expect(sec.lastText()).toContain("คำขอนี้ถูกพิจารณาว่าไม่อนุมัติไปแล้วค่ะ");
    await sec.postback(reject);
    expect(sec.lastText()).toContain("คำขอนี้ถูกพิจารณาว่าไม่อนุมัติไปแล้วค่ะ");
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: null });
  });

  it("refuses to approve a fund member linked to someone else in the meantime", async () => {
    const f = await fund(homeCouncil, "REV4");
    const fm = await fundMember(f.id, "0401");
    const { request } = await unmatchedRequest("raced");
    const sec = await secretary(homeCouncil);
    await sec.postback(encodePostback({ kind: "menu", entry: "fund-link-approve", arg: `${request.id}.${fm.id}` }));
    expect(sec.buttons()).toContain("ยืนยันอนุมัติ");
    const other = await signUp(newUser("other"), "สมศรี ใจงาม");
    await h.db.prisma.fundMember.update({ where: { id: fm.id }, data: { memberId: other.id } });
    await sec.tap("ยืนยันอนุมัติ");
    expect(sec.lastText()).toContain("เชื่อมกับบัญชี LINE ของผู้อื่นแล้ว");
    expect(await h.db.prisma.fundLinkRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "PENDING" });
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: other.id });
  });

  it("holds the card for the evening digest of a secretary who chose it", async () => {
    const sec = await secretary(homeCouncil, "digest");
    await h.db.prisma.staffPreference.create({ data: { lineUserId: sec.id, digest: true } });
    const since = h.line.calls.length;
    await unmatchedRequest("digest", "ทองดี มีทรัพย์");
    await h.runJobs();
    expect(pushesTo(sec, since)).toEqual([]);
    const items = await h.db.prisma.staffDigestItem.findMany({ where: { lineUserId: sec.id } });
    expect(items.map((i) => i.text)).toEqual(["คำขอเชื่อมบัญชีกองทุน: ทองดี มีทรัพย์ (ไม่พบเลขบัตรและวันเกิดนี้ในทะเบียนกองทุน)"]);
  });
});
