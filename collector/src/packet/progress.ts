/** The progress line and final summary `collect pcap|live` print on stderr. */

export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  /** Redraws at most every 200 ms, and only on a terminal. */
  update(label: string, done: number, total: number, packets: number, events: number): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 200 && done < total) return;
    this.lastDraw = now;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, ' ');
    this.out.write(`\r${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}%  ${packets} packets  ${events} events`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[K');
    this.drawn = false;
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
