// What the welfare-fund module says, in Thai: short and polite. National IDs
// are only ever shown masked (maskNationalId), never echoed in full.

export { thaiLongDate } from "../thai/format.ts";

export const FUND_TEXT = {
  membersOnly: "ยอดเงินกองทุนเป็นข้อมูลส่วนตัวของท่าน จึงดูยอดเงินกองทุนได้เมื่อสมัครสมาชิกแล้วค่ะ สมัครเสร็จแล้วจะพากลับมาที่รายการนี้ทันที ใช้เวลาไม่ถึง 2 นาที",
  linkPdpa: [
    "เชื่อมบัญชี LINE ของท่านกับข้อมูลสมาชิกกองทุนสวัสดิการชุมชนค่ะ",
    "ขอเลขประจำตัวประชาชนและวันเกิดของท่าน เพื่อใช้ค้นหาข้อมูลสมาชิกกองทุนของท่านเท่านั้น ข้อมูลส่วนตัวนี้ไม่ใช้เพื่อการอื่น",
    "• เราไม่แสดงเลขประจำตัวประชาชนเต็ม",
    "• หากหาไม่พบ เลขาฯ ของสภาองค์กรชุมชนจะตรวจสอบให้",
  ].join("\n"),
  askNationalId: "กรุณาพิมพ์เลขประจำตัวประชาชน 13 หลักค่ะ\nเช่น 1-2345-67890-12-1 (มีขีดหรือไม่มีก็ได้)",
  nationalIdExpects: "พิมพ์เลขประจำตัวประชาชน 13 หลัก",
  nationalIdInvalid: {
    "not-digits": "เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้นค่ะ (มีขีดหรือเว้นวรรคได้)",
    length: "เลขประจำตัวประชาชนต้องมี 13 หลักค่ะ กรุณาตรวจสอบกับบัตรประชาชนอีกครั้ง",
    "leading-zero": "เลขประจำตัวประชาชนไม่ขึ้นต้นด้วย 0 ค่ะ กรุณาตรวจสอบกับบัตรประชาชนอีกครั้ง",
    "check-digit": "เลขประจำตัวประชาชนไม่ถูกต้องค่ะ (หลักสุดท้ายไม่ตรง) อาจพิมพ์ผิดหนึ่งหลัก กรุณาตรวจสอบกับบัตรประชาชนอีกครั้ง",
  },
  askBirthDate: "ขอทราบวันเกิดของท่านค่ะ\nพิมพ์ วัน/เดือน/ปี พ.ศ. เช่น 14/03/2501",
  birthDateExpects: "พิมพ์วันเกิด วัน/เดือน/ปี พ.ศ. เช่น 14/03/2501",
  // The engine adds birthDateExpects after it: this says only what went wrong.
  birthDateFormat: "ยังอ่านวันเกิดไม่ได้ค่ะ",
  birthDateImpossible: "ไม่มีวันที่นี้ในปฏิทินค่ะ กรุณาตรวจสอบวันเกิดอีกครั้ง",
  birthDateFuture: "วันเกิดต้องไม่เลยวันนี้ค่ะ กรุณาตรวจสอบปี พ.ศ. อีกครั้ง",
  birthDateTooEarly: "ปีเกิดเก่าเกินไปค่ะ กรุณาพิมพ์ปี พ.ศ. 4 หลัก เช่น 2501",
  summaryTitle: "ตรวจสอบข้อมูลก่อนค้นหา",
  summary: (maskedId: string, birthDate: string) =>
    ["ตรวจสอบข้อมูลก่อนค้นหาค่ะ", `เลขประจำตัวประชาชน: ${maskedId}`, `วันเกิด: ${birthDate}`, "ถูกต้องหรือไม่คะ"].join("\n"),
  confirmExpects: "แตะ “ยืนยัน” หรือเลือกส่วนที่ต้องการแก้ไข",
  confirm: "ยืนยัน",
  editId: "แก้เลขบัตร",
  editBirthDate: "แก้วันเกิด",
  linked: (fundName: string, memberNo: string) =>
    `เชื่อมบัญชีเรียบร้อยแล้วค่ะ 🎉\nท่านเป็นสมาชิก${fundName} เลขสมาชิก ${memberNo}\nดูยอดเงินได้ที่ “ยอดเงินกองทุน”`,
  alreadyYours: (fundName: string) => `บัญชีของท่านเชื่อมกับ${fundName}อยู่แล้วค่ะ`,
  requested: [
    "ยังเชื่อมบัญชีอัตโนมัติไม่ได้ค่ะ",
    "เราส่งเรื่องให้เลขาฯ ของสภาองค์กรชุมชนตรวจสอบแล้ว เมื่อตรวจสอบเสร็จจะเชื่อมบัญชีให้ค่ะ",
    // The rich menu has no fund-link tile: it is reached through the balance.
    "หากพิมพ์เลขบัตรหรือวันเกิดผิด แตะ “ยอดเงินกองทุน” แล้วแตะ “เชื่อมบัญชีกองทุน” เพื่อลองใหม่ได้ค่ะ",
  ].join("\n"),
  lockedOut: (until: string) =>
    [
      "ขออภัยค่ะ ท่านลองเชื่อมบัญชีไม่สำเร็จหลายครั้งแล้ว จึงต้องรอก่อนลองใหม่",
      `ลองใหม่ได้ตั้งแต่ ${until}`,
      "สาเหตุที่พบบ่อยคือเลขประจำตัวประชาชนหรือวันเกิดพิมพ์ผิด กรุณาตรวจสอบกับบัตรประชาชนก่อนลองใหม่ หรือติดต่อเลขาฯ ของสภาองค์กรชุมชนค่ะ",
    ].join("\n"),
  idLocked: (until: string) =>
    [
      "ขออภัยค่ะ เลขประจำตัวประชาชนนี้ถูกพักการเชื่อมบัญชีไว้ชั่วคราว เพราะมีการลองเชื่อมบัญชีด้วยเลขนี้ไม่สำเร็จหลายครั้ง",
      `ลองใหม่ได้ตั้งแต่ ${until}`,
      "หากเป็นเลขของท่าน กรุณาติดต่อเลขาฯ ของสภาองค์กรชุมชนเพื่อยืนยันตัวตนค่ะ",
    ].join("\n"),
  alreadyLinked: "บัญชีของท่านเชื่อมกับกองทุนแล้วค่ะ",
  notMember: "ท่านยังไม่ได้สมัครสมาชิกค่ะ",
  notLinked: "ท่านยังไม่ได้เชื่อมบัญชีกับข้อมูลสมาชิกกองทุนค่ะ\nแตะ “เชื่อมบัญชีกองทุน” เพื่อเชื่อมก่อนดูยอดเงิน",
  balanceTitle: "ยอดเงินกองทุนของฉัน",
  balanceAlt: "ยอดเงินกองทุนสวัสดิการของท่าน",
  // What the member can claim today: waiting period over, and the benefit is for someone like them.
  eligibleHeading: "สวัสดิการที่ขอรับได้ตอนนี้",
  // Short enough for the card's label column on a phone (it wrapped as "รับสวัสดิการปี/นี้").
  benefitsThisYearLabel: "สวัสดิการปีนี้",
  noRules: "ยังไม่มี",
  notPaid: "ยังไม่มีการชำระ",
  balanceNote: "ยอดตามบัญชีที่กองทุนส่งเข้าระบบ หากไม่ตรง สอบถามเหรัญญิกกองทุนได้ค่ะ",
  arrears: (months: number) => `ค้างชำระ ${months} เดือน`,
  historyTitle: "ประวัติล่าสุด",
  historyAlt: "ประวัติการออมเงินและรับสวัสดิการล่าสุด",
  historyNote: (shown: number) => `${shown} รายการล่าสุด เรียงจากใหม่ไปเก่า`,
  noEntries: "ยังไม่มีรายการออมเงินหรือรับสวัสดิการในบัญชีกองทุนของท่านค่ะ",
  savingEntry: (period: string) => `ออมเงิน งวด ${period}`,
  benefitEntry: (type: string) => `สวัสดิการ${type}`,
  wholeYear: (beYear: number) => `ปี ${beYear}`,
  statementTitle: (beYear: number) => `รายการทั้งปี ${beYear}`,
  statementAlt: (beYear: number) => `รายการออมเงินและรับสวัสดิการ ปี ${beYear}`,
  statementNote: "ยอดตามวันที่ชำระและวันที่จ่ายสวัสดิการ",
  noAmount: "-",
  yearButton: (beYear: number) => `ปี ${beYear}`,
  benefitNames: {
    BIRTH: "คลอดบุตร",
    HOSPITAL: "นอนโรงพยาบาล",
    FUNERAL: "ฌาปนกิจ",
    ELDERLY: "ผู้สูงอายุ",
    DISABLED: "ผู้พิการ",
    SCHOLARSHIP: "ทุนการศึกษา",
    DISASTER: "ภัยพิบัติ",
    OTHER: "อื่นๆ",
  },
  menu: {
    link: "เชื่อมบัญชีกองทุน",
    balance: "ยอดเงินกองทุน",
    history: "ประวัติล่าสุด",
    statement: "รายการทั้งปี",
  },
  flowTitles: {
    link: "การเชื่อมบัญชีกองทุน",
  },
} as const;

// To the secretaries of the funds holding a national ID that failed too often
// (src/welfare-fund/link-store.ts): the fund and the masked ID, nothing else.
export const LINK_LOCK_TEXT = {
  notice: (funds: string, maskedId: string, until: string) =>
    [
      "⚠️ พักการเชื่อมบัญชีกองทุนชั่วคราว",
      `มีการลองเชื่อมบัญชีกับ${funds} ด้วยเลขประจำตัวประชาชน ${maskedId} ไม่สำเร็จหลายครั้ง`,
      `ระบบจึงพักการเชื่อมบัญชีด้วยเลขนี้ไว้ถึง ${until}`,
      "คำขอเชื่อมบัญชีด้วยเลขนี้ที่รอพิจารณาอาจไม่ได้มาจากเจ้าของ กรุณายืนยันตัวตนกับเจ้าของก่อนอนุมัติค่ะ",
    ].join("\n"),
  digestLine: (funds: string, maskedId: string) => `พักการเชื่อมบัญชีกองทุนชั่วคราว: เลข ${maskedId} (${funds}) ลองไม่สำเร็จหลายครั้ง`,
} as const;

// The secretary's side of fund-link requests (src/welfare-fund/link-review.ts):
// the card, approve and reject, and the member's push either way.
export const LINK_REVIEW_TEXT = {
  menu: { review: "คำขอเชื่อมบัญชี" }, // ≤ 20 characters
  flowTitles: { approve: "การอนุมัติคำขอเชื่อมบัญชี", reject: "การไม่อนุมัติคำขอเชื่อมบัญชี" },
  cardTitle: "คำขอเชื่อมบัญชีกองทุน",
  cardAlt: (name: string) => `คำขอเชื่อมบัญชีกองทุนจาก ${name}`,
  reasons: {
    NO_MATCH: "ไม่พบเลขบัตรและวันเกิดนี้ในทะเบียนกองทุน",
    AMBIGUOUS: "พบสมาชิกกองทุนตรงกันหลายคน",
    ALREADY_LINKED: "ข้อมูลนี้เชื่อมกับบัญชี LINE ของผู้อื่นแล้ว",
  },
  candidatesHeading: "สมาชิกกองทุนที่อาจเป็นคนเดียวกัน",
  candidatesNote: "ตรวจสอบกับทะเบียนกองทุน แล้วแตะ “อนุมัติคนนี้” ที่รายชื่อที่ตรงกับผู้ขอค่ะ",
  noCandidates: "ไม่พบสมาชิกกองทุนของสภาฯ ที่วันเกิดหรือชื่อใกล้เคียง ตรวจสอบทะเบียนกองทุนก่อน หากไม่ใช่สมาชิก แตะ “ไม่อนุมัติ” ค่ะ",
  alreadyLinkedNote: "ตรวจสอบกับผู้ที่เชื่อมบัญชีไว้ก่อน หากไม่ใช่คนเดียวกัน กรุณาติดต่อผู้ดูแลระบบค่ะ",
  candidateDetail: (fund: string, memberNo: string, maskedId: string, birth: string) =>
    `${fund} เลขที่ ${memberNo} · ${maskedId} · เกิด ${birth}`,
  idMatches: " (เลขบัตรตรงกัน)",
  // The ledger's name against the requester's, titles aside: red when they differ.
  nameMatches: "✓ ชื่อตรงกับผู้ขอ",
  nameDiffers: "⚠️ ชื่อในทะเบียนไม่ตรงกับชื่อผู้ขอ ตรวจสอบก่อนอนุมัติ",
  approveButton: "อนุมัติคนนี้",
  rejectButton: "ไม่อนุมัติ",
  digestLine: (name: string, reason: string) => `คำขอเชื่อมบัญชีกองทุน: ${name} (${reason})`,
  unknownName: "(ไม่ระบุชื่อ)",
  // The list
  noneWaiting: "ไม่มีคำขอเชื่อมบัญชีที่รอพิจารณาค่ะ",
  listLead: (total: number, shown: number) =>
    total > shown ? `คำขอเชื่อมบัญชีที่รอพิจารณา ${total} รายการ แสดง ${shown} รายการที่รอนานที่สุดค่ะ` : `คำขอเชื่อมบัญชีที่รอพิจารณา ${total} รายการค่ะ`,
  listAlt: (total: number) => `คำขอเชื่อมบัญชีที่รอพิจารณา ${total} รายการ`,
  // Approve
  askApprove: (name: string, fund: string, memberNo: string, fundMemberName: string) =>
    `อนุมัติให้ ${name} เชื่อมบัญชีกับ\n${fundMemberName}\n${fund} เลขสมาชิก ${memberNo}\nใช่หรือไม่คะ`,
  approveExpects: "แตะ “ยืนยันอนุมัติ” หรือ “ยกเลิก”",
  confirmApprove: "ยืนยันอนุมัติ",
  approved: (name: string, fund: string, memberNo: string) =>
    `อนุมัติแล้วค่ะ ✅ ${name} เชื่อมกับ${fund} เลขสมาชิก ${memberNo}\nแจ้งผู้ขอทาง LINE แล้วค่ะ`,
  memberApproved: (fund: string, memberNo: string) =>
    `เลขาฯ อนุมัติการเชื่อมบัญชีกองทุนของท่านแล้วค่ะ 🎉\n${fund} เลขสมาชิก ${memberNo}\nดูยอดเงินได้ที่ “ยอดเงินกองทุน”`,
  balanceButton: "ยอดเงินกองทุน",
  // Reject
  askRejectReason: (name: string) => `ไม่อนุมัติคำขอของ ${name}\nเลือกหรือพิมพ์เหตุผลสั้น ๆ ค่ะ ผู้ขอจะได้รับข้อความนี้`,
  rejectReasonExpects: "เลือกหรือพิมพ์เหตุผล",
  rejectReasons: ["ไม่พบในทะเบียนกองทุน", "ข้อมูลไม่ตรงกับทะเบียน", "ยังไม่ได้สมัครกองทุน"],
  rejectReasonInvalid: "กรุณาพิมพ์เหตุผล 2–200 ตัวอักษรค่ะ",
  rejected: (name: string) => `บันทึกว่าไม่อนุมัติคำขอของ ${name} แล้วค่ะ แจ้งผู้ขอทาง LINE แล้ว`,
  memberRejected: (reason: string) =>
    [
      "คำขอเชื่อมบัญชีกองทุนของท่านยังไม่ได้รับการอนุมัติค่ะ",
      `เหตุผล: ${reason}`,
      "หากพิมพ์เลขบัตรหรือวันเกิดผิด แตะ “ยอดเงินกองทุน” แล้วแตะ “เชื่อมบัญชีกองทุน” เพื่อลองใหม่ หรือสอบถามเลขาฯ ของสภาองค์กรชุมชนค่ะ",
    ].join("\n"),
  // Refusals (checked on the server at every step)
  notYours: "ไม่พบคำขอนี้ในพื้นที่ที่ท่านดูแลค่ะ",
  decided: { APPROVED: "คำขอนี้ได้รับอนุมัติไปแล้วค่ะ", REJECTED: "คำขอนี้ถูกพิจารณาว่าไม่อนุมัติไปแล้วค่ะ" },
  notCouncilFund: "สมาชิกกองทุนรายนี้ไม่ได้อยู่ในกองทุนของสภาฯ ที่รับคำขอค่ะ",
  fundMemberTaken: "สมาชิกกองทุนรายนี้เชื่อมกับบัญชี LINE ของผู้อื่นแล้วค่ะ ไม่สามารถอนุมัติได้",
  memberLinked: "ผู้ขอเชื่อมบัญชีกับกองทุนไปแล้วค่ะ",
} as const;
