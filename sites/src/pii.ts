/**
 * Personal data in text: 18-digit resident identity numbers whose GB 11643-1999 check digit is
 * right (ISO 7064 MOD 11-2) and a plausible birth date, and mainland mobile numbers. Only counts
 * and masked samples leave this file: never a full number.
 */
const ID_RE =
  /(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{3})([\dXx])(?![0-9A-Za-z])/g;
const MOBILE_RE = /(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9])/g;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits. */
export function idCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export function isValidIdNumber(id: string): boolean {
  if (!/^[1-9]\d{16}[\dXx]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date.getTime() > Date.now()) return false;
  return idCheckDigit(id) === id[17].toUpperCase();
}

export const maskId = (id: string) => `${id.slice(0, 3)}${'*'.repeat(13)}${id.slice(16)}`;
export const maskMobile = (m: string) => `${m.slice(0, 3)}****${m.slice(7)}`;

export interface PersonalData {
  idNumbers: number;
  mobiles: number;
  samples: string[];
}

export function findPersonalData(text: string, maxSamples = 3): PersonalData {
  const ids = new Set<string>();
  const mobiles = new Set<string>();
  for (const m of text.matchAll(ID_RE)) {
    const id = m.slice(1).join('').toUpperCase();
    if (isValidIdNumber(id)) ids.add(id);
  }
  for (const m of text.matchAll(MOBILE_RE)) mobiles.add(m[1] + m[2] + m[3]);
  // An ID number's digits also look like a mobile number's: count a mobile only outside every ID.
  for (const mob of [...mobiles]) if ([...ids].some((id) => id.includes(mob))) mobiles.delete(mob);
  const samples = [...[...ids].slice(0, maxSamples).map(maskId), ...[...mobiles].slice(0, maxSamples).map(maskMobile)];
  return { idNumbers: ids.size, mobiles: mobiles.size, samples };
}
