// The balance card's history and statement as transcripts: the last twelve
// ledger entries (savings and benefits merged, newest first), the statement
// of one year with buttons for the other years, a forged year argument, and
// never another member's data. Today is 28 Nov 2569 (harness clock).
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { nationalIdCheckDigit } from "../../src/thai/national-id.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const date = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

function validId(seed: number): string {
  const first12 = `3${String(seed).padStart(11, "0")}`;
  return `${first12}${nationalIdCheckDigit(first12)}`;
}

function quickLabels(u: ChatUser): string[] {
  const last = u.last().at(-1);
  return (last?.quickReply?.items ?? []).map((item) => (item.action as { label?: string }).label ?? "");
}

type Node = Record<string, unknown>;
const texts = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (!node || typeof node !== "object") return [];
  const obj = node as Node;
  return [...(obj.type === "text" ? [String(obj.text)] : []), ...Object.values(obj).flatMap(texts)];
};

/** The card's body rows (boxes), each as its texts: history [what, date, amount], statement [month, saved, benefits]. */
function bodyRows(u: ChatUser): string[][] {
  const flex = u.last().find((m) => m.type === "flex") as messagingApi.FlexMessage | undefined;
  if (!flex) throw new Error(`No card in: ${u.lastText()}`);
  const body = (flex.contents as unknown as { body: { contents: Node[] } }).body;
  return body.contents.filter((c) => c.type === "box").map(texts);
}

function altText(u: ChatUser): string | undefined {
  return (u.last().find((m) => m.type === "flex") as messagingApi.FlexMessage | undefined)?.altText;
}

const monthly = (fundMemberId: number, year: number, months: number[], amount = "30.00") =>
  months.map((m) => {
    const mm = String(m).padStart(2, "0");
    const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
    return {
      fundMemberId,
      paidOn: date(`${year}-${mm}-05`),
      amount,
      periodFrom: date(`${year}-${mm}-01`),
      periodTo: date(`${year}-${mm}-${last}`),
    };
  });

describe.each(FLOW_DATABASES)("fund history and statement on %s", (kind) => {
  let h: Harness;
  let n = 0;
  let seed = 5000;
  const newUser = (label: string) => h.user(`U-hist-${label}-${++n}`);

  async function signUp(u: ChatUser, fullName: string, phone: string) {
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

  /** A signed-up user linked to a fund member of their council's fund. */
  async function linkedUser(label: string, phone: string, memberNo: string) {
    const u = newUser(label);
    const member = await signUp(u, `ทดสอบ ${label}`, phone);
    const fund = await h.db.prisma.welfareFund.create({
      data: { councilId: member.councilId!, code: `H${n}`, name: `กองทุนสวัสดิการชุมชนH${n}` },
    });
    const fm = await h.db.prisma.fundMember.create({
      data: {
        fundId: fund.id,
        memberNo,
        nationalId: validId(++seed),
        firstName: "ทดสอบ",
        lastName: label,
        birthDate: date("1960-05-05"),
        joinedOn: date("2020-01-15"),
        memberId: member.id,
      },
    });
    return { u, fm };
  }

  let main: { u: ChatUser; fm: { id: number } };
  let other: { u: ChatUser; fm: { id: number } };

  beforeAll(async () => {
    h = await Harness.start({ kind });
    main = await linkedUser("main", "0861110001", "0101");
    const id = main.fm.id;
    await h.db.prisma.contribution.createMany({
      data: [
        ...monthly(id, 2026, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ...monthly(id, 2026, [10], "1234.50"),
        { fundMemberId: id, paidOn: date("2025-01-10"), amount: "365.00", periodFrom: date("2025-01-01"), periodTo: date("2025-12-31") },
        { fundMemberId: id, paidOn: date("2024-02-01"), amount: "1500.50", periodFrom: date("2024-01-01"), periodTo: date("2024-06-30") },
      ],
    });
    await h.db.prisma.benefitPayment.createMany({
      data: [
        { fundMemberId: id, type: "HOSPITAL", paidOn: date("2026-03-05"), amount: "600.00" },
        { fundMemberId: id, type: "ELDERLY", paidOn: date("2026-08-20"), amount: "1200.00" },
        { fundMemberId: id, type: "BIRTH", paidOn: date("2025-06-01"), amount: "1000.00" },
      ],
    });

    other = await linkedUser("other", "0861110002", "0202");
    await h.db.prisma.contribution.createMany({ data: monthly(other.fm.id, 2026, [5, 6], "777.77") });
    await h.db.prisma.benefitPayment.create({
      data: { fundMemberId: other.fm.id, type: "FUNERAL", paidOn: date("2025-04-04"), amount: "4321.00" },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("the balance card shows arrears and has the history and statement buttons", async () => {
    await main.u.say("ยอดเงินกองทุน");
    expect(altText(main.u)).toBe("ยอดเงินกองทุนสวัสดิการของท่าน");
    // Paid up to October, today is November: one month behind.
    expect(main.u.lastText()).toContain("ตุลาคม 2569 (ค้างชำระ 1 เดือน)");
    expect(main.u.buttons()).toEqual(expect.arrayContaining(["ประวัติล่าสุด", "รายการทั้งปี"]));

    await other.u.say("ยอดเงินกองทุน");
    expect(other.u.lastText()).toContain("มิถุนายน 2569 (ค้างชำระ 5 เดือน)");
  });

  it("no arrears once paid up to this month or ahead", async () => {
    const { u, fm } = await linkedUser("ahead", "0861110003", "0303");
    await h.db.prisma.contribution.create({
      data: {
        fundMemberId: fm.id,
        paidOn: date("2026-01-02"),
        amount: "365.00",
        periodFrom: date("2026-01-01"),
        periodTo: date("2026-12-31"),
      },
    });
    await u.say("ยอดเงินกองทุน");
    expect(u.lastText()).toContain("ธันวาคม 2569");
    expect(u.lastText()).not.toContain("ค้างชำระ");
  });

  it("ประวัติล่าสุด: the last 12 entries, merged and newest first, with BE dates and ฿ amounts", async () => {
    await main.u.say("ยอดเงินกองทุน");
    await main.u.tap("ประวัติล่าสุด");
    expect(altText(main.u)).toBe("ประวัติการออมเงินและรับสวัสดิการล่าสุด");
    expect(main.u.lastText()).toContain("เลขสมาชิก 0101");
    const rows = bodyRows(main.u);
    expect(rows).toHaveLength(12);
    expect(rows).toEqual([
      ["ออมเงิน งวด ต.ค. 2569", "5 ต.ค. 2569", "฿1,234.50"],
      ["ออมเงิน งวด ก.ย. 2569", "5 ก.ย. 2569", "฿30.00"],
      ["สวัสดิการผู้สูงอายุ", "20 ส.ค. 2569", "฿1,200.00"],
      ["ออมเงิน งวด ส.ค. 2569", "5 ส.ค. 2569", "฿30.00"],
      ["ออมเงิน งวด ก.ค. 2569", "5 ก.ค. 2569", "฿30.00"],
      ["ออมเงิน งวด มิ.ย. 2569", "5 มิ.ย. 2569", "฿30.00"],
      ["ออมเงิน งวด พ.ค. 2569", "5 พ.ค. 2569", "฿30.00"],
      ["ออมเงิน งวด เม.ย. 2569", "5 เม.ย. 2569", "฿30.00"],
      // Same day: the benefit first.
      ["สวัสดิการนอนโรงพยาบาล", "5 มี.ค. 2569", "฿600.00"],
      ["ออมเงิน งวด มี.ค. 2569", "5 มี.ค. 2569", "฿30.00"],
      ["ออมเงิน งวด ก.พ. 2569", "5 ก.พ. 2569", "฿30.00"],
      ["ออมเงิน งวด ม.ค. 2569", "5 ม.ค. 2569", "฿30.00"],
    ]);
    // The 13th and older (2568, 2567) are left out.
    expect(main.u.lastText()).not.toContain("2568");
    expect(main.u.lastText()).not.toContain("777.77");

    await main.u.tap("กลับไปดูยอดเงิน");
    expect(altText(main.u)).toBe("ยอดเงินกองทุนสวัสดิการของท่าน");
  });

  it("labels whole-year and multi-month periods, and reaches the older entries once newer are fewer", async () => {
    await other.u.tap("ยอดเงินกองทุน");
    await other.u.tap("ประวัติล่าสุด");
    expect(bodyRows(other.u)).toEqual([
      ["ออมเงิน งวด มิ.ย. 2569", "5 มิ.ย. 2569", "฿777.77"],
      ["ออมเงิน งวด พ.ค. 2569", "5 พ.ค. 2569", "฿777.77"],
      ["สวัสดิการฌาปนกิจ", "4 เม.ย. 2568", "฿4,321.00"],
    ]);
    expect(other.u.lastText()).not.toContain("1,234.50");

    const { u, fm } = await linkedUser("periods", "0861110004", "0404");
    await h.db.prisma.contribution.createMany({
      data: [
        { fundMemberId: fm.id, paidOn: date("2025-01-10"), amount: "365.00", periodFrom: date("2025-01-01"), periodTo: date("2025-12-31") },
        { fundMemberId: fm.id, paidOn: date("2025-12-20"), amount: "300.00", periodFrom: date("2025-12-01"), periodTo: date("2026-09-30") },
        { fundMemberId: fm.id, paidOn: date("2026-02-01"), amount: "90.00", periodFrom: date("2026-10-01"), periodTo: date("2026-12-31") },
      ],
    });
    await u.say("ประวัติกองทุน");
    expect(bodyRows(u).map((r) => r[0])).toEqual(["ออมเงิน งวด ต.ค.–ธ.ค. 2569", "ออมเงิน งวด ธ.ค. 2568–ก.ย. 2569", "ออมเงิน งวด ปี 2568"]);
  });

  it("รายการทั้งปี: this year by month with totals, and buttons for the previous years", async () => {
    await main.u.tap("ยอดเงินกองทุน");
    await main.u.tap("รายการทั้งปี");
    expect(altText(main.u)).toBe("รายการออมเงินและรับสวัสดิการ ปี 2569");
    expect(main.u.lastText()).toContain("รายการทั้งปี 2569");
    const rows = bodyRows(main.u);
    // Header, January to November (December has not come yet), totals;
    // months abbreviated: "พฤศจิกายน" was cut to "พฤศจิกา…" in the column.
    expect(rows[0]).toEqual(["เดือน", "ออมเงิน", "สวัสดิการ"]);
    expect(rows.slice(1, -1)).toEqual([
      ["ม.ค.", "฿30.00", "-"],
      ["ก.พ.", "฿30.00", "-"],
      ["มี.ค.", "฿30.00", "฿600.00"],
      ["เม.ย.", "฿30.00", "-"],
      ["พ.ค.", "฿30.00", "-"],
      ["มิ.ย.", "฿30.00", "-"],
      ["ก.ค.", "฿30.00", "-"],
      ["ส.ค.", "฿30.00", "฿1,200.00"],
      ["ก.ย.", "฿30.00", "-"],
      ["ต.ค.", "฿1,234.50", "-"],
      ["พ.ย.", "-", "-"],
    ]);
    expect(rows.at(-1)).toEqual(["รวม", "฿1,504.50", "฿1,800.00"]);
    expect(main.u.buttons()).toEqual(expect.arrayContaining(["ปี 2568", "ปี 2567", "ประวัติล่าสุด", "กลับไปดูยอดเงิน"]));
    expect(main.u.buttons()).not.toContain("ปี 2569");

    await main.u.tap("ปี 2568");
    expect(main.u.lastText()).toContain("รายการทั้งปี 2568");
    const y2568 = bodyRows(main.u);
    expect(y2568).toHaveLength(14); // header, 12 months, totals
    expect(y2568[1]).toEqual(["ม.ค.", "฿365.00", "-"]);
    expect(y2568[6]).toEqual(["มิ.ย.", "-", "฿1,000.00"]);
    expect(y2568.at(-1)).toEqual(["รวม", "฿365.00", "฿1,000.00"]);
    expect(main.u.buttons()).toEqual(expect.arrayContaining(["ปี 2569", "ปี 2567"]));

    await main.u.tap("ปี 2567");
    expect(main.u.lastText()).toContain("รายการทั้งปี 2567");
    expect(bodyRows(main.u).at(-1)).toEqual(["รวม", "฿1,500.50", "฿0.00"]);
    expect(bodyRows(main.u)[2]).toEqual(["ก.พ.", "฿1,500.50", "-"]);

    await main.u.tap("กลับไปดูยอดเงิน");
    expect(altText(main.u)).toBe("ยอดเงินกองทุนสวัสดิการของท่าน");
  });

  it("a forged or bad year shows this year; a year only picks a year, never another member", async () => {
    const statement = (arg: string) => encodePostback({ kind: "menu", entry: "fund-statement", arg });
    for (const arg of ["2500", "2570", "abc", "", "25689", "2568 OR 1=1"]) {
      await main.u.postback(statement(arg));
      expect(main.u.lastText(), arg).toContain("รายการทั้งปี 2569");
      expect(bodyRows(main.u).at(-1), arg).toEqual(["รวม", "฿1,504.50", "฿1,800.00"]);
    }
    // The other member's year: still the caller's own ledger.
    await main.u.postback(statement("2568"));
    expect(bodyRows(main.u).at(-1)).toEqual(["รวม", "฿365.00", "฿1,000.00"]);
    expect(main.u.lastText()).not.toContain("4,321.00");
    await other.u.postback(statement("2568"));
    expect(other.u.lastText()).toContain("เลขสมาชิก 0202");
    expect(bodyRows(other.u).at(-1)).toEqual(["รวม", "฿0.00", "฿4,321.00"]);
    // A history button carrying an argument ignores it.
    await other.u.postback(encodePostback({ kind: "menu", entry: "fund-history", arg: String(main.fm.id) }));
    expect(other.u.lastText()).not.toContain("1,234.50");
    expect(bodyRows(other.u)).toHaveLength(3);
  });

  it("a linked member with no entries gets a short note instead of an empty card", async () => {
    const { u } = await linkedUser("empty", "0861110005", "0505");
    await u.say("ยอดเงินกองทุน");
    expect(u.lastText()).toContain("ยังไม่มีการชำระ");
    await u.tap("ประวัติล่าสุด");
    expect(u.last().some((m) => m.type === "flex")).toBe(false);
    expect(u.lastText()).toMatch(/ยังไม่มีรายการออมเงินหรือรับสวัสดิการ/);
    expect(quickLabels(u)).toContain("ยอดเงินกองทุน");
    await u.postback(encodePostback({ kind: "menu", entry: "fund-statement", arg: "2568" }));
    expect(u.lastText()).toMatch(/ยังไม่มีรายการออมเงินหรือรับสวัสดิการ/);
  });

  it("a member with no linked fund record gets the link offer", async () => {
    const u = newUser("unlinked");
    await signUp(u, "ยัง ไม่เชื่อม", "0861110006");
    await u.postback(encodePostback({ kind: "menu", entry: "fund-history" }));
    expect(u.lastText()).toMatch(/ยังไม่ได้เชื่อมบัญชี/);
    expect(quickLabels(u)[0]).toBe("เชื่อมบัญชีกองทุน");
    await u.postback(encodePostback({ kind: "menu", entry: "fund-statement", arg: "2568" }));
    expect(u.lastText()).toMatch(/ยังไม่ได้เชื่อมบัญชี/);
    expect(u.lastText()).not.toContain("฿");
  });
});
