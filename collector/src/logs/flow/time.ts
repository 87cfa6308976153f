/**
 * ISO 8601 text ↔ epoch ms for flow timestamps, without a Date per call: every flow
 * carries two or three times and Date's formatting and parsing were a visible share
 * of decoding. Output is exactly Date#toISOString's; the day part is cached since
 * flows of one export are nearly always of one day.
 */
const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedPrefix = '';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Same text as new Date(ms).toISOString() (throws the same RangeError for invalid times). */
export function isoFromMs(ms: number): string {
  const t = Math.trunc(ms);
  if (!(t >= 0 && t < 253402300800000)) return new Date(ms).toISOString(); // outside 1970..9999: Date's own rules
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedDay) {
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  let r = t - day * DAY_MS;
  const msPart = r % 1000;
  r = (r - msPart) / 1000;
  const s = r % 60;
  r = (r - s) / 60;
  const m = r % 60;
  const h = (r - m) / 60;
  return (
    cachedPrefix +
    pad2(h) +
    ':' +
    pad2(m) +
    ':' +
    pad2(s) +
    '.' +
    (msPart < 10 ? '00' : msPart < 100 ? '0' : '') +
    msPart +
    'Z'
  );
}

let parsedPrefix = '';
let parsedDayMs = NaN;

const DIGITS_AT = [11, 12, 14, 15, 17, 18, 20, 21, 22];
const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** Same value as Date.parse(s) for any s; fast for the "YYYY-MM-DDTHH:MM:SS.sssZ" form. */
export function msFromIso(s: string): number {
  if (
    s.length !== 24 ||
    s.charCodeAt(23) !== 90 /* Z */ ||
    s[10] !== 'T' ||
    s[13] !== ':' ||
    s[16] !== ':' ||
    s[19] !== '.'
  )
    return Date.parse(s);
  const prefix = s.slice(0, 10);
  if (prefix !== parsedPrefix) {
    const day = Date.parse(prefix + 'T00:00:00.000Z');
    if (Number.isNaN(day)) return Date.parse(s);
    parsedPrefix = prefix;
    parsedDayMs = day;
  }
  for (const i of DIGITS_AT) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return Date.parse(s);
  }
  const h = digit(s, 11) * 10 + digit(s, 12);
  const m = digit(s, 14) * 10 + digit(s, 15);
  const sec = digit(s, 17) * 10 + digit(s, 18);
  if (h > 23 || m > 59 || sec > 59) return Date.parse(s);
  return parsedDayMs + ((h * 60 + m) * 60 + sec) * 1000 + digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
}
