// Phone numbers to E.164. Callers dial and operators type numbers in every national form:
// "050 123 45 67", "(050)1234567", "380501234567", "+38 050 123-45-67", "8050…" (old trunk prefix).
const E164 = /^\+[1-9]\d{7,14}$/;

export function normalizePhone(input: string, defaultCountry = '380'): string | null {
  const trimmed = input.trim();
  let digits = trimmed.replace(/[\s().\-\/]/g, '');
  if (!/^\+?\d+$/.test(digits)) return null;
  if (digits.startsWith('+')) return E164.test(digits) ? digits : null;
  if (digits.startsWith('00')) digits = digits.slice(2);
  else if (defaultCountry === '380') {
    if (/^80\d{9}$/.test(digits)) digits = '3' + digits;          // 80XXXXXXXXX
    else if (/^0\d{9}$/.test(digits)) digits = '38' + digits;     // 0XXXXXXXXX
    else if (/^[1-9]\d{8}$/.test(digits)) digits = '380' + digits; // XXXXXXXXX
  }
  const e164 = '+' + digits;
  return E164.test(e164) ? e164 : null;
}

export const isE164 = (s: string) => E164.test(s);
