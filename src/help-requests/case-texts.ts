// What case handling says, in Thai: to secretaries and coordinators (the
// notice card, the pending list, the staff card, the resolve/reject/handover
// flows) and the short status messages to the villager. Button labels ≤ 20
// characters.
import type { HelpRequestStatus } from "../generated/prisma/client.ts";

export const CASE_TEXT = {
  menu: "คำขอที่รอดำเนินการ", // ≤ 20 characters
  flowTitles: {
    // The engine says "ยกเลิก<title>แล้วค่ะ": each reads as stopping the
    // secretary's action, never as cancelling the request itself.
    resolve: "การบันทึกผลดำเนินการ",
    reject: "การแจ้งไม่รับเรื่อง",
    handover: "การส่งต่อคำขอ",
    assign: "การมอบหมายงาน",
  },
  // Staff read the status as their own to-do; the villager's wording is in my-requests-texts.ts.
  statuses: {
    PENDING: "รอรับเรื่อง",
    ACCEPTED: "รับเรื่องแล้ว",
    IN_PROGRESS: "กำลังดำเนินการ",
    RESOLVED: "เสร็จสิ้น",
    REJECTED: "ไม่รับเรื่อง",
    CANCELLED: "ผู้ขอยกเลิกแล้ว",
  } satisfies Record<HelpRequestStatus, string>,
  kindLine: (kind: string, priority: string | null) => (priority ? `${kind} · ความเร่งด่วน: ${priority}` : kind),

  // --- the card's fields -------------------------------------------------------
  fields: {
    status: "สถานะ",
    council: "สภาฯ",
    location: "ที่ตั้ง",
    household: "บ้านของ",
    head: "หัวหน้าครัวเรือน",
    people: "จำนวนคน",
    // Plain words, as the villager was asked ("ในบ้านมีผู้สูงอายุ ผู้ป่วย เด็กเล็ก หรือผู้พิการไหม"); short enough for the label column.
    vulnerable: "ผู้ต้องดูแล",
    water: "ระดับน้ำ",
    needs: "ต้องการ",
    unsafe: "ส่วนที่ชำรุด",
    income: "รายได้/เดือน",
    land: "ที่ดิน",
    phone: "โทร",
    photos: "รูปภาพ",
    note: "ข้อความ",
    createdAt: "แจ้งเมื่อ",
    assignee: "ผู้รับผิดชอบ",
  },
  people: (n: number) => `${n} คน`,
  photos: (request: number, after: number) =>
    request + after === 0 ? "ไม่มี" : after > 0 ? `${request} รูป (หลังดำเนินการ ${after} รูป)` : `${request} รูป`,
  village: (v: string) => `หมู่บ้าน ${v}`,
  pinned: (address: string | null) => (address ? `ส่งตำแหน่งแล้ว (${address})` : "ส่งตำแหน่งแล้ว"),
  none: "ไม่มี",
  dash: "-",

  // --- buttons -------------------------------------------------------------------
  buttons: {
    accept: "รับเรื่อง",
    progress: "เริ่มดำเนินการ",
    resolve: "ดำเนินการเสร็จ",
    reject: "ไม่รับเรื่อง",
    handover: "ส่งต่อสภาอื่น",
    assign: "มอบหมายงาน",
    detail: "ดูรายละเอียด",
    call: "โทร",
    map: "แผนที่",
    list: "คำขอที่รอดำเนินการ",
    more: "ดูเพิ่ม",
    firstPage: "หน้าแรก",
    viewRequest: "ดูคำขอ",
    listen: "ฟังข้อความเสียง",
  },
  /** The note row when the villager sent a voice message as the note. */
  voiceNote: "ข้อความเสียง",
  buttonDisplay: (label: string, caseNumber: string) => `${label} ${caseNumber}`,

  // --- the notice to secretaries --------------------------------------------------
  noticeTitle: "คำขอใหม่",
  handoverTitle: (from: string) => `ส่งต่อมาจาก${from}`,
  noticeAlt: (kind: string, caseNumber: string, priority: string | null) =>
    `คำขอใหม่ (${kind}) ${caseNumber}${priority ? ` ความเร่งด่วน: ${priority}` : ""}`,
  /** The digest line: the same facts as the card's header, no personal data. */
  digestLine: (kind: string, caseNumber: string, council: string, place: string) => `${kind} ${caseNumber} ${council} ${place}`,

  // --- the pending list -------------------------------------------------------------
  listNone: "ตอนนี้ไม่มีคำขอที่รอดำเนินการในพื้นที่ของท่านค่ะ",
  listLead: (total: number, from: number, to: number) =>
    total <= to - from + 1
      ? `คำขอที่รอดำเนินการ ${total} รายการ (วิกฤตก่อน แล้วเรียงจากที่รอนานที่สุด)`
      : `คำขอที่รอดำเนินการ ${total} รายการ แสดงรายการที่ ${from}–${to} (วิกฤตก่อน แล้วเรียงจากที่รอนานที่สุด)${to < total ? ` แตะ “ดูเพิ่ม” เพื่อดูอีก ${total - to} รายการค่ะ` : ""}`,
  listAlt: (total: number) => `คำขอที่รอดำเนินการ ${total} รายการ`,
  waitingSince: (at: string) => `แจ้งเมื่อ ${at}`,

  // --- the staff card ------------------------------------------------------------------
  detailAlt: (caseNumber: string, status: string) => `คำขอ ${caseNumber}: ${status}`,
  historyShown: (shown: number, total: number) =>
    shown < total ? `${shown} รายการล่าสุด จากทั้งหมด ${total} รายการ` : `ทั้งหมด ${total} รายการ`,
  history: {
    created: "แจ้งคำขอ",
    status: (from: string | null, to: string) => (from ? `${from} → ${to}` : to),
    note: "เพิ่มข้อความ",
    photo: "เพิ่มรูป",
    handover: (from: string, to: string) => `ส่งต่อจาก${from} ให้${to}`,
    assign: (to: string) => `มอบหมายให้${to}`,
    photos: (after: boolean, n: number) => `${after ? "รูปหลังดำเนินการ" : "รูปจากผู้ขอ"} ${n} รูป`,
    byRequester: "ผู้ขอ",
    byStaff: "เจ้าหน้าที่",
    bySystem: "ระบบ",
  },
  unknownCouncil: "สภาฯ อื่น",

  // --- refusals ----------------------------------------------------------------------------
  // One answer for an unknown id and one outside the user's area: it tells a
  // prober nothing about other councils' cases.
  notFound: "ขออภัยค่ะ ไม่พบคำขอนี้ในพื้นที่ที่ท่านดูแล",
  notAllowed: (caseNumber: string, status: string, action: string) => `คำขอ ${caseNumber} ตอนนี้มีสถานะ “${status}” จึง${action}ไม่ได้ค่ะ`,
  actionNames: {
    accept: "รับเรื่อง",
    progress: "เริ่มดำเนินการ",
    resolve: "บันทึกว่าดำเนินการเสร็จ",
    reject: "แจ้งไม่รับเรื่อง",
    handover: "ส่งต่อ",
    assign: "มอบหมายงาน",
  },
  alreadyAcceptedBy: (caseNumber: string, who: string, at: string) => `คำขอ ${caseNumber} รับเรื่องแล้วโดย${who} เมื่อ ${at} ค่ะ`,
  alreadyAcceptedByYou: (caseNumber: string) => `ท่านรับเรื่องคำขอ ${caseNumber} ไว้แล้วค่ะ`,
  anotherStaff: "เจ้าหน้าที่อีกท่าน",

  // --- done -----------------------------------------------------------------------------------
  accepted: (caseNumber: string) => `รับเรื่องคำขอ ${caseNumber} แล้วค่ะ แจ้งผู้ขอให้ทราบแล้ว`,
  progressed: (caseNumber: string) => `บันทึกว่ากำลังดำเนินการคำขอ ${caseNumber} แล้วค่ะ แจ้งผู้ขอให้ทราบแล้ว`,
  resolved: (caseNumber: string) => `ปิดคำขอ ${caseNumber} เป็น “เสร็จสิ้น” แล้วค่ะ แจ้งผู้ขอให้ทราบแล้ว`,
  rejected: (caseNumber: string) => `แจ้งไม่รับเรื่องคำขอ ${caseNumber} แล้วค่ะ แจ้งเหตุผลให้ผู้ขอทราบแล้ว`,
  handedOver: (caseNumber: string, council: string) => `ส่งต่อคำขอ ${caseNumber} ให้${council}แล้วค่ะ แจ้งเลขานุการสภาฯ นั้นและผู้ขอให้ทราบแล้ว`,
  unchanged: (caseNumber: string) => `คำขอ ${caseNumber} ยังอยู่ตามเดิมค่ะ`,

  // --- resolve flow ----------------------------------------------------------------------------
  askAfterPhoto: (caseNumber: string, max: number) => `ส่งรูปหลังดำเนินการของคำขอ ${caseNumber} ได้ไม่เกิน ${max} รูปค่ะ (ไม่บังคับ) หรือแตะ “ข้าม”`,
  afterPhotoExpects: "ส่งรูปหลังดำเนินการ หรือแตะ “ข้าม”",
  tooManyAfterPhotos: (max: number) => `ได้รับรูปเกิน ${max} รูป ขอเก็บไว้ ${max} รูปแรกนะคะ`,
  askResolveNote: "พิมพ์สรุปผลสั้น ๆ ที่จะแจ้งผู้ขอได้เลยค่ะ (ไม่บังคับ) หรือแตะ “ข้าม”",
  resolveNoteExpects: "พิมพ์สรุปผล หรือแตะ “ข้าม”",
  noteInvalid: "กรุณาพิมพ์ข้อความไม่เกิน 300 ตัวอักษรค่ะ",
  skip: "ข้าม",
  confirmResolve: (caseNumber: string, photos: number, note: string | null) =>
    [
      `ยืนยันปิดคำขอ ${caseNumber} เป็น “เสร็จสิ้น” ไหมคะ`,
      `รูปหลังดำเนินการ: ${photos > 0 ? `${photos} รูป` : "ไม่มี"}`,
      `ข้อความถึงผู้ขอ: ${note ?? "-"}`,
    ].join("\n"),
  confirmResolveExpects: "แตะ “ยืนยันเสร็จสิ้น” หรือ “ยังไม่ปิด”",
  confirmResolveYes: "ยืนยันเสร็จสิ้น",
  confirmResolveNo: "ยังไม่ปิด",

  // --- reject flow ---------------------------------------------------------------------------------
  askRejectReason: (caseNumber: string) => `ไม่รับเรื่องคำขอ ${caseNumber} เพราะอะไรคะ แตะเลือกด้านล่าง หรือพิมพ์เหตุผลเองได้ค่ะ (ผู้ขอจะเห็นเหตุผลนี้)`,
  rejectReasonExpects: "เลือกเหตุผล หรือพิมพ์เหตุผลสั้น ๆ",
  reasonInvalid: "กรุณาพิมพ์เหตุผลไม่เกิน 200 ตัวอักษร หรือแตะเลือกจากปุ่มค่ะ",
  // What the history keeps and the villager reads; the buttons say it in ≤ 20 characters.
  rejectReasons: {
    criteria: "ไม่อยู่ในเกณฑ์",
    incomplete: "ข้อมูลไม่ครบ",
    duplicate: "ซ้ำกับคำขออื่น",
    helped: "ได้รับความช่วยเหลือแล้ว",
    other: "อื่น ๆ",
  },
  rejectReasonLabels: {
    criteria: "ไม่อยู่ในเกณฑ์",
    incomplete: "ข้อมูลไม่ครบ",
    duplicate: "ซ้ำกับคำขออื่น",
    helped: "ได้รับช่วยเหลือแล้ว",
    other: "อื่น ๆ",
  },
  askRejectDetail: "พิมพ์เหตุผลสั้น ๆ ที่จะแจ้งผู้ขอได้เลยค่ะ",
  rejectDetailExpects: "พิมพ์เหตุผลสั้น ๆ",
  confirmReject: (caseNumber: string, reason: string) => `ยืนยันไม่รับเรื่องคำขอ ${caseNumber} ไหมคะ\nเหตุผลที่จะแจ้งผู้ขอ: ${reason}`,
  confirmRejectExpects: "แตะ “ยืนยันไม่รับเรื่อง” หรือ “ยังไม่ยืนยัน”",
  confirmRejectYes: "ยืนยันไม่รับเรื่อง",
  confirmNo: "ยังไม่ยืนยัน",

  // --- handover flow --------------------------------------------------------------------------------
  askHandoverDistrict: (caseNumber: string) => `จะส่งต่อคำขอ ${caseNumber} ให้สภาฯ ในอำเภอใดคะ`,
  handoverDistrictExpects: "เลือกอำเภอ",
  askHandoverCouncil: (district: string) => `เลือกสภาองค์กรชุมชนใน${district}ค่ะ`,
  handoverCouncilExpects: "เลือกสภาองค์กรชุมชน",
  confirmHandover: (caseNumber: string, from: string, to: string) =>
    `ยืนยันส่งต่อคำขอ ${caseNumber}\nจาก ${from}\nให้ ${to} ไหมคะ\nเมื่อส่งต่อแล้ว สภาฯ ใหม่จะเป็นผู้ดูแล และสถานะกลับเป็น “รอรับเรื่อง”`,
  confirmHandoverExpects: "แตะ “ยืนยันส่งต่อ” หรือ “ยังไม่ยืนยัน”",
  confirmHandoverYes: "ยืนยันส่งต่อ",
  handoverTargetGone: "ขออภัยค่ะ สภาฯ ที่เลือกส่งต่อไม่ได้แล้ว กรุณาเริ่มส่งต่อใหม่อีกครั้ง",

  // --- to the villager ---------------------------------------------------------------------------------
  villager: {
    ACCEPTED: (caseNumber: string, council: string) => `คำขอ ${caseNumber} ได้รับเรื่องแล้วโดย${council}ค่ะ`,
    IN_PROGRESS: (caseNumber: string, council: string) => `คำขอ ${caseNumber} ${council}กำลังดำเนินการให้ค่ะ`,
    RESOLVED: (caseNumber: string, council: string) => `คำขอ ${caseNumber} ${council}ดำเนินการเสร็จแล้วค่ะ`,
    REJECTED: (caseNumber: string, council: string) => `คำขอ ${caseNumber} ไม่ผ่านการพิจารณาของ${council}ค่ะ`,
    handover: (caseNumber: string, council: string) => `คำขอ ${caseNumber} ส่งต่อให้${council}ดูแลแล้วค่ะ`,
    note: (note: string) => `ข้อความจากเจ้าหน้าที่: ${note}`,
    reason: (reason: string) => `เหตุผล: ${reason}`,
  },
  villagerAlt: (line: string) => line,
  afterPhotos: (n: number) => `มีรูปหลังดำเนินการ ${n} รูป แตะ “ดูคำขอ” เพื่อดูรูปค่ะ`,

  // --- photos on cards (case-photos.ts) ------------------------------------------------------
  photoOpen: "ดูรูป",
  photoCaption: (after: boolean, i: number, n: number) => `${after ? "หลังดำเนินการ" : "จากผู้ขอ"} · รูปที่ ${i}/${n}`,
  photosAlt: (caseNumber: string, n: number) => `รูปของคำขอ ${caseNumber} ${n} รูป`,

  // --- who acted: a member's name, else the role (staff need not be members) -----------------
  roleNames: { SECRETARY: "เลขานุการสภาฯ", COORDINATOR: "ผู้ประสานงาน", ADMIN: "ผู้ดูแลระบบ" },
  me: "ตัวฉันเอง",

  // --- assigning a case to a colleague ----------------------------------------------------------
  askAssignee: (caseNumber: string) => `มอบหมายคำขอ ${caseNumber} ให้เจ้าหน้าที่ท่านใดคะ แตะเลือกด้านล่างค่ะ`,
  assigneeExpects: "แตะเลือกเจ้าหน้าที่",
  noColleagues: (caseNumber: string) => `ยังไม่มีเจ้าหน้าที่อื่นของสภาฯ ที่มอบหมายคำขอ ${caseNumber} ให้ได้ค่ะ`,
  assigned: (caseNumber: string, to: string) => `มอบหมายคำขอ ${caseNumber} ให้${to}แล้วค่ะ แจ้งให้ทราบแล้ว`,
  assignedSelf: (caseNumber: string) => `บันทึกว่าท่านรับผิดชอบคำขอ ${caseNumber} แล้วค่ะ`,
  assigneeGone: "ขออภัยค่ะ เจ้าหน้าที่ที่เลือกไม่ได้ดูแลสภาฯ นี้แล้ว กรุณาเลือกใหม่อีกครั้ง",
  assignedTitle: (by: string) => `${by}มอบหมายคำขอนี้ให้ท่าน`,
  assignedAlt: (caseNumber: string) => `มอบหมายคำขอ ${caseNumber} ให้ท่าน`,

  // --- the villager changed the request (my-requests.ts) -----------------------------------------
  update: {
    cancelled: "ผู้ขอยกเลิกคำขอ",
    note: "ผู้ขอเพิ่มข้อความ",
    photo: (n: number) => `ผู้ขอเพิ่มรูป ${n} รูป`,
  },
  updateAlt: (what: string, caseNumber: string) => `${what} ${caseNumber}`,
  updateDigest: (what: string, caseNumber: string, council: string) => `${what} ${caseNumber} ${council}`,
} as const;
