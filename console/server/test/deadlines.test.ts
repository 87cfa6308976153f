import { deadlineAfter, isWorkingDay, localDate, type Calendar } from '../src/deadlines';

const cal: Calendar = { holidays: [], workdays: [], utcOffsetMinutes: 480 };
/** Monday 2025-03-03 16:00 in Beijing. */
const MON = Date.parse('2025-03-03T08:00:00Z');

describe('deadline arithmetic', () => {
  it('hours and days are plain spans', () => {
    expect(deadlineAfter(MON, '24h', cal)).toBe(MON + 86_400_000);
    expect(deadlineAfter(MON, '3d', cal)).toBe(MON + 3 * 86_400_000);
  });

  it('working days skip weekends and end at local midnight after the last one', () => {
    // Tue..Fri are 1-4, Mon 10th is 5: ends 2025-03-11 00:00 +08:00.
    expect(new Date(deadlineAfter(MON, '5wd', cal)).toISOString()).toBe('2025-03-10T16:00:00.000Z');
    expect(new Date(deadlineAfter(MON, '10wd', cal)).toISOString()).toBe('2025-03-17T16:00:00.000Z');
    // Issued late on Friday local time (still Friday in Beijing at 15:59Z): Monday is day 1.
    const fri = Date.parse('2025-03-07T15:59:00Z');
    expect(new Date(deadlineAfter(fri, '1wd', cal)).toISOString()).toBe('2025-03-10T16:00:00.000Z');
    // A minute later it is Saturday in Beijing: Monday is still day 1.
    expect(new Date(deadlineAfter(fri + 120_000, '1wd', cal)).toISOString()).toBe('2025-03-10T16:00:00.000Z');
  });

  it('holidays are rest days and make-up days (调休) are working days', () => {
    const may = { ...cal, holidays: ['2025-05-01', '2025-05-02', '2025-05-05'], workdays: ['2025-04-27'] };
    expect(isWorkingDay('2025-05-01', may)).toBe(false);
    expect(isWorkingDay('2025-04-27', may)).toBe(true);
    expect(isWorkingDay('2025-04-26', may)).toBe(false);
    // Tue 29 Apr: 30 Apr is 1, 1-5 May rest, 6 May is 2, 7 May is 3.
    const tue = Date.parse('2025-04-29T02:00:00Z');
    expect(new Date(deadlineAfter(tue, '3wd', may)).toISOString()).toBe('2025-05-07T16:00:00.000Z');
    // Fri 25 Apr: Sun 27 Apr is a working day.
    const fri = Date.parse('2025-04-25T02:00:00Z');
    expect(new Date(deadlineAfter(fri, '1wd', may)).toISOString()).toBe('2025-04-27T16:00:00.000Z');
    const sat = { ...cal, workdays: ['2025-03-08'], holidays: ['2025-03-05'] };
    expect(new Date(deadlineAfter(MON, '5wd', sat)).toISOString()).toBe('2025-03-10T16:00:00.000Z');
    expect(new Date(deadlineAfter(MON, '4wd', sat)).toISOString()).toBe('2025-03-08T16:00:00.000Z');
  });

  it('the local date follows the configured offset', () => {
    expect(localDate(Date.parse('2025-12-31T16:30:00Z'), cal)).toBe('2026-01-01');
    expect(localDate(Date.parse('2025-12-31T16:30:00Z'), { utcOffsetMinutes: 0 })).toBe('2025-12-31');
  });

  it('a malformed span is refused', () => {
    expect(() => deadlineAfter(MON, '5 days', cal)).toThrow(/5 days/);
  });
});
