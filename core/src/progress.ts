/**
 * The progress bar of long commands (collect pcap|file, sigma hunt, store init): one line on
 * stderr redrawn in place, only when stderr is a terminal, so logs and pipes stay clean.
 */

/** What the bar writes to: a terminal (isTTY) or anything else, where it stays silent. */
export interface ProgressOut {
  isTTY?: boolean;
  write(s: string): unknown;
}

const WIDTH = 30;

/** `label [######        ]  42%  detail`; without a total, `label  detail`. */
export function progressLine(label: string, done: number, total: number | undefined, detail = ''): string {
  const tail = detail ? `  ${detail}` : '';
  if (total === undefined || !(total > 0)) return `${label}${tail}`;
  const frac = Math.min(1, Math.max(0, done / total));
  const bar = '#'.repeat(Math.round(frac * WIDTH)).padEnd(WIDTH, ' ');
  return `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}%${tail}`;
}

export class ProgressBar {
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly out: ProgressOut = process.stderr,
    private readonly intervalMs = 200,
    private readonly now: () => number = Date.now,
  ) {}

  /** Redraws at most every intervalMs (always when complete), and only on a terminal. */
  update(label: string, done: number, total?: number, detail?: string): void {
    if (!this.out.isTTY) return;
    const t = this.now();
    const complete = total !== undefined && done >= total;
    if (t - this.lastDraw < this.intervalMs && !complete) return;
    this.lastDraw = t;
    this.out.write(`\r\x1b[K${progressLine(label, done, total, detail)}`);
    this.drawn = true;
  }

  /** Erases the line (before the summary is printed). */
  clear(): void {
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
