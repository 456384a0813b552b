// The main menu's buttons as each kind of user sees them, in one place: a
// new service changes this file, not every transcript that ends at the menu.
export const GUEST_MENU = ["สมัครสมาชิก", "ขอช่วยเหลือน้ำท่วม", "ขอซ่อมบ้าน", "ช่วยเหลือ"];
/** A member whose fund record is not linked yet. */
export const MEMBER_MENU = ["ข้อมูลของฉัน", "เชื่อมบัญชีกองทุน", "ยอดเงินกองทุน", "ขอช่วยเหลือน้ำท่วม", "ขอซ่อมบ้าน", "ประชุม", "ช่วยเหลือ"];
export const LINKED_MENU = ["ข้อมูลของฉัน", "ยอดเงินกองทุน", "ขอช่วยเหลือน้ำท่วม", "ขอซ่อมบ้าน", "ประชุม", "ช่วยเหลือ"];
