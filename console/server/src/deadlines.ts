/**
 * Notice deadlines: a span per severity (`24h`, `3d`, `5wd` = five working days) and a
 * working-day calendar in the province's time zone. Weekends are rest days unless
 * listed in `workdays` (调休 make-up days); listed `holidays` are rest days. A span of
 * N working days ends at midnight after the Nth working day following the issue day.
 */
export interface Calendar {
  /** Local dates YYYY-MM-DD that are rest days. */
  holidays: string[];
  /** Local weekend dates YYYY-MM-DD that are working days. */
  workdays: string[];
  /** The local time zone's offset from UTC (China: +480). */
  utcOffsetMinutes: number;
}

export const SPAN_PATTERN = /^(\d{1,4})(h|d|wd)$/;
const DAY = 86_400_000;

/** The local calendar date of an instant. */
export function localDate(ms: number, cal: Pick<Calendar, 'utcOffsetMinutes'>): string {
  return new Date(ms + cal.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

export function isWorkingDay(date: string, cal: Calendar): boolean {
  if (cal.workdays.includes(date)) return true;
  if (cal.holidays.includes(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The instant a span starting at `from` ends. */
export function deadlineAfter(from: number, span: string, cal: Calendar): number {
  const m = SPAN_PATTERN.exec(span);
  if (!m) throw new Error(`deadline span "${span}" is not <n>h, <n>d or <n>wd`);
  const n = Number(m[1]);
  if (m[2] === 'h') return from + n * 3_600_000;
  if (m[2] === 'd') return from + n * DAY;
  let day = Date.parse(`${localDate(from, cal)}T00:00:00Z`);
  for (let left = n; left > 0;) {
    day += DAY;
    if (isWorkingDay(new Date(day).toISOString().slice(0, 10), cal)) left--;
  }
  // Midnight after that day, local time.
  return day + DAY - cal.utcOffsetMinutes * 60_000;
}
