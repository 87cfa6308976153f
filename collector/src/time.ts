/**
 * ISO 8601 text ↔ epoch ms for flow and log timestamps, without a Date per call: every flow
 * carries two or three times and Date's formatting and parsing were a visible share
 * of decoding. Output is exactly Date#toISOString's; day and second texts come from
 * small caches since the times of one export cluster within seconds of each other.
 */
const DAY_MS = 86_400_000;
const dayOf = new Float64Array(8).fill(-1);
const dayText: string[] = new Array<string>(8).fill('');

/** "00".."59" and "000".."999", so formatting is table look-ups and small-integer arithmetic. */
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Same text as new Date(ms).toISOString() (throws the same RangeError for invalid times). */
export function isoFromMs(ms: number): string {
  const t = Math.trunc(ms);
  if (!(t >= 0 && t < 253402300800000)) return new Date(ms).toISOString(); // outside 1970..9999: Date's own rules
  const day = Math.floor(t / DAY_MS);
  // Day text from a small cache too (flows that straddle midnight alternate between two days).
  const daySlot = day & 7;
  if (dayOf[daySlot] !== day) {
    dayText[daySlot] = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayOf[daySlot] = day;
  }
  const dayPrefix = dayText[daySlot];
  // Milliseconds into the day fit 32 bits: integer ops, not floating-point modulus.
  const r = (t - day * DAY_MS) | 0;
  const secs = (r / 1000) | 0;
  // Text up to the second, from a small cache: a flow's times cluster within seconds.
  const slot = secs & 63;
  let upToSecond = secondText[slot];
  if (secondOf[slot] !== t - (r - secs * 1000)) {
    const mins = (secs / 60) | 0;
    const h = (mins / 60) | 0;
    upToSecond = dayPrefix + PAD2[h] + ':' + PAD2[mins - h * 60] + ':' + PAD2[secs - mins * 60] + '.';
    secondText[slot] = upToSecond;
    secondOf[slot] = t - (r - secs * 1000);
  }
  return upToSecond + PAD3[r - secs * 1000] + 'Z';
}
const secondOf = new Float64Array(64).fill(-1);
const secondText: string[] = new Array<string>(64).fill('');

let parsedPrefix = '';
let parsedDayMs = NaN;

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
  if (!parsedPrefix || !s.startsWith(parsedPrefix)) {
    const prefix = s.slice(0, 10);
    const day = Date.parse(prefix + 'T00:00:00.000Z');
    if (Number.isNaN(day)) return Date.parse(s);
    parsedPrefix = prefix;
    parsedDayMs = day;
  }
  const h1 = digit(s, 11);
  const h0 = digit(s, 12);
  const m1 = digit(s, 14);
  const m0 = digit(s, 15);
  const s1 = digit(s, 17);
  const s0 = digit(s, 18);
  const f2 = digit(s, 20);
  const f1 = digit(s, 21);
  const f0 = digit(s, 22);
  // Unsigned compare: a non-digit (below '0' too) is > 9.
  if (h1 >>> 0 > 9 || h0 >>> 0 > 9 || m1 >>> 0 > 9 || m0 >>> 0 > 9 || s1 >>> 0 > 9 || s0 >>> 0 > 9)
    return Date.parse(s);
  if (f2 >>> 0 > 9 || f1 >>> 0 > 9 || f0 >>> 0 > 9) return Date.parse(s);
  const h = h1 * 10 + h0;
  const m = m1 * 10 + m0;
  const sec = s1 * 10 + s0;
  if (h > 23 || m > 59 || sec > 59) return Date.parse(s);
  return parsedDayMs + ((h * 60 + m) * 60 + sec) * 1000 + f2 * 100 + f1 * 10 + f0;
}
