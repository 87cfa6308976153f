/** The flow path's ISO formatter and parser agree with Date on every input shape they meet. */
import { isoFromMs, msFromIso } from '../../src/time';

/** Deterministic pseudo-random times (xorshift), so a failure reproduces. */
function times(n: number): number[] {
  let x = 0x2545f491;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const span = [1e3, 86_400_000, 4e12, 253402300799999][i % 4];
    out.push(Math.floor(((x >>> 0) / 2 ** 32) * span) + (i % 4 === 0 ? Date.UTC(2026, 2, 1) : 0));
  }
  return out;
}

describe('flow timestamps', () => {
  it('formats epoch ms exactly as Date#toISOString, across days and years', () => {
    for (const ms of [...times(5000), 0, 86_399_999, 86_400_000, 1.7e12 + 0.9, 253402300799999])
      expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to Date outside the fast range (same text, same error)', () => {
    expect(isoFromMs(-1)).toBe(new Date(-1).toISOString());
    expect(isoFromMs(253402300800000)).toBe(new Date(253402300800000).toISOString());
    expect(() => isoFromMs(NaN)).toThrow(RangeError);
  });

  it('parses ISO text to the same value as Date.parse, including odd forms', () => {
    for (const ms of times(5000)) {
      const iso = new Date(ms).toISOString();
      expect(msFromIso(iso)).toBe(Date.parse(iso));
    }
    for (const s of [
      '2026-03-01T08:00:00.123456789Z',
      '2026-03-01T24:00:00.000Z',
      '2026-03-01T08:00:00Z',
      '2026-02-30T08:00:00.000Z',
      '2026-03-01T08:0x:00.000Z',
      '2026-03-01T08:60:00.000Z',
      'not a time at all, 24 ch',
      '',
    ])
      expect(msFromIso(s)).toEqual(Date.parse(s));
  });
});
