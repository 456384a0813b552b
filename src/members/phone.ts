// Thai phone numbers: mobiles are 10 digits starting 06/08/09, landlines 9
// digits starting 0[2-7]; +66 replaces the leading 0. Stored as 0XXXXXXXX(X).
export function parseThaiPhone(typed: string): string | null {
  let digits = typed.replace(/[\s\-().]/g, "");
  if (digits.startsWith("+66")) digits = `0${digits.slice(3)}`;
  // No Thai number starts with 66 when dialled at home: it is the country code.
  else if (digits.startsWith("66") && (digits.length === 10 || digits.length === 11)) digits = `0${digits.slice(2)}`;
  if (!/^\d+$/.test(digits)) return null;
  if (/^0[689]\d{8}$/.test(digits)) return digits;
  if (/^0[2-7]\d{7}$/.test(digits)) return digits;
  return null;
}

/** Only the last four digits are shown back: "xxx-xxx-5678". */
export function maskPhone(phone: string): string {
  return `${phone.length === 10 ? "xxx-xxx" : "xx-xxx"}-${phone.slice(-4)}`;
}
