/**
 * Pre-aggregated event counts for the embedded store: per time bucket ×
 * organisation × dataset, at a few bucket spans (1 min, 5 min, 1 h). They are
 * kept in the write transaction (only rows actually inserted count, so
 * idempotent rewrites and duplicates do not), moved when an update changes an
 * event's organisation, and pruned with the events (retention cuts on an hour
 * boundary, so whole buckets go). A count or date histogram over a long range
 * is then read from the coarsest buckets that fit, and only the partial buckets
 * at the edges from the events themselves.
 */
import type Database from 'better-sqlite3';

/** Bucket spans, finest first; each divides the next, so coarser buckets nest finer ones. */
export const ROLLUP_SPANS = [60_000, 300_000, 3_600_000];
const FINEST = ROLLUP_SPANS[0];
const COARSEST = ROLLUP_SPANS[ROLLUP_SPANS.length - 1];
/** Open range ends, as multiples of every span (JavaScript's date range). */
export const MIN_TS = -8.64e15;
export const MAX_TS = 8.64e15 + COARSEST;

/** SQL for `floor(expr / span) * span` on integers (SQLite's `/` truncates toward zero). */
export function floorSql(expr: string, span: number): string {
  return `(${expr} - ((${expr} % ${span}) + ${span}) % ${span})`;
}

export const ROLLUP_SCHEMA = `CREATE TABLE rollup (
   span INTEGER NOT NULL,
   bucket INTEGER NOT NULL,
   org TEXT NOT NULL, -- '' for events without an organisation
   dataset TEXT NOT NULL,
   n INTEGER NOT NULL,
   PRIMARY KEY (span, bucket, org, dataset)
 ) WITHOUT ROWID;
 ${ROLLUP_SPANS.map(
   (s) =>
     `INSERT INTO rollup SELECT ${s}, ${floorSql('ts', s)}, coalesce(org, ''), dataset, count(*) FROM events GROUP BY 2, 3, 4;`,
 ).join('\n')}`;

/** The first multiple of `span` at or after `t`, and the last at or before it. */
const ceilTo = (t: number, span: number) => Math.ceil(t / span) * span;
const floorTo = (t: number, span: number) => Math.floor(t / span) * span;

/** Where a count over [from, to) comes from: rollup buckets of `span`, or (no span) the events. */
export interface RangePart {
  span?: number;
  from: number;
  to: number;
}

/**
 * Splits [from, to) into whole buckets of the coarsest span that fits, then the
 * edges into whole buckets of finer spans, and what is left into event ranges.
 */
export function splitRange(from: number, to: number, spans: number[]): RangePart[] {
  const parts: RangePart[] = [];
  const split = (lo: number, hi: number, i: number): void => {
    if (lo >= hi) return;
    if (i < 0) {
      parts.push({ from: lo, to: hi });
      return;
    }
    const span = spans[i];
    const a = ceilTo(lo, span);
    const b = floorTo(hi, span);
    if (a >= b) return split(lo, hi, i - 1);
    split(lo, a, i - 1);
    parts.push({ span, from: a, to: b });
    split(b, hi, i - 1);
  };
  split(from, to, spans.length - 1);
  return parts;
}

/** Retention cut-off: on an hour boundary, so no rollup bucket is left half counted. */
export function pruneCutoff(t: number): number {
  return floorTo(t, COARSEST);
}

export class Rollups {
  private upsert: Database.Statement;
  private pending = new Map<string, number>();

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      'INSERT INTO rollup (span, bucket, org, dataset, n) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n',
    );
  }

  /** Counts one inserted (or, with -1, removed) event; `flush` writes the counts. */
  add(ts: number, org: string | null, dataset: string, n = 1): void {
    const key = `${floorTo(ts, FINEST)}\u0000${org ?? ''}\u0000${dataset}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + n);
  }

  /** Writes the pending counts at every span. Call inside the transaction that changed the events. */
  flush(): void {
    if (!this.pending.size) return;
    const coarse = new Map<string, number>();
    for (const [key, n] of this.pending) {
      if (n === 0) continue;
      const [minute, org, dataset] = key.split('\u0000');
      for (const span of ROLLUP_SPANS) {
        const k = `${span}\u0000${floorTo(Number(minute), span)}\u0000${org}\u0000${dataset}`;
        coarse.set(k, (coarse.get(k) ?? 0) + n);
      }
    }
    this.pending.clear();
    for (const [k, n] of coarse) {
      const [span, bucket, org, dataset] = k.split('\u0000');
      this.upsert.run(Number(span), Number(bucket), org, dataset, n);
    }
  }

  /** Drops pending counts (the transaction they belong to rolled back). */
  discard(): void {
    this.pending.clear();
  }

  /** Deletes the buckets before `cutoff` (a pruneCutoff). */
  prune(cutoff: number): void {
    this.db.prepare('DELETE FROM rollup WHERE bucket < ?').run(cutoff);
  }

  /** Count and date histograms (interval → bucket → count) over the whole buckets of one part. */
  read(
    part: Required<RangePart>,
    scope: { orgIds?: string[]; datasets?: string[] },
    intervals: number[],
  ): { total: number; histograms: Map<number, number>[] } {
    const where = ['span = ?', 'bucket >= ?', 'bucket < ?'];
    const params: unknown[] = [part.span, part.from, part.to];
    if (scope.orgIds) {
      where.push(`org IN (${scope.orgIds.map(() => '?').join(',')})`);
      params.push(...scope.orgIds);
    }
    if (scope.datasets) {
      where.push(`dataset IN (${scope.datasets.map(() => '?').join(',')})`);
      params.push(...scope.datasets);
    }
    const rows = this.db
      .prepare(`SELECT bucket b, sum(n) c FROM rollup WHERE ${where.join(' AND ')} GROUP BY bucket`)
      .all(...params) as { b: number; c: number }[];
    let total = 0;
    const histograms = intervals.map(() => new Map<number, number>());
    for (const r of rows) {
      total += r.c;
      intervals.forEach((i, n) => {
        const k = floorTo(r.b, i);
        histograms[n].set(k, (histograms[n].get(k) ?? 0) + r.c);
      });
    }
    return { total, histograms };
  }

  /** Event count per dataset, from the coarsest buckets. */
  byDataset(): Record<string, number> {
    const rows = this.db
      .prepare('SELECT dataset, sum(n) n FROM rollup WHERE span = ? GROUP BY dataset HAVING sum(n) > 0')
      .all(COARSEST) as { dataset: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.dataset, r.n]));
  }
}
