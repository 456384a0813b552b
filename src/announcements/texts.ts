// What the announcements module says, in Thai: short and polite.
export const MAX_ANNOUNCEMENT_TEXT = 1_000;

export const ANNOUNCE_TEXT = {
  menu: {
    compose: "ส่งประกาศ",
    report: "รายงานการส่ง",
  },
  flowTitles: {
    compose: "การเขียนประกาศ",
    cancel: "การยกเลิกประกาศ",
  },
  audience: {
    EVERYONE: "ทุกคน",
    MEMBERS: "เฉพาะสมาชิก",
    SECRETARIES: "เฉพาะเลขานุการ",
  },
  // The message itself
  header: "📢 ประกาศจากสภาองค์กรชุมชน",
  /** The line under the header: who sent it, by their coordinator area. */
  from: (level: "DISTRICT" | "PROVINCE", name: string) => `จาก ผู้ประสานงาน${level === "DISTRICT" ? "อำเภอ" : "จังหวัด"}${name}`,
  meetingHeading: "การประชุมในประกาศนี้",
  register: "ลงทะเบียน",
  meetingAlt: (title: string) => `ลงทะเบียนการประชุม: ${title}`,
  // Compose flow
  askText: `เขียนประกาศค่ะ 📢\nพิมพ์ข้อความที่จะส่ง (ไม่เกิน ${MAX_ANNOUNCEMENT_TEXT.toLocaleString("en-US")} ตัวอักษร)`,
  textExpects: "พิมพ์ข้อความประกาศ",
  textEmpty: "กรุณาพิมพ์ข้อความประกาศค่ะ",
  textTooLong: (n: number) =>
    `ข้อความยาว ${n.toLocaleString("en-US")} ตัวอักษร เกิน ${MAX_ANNOUNCEMENT_TEXT.toLocaleString("en-US")} ตัวอักษรค่ะ กรุณาย่อให้สั้นลง`,
  askImage: "ต้องการแนบรูปไหมคะ ส่งรูป 1 รูป หรือแตะ “ไม่แนบรูป”",
  imageExpects: "ส่งรูป หรือแตะ “ไม่แนบรูป”",
  noImage: "ไม่แนบรูป",
  oneImage: "แนบได้ 1 รูปค่ะ ใช้รูปแรกที่ส่งมา",
  askMeeting: "แนบการประชุมพร้อมปุ่ม “ลงทะเบียน” ไหมคะ",
  /** The picker's message: each meeting numbered, its date, time and whole title; the buttons carry the numbers. */
  askMeetingList: (meetings: string[]) =>
    meetings.length === 0
      ? "แนบการประชุมพร้อมปุ่ม “ลงทะเบียน” ไหมคะ"
      : ["แนบการประชุมพร้อมปุ่ม “ลงทะเบียน” ไหมคะ แตะหมายเลขการประชุม หรือ “ไม่แนบการประชุม”", ...meetings.map((m, i) => `${i + 1}. ${m}`)].join(
          "\n",
        ),
  meetingButton: (n: number, dayMonth: string, time: string) => `${n} · ${dayMonth} ${time}`, // "1 · 20 ธ.ค. 09:30": ≤ 20 characters
  meetingExpects: "เลือกการประชุม หรือแตะ “ไม่แนบการประชุม”",
  noMeeting: "ไม่แนบการประชุม",
  askAreas: "ส่งถึงพื้นที่ใดคะ แตะเลือกได้หลายพื้นที่ แล้วแตะ “เลือกเสร็จแล้ว”",
  areasExpects: "เลือกพื้นที่ แล้วแตะ “เลือกเสร็จแล้ว”",
  areasDone: "เลือกเสร็จแล้ว",
  areasRequired: "กรุณาเลือกอย่างน้อยหนึ่งพื้นที่ค่ะ",
  askAudience: "ส่งถึงใครคะ",
  audienceExpects: "เลือกผู้รับ",
  previewIntro: "ตัวอย่างประกาศ ผู้รับจะเห็นดังนี้ค่ะ 👇",
  previewImage: "[รูปที่ท่านส่ง จะแสดงตรงนี้]",
  previewImageAlt: "รูปในประกาศ",
  preview: (f: { areas: string; audience: string; recipients: number; remaining: number | null; monthly: number }) =>
    [
      "สรุปก่อนส่งค่ะ",
      `พื้นที่: ${f.areas}`,
      `ผู้รับ: ${f.audience} ${f.recipients.toLocaleString("en-US")} คน`,
      `ใช้โควตาข้อความ: ${f.recipients.toLocaleString("en-US")} ข้อความ`,
      f.remaining === null
        ? "โควตาเดือนนี้: ไม่ได้ตั้งไว้"
        : `โควตาคงเหลือเดือนนี้: ${f.remaining.toLocaleString("en-US")} จาก ${f.monthly.toLocaleString("en-US")} ข้อความ`,
    ].join("\n"),
  overQuota: "⚠️ จำนวนผู้รับเกินโควตาที่เหลือ LINE จะส่งไม่ครบจนกว่าจะถึงเดือนใหม่ค่ะ",
  noRecipients: "⚠️ ยังไม่มีผู้รับในพื้นที่และกลุ่มที่เลือก",
  previewExpects: "แตะ “ส่งทันที” “ตั้งเวลาส่ง” หรือเลือกข้อที่จะแก้",
  sendNow: "ส่งทันที",
  schedule: "ตั้งเวลาส่ง",
  edit: {
    text: "แก้ข้อความ",
    image: "แก้รูป",
    meeting: "แก้การประชุม",
    areas: "แก้พื้นที่",
    audience: "แก้กลุ่มผู้รับ",
  },
  askWhen: "จะให้ส่งเมื่อไรคะ แตะ “เลือกเวลาส่ง” หรือพิมพ์ เช่น 5/12/2569 08:00",
  whenExpects: "เลือกเวลาส่ง",
  whenLabel: "เลือกเวลาส่ง",
  whenInvalid: "เวลาส่งต้องเป็นเวลาในอนาคต ภายใน 60 วันค่ะ",
  queuedNow: (n: number) => `กำลังส่งประกาศถึง ${n.toLocaleString("en-US")} คนค่ะ ✅\nดูผลได้ที่ “รายงานการส่ง”`,
  scheduled: (at: string) => `ตั้งเวลาส่งประกาศไว้ ${at} แล้วค่ะ ✅\nยกเลิกได้ที่ “รายงานการส่ง” จนกว่าจะเริ่มส่ง`,
  notCoordinator: "เมนูนี้สำหรับผู้ประสานงานค่ะ",
  outsideArea: "ขออภัยค่ะ พื้นที่ที่เลือกอยู่นอกพื้นที่ที่ท่านดูแล จึงส่งไม่ได้",
  meetingGone: "ขออภัยค่ะ การประชุมที่แนบไว้ถูกยกเลิกหรือผ่านไปแล้ว กรุณาเขียนประกาศใหม่",
  noArea: "ยังไม่พบพื้นที่ที่ท่านดูแลค่ะ กรุณาติดต่อผู้ดูแลระบบ",
  // Report
  reportNone: "ท่านยังไม่เคยส่งประกาศค่ะ",
  reportIntro: "ประกาศล่าสุดของท่านค่ะ",
  status: {
    SCHEDULED: (at: string) => `รอส่ง ${at}`,
    SENDING: "กำลังส่ง",
    SENT: "ส่งครบแล้ว",
    CANCELLED: "ยกเลิกแล้ว",
  },
  reportRow: (
    n: number,
    excerpt: string,
    status: string,
    counts: { sent: number; failed: number; pending: number; blocked: number; registrations?: number } | null,
  ) =>
    [
      `${n}. “${excerpt}”`,
      `   ${status}`,
      ...(counts ? [`   ส่งถึง ${counts.sent} · ไม่สำเร็จ ${counts.failed} · รอส่ง ${counts.pending} · บล็อกบัญชี ${counts.blocked}`] : []),
      ...(counts?.registrations !== undefined ? [`   ลงทะเบียนประชุมหลังได้รับประกาศ ${counts.registrations} ราย`] : []),
    ].join("\n"),
  reportOthers: "รอส่งในพื้นที่ของท่าน (ผู้ประสานงานท่านอื่นตั้งเวลาไว้) ค่ะ",
  reportNote:
    "“บล็อกบัญชี” คือผู้รับที่เลิกติดตามบัญชีนี้ จึงไม่ได้รับข้อความค่ะ\n“ลงทะเบียนประชุม” นับผู้รับประกาศที่ลงทะเบียนการประชุมในประกาศหลังประกาศส่งออก (ไม่นับที่ยกเลิกแล้ว)",
  cancelButton: (n: number) => `ยกเลิกประกาศ ${n}`,
  // Cancel
  askCancel: (excerpt: string, at: string) => `ยกเลิกประกาศ “${excerpt}” ที่ตั้งเวลาส่ง ${at} ใช่ไหมคะ`,
  cancelYes: "ยืนยันยกเลิกประกาศ",
  cancelNo: "ไม่ยกเลิก",
  cancelExpects: "แตะ “ยืนยันยกเลิกประกาศ” หรือ “ไม่ยกเลิก”",
  cancelKept: "ประกาศยังตั้งเวลาส่งไว้เหมือนเดิมค่ะ",
  cancelled: "ยกเลิกประกาศแล้วค่ะ จะไม่มีการส่ง",
  cancelTooLate: "ขออภัยค่ะ ประกาศนี้เริ่มส่งไปแล้ว ยกเลิกไม่ได้",
  notFound: "ขออภัยค่ะ ไม่พบประกาศนี้ หรือประกาศนี้อยู่นอกพื้นที่ที่ท่านดูแล",
  // Pushed to the author when another coordinator of the area cancels theirs.
  cancelledByOther: (excerpt: string, at: string) => `ประกาศ “${excerpt}” ที่ท่านตั้งเวลาส่ง ${at} ถูกยกเลิกโดยผู้ประสานงานในพื้นที่แล้วค่ะ จะไม่มีการส่ง`,
  // Pushed to the area's coordinators when the send job finds the author's role gone.
  cancelledRoleGone: (excerpt: string, at: string, areas: string) =>
    [
      `📢 ประกาศ “${excerpt}” ที่ตั้งเวลาส่ง ${at} ถึง ${areas} ถูกยกเลิก ไม่ได้ส่งค่ะ`,
      "เพราะผู้เขียนไม่ได้เป็นผู้ประสานงานของพื้นที่นี้แล้ว",
      "หากยังต้องการส่ง แตะ “ส่งประกาศ” เพื่อเขียนใหม่ได้ค่ะ",
    ].join("\n"),
  // Pushed to the author when LINE refuses the announcement (src/announcements/refused.ts).
  refusedByLine: (excerpt: string, reason: string, line: string) =>
    [
      `⚠️ ประกาศ “${excerpt}” ส่งไม่สำเร็จค่ะ LINE ไม่รับประกาศนี้ ผู้รับจึงไม่ได้รับ`,
      `สาเหตุ: ${reason}`,
      `(LINE แจ้งว่า: ${line})`,
      "กรุณาแจ้งผู้ดูแลระบบ แล้วส่งประกาศอีกครั้งค่ะ ดูผลได้ที่ “รายงานการส่ง”",
    ].join("\n"),
  // Report status of a finished announcement that LINE refused for some or all recipients.
  sentWithFailures: (sent: number) => (sent === 0 ? "ส่งไม่สำเร็จ (LINE ไม่รับ)" : "ส่งแล้ว แต่ไม่สำเร็จบางส่วน"),
} as const;
