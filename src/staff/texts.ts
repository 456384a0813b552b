// What the staff module says, in Thai: the staff menu, invite codes and
// notification settings. Role names are built from the map's names
// (council, district, province), so they read as a person would say them.
export const STAFF_TEXT = {
  menu: {
    staff: "งานเจ้าหน้าที่",
    invite: "สร้างรหัสเชิญ",
    notify: "ตั้งค่าการแจ้งเตือน",
    redeem: "ใช้รหัสเชิญ",
    help: "ช่วยเหลือ",
  },
  flowTitles: {
    invite: "การสร้างรหัสเชิญ",
    notify: "การตั้งค่าการแจ้งเตือน",
  },

  // --- roles ------------------------------------------------------------------
  secretaryOf: (council: string, district: string) => `เลขานุการ${council} ${district}`,
  districtCoordinator: (district: string) => `ผู้ประสานงาน${district}`,
  provinceCoordinator: (province: string) => `ผู้ประสานงานจังหวัด${province}`,
  admin: (province: string) => `ผู้ดูแลระบบ จังหวัด${province}`,
  unknownArea: "(ไม่พบพื้นที่)",

  // --- staff home -------------------------------------------------------------
  homeTitle: "งานเจ้าหน้าที่",
  homeRolesHeading: "บทบาทของท่าน",
  homeMoreRoles: (n: number) => `และอีก ${n} บทบาท`,
  homeActionsNote: "แตะปุ่มด้านล่างเพื่อเริ่มงานค่ะ",
  homeNoActions: "งานของเจ้าหน้าที่ในแชตจะเพิ่มที่นี่เร็ว ๆ นี้ค่ะ",
  homeAlt: (roles: string) => `งานเจ้าหน้าที่: ${roles}`,
  villagerMenu: "เมนูหลัก",

  // --- invite flow ------------------------------------------------------------
  inviteRoles: {
    secretary: "เลขานุการสภาฯ",
    coordinator: "ผู้ประสานงานอำเภอ",
  },
  askInviteRole: "จะสร้างรหัสเชิญให้ใครคะ\nรหัสใช้ได้ครั้งเดียว ผู้ที่พิมพ์รหัสจะได้รับบทบาทนั้นทันที",
  inviteRoleExpects: "เลือกบทบาทที่จะเชิญ",
  askInviteDistrict: "เลือกอำเภอค่ะ",
  inviteDistrictExpects: "เลือกอำเภอ",
  askInviteCouncil: (district: string) => `เลือกสภาองค์กรชุมชนใน${district}ค่ะ`,
  inviteCouncilExpects: "เลือกสภาองค์กรชุมชน",
  inviteConfirmAsk: (forWhom: string, hours: number) => `สร้างรหัสเชิญสำหรับ “${forWhom}” ใช่ไหมคะ\nรหัสใช้ได้ครั้งเดียว ภายใน ${hours} ชั่วโมง`,
  inviteConfirmExpects: "แตะ “สร้างรหัส” หรือ “ย้อนกลับ” เพื่อแก้ไข",
  inviteConfirm: "สร้างรหัส",
  inviteNotAllowed: "ขออภัยค่ะ พื้นที่นี้อยู่นอกความรับผิดชอบของท่าน จึงสร้างรหัสเชิญไม่ได้",
  inviteNoArea: "ขออภัยค่ะ ยังไม่พบพื้นที่ที่ท่านเชิญได้ กรุณาติดต่อผู้ดูแลระบบ",
  inviteCardTitle: "รหัสเชิญ",
  inviteCardAlt: (code: string) => `รหัสเชิญ ${code}`,
  inviteExpires: (at: string) => `ใช้ได้ถึง ${at} ครั้งเดียว`,
  inviteForward: (forWhom: string) => `ส่งรหัสนี้ให้ผู้ที่จะเป็น${forWhom} ให้พิมพ์รหัสในแชตนี้ค่ะ`,
  inviteShare: "ส่งต่อรหัส",
  // A plain message the coordinator can forward (long press → ส่งต่อ): Flex text cannot be copied.
  inviteForwardMessage: (forWhom: string, code: string, at: string) =>
    `รหัสเชิญเป็น${forWhom}\n${code}\nพิมพ์รหัสนี้ในแชต LINE ของสภาองค์กรชุมชน ใช้ได้ครั้งเดียว ถึง ${at}`,
  // Kept short: it travels in a URL, where each Thai letter takes nine characters.
  inviteShareText: (code: string, at: string) => `รหัสเชิญ ${code} พิมพ์ในแชตสภาองค์กรชุมชน ใช้ได้ถึง ${at}`,
  inviteAnother: "สร้างรหัสอีก",

  // --- redeeming ----------------------------------------------------------------
  redeemHow: "พิมพ์รหัสเชิญ 8 ตัวที่ได้รับจากผู้ประสานงานในแชตนี้ได้เลยค่ะ",
  redeemed: (role: string) => `ยินดีต้อนรับค่ะ 🎉 ท่านเป็น${role}แล้ว\nแตะ “งานเจ้าหน้าที่” เพื่อดูงานของท่าน`,
  redeemAlready: (role: string) => `ท่านเป็น${role}อยู่แล้วค่ะ`,
  // Unknown, used and expired read the same: a guesser learns nothing.
  redeemRefused: "รหัสไม่ถูกต้องหรือหมดอายุค่ะ กรุณาตรวจสอบรหัสกับผู้ประสานงานที่ส่งให้",
  redeemMakerRevoked: "รหัสเชิญนี้ใช้ไม่ได้แล้วค่ะ เพราะผู้ที่สร้างรหัสไม่ได้ดูแลพื้นที่นี้แล้ว กรุณาขอรหัสใหม่จากผู้ประสานงานของพื้นที่",
  redeemLocked: (until: string) => `ใส่รหัสผิดหลายครั้ง กรุณาลองใหม่หลังเวลา ${until} ค่ะ`,

  // --- notification settings ------------------------------------------------------
  // `time` is DIGEST_TIME ("18:00"): "ตอนเย็น" alone leaves the hour to guess.
  notifyAsk: (current: string, time: string) =>
    [
      `ตอนนี้: ${current}`,
      "",
      "• แจ้งทันทีทุกเรื่อง: ส่งข้อความทันทีเมื่อมีเรื่องใหม่ของสภาฯ",
      `• สรุปรวมตอนเย็น: เรื่องที่ไม่เร่งด่วน (ซ่อมบ้าน เชื่อมบัญชีกองทุน ลงทะเบียนประชุม) ส่งรวมวันละครั้ง เวลา ${time} น.`,
      "",
      "เรื่องน้ำท่วมแจ้งทันทีเสมอค่ะ",
    ].join("\n"),
  notifyExpects: "เลือกวิธีแจ้งเตือน",
  notifyEach: "แจ้งทันทีทุกเรื่อง",
  notifyDigest: "สรุปรวมตอนเย็น",
  notifySaved: (mode: string, time: string | null) => `บันทึกแล้วค่ะ: ${mode}${time ? ` (ส่งทุกวัน เวลา ${time} น.)` : ""}\nเรื่องน้ำท่วมยังแจ้งทันทีเสมอ`,
  notSecretary: "ขออภัยค่ะ การตั้งค่านี้สำหรับเลขานุการสภาฯ เท่านั้น",
} as const;
