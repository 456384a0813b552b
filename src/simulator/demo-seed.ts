// A believable demo province, for evaluating the bot without a LINE channel:
// Sisaket's geography (loaded by the caller), three community welfare funds
// with about thirty members each, two years of monthly savings and some
// benefit payments, benefit rules, upcoming meetings, and demo personas
// with their staff roles.
//
// Everyone is invented. National IDs follow a visible pattern
// (1-9999-F0-00NN-c, valid check digit) that no one takes for a real one.
// Idempotent: the ledgers go through the importer (natural keys), rules and
// roles skip what exists, meetings are known by title; a second run in the
// same month adds nothing.
import { createHash } from "node:crypto";
import type { Database } from "../db/database.ts";
import type { BenefitType } from "../generated/prisma/enums.ts";
import { recordHouseholdConsent, setHouseholdVulnerable, type HouseholdVulnerable } from "../disaster/answer-store.ts";
import { seedMeetings } from "../meetings/seed.ts";
import { recordConsent, recordFollow, saveMember } from "../members/member-store.ts";
import { grantRole, type RoleGrant } from "../staff/roles.ts";
import { bangkokIsoDate } from "../thai/format.ts";
import { importLedger, type RawSheet } from "../welfare-fund/ledger-import.ts";
import { nationalIdCheckDigit } from "../thai/national-id.ts";

export type PersonaRole = "villager" | "secretary" | "coordinator";

export interface Persona {
  userId: string;
  displayName: string;
  role: PersonaRole;
  /** One line for the persona panel: who this is, what to try. */
  about: string;
}

/** Fixed ids, so a restart (or a second machine) finds the same people. */
export const demoUserId = (key: string) => `U${createHash("sha256").update(`council-demo:${key}`).digest("hex").slice(0, 32)}`;

interface DemoFund {
  tambonId: number;
  code: string;
  district: string;
}

// Real Sisaket tambons in three districts.
export const DEMO_FUNDS: readonly DemoFund[] = [
  { tambonId: 330101, code: "SWF-MN", district: "เมืองศรีสะเกษ" },
  { tambonId: 330401, code: "SWF-BML", district: "กันทรลักษ์" },
  { tambonId: 331001, code: "SWF-KP", district: "อุทุมพรพิสัย" },
];

const MEMBERS_PER_FUND = 30;

/** The synthetic ID of demo member `n` of fund `f` (both from 1). */
export function demoNationalId(fund: number, n: number): string {
  const twelve = `19999${fund}000${String(n).padStart(3, "0")}`;
  return `${twelve}${nationalIdCheckDigit(twelve)}`;
}

/** ยายสมศรี's fund record: what an evaluator types to link her account. */
export const DEMO_MEMBER = {
  nationalId: demoNationalId(1, 1),
  birthDate: "1952-03-14",
  /** As a Thai would type it: dd/mm/พ.ศ. */
  birthDateThai: "14/03/2495",
  name: "นางสมศรี ใจดี",
};

/** More unlinked members of the same fund, for personas made on the page. */
export const SPARE_DEMO_MEMBERS = [2, 3, 4].map((n) => ({
  nationalId: demoNationalId(1, n),
  birthDateThai: thaiDate(birthOf(1, n)),
}));

/** Villagers of ตำบลเมืองเหนือ who are members already (invented; phones in a 0800 range nobody has). */
const DEMO_SIGNED_UP: readonly {
  key: string;
  displayName: string;
  fullName: string;
  phone: string;
  household: HouseholdVulnerable[];
  about: string;
}[] = [
  {
    key: "villager-khampun",
    displayName: "ลุงคำปุ่น",
    fullName: "นายคำปุ่น ศรีสุข",
    phone: "0800000101",
    household: [],
    about: "สมาชิกตำบลเมืองเหนือ (สมัครแล้ว): เมื่อมีน้ำท่วม ได้รับข้อความถามความปลอดภัย",
  },
  {
    key: "villager-buaphan",
    displayName: "ป้าบัวผัน",
    fullName: "นางบัวผัน ทองมา",
    phone: "0800000102",
    household: ["bedridden", "elderly"],
    about: "สมาชิกตำบลเมืองเหนือ (สมัครแล้ว) ในบ้านมีผู้ป่วยติดเตียง",
  },
  {
    key: "villager-thongbai",
    displayName: "พี่ทองใบ",
    fullName: "นายทองใบ คำภา",
    phone: "0800000103",
    household: [],
    about: "สมาชิกตำบลเมืองเหนือ (สมัครแล้ว)",
  },
];

export const DEMO_PERSONAS: readonly Persona[] = [
  {
    userId: demoUserId("villager-somsri"),
    displayName: "ยายสมศรี",
    role: "villager",
    about: `ชาวบ้านตำบลเมืองเหนือ เริ่มจากยังไม่ได้สมัครสมาชิก; บัญชีกองทุน: เลขบัตร ${DEMO_MEMBER.nationalId} วันเกิด ${DEMO_MEMBER.birthDateThai}`,
  },
  {
    userId: demoUserId("secretary-muang-nuea"),
    displayName: "สุภาพร เลขาสภาฯ",
    role: "secretary",
    about: "เลขานุการสภาองค์กรชุมชนตำบลเมืองเหนือ: ได้รับแจ้งคำขอของตำบล",
  },
  {
    userId: demoUserId("coordinator-district-muang"),
    displayName: "ประสิทธิ์ ผู้ประสานอำเภอ",
    role: "coordinator",
    about: "ผู้ประสานงานอำเภอเมืองศรีสะเกษ",
  },
  {
    userId: demoUserId("coordinator-province"),
    displayName: "วันเพ็ญ ผู้ประสานจังหวัด",
    role: "coordinator",
    about: "ผู้ประสานงานจังหวัดศรีสะเกษ",
  },
  // Disaster mode: members already signed up, so a flood declared over their
  // tambon (the time panel's "จำลองน้ำท่วม") has someone to check on.
  ...DEMO_SIGNED_UP.map((v) => ({
    userId: demoUserId(v.key),
    displayName: v.displayName,
    role: "villager" as const,
    about: v.about,
  })),
];

const FIRST_F = [
  "สมศรี",
  "บัวผัน",
  "ประนอม",
  "หนูเพียร",
  "คำพันธ์",
  "มะลิ",
  "จันทร์เพ็ญ",
  "สุดใจ",
  "ทองสุข",
  "บุญเรือน",
  "อำไพ",
  "ลำดวน",
  "ดอกไม้",
  "วันดี",
  "แสงเดือน",
];
const FIRST_M = [
  "สมชาย",
  "คำปุ่น",
  "ทองใบ",
  "สมหมาย",
  "บุญมี",
  "สุวิทย์",
  "ประสงค์",
  "อุดม",
  "ทองดี",
  "บุญเรือง",
  "เสถียร",
  "วิชัย",
  "สมพงษ์",
  "ไพบูลย์",
  "คำผอง",
];
const LAST = [
  "ใจดี",
  "ศรีสุข",
  "ทองมา",
  "แก้วกัณหา",
  "บุญประเสริฐ",
  "สีหาวงษ์",
  "จันทร์หอม",
  "คำภา",
  "อินทร์แก้ว",
  "พรมมา",
  "ศรีวงศ์",
  "บุตรดี",
  "มูลสาร",
  "ปัญญาดี",
  "โคตรสมบัติ",
  "ทองคำ",
  "สุขเกษม",
];

function birthOf(fund: number, n: number): string {
  if (fund === 1 && n === 1) return DEMO_MEMBER.birthDate;
  const year = 1945 + ((n * 7 + fund * 3) % 55);
  return `${year}-${String(((n + fund) % 12) + 1).padStart(2, "0")}-${String(((n * 5) % 28) + 1).padStart(2, "0")}`;
}

function thaiDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${Number(y) + 543}`;
}

/** "yyyy-mm" months, oldest first: the 24 before today's month. */
function lastMonths(today: string, count: number): { from: string; to: string; paid: string }[] {
  const [y, m] = today.split("-").map(Number) as [number, number];
  const months = [];
  for (let back = count; back >= 1; back -= 1) {
    const first = new Date(Date.UTC(y, m - 1 - back, 1));
    const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
    const iso = (d: Date) => d.toISOString().slice(0, 10);
    months.push({ from: iso(first), to: iso(last), paid: iso(new Date(first.getTime() + 4 * 86_400_000)) });
  }
  return months;
}

const sheet = (name: string, header: string[], rows: string[][]): RawSheet => ({
  name,
  header,
  rows: rows.map((cells, i) => ({ row: i + 2, cells })),
});

/** One fund's ledger, laid out from `today` so no date is in the future. */
export function demoLedger(fund: number, today: string) {
  const months = lastMonths(today, 24);
  const members: string[][] = [];
  const contributions: string[][] = [];
  const payments: string[][] = [];
  for (let n = 1; n <= MEMBERS_PER_FUND; n += 1) {
    const female = n % 2 === 1;
    const first = (female ? FIRST_F : FIRST_M)[(n * 3 + fund) % 15]!;
    const last = LAST[(n * 5 + fund * 2) % LAST.length]!;
    const isSomsri = fund === 1 && n === 1;
    const birth = birthOf(fund, n);
    // Most joined before the two years shown; every sixth joined during them.
    const joinedMonth = n % 6 === 0 ? months[(n * 2) % 18]! : null;
    const joined = joinedMonth ? joinedMonth.from : `${2018 + (n % 5)}-0${(n % 9) + 1}-10`;
    // One member per fund died eight months ago; every ninth stopped paying four months ago.
    const died = n === 17 ? months[16]!.to : "";
    const stopsAt = died ? 16 : n % 9 === 0 ? 20 : 24;
    const phone = n % 3 === 0 ? "" : `08${(fund * 10_000_000 + n * 2_345_671).toString().padStart(8, "0").slice(-8)}`;
    const memberNo = String(n).padStart(4, "0");
    members.push([
      memberNo,
      demoNationalId(fund, n),
      isSomsri ? "นาง" : female ? (n % 4 === 1 ? "นางสาว" : "นาง") : "นาย",
      isSomsri ? "สมศรี" : first,
      isSomsri ? "ใจดี" : last,
      birth,
      joined,
      died,
      phone,
    ]);
    months.forEach((month, i) => {
      if (i >= stopsAt || month.to < joined) return;
      contributions.push([memberNo, month.paid, "30", month.from, month.to]);
    });
    if (died) payments.push([memberNo, "FUNERAL", months[17]!.paid, "10000", "ฌาปนกิจสงเคราะห์"]);
  }
  // A few benefits, each after its waiting period.
  payments.push(
    ["0001", "ELDERLY", months[6]!.paid, "300", "เบี้ยผู้สูงอายุรายปี"],
    ["0001", "HOSPITAL", months[20]!.paid, "600", "นอนโรงพยาบาลศรีสะเกษ 3 คืน"],
    ["0004", "BIRTH", months[9]!.paid, "1000", "รับขวัญบุตรคนแรก"],
    ["0007", "SCHOLARSHIP", months[11]!.paid, "1500", "ทุนการศึกษาบุตร ม.3"],
    ["0010", "DISASTER", months[14]!.paid, "2000", "น้ำท่วมบ้าน ลำน้ำมูล"],
    ["0013", "HOSPITAL", months[22]!.paid, "400", "นอนโรงพยาบาล 2 คืน"],
  );
  return {
    members: sheet(
      "members",
      ["member_no", "national_id", "title", "first_name", "last_name", "birth_date", "joined_on", "left_on", "phone"],
      members,
    ),
    contributions: sheet("contributions", ["member_no", "paid_on", "amount", "period_from", "period_to"], contributions),
    payments: sheet("payments", ["member_no", "type", "paid_on", "amount", "note"], payments),
  };
}

const RULES: { type: BenefitType; amount: number; waitingDays: number; yearlyCap?: number; note: string }[] = [
  { type: "BIRTH", amount: 1000, waitingDays: 180, note: "ต่อบุตรหนึ่งคน" },
  { type: "HOSPITAL", amount: 200, waitingDays: 180, yearlyCap: 2000, note: "คืนละ 200 บาท ไม่เกินปีละ 10 คืน" },
  { type: "FUNERAL", amount: 10000, waitingDays: 365, note: "เป็นสมาชิกครบ 1 ปีขึ้นไป" },
  { type: "ELDERLY", amount: 300, waitingDays: 365, yearlyCap: 300, note: "อายุ 60 ปีขึ้นไป ปีละครั้ง" },
  { type: "SCHOLARSHIP", amount: 1500, waitingDays: 365, yearlyCap: 1500, note: "บุตรหลานสมาชิก" },
  { type: "DISASTER", amount: 2000, waitingDays: 90, note: "บ้านเสียหายจากภัยพิบัติ" },
];

export interface DemoSeedResult {
  funds: { code: string; council: string; membersAdded: number; contributionsAdded: number; paymentsAdded: number }[];
  rulesAdded: number;
  meetingsAdded: number;
  rolesGranted: number;
  /** Villagers signed up as members (disaster mode's check-in reaches them). */
  membersSignedUp: number;
}

/** The national IDs the demo ledgers use: any other fund member is real. */
const DEMO_NATIONAL_IDS = DEMO_FUNDS.flatMap((_, f) => Array.from({ length: MEMBERS_PER_FUND }, (_, n) => demoNationalId(f + 1, n + 1)));

/** seedDemo found people the demo did not make; nothing was written. */
export class DemoSeedRefused extends Error {
  constructor(readonly real: { fundMembers: number; signUps: number }) {
    super(
      [
        `Refusing to seed demo data: this database already holds real members (${real.fundMembers} welfare-fund members and ${real.signUps} LINE sign-ups the demo did not make).`,
        "Demo data belongs in a database of its own: unset DATABASE_URL (or point it, or DATA_DIR, at an empty database).",
        "If this is the production database, set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN: local mode is not a production mode.",
      ].join("\n"),
    );
    this.name = "DemoSeedRefused";
  }
}

/**
 * People in the database the demo did not make. Fund members: any national
 * ID outside the demo's pattern. Sign-ups: the demo seed creates none, but
 * on a demo database people sign up from the chat page (with random LINE ids),
 * so only sign-ups older than the first demo seed (its role grants are
 * audited "via demo-seed") count: a production database that was never
 * seeded has all of its sign-ups counted.
 */
export async function realMembers(db: Database): Promise<{ fundMembers: number; signUps: number }> {
  const fundMembers = await db.prisma.fundMember.count({ where: { nationalId: { notIn: DEMO_NATIONAL_IDS } } });
  const firstSeed = await db.prisma.staffRoleAudit.findFirst({ where: { via: "demo-seed" }, orderBy: { at: "asc" }, select: { at: true } });
  const signUps = await db.prisma.member.count({
    where: {
      ...(firstSeed ? { createdAt: { lt: firstSeed.at } } : {}),
      // Withdrawn members have no LINE id left and were real people.
      OR: [{ lineUserId: null }, { lineUserId: { notIn: DEMO_PERSONAS.map((p) => p.userId) } }],
    },
  });
  return { fundMembers, signUps };
}

/**
 * Needs the geography and councils (loadGeography) of Sisaket (33). Throws
 * DemoSeedRefused, before writing anything, on a database with real members:
 * invented ledgers and staff personas must never mix with real people's data.
 */
export async function seedDemo(db: Database, options: { now?: Date } = {}): Promise<DemoSeedResult> {
  const real = await realMembers(db);
  if (real.fundMembers > 0 || real.signUps > 0) throw new DemoSeedRefused(real);
  const now = options.now ?? new Date();
  const today = bangkokIsoDate(now);
  const result: DemoSeedResult = { funds: [], rulesAdded: 0, meetingsAdded: 0, rolesGranted: 0, membersSignedUp: 0 };
  const councils: { id: number; districtId: number }[] = [];
  for (const [i, f] of DEMO_FUNDS.entries()) {
    const council = await db.prisma.council.findFirst({
      where: { tambonId: f.tambonId, active: true },
      include: { tambon: true },
      orderBy: { id: "asc" },
    });
    if (!council) throw new Error(`No council for tambon ${f.tambonId}: load the geography of Sisaket (PROVINCE_CODE=33) first`);
    councils.push({ id: council.id, districtId: council.tambon.districtId });
    const report = await importLedger(db, demoLedger(i + 1, today), {
      councilId: council.id,
      fundCode: f.code,
      createFundName: `กองทุนสวัสดิการชุมชนตำบล${council.tambon.nameTh}`,
      today,
    });
    if (report.problems.length > 0) throw new Error(`Demo ledger ${f.code} has ${report.problems.length} problems`);
    const { count } = await db.prisma.benefitRule.createMany({
      data: RULES.map((r) => ({
        fundId: report.fund.id!,
        type: r.type,
        amount: r.amount,
        waitingDays: r.waitingDays,
        yearlyCap: r.yearlyCap ?? null,
        note: r.note,
      })),
      skipDuplicates: true,
    });
    result.rulesAdded += count;
    result.funds.push({
      code: f.code,
      council: council.name,
      membersAdded: report.created.members,
      contributionsAdded: report.created.contributions,
      paymentsAdded: report.created.payments,
    });
  }

  const meetings = await db.transaction((tx) => seedMeetings(tx, { provinceCode: 33, now }));
  result.meetingsAdded = meetings.created.length;

  const [secretary, district, province] = DEMO_PERSONAS.slice(1);
  const grants: [Persona, RoleGrant][] = [
    [secretary!, { role: "SECRETARY", level: "COUNCIL", areaId: councils[0]!.id }],
    [district!, { role: "COORDINATOR", level: "DISTRICT", areaId: councils[0]!.districtId }],
    [province!, { role: "COORDINATOR", level: "PROVINCE", areaId: 33 }],
  ];
  await db.transaction(async (tx) => {
    for (const [persona, grant] of grants) {
      if (await grantRole(tx, persona.userId, grant, { by: "demo-seed", at: now, via: "demo-seed" })) result.rolesGranted += 1;
    }
  });
  result.membersSignedUp = await seedSignedUpVillagers(db, councils[0]!.id, now);
  return result;
}

/**
 * The signed-up villagers, as the sign-up flow leaves them (friend of the
 * bot, consent recorded, member of the council), one with her household's
 * vulnerable people recorded with their consent. Skips those who exist.
 */
async function seedSignedUpVillagers(db: Database, councilId: number, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    let added = 0;
    for (const v of DEMO_SIGNED_UP) {
      const lineUserId = demoUserId(v.key);
      if ((await tx.member.count({ where: { lineUserId } })) > 0) continue;
      await recordFollow(tx, lineUserId, now);
      await recordConsent(tx, lineUserId, true, now);
      await saveMember(tx, lineUserId, { fullName: v.fullName, phone: v.phone, councilId });
      if (v.household.length > 0) {
        const member = await tx.member.findUniqueOrThrow({ where: { lineUserId } });
        await recordHouseholdConsent(tx, lineUserId, true, now);
        await setHouseholdVulnerable(tx, member.id, v.household, now);
      }
      added += 1;
    }
    return added;
  });
}

/**
 * A demo database seeded before the signed-up villagers existed gets them
 * (the local start calls this when it does not seed). Only on a demo
 * database: the demo's first fund is there and nobody real is.
 */
export async function seedMissingDemoVillagers(db: Database, now: Date = new Date()): Promise<number> {
  const fund = await db.prisma.welfareFund.findFirst({ where: { code: DEMO_FUNDS[0]!.code }, select: { councilId: true } });
  if (!fund) return 0;
  const real = await realMembers(db);
  if (real.fundMembers > 0 || real.signUps > 0) return 0;
  return seedSignedUpVillagers(db, fund.councilId, now);
}

/** The first local start seeds; later starts (or a real province's data) are left alone. */
export async function needsDemoSeed(db: Database): Promise<boolean> {
  return (await db.prisma.welfareFund.count()) === 0;
}
