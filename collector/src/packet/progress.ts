/** The progress line and final summary `collect pcap|live` print on stderr. */
import { ProgressBar, type ProgressOut } from '@edusentry/core';

/** core's progress bar with the packet counts as its detail. */
export class ProgressLine {
  private readonly bar: ProgressBar;

  constructor(out: ProgressOut = process.stderr) {
    this.bar = new ProgressBar(out);
  }

  /** Redraws at most every 200 ms, and only on a terminal. */
  update(label: string, done: number, total: number, packets: number, events: number): void {
    this.bar.update(label, done, total, `${packets} packets  ${events} events`);
  }

  clear(): void {
    this.bar.clear();
  }
}

/** Multi-line summary: packets, bytes, flows, events, and every error/drop counter by kind. */
export function formatSummary(c: Record<string, number>, extra: Record<string, number> = {}): string {
  const lines = [
    `packets:  ${c.packets ?? 0} (${c.bytes ?? 0} bytes)`,
    `flows:    ${c.flows ?? 0} (${c.evictions ?? 0} evicted)`,
    `events:   ${(c.flow_events ?? 0) + (c.app_events ?? 0)} (${c.flow_events ?? 0} flow, ${c.app_events ?? 0} application)`,
  ];
  const errors = Object.entries({ ...c, ...extra })
    .filter(([k, v]) => v > 0 && /^(decode_error|capture_error|app_malformed)/.test(k))
    .sort(([a], [b]) => a.localeCompare(b));
  lines.push(`errors:   ${errors.length ? errors.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}`);
  // Live capture always shows its drop counters, zero or not.
  const drops = Object.entries(c).filter(([k]) => k.startsWith('drop.'));
  if (drops.length) lines.push(`drops:    ${drops.map(([k, v]) => `${k.slice(5)}=${v}`).join(' ')}`);
  const other = Object.entries(extra).filter(([k]) => !/^(decode_error|capture_error|app_malformed|drop)/.test(k));
  if (other.length) lines.push(`output:   ${other.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return lines.join('\n') + '\n';
}
