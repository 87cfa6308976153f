import { isoFromMs as isoTime } from '../../src/time';

describe('isoTime', () => {
  it('equals Date#toISOString for packet times, fractional milliseconds and edges', () => {
    const times = [0, 1, 999.999, 1000, 1_700_000_000_000, 1_700_000_000_123.456, 253402300799999, 951782400000];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      // Interleaved seconds that share a cache slot, and sub-millisecond parts.
      times.push(1_700_000_000_000 + (x % 200_000) * 64 + (x % 1000) / 7);
    }
    for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
  });

  it('falls back to the Date form outside years 1970-9999, and throws like it on NaN', () => {
    for (const t of [-1, -86_400_000.5, 253402300800000]) expect(isoTime(t)).toBe(new Date(t).toISOString());
    expect(() => isoTime(NaN)).toThrow(RangeError);
  });
});
