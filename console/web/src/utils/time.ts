/** Time ranges and human formatting, kept pure so they are unit-tested. */
export type RangePreset = '1h' | '24h' | '7d' | '30d';
export type TimeRange = { preset: RangePreset } | { from: number; to: number };

const PRESET_MS: Record<RangePreset, number> = {
  '1h': 3600_000,
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  '30d': 30 * 24 * 3600_000,
};

export const rangePresets = Object.keys(PRESET_MS) as RangePreset[];

/** `{ from, to }` as ISO strings for the API; presets are relative to `now`. */
export function rangeToQuery(range: TimeRange, now = Date.now()): { from: string; to: string } {
  if ('preset' in range)
    return { from: new Date(now - PRESET_MS[range.preset]).toISOString(), to: new Date(now).toISOString() };
  return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
}

function pad(n: number, width = 2) {
  return String(n).padStart(width, '0');
}

/** `2026-11-22 12:03:04` in the browser's time zone; '-' for missing or invalid input. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Short axis label for a trend bucket: time of day for ranges within two days, else month-day. */
export function formatBucket(value: string, spanMs: number): string {
  const d = new Date(value);
  if (spanMs <= 2 * 24 * 3600_000) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:00`;
}

/** `3d 4h`, `5h 2m`, `42s` — compact, two units at most. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** `1.5 MiB` style sizes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Thousands separators and at most `digits` decimals. */
export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Event rates: small rates keep their significant digits instead of collapsing to 0. */
export function formatRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (n === 0) return '0';
  if (n < 0.01) return '< 0.01';
  return formatNumber(n, n < 10 ? 2 : 1);
}
