// The fund-link lock-outs through the shipped process (`src/main.ts`, env
// only, PostgreSQL): an attacker who withdraws consent and signs up again is
// still locked out, five LINE users cannot share out guesses of one
// person's birth date, and the attempts table never holds a national ID.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textOf } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedUser } from "../support/shipped.ts";
import { nationalIdCheckDigit } from "../../src/thai/national-id.ts";

function validId(seed: number): string {
  const first12 = `3${String(seed).padStart(11, "0")}`;
  return `${first12}${nationalIdCheckDigit(first12)}`;
}
const date = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const LOCKED_USER = /ไม่สำเร็จหลายครั้งแล้ว/;
const LOCKED_ID = /เลขประจำตัวประชาชนนี้ถูกพักการเชื่อมบัญชี/;
const ID_LOCK_NOTICE = /พักการเชื่อมบัญชีกองทุนชั่วคราว/;

describe("fund-link lock-outs, shipped (postgres)", () => {
  let bot: ShippedBot;
  let n = 0x10_000;
  let fundId = 0;
  const secretary = lineUserId(0x5ec);
  const typedIds = new Set<string>();

  async function signUp(u: ShippedUser, name: string, phone: string) {
    if (u.accepted().length === 0) await u.follow();
    else await u.say("สมัครสมาชิก");
    await u.tap("ยินยอม");
    await u.say(name);
    await u.say(phone);
    await u.say("กันทรลักษ์");
    await u.tap(u.buttons()[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
  }

  async function newMember(name: string) {
    const u = bot.user(lineUserId(++n));
    await signUp(u, name, `08${String(n).padStart(8, "0")}`);
    return u;
  }

  /** From the menu word to ยืนยัน; the last answer is what the bot said to the attempt. */
  async function tryLink(u: ShippedUser, nationalId: string, birth: string) {
    typedIds.add(nationalId);
    await u.say("เชื่อมบัญชีกองทุน");
    expect(u.lastText()).toMatch(/เลขประจำตัวประชาชน 13 หลัก/);
    await u.say(nationalId);
    await u.say(birth);
    await u.tap("ยืนยัน");
  }

  const lockNoticesQueued = () => bot.withDb((db) => db.prisma.outboxMessage.count({ where: { purpose: "fund-link.id-locked" } }));
  const fundMemberOf = (nationalId: string) =>
    bot.withDb((db) => db.prisma.fundMember.findFirstOrThrow({ where: { nationalId }, select: { memberId: true } }));

  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
    // The fund's council: the one sign-up picks first in กันทรลักษ์.
    const first = await newMember("ผู้เริ่ม ทดสอบ");
    await bot.withDb(async (db) => {
      const member = await db.prisma.member.findUniqueOrThrow({ where: { lineUserId: first.id } });
      const fund = await db.prisma.welfareFund.create({
        data: { councilId: member.councilId!, code: "LOCK", name: "กองทุนสวัสดิการชุมชนทดสอบ" },
      });
      fundId = fund.id;
      await db.prisma.staffRole.create({
        data: {
          lineUserId: secretary,
          role: "SECRETARY",
          level: "COUNCIL",
          areaId: member.councilId!,
          grantedBy: "cli:test",
          grantedAt: new Date(),
        },
      });
    });
  });
  afterAll(async () => bot?.stop());

  async function addFundMember(nationalId: string, birthDate: string, memberNo: string) {
    await bot.withDb((db) =>
      db.prisma.fundMember.create({
        data: {
          fundId,
          memberNo,
          nationalId,
          firstName: "เหยื่อ",
          lastName: "ทดสอบ",
          birthDate: date(birthDate),
          joinedOn: date("2020-01-15"),
        },
      }),
    );
  }

  it("three failures, withdraw consent, sign up again: still locked, also after a restart", async () => {
    const victimId = validId(5001);
    await addFundMember(victimId, "1958-03-14", "0001");
    const attacker = await newMember("ผู้ลอง เดาวันเกิด");
    for (const birth of ["01/01/2501", "02/01/2501", "03/01/2501"]) {
      await tryLink(attacker, victimId, birth);
      expect(attacker.lastText()).toMatch(/เลขาฯ/);
    }
    await attacker.say("เชื่อมบัญชีกองทุน");
    expect(attacker.lastText()).toMatch(LOCKED_USER);

    await attacker.say("ถอนความยินยอม");
    await attacker.tap("ยืนยันถอน");
    expect(attacker.lastText()).toMatch(/ถอนความยินยอม/);
    await signUp(attacker, "ผู้ลอง ชื่อใหม่", "0899999999");

    // A new member row, the same LINE user: refused before the ID is even asked for.
    await attacker.say("เชื่อมบัญชีกองทุน");
    expect(attacker.lastText()).toMatch(LOCKED_USER);
    await bot.restart();
    await attacker.say("เชื่อมบัญชีกองทุน");
    expect(attacker.lastText()).toMatch(LOCKED_USER);
    expect((await fundMemberOf(victimId)).memberId).toBeNull();
  });

  it("five failures against one ID from five LINE users lock the ID for a sixth; the secretary hears once", async () => {
    const victimId = validId(5002);
    await addFundMember(victimId, "1960-07-07", "0002");
    for (const [i, name] of ["หนึ่ง", "สอง", "สาม", "สี่", "ห้า"].entries()) {
      const guesser = await newMember(`ผู้เดา ${name}`);
      await tryLink(guesser, victimId, `0${i + 1}/01/2503`);
      expect(guesser.lastText()).toMatch(/เลขาฯ/);
    }

    // The right birth date now, from someone who never failed: the ID is locked.
    const sixth = await newMember("คนที่หก ทดสอบ");
    await tryLink(sixth, victimId, "07/07/2503");
    expect(sixth.lastText()).toMatch(LOCKED_ID);
    expect(sixth.lastText()).toMatch(/ลองใหม่ได้ตั้งแต่/);
    expect((await fundMemberOf(victimId)).memberId).toBeNull();

    // One notice: the fund and the masked ID, and nothing else personal.
    const sent = () => bot.requestsTo(secretary).filter((r) => r.accepted);
    const notices = () => sent().filter((r) => ID_LOCK_NOTICE.test(textOf(r.messages)));
    // The five requests' cards came before the notice in the same turns.
    await waitUntil(() => notices().length === 1 && sent().length >= 6, { what: "the secretary's notices" });
    const notice = textOf(notices()[0]!.messages);
    expect(notice).toContain("กองทุนสวัสดิการชุมชนทดสอบ");
    expect(notice).toContain(`x-xxxx-xxxxx-${victimId.slice(10, 12)}-${victimId[12]}`);
    expect(notice).not.toContain(victimId);
    expect(notice).not.toMatch(/เหยื่อ|ผู้เดา|คนที่หก|2503|0002/);
    expect(await lockNoticesQueued()).toBe(1);
    expect(notices()).toHaveLength(1);
  });

  it("six users confirming at once against an ID one failure short of the lock: one more failure, one notice", async () => {
    const victimId = validId(5003);
    const masked = `x-xxxx-xxxxx-${victimId.slice(10, 12)}-${victimId[12]}`;
    await addFundMember(victimId, "1962-02-02", "0003");
    for (const name of ["เจ็ด", "แปด", "เก้า", "สิบ"]) await tryLink(await newMember(`ผู้เดา ${name}`), victimId, "01/02/2505");
    const racers: ShippedUser[] = [];
    for (const name of ["ก", "ข", "ค", "ง", "จ", "ฉ"]) {
      const u = await newMember(`ผู้แข่ง ${name}${name}`);
      await u.say("เชื่อมบัญชีกองทุน");
      await u.say(victimId);
      await u.say("03/02/2505");
      racers.push(u);
    }
    const queuedBefore = await lockNoticesQueued();
    // One delivery: the bot serves the six users at once.
    const before = racers.map((u) => u.accepted().length);
    const confirm = (u: ShippedUser) => u.actions().find((a) => a.label === "ยืนยัน")!.data!;
    expect(await bot.deliver(racers.map((u) => bot.event(u.id, { type: "postback", postback: { data: confirm(u) } })))).toBe(200);
    await waitUntil(() => racers.every((u, i) => u.accepted().length > before[i]!), { what: "six answers" });

    const refused = racers.filter((u) => LOCKED_ID.test(u.lastText()));
    expect(refused).toHaveLength(5);
    const notices = () =>
      bot.requestsTo(secretary).filter((r) => r.accepted && ID_LOCK_NOTICE.test(textOf(r.messages)) && textOf(r.messages).includes(masked));
    await waitUntil(() => notices().length >= 1, { what: "the notice" });
    // Queued in the turns' transactions, so final once all six were answered.
    expect((await lockNoticesQueued()) - queuedBefore).toBe(1);
    expect(notices()).toHaveLength(1);
  });

  it("no attempt row holds a national ID, in any column", async () => {
    expect(typedIds.size).toBeGreaterThan(0);
    const rows = await bot.withDb(
      (db) => db.prisma.$queryRaw<{ row: string }[]>`SELECT row_to_json(a)::text AS row FROM fund_link_attempt a`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const { row } of rows) {
      for (const id of typedIds) expect(row.includes(id), `${id} in ${row}`).toBe(false);
    }
  });
});
