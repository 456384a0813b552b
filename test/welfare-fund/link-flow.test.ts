// The welfare-fund module as transcripts: linking a LINE member to their
// fund record (national ID + birth date), requests for the council
// secretary, the lock-out after three failures, the national ID never sent
// back in full, and the balance card.
import { GUEST_MENU, LINKED_MENU, MEMBER_MENU } from "../support/menus.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { thaiDateTime } from "../../src/thai/format.ts";
import { nationalIdCheckDigit } from "../../src/thai/national-id.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const NOT_UNDERSTOOD = /ยังไม่เข้าใจ/;
const HOUR = 3_600_000;

/** A valid national ID (check digit computed) from 12 digits' worth of seed. */
function validId(seed: number): string {
  const first12 = `3${String(seed).padStart(11, "0")}`;
  return `${first12}${nationalIdCheckDigit(first12)}`;
}
const dashed = (id: string) => `${id[0]}-${id.slice(1, 5)}-${id.slice(5, 10)}-${id.slice(10, 12)}-${id[12]}`;
const thaiDigits = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
const date = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

describe.each(FLOW_DATABASES)("fund link on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let seed = 1000;
  const typedIds = new Set<string>();
  const newUser = (label: string) => h.user(`U-fund-${label}-${++n}`);
  const nextId = () => {
    const id = validId(++seed);
    typedIds.add(id);
    return id;
  };
  const conversation = (u: ChatUser) => h.db.prisma.conversation.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const memberOf = (u: ChatUser) => h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
  const requests = (memberId: number) => h.db.prisma.fundLinkRequest.findMany({ where: { memberId }, orderBy: { id: "asc" } });

  async function signUp(u: ChatUser, fullName = "สมศรี ใจดี", phone = "0812345678") {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say(fullName);
    await u.say(phone);
    await u.say("กันทรลักษ์");
    await u.tap(quickLabels(u)[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
    return h.db.prisma.member.findUniqueOrThrow({ where: { lineUserId: u.id } });
  }

  async function fund(councilId: number, code: string) {
    return h.db.prisma.welfareFund.create({ data: { councilId, code, name: `กองทุนสวัสดิการชุมชน${code}` } });
  }

  async function fundMember(fundId: number, nationalId: string, birthDate: string, memberNo = "0007", memberId?: number) {
    return h.db.prisma.fundMember.create({
      data: {
        fundId,
        memberNo,
        nationalId,
        firstName: "สมศรี",
        lastName: "ใจดี",
        birthDate: date(birthDate),
        joinedOn: date("2020-01-15"),
        memberId: memberId ?? null,
      },
    });
  }

  /** Walks the flow from the menu keyword to the summary and taps ยืนยัน. */
  async function link(u: ChatUser, id: string, birth: string) {
    await u.say("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/เลขประจำตัวประชาชน 13 หลัก/);
    await u.say(id);
    expect(u.lastText()).toMatch(/วันเกิด/);
    await u.say(birth);
    expect(u.lastText()).toMatch(/ตรวจสอบข้อมูลก่อนค้นหา/);
    await u.tap("ยืนยัน");
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
    // PDPA: no national ID a test typed is ever sent back, in any spelling.
    const sent = h.line.calls.flatMap((c) => (c.kind === "reply" || c.kind === "push" ? [JSON.stringify(c.messages)] : []));
    for (const id of typedIds) {
      for (const form of [id, dashed(id), thaiDigits(id), id.slice(0, 10)]) {
        for (const json of sent) expect(json.includes(form), `${form} was sent`).toBe(false);
      }
    }
  });

  it("links a member on a correct ID (Thai digits, dashes) and BE birth date", async () => {
    const u = newUser("ok");
    const member = await signUp(u);
    expect(quickLabels(u)).toEqual(MEMBER_MENU);
    const f = await fund(member.councilId!, "LINK1");
    const id = nextId();
    const fm = await fundMember(f.id, id, "1958-03-14");

    await u.say("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/ข้อมูลส่วนตัว/);
    expect(u.lastText()).toMatch(/ค้นหาข้อมูลสมาชิกกองทุนของท่านเท่านั้น/);
    expect(u.buttons()).toEqual(["ยกเลิก"]);
    expect(await conversation(u)).toMatchObject({ flowId: "fund-link", stepId: "national-id" });

    await u.say(thaiDigits(dashed(id)));
    expect(u.lastText()).toMatch(/วันเกิด/);
    expect(u.buttons()).toEqual(["ย้อนกลับ", "ยกเลิก"]);
    await u.say("๑๔/๐๓/๒๕๐๑");
    const summary = u.lastText();
    expect(summary).toContain(`x-xxxx-xxxxx-${id.slice(10, 12)}-${id[12]}`);
    expect(summary).toContain("14 มีนาคม 2501");
    expect(u.buttons()).toEqual(["ยืนยัน", "แก้เลขบัตร", "แก้วันเกิด", "ย้อนกลับ", "ยกเลิก"]);
    // The ID is kept only while the flow runs.
    expect((await conversation(u)).data).toMatchObject({ nationalId: id, birthDate: "1958-03-14" });

    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/เชื่อมบัญชีเรียบร้อยแล้ว/);
    expect(u.lastText()).toContain("เลขสมาชิก 0007");
    expect(quickLabels(u)).toEqual(LINKED_MENU);
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: member.id });
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
    expect(await requests(member.id)).toEqual([]);
    expect(await h.db.prisma.fundLinkAttempt.findMany({ where: { memberId: member.id } })).toMatchObject([{ matched: true }]);

    // Linked: the entry is gone; asking for it shows the balance instead of a second link.
    await u.say("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/ยอดเงินกองทุนสวัสดิการของท่าน/);
    expect(await conversation(u)).toMatchObject({ flowId: null });
  });

  it("accepts a CE birth date, and an edit from the summary comes back to it", async () => {
    const u = newUser("ce");
    const member = await signUp(u, "มานี มีนา", "0823456789");
    const f = await fund(member.councilId!, "LINK2");
    const id = nextId();
    await fundMember(f.id, id, "1960-01-31");
    await u.say("เชื่อมบัญชีกองทุน");
    await u.say(id);
    await u.say("31/01/2504");
    expect(u.lastText()).toContain("31 มกราคม 2504");
    await u.tap("แก้วันเกิด");
    expect(u.lastText()).toMatch(/วันเกิด/);
    await u.say("31/1/1960");
    expect(u.lastText()).toContain("31 มกราคม 2503");
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/เชื่อมบัญชีเรียบร้อยแล้ว/);
    expect(await h.db.prisma.fundMember.count({ where: { memberId: member.id } })).toBe(1);
  });

  it("re-prompts a wrong check digit and impossible dates, never echoing the ID", async () => {
    const u = newUser("typo");
    await signUp(u, "ประยูร ใจงาม", "0934445566");
    const id = nextId();
    const wrong = `${id.slice(0, 12)}${(Number(id[12]) + 1) % 10}`;
    typedIds.add(wrong);

    await u.say("เชื่อมบัญชีกองทุน");
    await u.say(dashed(wrong));
    expect(u.lastText()).toMatch(/หลักสุดท้ายไม่ตรง/);
    expect(u.lastText()).toMatch(/พิมพ์เลขประจำตัวประชาชน 13 หลัก/);
    expect(await conversation(u)).toMatchObject({ stepId: "national-id", data: {} });
    await u.say("12345");
    expect(u.lastText()).toMatch(/ต้องมี 13 หลัก/);
    await u.say(id);
    await u.say("31/02/2501");
    expect(u.lastText()).toMatch(/ไม่มีวันที่นี้/);
    await u.say("14/03/01");
    // What went wrong, then how to type it, once.
    expect(u.lastText()).toContain("ยังอ่านวันเกิดไม่ได้ค่ะ");
    expect(u.lastText().match(/วัน\/เดือน\/ปี พ\.ศ\./g)).toHaveLength(1);
    await u.say("01/01/2580");
    expect(u.lastText()).toMatch(/ต้องไม่เลยวันนี้/);
    expect(await conversation(u)).toMatchObject({ stepId: "birth-date" });

    // Cancelling drops the ID with the flow.
    await u.say("ยกเลิก");
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
  });

  it("no match: a PENDING request with reason NO_MATCH for the council secretary", async () => {
    const u = newUser("nomatch");
    const member = await signUp(u, "สุดา รักษ์ดี", "0947778899");
    const id = nextId();
    await link(u, id, "02/05/2510");
    expect(u.lastText()).toMatch(/เลขาฯ/);
    expect(quickLabels(u)).toEqual(MEMBER_MENU);
    expect(await requests(member.id)).toMatchObject([
      {
        councilId: member.councilId,
        nationalId: id,
        birthDate: date("1967-05-02"),
        reason: "NO_MATCH",
        status: "PENDING",
        decidedAt: null,
        decidedBy: null,
      },
    ]);
    expect((await requests(member.id))[0]!.createdAt.getTime()).toBe(h.clock.now.getTime());
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
  });

  it("a match in another council's fund links too; a birth date that differs does not", async () => {
    const u = newUser("elsewhere");
    const member = await signUp(u, "บุญมี ศรีสุข", "0951112233");
    const other = await h.db.prisma.council.findFirstOrThrow({ where: { id: { not: member.councilId! } } });
    const f = await fund(other.id, "FAR1");
    const id = nextId();
    await fundMember(f.id, id, "1970-07-07");
    await link(u, id, "08/07/2513");
    expect(await requests(member.id)).toMatchObject([{ reason: "NO_MATCH" }]);
    await link(u, id, "07/07/2513");
    expect(u.lastText()).toMatch(/เชื่อมบัญชีเรียบร้อยแล้ว/);
    expect(await h.db.prisma.fundMember.count({ where: { memberId: member.id, fundId: f.id } })).toBe(1);
  });

  it("ambiguous: the same person in two funds of the council becomes an AMBIGUOUS request", async () => {
    const u = newUser("ambiguous");
    const member = await signUp(u, "ทองดี มีสุข", "0961112233");
    const id = nextId();
    await fundMember((await fund(member.councilId!, "AMB1")).id, id, "1955-12-01");
    await fundMember((await fund(member.councilId!, "AMB2")).id, id, "1955-12-01");
    await link(u, id, "01/12/2498");
    expect(u.lastText()).toMatch(/เลขาฯ/);
    expect(await requests(member.id)).toMatchObject([{ reason: "AMBIGUOUS", status: "PENDING", nationalId: id }]);
    expect(await h.db.prisma.fundMember.count({ where: { memberId: member.id } })).toBe(0);
  });

  it("already linked to another member: an ALREADY_LINKED request, the link untouched", async () => {
    const owner = await signUp(newUser("owner"), "เจ้าของ บัญชี", "0971112233");
    const u = newUser("claimant");
    const member = await signUp(u, "ผู้ขอ เชื่อม", "0981112233");
    const id = nextId();
    const fm = await fundMember((await fund(member.councilId!, "OWN1")).id, id, "1962-06-15", "0100", owner.id);
    await link(u, id, "15/06/2505");
    expect(u.lastText()).toMatch(/เลขาฯ/);
    expect(await requests(member.id)).toMatchObject([{ reason: "ALREADY_LINKED", status: "PENDING" }]);
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: owner.id });
  });

  it("three failures lock the member out for 24 hours", async () => {
    const u = newUser("lock");
    const member = await signUp(u, "ลองผิด หลายครั้ง", "0991112233");
    for (let i = 0; i < 3; i += 1) {
      await link(u, nextId(), "01/01/2500");
      expect(u.lastText()).toMatch(/เลขาฯ/);
      h.clock.advance(HOUR);
    }
    expect(await h.db.prisma.fundLinkAttempt.count({ where: { memberId: member.id, matched: false } })).toBe(3);
    expect(await requests(member.id)).toHaveLength(3);

    await u.say("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/ไม่สำเร็จหลายครั้ง/);
    expect(u.lastText()).toMatch(/พิมพ์ผิด/);
    // Unlocks 24 h after the first of the three failures (10:00 Bangkok time, BE).
    expect(u.lastText()).toContain("ลองใหม่ได้ตั้งแต่ 29/11/2569 10:00 น.");
    expect(quickLabels(u)).toEqual(MEMBER_MENU);
    expect(await conversation(u)).toMatchObject({ flowId: null });
    await u.tap("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/ไม่สำเร็จหลายครั้ง/);

    h.clock.advance(25 * HOUR);
    await u.say("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/เลขประจำตัวประชาชน 13 หลัก/);
    expect(await conversation(u)).toMatchObject({ flowId: "fund-link" });
    await u.say("ยกเลิก");
  });

  it("five failures against one ID, from five users, lock that ID for everyone for 24 hours", async () => {
    const first = await signUp(newUser("idlock-0"), "ผู้เดา ศูนย์", "0811110000");
    const f = await fund(first.councilId!, "IDL1");
    const id = nextId();
    const fm = await fundMember(f.id, id, "1961-04-04");
    const firstFailure = h.clock.now.getTime();
    for (const [i, name] of ["หนึ่ง", "สอง", "สาม", "สี่", "ห้า"].entries()) {
      const u = newUser(`idlock-${i + 1}`);
      await signUp(u, `ผู้เดา ${name}`, `081111000${i + 1}`);
      await link(u, id, `0${i + 1}/01/2504`);
      expect(u.lastText()).toMatch(/เลขาฯ/);
      h.clock.advance(HOUR);
    }
    expect(await h.db.prisma.outboxMessage.count({ where: { purpose: "fund-link.id-locked" } })).toBe(0); // no secretary yet
    const owner = newUser("idlock-owner");
    await signUp(owner, "เจ้าของ ตัวจริง", "0811119999");
    await link(owner, id, "04/04/2504");
    expect(owner.lastText()).toMatch(/ถูกพักการเชื่อมบัญชี/);
    // 24 hours after the first of the five failures.
    expect(owner.lastText()).toContain(`ลองใหม่ได้ตั้งแต่ ${thaiDateTime(new Date(firstFailure + 24 * HOUR))}`);
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: null });
    // Refused before the lookup, so not a failure of the owner's.
    expect(await h.db.prisma.fundLinkAttempt.count({ where: { memberId: (await memberOf(owner)).id } })).toBe(0);

    h.clock.advance(20 * HOUR);
    await link(owner, id, "04/04/2504");
    expect(owner.lastText()).toMatch(/เชื่อมบัญชีเรียบร้อยแล้ว/);
  });

  it("is not for someone who is not a member: asking for it offers sign-up instead", async () => {
    const u = newUser("guest");
    await u.say("เมนู");
    expect(quickLabels(u)).toEqual(GUEST_MENU);
    for (const ask of [
      () => u.say("เชื่อมบัญชีกองทุน"),
      () => u.say("ยอดเงินกองทุน"),
      () => u.postback(encodePostback({ kind: "menu", entry: "fund-link" })),
    ]) {
      await u.say("ยกเลิก");
      await ask();
      expect(u.lastText()).toContain("ดูยอดเงินกองทุนได้เมื่อสมัครสมาชิกแล้ว");
      expect(u.lastText()).not.toMatch(NOT_UNDERSTOOD);
      expect(await conversation(u)).toMatchObject({ flowId: "signup" });
    }
    expect(await h.db.prisma.member.count({ where: { lineUserId: u.id } })).toBe(0);
  });

  it("an abandoned flow's answers are dropped by the hourly sweep once it expires", async () => {
    const u = newUser("abandon");
    await signUp(u, "ทิ้งไว้ ก่อน", "0811231234");
    await u.say("เชื่อมบัญชีกองทุน");
    await u.say(nextId());
    expect((await conversation(u)).data).toHaveProperty("nationalId");
    h.clock.advance(2 * HOUR);
    await h.app.processor.sweep();
    expect(await conversation(u)).toMatchObject({ flowId: "fund-link", data: {} });
    await u.say("สวัสดี");
    expect(u.lastText()).toMatch(/การเชื่อมบัญชีกองทุน/);
    expect(await conversation(u)).toMatchObject({ flowId: null, data: {} });
  });

  it("withdrawing consent unlinks the fund record and deletes the requests holding an ID", async () => {
    const u = newUser("withdraw");
    const member = await signUp(u, "ถอน ความยินยอม", "0844445555");
    const f = await fund(member.councilId!, "WDR1");
    const id = nextId();
    const fm = await fundMember(f.id, id, "1965-02-02");
    await link(u, nextId(), "02/02/2508");
    await link(u, id, "02/02/2508");
    expect(u.lastText()).toMatch(/เชื่อมบัญชีเรียบร้อยแล้ว/);
    expect(await requests(member.id)).toHaveLength(1);

    await u.say("ถอนความยินยอม");
    await u.tap("ยืนยันถอน");
    expect(u.lastText()).toMatch(/ถอนความยินยอม/);
    expect(await h.db.prisma.fundMember.findUniqueOrThrow({ where: { id: fm.id } })).toMatchObject({ memberId: null });
    expect(await requests(member.id)).toEqual([]);
  });

  describe("the balance card", () => {
    it("shows savings, paid-up month, this year's benefits and eligible benefits", async () => {
      const u = newUser("balance");
      const member = await signUp(u, "ออม เงิน", "0822223333");
      const f = await fund(member.councilId!, "BAL1");
      const fm = await fundMember(f.id, validId(9001), "1950-01-01", "0042", member.id);
      await h.db.prisma.contribution.createMany({
        data: [
          {
            fundMemberId: fm.id,
            paidOn: date("2025-01-05"),
            amount: "365.00",
            periodFrom: date("2025-01-01"),
            periodTo: date("2025-12-31"),
          },
          {
            fundMemberId: fm.id,
            paidOn: date("2026-01-05"),
            amount: "1000.50",
            periodFrom: date("2026-01-01"),
            periodTo: date("2026-10-31"),
          },
        ],
      });
      await h.db.prisma.benefitPayment.createMany({
        data: [
          { fundMemberId: fm.id, type: "HOSPITAL", paidOn: date("2025-06-01"), amount: "400.00" },
          { fundMemberId: fm.id, type: "HOSPITAL", paidOn: date("2026-03-01"), amount: "600.00" },
          { fundMemberId: fm.id, type: "ELDERLY", paidOn: date("2026-04-01"), amount: "1200.00" },
        ],
      });
      await h.db.prisma.benefitRule.createMany({
        data: [
          { fundId: f.id, type: "HOSPITAL", amount: "200.00", waitingDays: 180 },
          { fundId: f.id, type: "FUNERAL", amount: "5000.00", waitingDays: 365 * 10 },
          { fundId: f.id, type: "ELDERLY", amount: "100.00", waitingDays: 365 },
        ],
      });

      await u.say("ยอดเงินกองทุน");
      expect(u.last()).toHaveLength(1);
      expect(u.last()[0]).toMatchObject({ type: "flex", altText: "ยอดเงินกองทุนสวัสดิการของท่าน" });
      const card = u.lastText();
      expect(card).toContain("กองทุนสวัสดิการชุมชนBAL1");
      expect(card).toContain("0042");
      expect(card).toContain("15/01/2563");
      expect(card).toContain("฿1,365.50");
      expect(card).toContain("ตุลาคม 2569");
      expect(card).toContain("฿1,800.00");
      expect(card).toMatch(/นอนโรงพยาบาล, ผู้สูงอายุ|ผู้สูงอายุ, นอนโรงพยาบาล/);
      expect(card).not.toContain("ฌาปนกิจ");
      expect(card).toContain("สวัสดิการที่ขอรับได้ตอนนี้");
      expect(card).not.toContain("สิทธิ์สวัสดิการที่ได้รับแล้ว");
      expect(quickLabels(u)).toEqual(LINKED_MENU);
    });

    it("lists only the benefits that apply to the member: no elderly allowance before 60, no disability one without", async () => {
      const u = newUser("balance-young");
      const member = await signUp(u, "หนุ่ม แน่น", "0822224444");
      const f = await fund(member.councilId!, "BAL2");
      await fundMember(f.id, validId(9002), "1990-06-01", "0043", member.id);
      await h.db.prisma.benefitRule.createMany({
        data: [
          { fundId: f.id, type: "HOSPITAL", amount: "200.00", waitingDays: 180 },
          { fundId: f.id, type: "ELDERLY", amount: "100.00", waitingDays: 365 },
          { fundId: f.id, type: "DISABLED", amount: "100.00", waitingDays: 365 },
        ],
      });
      await u.say("ยอดเงินกองทุน");
      const card = u.lastText();
      expect(card).toContain("นอนโรงพยาบาล");
      expect(card).not.toContain("ผู้สูงอายุ");
      expect(card).not.toContain("ผู้พิการ");
    });

    it("not linked yet: offers to start fund-link", async () => {
      const u = newUser("balance-unlinked");
      await signUp(u, "ยัง ไม่เชื่อม", "0833334444");
      await u.tap("ยอดเงินกองทุน");
      expect(u.lastText()).toMatch(/ยังไม่ได้เชื่อมบัญชี/);
      expect(quickLabels(u)).toEqual(["เชื่อมบัญชีกองทุน", ...MEMBER_MENU.filter((l) => l !== "เชื่อมบัญชีกองทุน")]);
      await u.tap("เชื่อมบัญชีกองทุน");
      expect(u.lastText()).toMatch(/เลขประจำตัวประชาชน 13 หลัก/);
      await u.say("ยกเลิก");
    });
  });
});
