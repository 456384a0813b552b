// A few believable upcoming meetings for a province, until coordinators can
// create their own (a later issue): a province-wide assembly, a district
// network meeting, a small council meeting and a district training.
//
// Idempotent: a meeting is known by its title, which names the Buddhist-era
// year (the council meeting: its month); one with the same title already
// there is skipped, so running it again adds nothing (in a new month: that
// month's council meeting).
import type { Tx } from "../db/database.ts";
import { bangkokInstant, bangkokIsoDate } from "../thai/format.ts";

const DAY_MS = 86_400_000;

export interface SeedResult {
  created: string[];
  skipped: string[];
}

interface SeedMeeting {
  title: string;
  agenda: string;
  daysAhead: number;
  from: string;
  to: string;
  placeName: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  capacity: number | null;
  /** Registration closes this many days before, at 17:00. */
  closesDaysBefore: number | null;
  audience: { level: "PROVINCE" | "DISTRICT" | "COUNCIL"; areaId: number };
}

const dayAfter = (now: Date, days: number) => bangkokIsoDate(new Date(now.getTime() + days * DAY_MS));
/** "2026-12-02" → "12/2569": a monthly meeting's number. */
const monthYear = (iso: string) => `${Number(iso.slice(5, 7))}/${Number(iso.slice(0, 4)) + 543}`;

export async function seedMeetings(db: Tx, options: { provinceCode: number; now: Date }): Promise<SeedResult> {
  const province = await db.province.findUnique({ where: { id: options.provinceCode } });
  const district = await db.district.findFirst({ where: { provinceId: options.provinceCode }, orderBy: { id: "asc" } });
  const council = district
    ? await db.council.findFirst({
        where: { active: true, tambon: { districtId: district.id } },
        include: { tambon: true },
        orderBy: [{ tambonId: "asc" }, { id: "asc" }],
      })
    : null;
  if (!province || !district || !council) {
    throw new Error(`No councils in province ${options.provinceCode}: run "npm run geography:load" first`);
  }
  const year = Number(dayAfter(options.now, 0).slice(0, 4)) + 543;
  const districtName = district.nameTh.replace(/^อำเภอ/, "");
  const provinceName = province.nameTh.replace(/^จังหวัด/, "");

  const meetings: SeedMeeting[] = [
    {
      title: `สมัชชาสภาองค์กรชุมชนจังหวัด${provinceName} ประจำปี ${year}`,
      agenda: [
        "1. ประธานแจ้งเพื่อทราบ",
        "2. สรุปผลการดำเนินงานของสภาองค์กรชุมชนตำบลทั้งจังหวัด",
        "3. ข้อเสนอเชิงนโยบายด้านที่ดินทำกิน น้ำ และสวัสดิการชุมชน",
        "4. แผนรับมือภัยน้ำท่วมและภัยแล้งของเครือข่าย",
        "5. เรื่องอื่น ๆ",
      ].join("\n"),
      daysAhead: 21,
      from: "08:30",
      to: "16:30",
      placeName: `ห้องประชุมศาลากลางจังหวัด${provinceName}`,
      address: `อำเภอเมือง${provinceName} จังหวัด${provinceName}`,
      latitude: options.provinceCode === 33 ? 15.1186 : null,
      longitude: options.provinceCode === 33 ? 104.322 : null,
      capacity: 200,
      closesDaysBefore: 7,
      audience: { level: "PROVINCE", areaId: province.id },
    },
    {
      title: `ประชุมเครือข่ายสภาองค์กรชุมชนอำเภอ${districtName} ไตรมาส 1/${year + 1}`,
      agenda: ["1. ติดตามโครงการบ้านพอเพียงชนบทของแต่ละตำบล", "2. แลกเปลี่ยนการจัดสวัสดิการชุมชน", "3. นัดหมายสมัชชาจังหวัด"].join("\n"),
      daysAhead: 10,
      from: "09:30",
      to: "12:00",
      placeName: `หอประชุมที่ว่าการอำเภอ${districtName}`,
      address: null,
      latitude: null,
      longitude: null,
      capacity: 60,
      closesDaysBefore: 2,
      audience: { level: "DISTRICT", areaId: district.id },
    },
    {
      title: `ประชุมสภาองค์กรชุมชนตำบล${council.tambon.nameTh} ครั้งที่ ${monthYear(dayAfter(options.now, 4))}`,
      agenda: ["1. รับรองรายงานการประชุมครั้งที่แล้ว", "2. รายงานการเงินกองทุนสวัสดิการชุมชน", "3. คัดเลือกครัวเรือนซ่อมบ้าน"].join("\n"),
      daysAhead: 4,
      from: "13:30",
      to: "16:00",
      placeName: `ศาลาประชาคมตำบล${council.tambon.nameTh}`,
      address: null,
      latitude: null,
      longitude: null,
      capacity: 12,
      closesDaysBefore: 1,
      audience: { level: "COUNCIL", areaId: council.id },
    },
    {
      title: `อบรมการทำบัญชีกองทุนสวัสดิการชุมชน อำเภอ${districtName} ปี ${year}`,
      agenda: "ฝึกบันทึกเงินสะสม การจ่ายสวัสดิการ และการทำรายงานประจำเดือน นำเครื่องคิดเลขและสมุดบัญชีกองทุนมาด้วยค่ะ",
      daysAhead: 14,
      from: "09:00",
      to: "15:30",
      placeName: `ห้องประชุมที่ว่าการอำเภอ${districtName}`,
      address: null,
      latitude: null,
      longitude: null,
      capacity: null,
      closesDaysBefore: null,
      audience: { level: "DISTRICT", areaId: district.id },
    },
  ];

  const result: SeedResult = { created: [], skipped: [] };
  for (const m of meetings) {
    if (await db.meeting.findFirst({ where: { title: m.title }, select: { id: true } })) {
      result.skipped.push(m.title);
      continue;
    }
    const day = dayAfter(options.now, m.daysAhead);
    await db.meeting.create({
      data: {
        title: m.title,
        agenda: m.agenda,
        startsAt: bangkokInstant(day, m.from),
        endsAt: bangkokInstant(day, m.to),
        placeName: m.placeName,
        address: m.address,
        latitude: m.latitude,
        longitude: m.longitude,
        capacity: m.capacity,
        registrationDeadline:
          m.closesDaysBefore === null ? null : bangkokInstant(dayAfter(options.now, m.daysAhead - m.closesDaysBefore), "17:00"),
        createdAt: options.now,
        audience: { create: [m.audience] },
      },
    });
    result.created.push(m.title);
  }
  return result;
}
