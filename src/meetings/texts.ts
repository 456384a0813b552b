// What the meetings module says, in Thai: short and polite. Dates and times
// come formatted from src/thai/format.ts (Buddhist-era year, Bangkok time).

export const MAX_PARTY = 20;

export const MEETING_TEXT = {
  menu: {
    meetings: "ประชุม",
    mine: "การลงทะเบียนของฉัน",
    signup: "สมัครสมาชิก",
  },
  flowTitles: {
    register: "การลงทะเบียนเข้าประชุม",
    cancel: "คำขอยกเลิกการลงทะเบียน",
  },
  listAlt: (count: number) => `การประชุมที่เปิดให้ลงทะเบียน ${count} รายการ`,
  listIntro: "การประชุมที่กำลังจะมาถึงสำหรับสภาฯ ของท่านค่ะ แตะ “ลงทะเบียน” ใต้การ์ดได้เลย",
  none: "ตอนนี้ยังไม่มีการประชุมที่กำลังจะมาถึงสำหรับสภาฯ ของท่านค่ะ มีประชุมใหม่จะแจ้งให้ทราบนะคะ",
  notMember: "การลงทะเบียนเข้าประชุมสำหรับสมาชิกสภาองค์กรชุมชนค่ะ เพราะสภาฯ ต้องใช้ชื่อผู้เข้าประชุม\nแตะ “สมัครสมาชิก” เพื่อสมัครก่อนได้เลยค่ะ",
  noCouncil: "ยังไม่ทราบว่าท่านอยู่สภาฯ ตำบลใดค่ะ กรุณาเลือกตำบลที่เมนู “ข้อมูลของฉัน” ก่อนนะคะ",
  notFound: "ขออภัยค่ะ ไม่พบการประชุมนี้ หรือการประชุมนี้ไม่ได้เปิดให้สภาฯ ของท่านลงทะเบียน",
  meetingCancelled: "ขออภัยค่ะ การประชุมนี้ถูกยกเลิกแล้ว",
  started: "ขออภัยค่ะ การประชุมนี้เริ่มไปแล้ว จึงลงทะเบียนไม่ได้",
  deadlinePassed: (deadline: string) => `ขออภัยค่ะ การประชุมนี้ปิดรับลงทะเบียนแล้ว (ปิดรับ ${deadline})`,
  alreadyRegistered: (people: number) => `ท่านลงทะเบียนการประชุมนี้ไว้แล้วค่ะ (${people} คน)`,
  alreadyWaitlisted: (position: number) => `ท่านอยู่ในรายชื่อรอของการประชุมนี้แล้วค่ะ (ลำดับที่ ${position})`,
  // Cards
  seatsLeft: (n: number) => `ว่าง ${n} ที่`,
  seatsOpen: "ไม่จำกัดจำนวน",
  closedShort: "ปิดรับลงทะเบียนแล้ว",
  full: "เต็ม (ลงชื่อรอได้)",
  deadline: (at: string) => `ปิดรับ ${at}`,
  noDeadline: "รับลงทะเบียนถึงวันประชุม",
  noAgenda: "ผู้ประสานงานจะแจ้งวาระการประชุมภายหลังค่ะ",
  buttons: {
    register: "ลงทะเบียน",
    map: "ดูแผนที่",
    detail: "รายละเอียด",
    cancel: "ยกเลิกการลงทะเบียน",
    cancelShort: "ยกเลิก",
  },
  yourStatus: {
    REGISTERED: (people: number) => `ลงทะเบียนแล้ว ${people} คน`,
    WAITLISTED: (position: number) => `รอที่นั่ง ลำดับที่ ${position}`,
    none: "ยังไม่ได้ลงทะเบียน",
  },
  detailAlt: (title: string) => `รายละเอียดการประชุม: ${title}`,
  // Register flow
  askPeople: (title: string) => `ลงทะเบียน “${title}”\nมาร่วมประชุมกี่คนคะ (นับรวมตัวท่านด้วย) แตะเลือก หรือพิมพ์ตัวเลข 1–${MAX_PARTY}`,
  peopleExpects: `เลือกจำนวนคน หรือพิมพ์ตัวเลข 1–${MAX_PARTY}`,
  peopleChoice: (n: number) => `${n} คน`,
  // The engine repeats peopleExpects after it: this says only what went wrong.
  peopleNotNumber: "ยังไม่เข้าใจจำนวนคนค่ะ",
  peopleZero: "ต้องมาอย่างน้อย 1 คนค่ะ (นับรวมตัวท่านด้วย)",
  peopleTooMany: `ลงทะเบียนได้ครั้งละไม่เกิน ${MAX_PARTY} คนค่ะ หากมามากกว่านี้ กรุณาติดต่อผู้ประสานงานของสภาฯ`,
  summary: (title: string, when: string, place: string, people: number, seats: string) =>
    [`ตรวจสอบก่อนลงทะเบียนค่ะ`, `การประชุม: ${title}`, `วันเวลา: ${when}`, `สถานที่: ${place}`, `จำนวน: ${people} คน`, `ที่นั่ง: ${seats}`].join("\n"),
  willWaitlist: "ตอนนี้ที่นั่งไม่พอ ท่านจะอยู่ในรายชื่อรอ และจะได้ที่นั่งอัตโนมัติเมื่อมีผู้ยกเลิกค่ะ",
  confirmExpects: "แตะ “ยืนยันลงทะเบียน” หรือ “แก้จำนวนคน”",
  confirm: "ยืนยันลงทะเบียน",
  editPeople: "แก้จำนวนคน",
  registered: (title: string, when: string, people: number) =>
    `ลงทะเบียนเรียบร้อยแล้วค่ะ ✅\n${title}\n${when}\nจำนวน ${people} คน\nจะส่งข้อความเตือนก่อนวันประชุมหนึ่งวันค่ะ`,
  waitlisted: (title: string, position: number) =>
    `การประชุม “${title}” ที่นั่งเต็มแล้วค่ะ\nท่านอยู่ในรายชื่อรอ ลำดับที่ ${position}\nเมื่อมีผู้ยกเลิก ระบบจะให้ที่นั่งตามลำดับและส่งข้อความแจ้งท่านค่ะ`,
  // My registrations
  mineTitle: "การลงทะเบียนของฉัน",
  mineAlt: (count: number) => `การลงทะเบียนประชุมของท่าน ${count} รายการ`,
  mineNone: "ท่านยังไม่มีการลงทะเบียนประชุมที่กำลังจะมาถึงค่ะ",
  mineNote: "ยกเลิกได้จนถึงเวลาเริ่มประชุม ที่นั่งจะส่งต่อให้ผู้ที่รออยู่ค่ะ",
  // Cancel flow
  askCancel: (title: string, when: string) => `ยกเลิกการลงทะเบียน “${title}”\n${when}\nต้องการยกเลิกใช่หรือไม่คะ`,
  cancelExpects: "แตะ “ยืนยันยกเลิก” หรือ “ไม่ยกเลิก”",
  cancelYes: "ยืนยันยกเลิก",
  cancelNo: "ไม่ยกเลิก",
  cancelKept: "การลงทะเบียนของท่านยังอยู่เหมือนเดิมค่ะ",
  cancelledRegistration: (title: string) => `ยกเลิกการลงทะเบียน “${title}” แล้วค่ะ หากเปลี่ยนใจ ลงทะเบียนใหม่ได้จนถึงวันปิดรับค่ะ`,
  notRegistered: "ท่านไม่ได้ลงทะเบียนการประชุมนี้ไว้ค่ะ",
  // Pushes
  promoted: (title: string, when: string, place: string, people: number) =>
    `ข่าวดีค่ะ 🎉 มีที่นั่งว่างแล้ว\nท่านได้ที่นั่งใน “${title}” จำนวน ${people} คน\n${when}\nสถานที่: ${place}\nหากไปไม่ได้ แตะ “ประชุม” แล้ว “การลงทะเบียนของฉัน” เพื่อยกเลิกและส่งต่อที่นั่งค่ะ`,
  // To the council's secretaries (src/meetings/registration-notice.ts)
  noticeHeading: "มีผู้ลงทะเบียนประชุม",
  noticeAlt: (name: string, title: string) => `${name} ลงทะเบียนประชุม “${title}”`,
  noticePeople: (people: number) => `${people} คน`,
  noticeRegistered: "ลงทะเบียนแล้ว",
  noticeWaitlisted: (position: number) => `อยู่ในรายชื่อรอ ลำดับที่ ${position}`,
  noticeDigest: (name: string, people: number, title: string, status: string) =>
    `ลงทะเบียนประชุม “${title}”: ${name} ${people} คน (${status})`,
  noticeUnknownName: "(ไม่ระบุชื่อ)",
  reminder: (title: string, when: string, place: string, people: number, map: string | null) =>
    [
      `แจ้งเตือนค่ะ ⏰ พรุ่งนี้มีประชุม “${title}”`,
      when,
      `สถานที่: ${place}`,
      ...(map ? [`แผนที่: ${map}`] : []),
      `ท่านลงทะเบียนไว้ ${people} คน หากไปไม่ได้ แตะ “ประชุม” แล้ว “การลงทะเบียนของฉัน” เพื่อยกเลิกค่ะ`,
    ].join("\n"),
} as const;

// Coordinators organising meetings (src/meetings/organize-*.ts).
export const ORGANIZE_TEXT = {
  menu: {
    create: "สร้างการประชุม",
    mine: "ประชุมที่ฉันจัด",
  },
  flowTitles: {
    create: "การสร้างการประชุม",
    edit: "การแก้ไขการประชุม",
    cancel: "การยกเลิกการประชุม",
  },
  askTitle: "สร้างการประชุมใหม่ค่ะ 📋\nชื่อการประชุมคืออะไรคะ (พิมพ์ไม่เกิน 100 ตัวอักษร)",
  titleExpects: "พิมพ์ชื่อการประชุม",
  titleEmpty: "กรุณาพิมพ์ชื่อการประชุมค่ะ",
  titleTooLong: "ชื่อการประชุมยาวเกิน 100 ตัวอักษรค่ะ กรุณาย่อให้สั้นลง",
  askStart: "ประชุมเริ่มวันไหน เวลาเท่าไรคะ\nแตะ “เลือกวันเวลาเริ่ม” หรือพิมพ์ เช่น 5/12/2569 09:30",
  startExpects: "เลือกวันเวลาเริ่มประชุม",
  startLabel: "เลือกวันเวลาเริ่ม",
  startInvalid: "วันเวลาเริ่มต้องเป็นเวลาในอนาคตค่ะ แตะ “เลือกวันเวลาเริ่ม” หรือพิมพ์ เช่น 5/12/2569 09:30",
  askEnd: (start: string) => `เริ่ม ${start}\nประชุมเลิกเวลาเท่าไรคะ แตะเลือกระยะเวลา หรือ “เลือกเวลาเลิก”`,
  endExpects: "เลือกเวลาเลิกประชุม",
  endLabel: "เลือกเวลาเลิก",
  endInvalid: "กรุณาแตะ “เลือกเวลาเลิก” หรือพิมพ์ เช่น 5/12/2569 12:00 ค่ะ",
  endBeforeStart: "เวลาเลิกต้องหลังเวลาเริ่มประชุมค่ะ",
  hours: (n: number) => `${n} ชั่วโมง`,
  askPlace: "ประชุมที่ไหนคะ แตะ “ส่งตำแหน่ง” เพื่อปักหมุด หรือพิมพ์ชื่อสถานที่",
  placeExpects: "ส่งตำแหน่ง หรือพิมพ์ชื่อสถานที่",
  placeLabel: "ส่งตำแหน่ง",
  placeEmpty: "กรุณาพิมพ์ชื่อสถานที่ หรือแตะ “ส่งตำแหน่ง” ค่ะ",
  placeTooLong: "ชื่อสถานที่ยาวเกิน 200 ตัวอักษรค่ะ",
  pinnedPlace: "ตามหมุดแผนที่",
  askAgenda: "วาระการประชุมมีอะไรบ้างคะ พิมพ์ได้หลายบรรทัด (ไม่เกิน 1,000 ตัวอักษร) หรือแตะ “ไม่ระบุวาระ”",
  agendaExpects: "พิมพ์วาระการประชุม หรือแตะ “ไม่ระบุวาระ”",
  noAgenda: "ไม่ระบุวาระ",
  agendaTooLong: "วาระยาวเกิน 1,000 ตัวอักษรค่ะ กรุณาย่อให้สั้นลง",
  askAudience: "เชิญใครบ้างคะ แตะเลือกได้หลายพื้นที่ แล้วแตะ “เลือกเสร็จแล้ว”",
  audienceExpects: "เลือกพื้นที่ที่เชิญ แล้วแตะ “เลือกเสร็จแล้ว”",
  audienceDone: "เลือกเสร็จแล้ว",
  audienceRequired: "กรุณาเลือกอย่างน้อยหนึ่งพื้นที่ค่ะ",
  askCapacity: "รับได้กี่ที่นั่งคะ พิมพ์ตัวเลข หรือแตะ “ไม่จำกัด”",
  capacityExpects: "พิมพ์จำนวนที่นั่ง หรือแตะ “ไม่จำกัด”",
  unlimited: "ไม่จำกัด",
  capacityBad: "กรุณาพิมพ์จำนวนที่นั่งเป็นตัวเลข 1–10000 หรือแตะ “ไม่จำกัด” ค่ะ",
  askDeadline: "ปิดรับลงทะเบียนเมื่อไรคะ แตะ “เลือกวันปิดรับ” หรือ “ไม่กำหนด” (รับถึงเวลาเริ่มประชุม)",
  deadlineExpects: "เลือกวันปิดรับลงทะเบียน หรือแตะ “ไม่กำหนด”",
  deadlineLabel: "เลือกวันปิดรับ",
  noDeadline: "ไม่กำหนด",
  dayBefore: "1 วันก่อนประชุม",
  deadlineInvalid: "วันปิดรับต้องเป็นเวลาในอนาคตค่ะ แตะ “เลือกวันปิดรับ” หรือ “ไม่กำหนด”",
  deadlineAfterStart: "วันปิดรับลงทะเบียนต้องก่อนเวลาเริ่มประชุมค่ะ",
  summary: (f: { title: string; when: string; place: string; agenda: string; audience: string; capacity: string; deadline: string }) =>
    [
      "ตรวจสอบการประชุมก่อนบันทึกค่ะ",
      `ชื่อ: ${f.title}`,
      `วันเวลา: ${f.when}`,
      `สถานที่: ${f.place}`,
      `วาระ: ${f.agenda}`,
      `เชิญ: ${f.audience}`,
      `ที่นั่ง: ${f.capacity}`,
      `ปิดรับลงทะเบียน: ${f.deadline}`,
    ].join("\n"),
  seats: (n: number) => `${n.toLocaleString("en-US")} ที่`,
  untilStart: "รับถึงเวลาเริ่มประชุม",
  confirmExpects: "แตะ “บันทึกการประชุม” หรือเลือกข้อที่จะแก้",
  confirm: "บันทึกการประชุม",
  edit: {
    title: "แก้ชื่อ",
    start: "แก้เวลาเริ่ม",
    end: "แก้เวลาเลิก",
    place: "แก้สถานที่",
    agenda: "แก้วาระ",
    audience: "แก้ผู้ที่เชิญ",
    capacity: "แก้จำนวนที่นั่ง",
    deadline: "แก้วันปิดรับ",
  },
  created: (title: string, when: string) =>
    `บันทึกการประชุมเรียบร้อยแล้วค่ะ ✅\n${title}\n${when}\nสมาชิกในพื้นที่ที่เชิญจะเห็นในเมนู “ประชุม” หากต้องการแจ้งทุกคน ใช้เมนู “ส่งประกาศ” แล้วแนบการประชุมนี้ได้ค่ะ`,
  notCoordinator: "เมนูนี้สำหรับผู้ประสานงานค่ะ",
  outsideArea: "ขออภัยค่ะ พื้นที่ที่เลือกอยู่นอกพื้นที่ที่ท่านดูแล จึงบันทึกไม่ได้",
  noArea: "ยังไม่พบพื้นที่ที่ท่านดูแลค่ะ กรุณาติดต่อผู้ดูแลระบบ",
  // My meetings
  mineNone: "ท่านยังไม่มีการประชุมที่กำลังจะมาถึงค่ะ แตะ “สร้างการประชุม” เพื่อสร้างใหม่",
  // Every upcoming meeting of the coordinator's area, whoever created it.
  mineIntro: (count: number) => `การประชุมในพื้นที่ของท่าน ${count} รายการค่ะ`,
  mineRow: (n: number, title: string, when: string, registered: number, waiting: number, capacity: string) =>
    `${n}. ${title}\n   ${when}\n   ลงทะเบียน ${registered} คน รอที่นั่ง ${waiting} คน (ที่นั่ง ${capacity})`,
  mineHint: "แตะ “แก้ไข” หรือ “ยกเลิก” ตามหมายเลขการประชุมค่ะ",
  editButton: (n: number) => `แก้ไข ${n}`,
  cancelButton: (n: number) => `ยกเลิก ${n}`,
  notFound: "ขออภัยค่ะ ไม่พบการประชุมนี้ หรือท่านไม่ได้เป็นผู้จัดการประชุมนี้",
  alreadyCancelled: "การประชุมนี้ถูกยกเลิกไปแล้วค่ะ",
  alreadyOver: "การประชุมนี้ผ่านไปแล้ว แก้ไขไม่ได้ค่ะ",
  // Edit
  askField: (title: string) => `แก้ไข “${title}”\nต้องการแก้ข้อใดคะ`,
  fieldExpects: "เลือกข้อที่จะแก้",
  fields: {
    time: "วันเวลา",
    place: "สถานที่",
    capacity: "จำนวนที่นั่ง",
    deadline: "วันปิดรับ",
  },
  askEditConfirm: (title: string, change: string, notify: number) =>
    [`แก้ไข “${title}”`, change, notify > 0 ? `ระบบจะแจ้งผู้ลงทะเบียน ${notify} ราย` : "ยังไม่มีผู้ลงทะเบียน", "ยืนยันการแก้ไขใช่ไหมคะ"].join("\n"),
  editConfirm: "ยืนยันการแก้ไข",
  editNo: "ไม่แก้ไข",
  editKept: "การประชุมยังเหมือนเดิม ไม่ได้แก้ไขค่ะ",
  edited: (title: string, notified: number) =>
    `แก้ไข “${title}” เรียบร้อยแล้วค่ะ ✅${notified > 0 ? `\nส่งข้อความแจ้งผู้ลงทะเบียน ${notified} รายแล้ว` : ""}`,
  changeTime: (when: string) => `วันเวลาใหม่: ${when}`,
  changePlace: (place: string) => `สถานที่ใหม่: ${place}`,
  changeCapacity: (capacity: string) => `ที่นั่งใหม่: ${capacity}`,
  changeDeadline: (deadline: string) => `ปิดรับลงทะเบียนใหม่: ${deadline}`,
  capacityBelowTaken: (taken: number) => `ตอนนี้ลงทะเบียนแล้ว ${taken} คน จำนวนที่นั่งต้องไม่น้อยกว่านี้ค่ะ`,
  // Cancel
  askCancel: (title: string, when: string, notify: number) =>
    `ยกเลิกการประชุม “${title}”\n${when}\n${notify > 0 ? `ระบบจะแจ้งผู้ลงทะเบียน ${notify} ราย\n` : ""}ยืนยันการยกเลิกใช่ไหมคะ`,
  cancelYes: "ยืนยันยกเลิกประชุม",
  cancelNo: "ไม่ยกเลิก",
  cancelExpects: "แตะ “ยืนยันยกเลิกประชุม” หรือ “ไม่ยกเลิก”",
  cancelKept: "การประชุมยังอยู่เหมือนเดิมค่ะ",
  cancelledMeeting: (title: string, notified: number) =>
    `ยกเลิกการประชุม “${title}” แล้วค่ะ${notified > 0 ? `\nส่งข้อความแจ้งผู้ลงทะเบียน ${notified} รายแล้ว` : ""}`,
  // Pushes to registrants
  pushChanged: (title: string, when: string, place: string) =>
    `แจ้งเปลี่ยนแปลงการประชุมค่ะ 📢\n“${title}”\nวันเวลา: ${when}\nสถานที่: ${place}\nหากไปไม่ได้ แตะ “ประชุม” แล้ว “การลงทะเบียนของฉัน” เพื่อยกเลิกค่ะ`,
  pushCancelled: (title: string, when: string) => `ขออภัยค่ะ การประชุม “${title}” (${when}) ถูกยกเลิกแล้ว ผู้ประสานงานจะแจ้งนัดใหม่ให้ทราบค่ะ`,
} as const;
