// What the coordinator reports say, in Thai: short and polite. Button labels
// ≤ 20 characters. Column headings are short because a chat table is
// narrow; the CSV's headings (for spreadsheets) are spelled out.
import type { HelpPriority, HelpRequestStatus } from "../generated/prisma/client.ts";

export const REPORT_TEXT = {
  menu: "รายงาน",
  choose: "เลือกรายงานที่ต้องการค่ะ ตัวเลขนับเฉพาะพื้นที่ที่ท่านดูแล",
  buttons: {
    requests: "คำขอช่วยเหลือ",
    critical: "เคสวิกฤตที่ยังเปิด",
    meetings: "การลงทะเบียนประชุม",
    funds: "กองทุนสวัสดิการ",
    today: "วันนี้",
    "7d": "7 วันล่าสุด",
    "30d": "30 วันล่าสุด",
    custom: "กำหนดช่วงวันเอง",
    other: "รายงานอื่น",
    download: "ดาวน์โหลด CSV",
    todayDate: "วันนี้",
  },
  choosePeriod: "ต้องการดูคำขอช่วยเหลือช่วงไหนคะ",
  flowTitle: "การกำหนดช่วงวันของรายงาน",
  askFrom: "เริ่มตั้งแต่วันที่เท่าไรคะ พิมพ์วันที่ เช่น 1/11/2569",
  askTo: "ถึงวันที่เท่าไรคะ พิมพ์วันที่ เช่น 30/11/2569 หรือแตะ “วันนี้”",
  expectsDate: "พิมพ์วันที่ เช่น 1/11/2569",
  badDate: "อ่านวันที่ไม่ออกค่ะ กรุณาพิมพ์แบบ วัน/เดือน/ปี พ.ศ. เช่น 1/11/2569",
  futureDate: "วันที่เริ่มยังมาไม่ถึงค่ะ กรุณาพิมพ์วันที่เริ่มใหม่อีกครั้ง",
  // Titles and periods
  periodToday: (date: string) => `วันนี้ (${date})`,
  periodRange: (from: string, to: string) => (from === to ? from : `${from} – ${to}`),
  requestsAlt: (period: string, total: number) => `รายงานคำขอช่วยเหลือ ${period} รวม ${total} รายการ`,
  noRequests: (period: string) => `ช่วง ${period} ไม่มีคำขอช่วยเหลือในพื้นที่ของท่านค่ะ`,
  areaColumn: (byDistrict: boolean) => (byDistrict ? "อำเภอ" : "สภาฯ"),
  statusColumns: {
    PENDING: "รอ",
    ACCEPTED: "รับ",
    IN_PROGRESS: "ทำ",
    RESOLVED: "เสร็จ",
    REJECTED: "ไม่รับ",
    // "ยกเลิก" broke as "ยกเลิ/ก" in a column this narrow on a phone.
    CANCELLED: "ถอน",
  } satisfies Record<HelpRequestStatus, string>,
  total: "รวม",
  totalRow: "รวมทั้งหมด",
  shownOf: (shown: number, all: number, what: string) =>
    shown < all ? `แสดง ${shown} จาก ${all} ${what} (มากที่สุดก่อน) ดูทั้งหมดในไฟล์ CSV` : `ทั้งหมด ${all} ${what}`,
  legend: "รอ = รอรับเรื่อง, รับ = รับเรื่องแล้ว, ทำ = กำลังดำเนินการ, ไม่รับ = ไม่ผ่านการพิจารณา, ถอน = ผู้ขอยกเลิกเอง",
  areas: (byDistrict: boolean) => (byDistrict ? "อำเภอ" : "สภาฯ"),
  // Critical cases
  criticalTitle: "เคสน้ำท่วมวิกฤตที่ยังเปิด",
  criticalSubtitle: (at: string) => `ณ ${at} (รอนานที่สุดอยู่บน)`,
  criticalColumns: ["เลขที่ / สภาฯ", "สถานะ", "รอมา", "คน"],
  criticalNone: "ตอนนี้ไม่มีเคสน้ำท่วมวิกฤตที่ยังเปิดอยู่ในพื้นที่ของท่านค่ะ",
  criticalAlt: (n: number) => `เคสน้ำท่วมวิกฤตที่ยังเปิด ${n} เคส`,
  cases: "เคส",
  shortStatus: {
    PENDING: "รอรับ",
    ACCEPTED: "รับแล้ว",
    IN_PROGRESS: "กำลังทำ",
    RESOLVED: "เสร็จ",
    REJECTED: "ไม่รับ",
    CANCELLED: "ยกเลิก",
  } satisfies Record<HelpRequestStatus, string>,
  age: (minutes: number) => {
    if (minutes < 60) return `${minutes} นาที`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${hours} ชม. ${minutes % 60} นาที`;
    return `${Math.floor(hours / 24)} วัน ${hours % 24} ชม.`;
  },
  // Meetings
  meetingsTitle: "การลงทะเบียนประชุม",
  meetingsSubtitle: "การประชุมตั้งแต่วันนี้ นับเฉพาะสมาชิกในพื้นที่ของท่าน",
  // Value columns hold about six Thai letters on a phone: longer headings break mid-word.
  meetingsColumns: ["การประชุม", "ลงชื่อ", "รอที่นั่ง", "ที่ว่าง"],
  meetingsNone: "ยังไม่มีการประชุมตั้งแต่วันนี้เป็นต้นไปสำหรับพื้นที่ของท่านค่ะ",
  meetingsAlt: (n: number) => `การลงทะเบียนประชุม ${n} การประชุม`,
  meetings: "การประชุม",
  people: (n: number) => `${n} คน`,
  unlimited: "ไม่จำกัด",
  // Funds
  fundsTitle: "กองทุนสวัสดิการชุมชน",
  fundsSubtitle: (year: number) => `ปี ${year} (ตั้งแต่ 1 ม.ค.) ต่อสภาฯ`,
  fundsColumns: ["สภาฯ", "สมาชิก", "เงินสะสม", "สวัสดิการ"],
  fundsNone: "ยังไม่มีข้อมูลกองทุนสวัสดิการของสภาฯ ในพื้นที่ของท่านค่ะ",
  fundsAlt: (n: number) => `ตัวเลขกองทุนสวัสดิการ ${n} สภาฯ`,
  councils: "สภาฯ",
  downloadNote: "ลิงก์ดาวน์โหลดใช้ได้ 24 ชั่วโมง เฉพาะบัญชีของท่าน",
  // CSV headings
  csv: {
    district: "อำเภอ",
    council: "สภาองค์กรชุมชน",
    kind: "ประเภท",
    statuses: {
      PENDING: "รอรับเรื่อง",
      ACCEPTED: "รับเรื่องแล้ว",
      IN_PROGRESS: "กำลังดำเนินการ",
      RESOLVED: "เสร็จสิ้น",
      REJECTED: "ไม่ผ่านการพิจารณา",
      CANCELLED: "ยกเลิก",
    } satisfies Record<HelpRequestStatus, string>,
    total: "รวม",
    from: "ตั้งแต่วันที่",
    to: "ถึงวันที่",
    caseNumber: "เลขที่คำขอ",
    priority: "ความเร่งด่วน",
    status: "สถานะ",
    people: "จำนวนคน",
    filedAt: "แจ้งเมื่อ",
    ageHours: "รอมาแล้ว (ชั่วโมง)",
    meeting: "การประชุม",
    startsAt: "เริ่ม",
    capacity: "จำนวนที่นั่ง",
    registeredParties: "ลงทะเบียน (ราย)",
    registeredPeople: "ลงทะเบียน (คน)",
    waitlistedParties: "รอที่นั่ง (ราย)",
    waitlistedPeople: "รอที่นั่ง (คน)",
    seatsLeft: "ที่ว่าง",
    fund: "กองทุน",
    members: "สมาชิก",
    saved: "เงินสะสมปีนี้ (บาท)",
    benefitCount: "จ่ายสวัสดิการปีนี้ (ครั้ง)",
    benefitAmount: "จ่ายสวัสดิการปีนี้ (บาท)",
  },
  priorities: { CRITICAL: "วิกฤต", HIGH: "สูง", MEDIUM: "ปานกลาง", LOW: "ต่ำ" } satisfies Record<HelpPriority, string>,
} as const;
