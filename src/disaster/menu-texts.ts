// What the flood-first rich menu's own entry says (emergency-numbers.ts).
// The menu's tile labels are drawn on its image: src/line/rich-menu/flood-menu.ts.

export const FLOOD_MENU_TEXT = {
  /** Hidden from the chat menu: the flood-first menu's tile and these words open it. */
  emergencyLabel: "เบอร์ฉุกเฉิน",
  keywords: ["เบอร์ฉุกเฉิน", "เบอร์โทรฉุกเฉิน"],
  // LINE makes the numbers in a text message tappable: one tap calls.
  emergencyNumbers: [
    "เบอร์โทรฉุกเฉินค่ะ แตะที่เบอร์เพื่อโทรได้เลยค่ะ",
    "📞 1784 ปภ. (สาธารณภัย น้ำท่วม)",
    "📞 1669 การแพทย์ฉุกเฉิน (เจ็บป่วย บาดเจ็บ)",
    "📞 191 ตำรวจ (เหตุด่วนเหตุร้าย)",
  ].join("\n"),
} as const;
