/**
 * `new Date(ms).toISOString()` for the packet path, where every flow event needs two or
 * three timestamps: the "YYYY-MM-DDTHH:MM:SS." part is cached per second (a small
 * direct-mapped cache, since flow starts and ends interleave), only milliseconds are formatted.
 */
const SLOTS = 64;
const secs = new Float64Array(SLOTS).fill(NaN);
const prefixes: string[] = new Array<string>(SLOTS).fill('');
/** 9999-12-31T23:59:59.999Z: beyond it (and before 1970) the ISO form has another shape. */
const MAX_MS = 253402300799999;

export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms <= MAX_MS)) return new Date(ms).toISOString();
  const t = Math.floor(ms);
  const sec = Math.floor(t / 1000);
  const i = sec & (SLOTS - 1);
  if (secs[i] !== sec) {
    secs[i] = sec;
    prefixes[i] = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const m = t - sec * 1000;
  return prefixes[i] + (m < 10 ? '00' : m < 100 ? '0' : '') + m + 'Z';
}
