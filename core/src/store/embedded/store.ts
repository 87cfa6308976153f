/**
 * Embedded EventStore: one SQLite file (better-sqlite3, WAL so several processes
 * share it). Events are JSON documents; the fields the console filters on are
 * columns with indexes (schema.ts, rows.ts), queries become SQL in query.ts. Ingest order is
 * the rowid (`seq`): SQLite serialises writers, so a reader never sees seq N+1
 * before seq N.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EduError } from '../../errors';
import type { Dataset } from '../../schema/datasets';
import type { EcsEvent } from '../../schema/ecs';
import type {
  AggResult,
  Aggregation,
  EventStore,
  InitOptions,
  Quarantined,
  RetentionMechanism,
  SearchQuery,
  SearchResult,
  StoreStats,
  TailCursor,
  TailResult,
  WriteResult,
} from '../types';
import { ipKey } from '../ip';
import { deepMerge, invalidReason, toEpochMs } from '../validate';
import { floorSql, MAX_TS, MIN_TS, pruneCutoff, ROLLUP_SPANS, Rollups, splitRange } from './rollup';
import { idKey, idKeyParams, idKeySql } from './id-key';
import { buildWhere, column, eachOf, expr, MAX_LISTED_HOURS, usesAddressIndex, type Where } from './query';
import { plainValues, RowWriter } from './rows';
import { HOUR_MS, migrate } from './schema';

export interface EmbeddedStoreOptions {
  /** The SQLite file, or the data directory (then events.db inside it). */
  path: string;
  retentionDays?: number;
  readonly?: boolean;
}

export class EmbeddedStore implements EventStore {
  readonly kind = 'embedded' as const;
  readonly path: string;
  private db: Database.Database;
  private rows!: RowWriter;
  private insertBatch: (events: EcsEvent[], now: number) => { written: number; quarantined: Quarantined[] };
  private rollups!: Rollups;

  constructor(private readonly opts: EmbeddedStoreOptions) {
    this.path = opts.path.endsWith('.db') ? resolve(opts.path) : resolve(opts.path, 'events.db');
    mkdirSync(dirname(this.path), { recursive: true });
    try {
      this.db = new Database(this.path, { readonly: opts.readonly ?? false });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      // A page cache (64 MiB) that holds the hot index pages: id index inserts are random.
      this.db.pragma('cache_size = -65536');
      // SQLite has no IP type: CIDR filters compare fixed-width hex keys.
      this.db.function('edu_ip_key', { deterministic: true }, (v: unknown) =>
        typeof v === 'string' ? ipKey(v) : null,
      );
      this.db.function('edu_id_key', { deterministic: true }, (v: unknown) => idKey(String(v)));
      migrate(this.db);
      this.rows = new RowWriter(this.db);
      this.rollups = new Rollups(this.db);
    } catch (err) {
      throw this.explain(err);
    }
    const quarantine = this.db.prepare('INSERT INTO quarantine (id, dataset, reason, doc, at) VALUES (?, ?, ?, ?, ?)');
    const insertBatch = this.db.transaction((events: EcsEvent[], now: number) => {
      const quarantined: Quarantined[] = [];
      let written = 0;
      for (const e of events) {
        const reason = invalidReason(e);
        if (reason) {
          const q = {
            id: String((e as any)?.event?.id ?? ''),
            dataset: String((e as any)?.event?.dataset ?? ''),
            reason,
            event: e,
          };
          quarantine.run(q.id, q.dataset, reason, safeJson(e), now);
          quarantined.push(q);
          continue;
        }
        // event.ingested is the ingested column, not part of the document (see withIngested).
        const doc = JSON.stringify(e);
        const ts = Date.parse(e['@timestamp']);
        const org = e.organization?.id ?? null;
        // A rewrite of a stored id changes nothing, so it is not counted again.
        if (this.rows.write(null, e.event.id, ts, now, e.event.dataset, org, e, doc))
          this.rollups.add(ts, org, e.event.dataset);
        written++;
      }
      this.rollups.flush();
      return { written, quarantined };
    });
    this.insertBatch = (events, now) => {
      try {
        return insertBatch(events, now);
      } finally {
        this.rollups.discard();
      }
    };
  }

  /** Turns SQLite's errors about a damaged file into one line that says what to do. */
  private explain(err: unknown): Error {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      return new EduError(
        'EDU_ERR_STORE_CORRUPT',
        `the embedded store ${this.path} is not a valid SQLite database (${code}); move it aside and run "edusentry store init" to start a new one`,
      );
    }
    return err as Error;
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.explain(err);
    }
  }

  async init(opts: InitOptions = {}): Promise<void> {
    const days = opts.retentionDays ?? this.opts.retentionDays ?? 180;
    this.run(() =>
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('retention_days', String(days)),
    );
    await this.prune();
  }

  /** No engine policy here: the daily retention job's prune is what enforces it. */
  async retentionMechanism(): Promise<RetentionMechanism> {
    return 'prune-job';
  }

  /** Deletes events older than the retention period. */
  async prune(now = Date.now()): Promise<number> {
    const days = await this.retentionDays();
    // On an hour boundary (keeping up to an hour more than asked), so rollup buckets go whole.
    const cutoff = pruneCutoff(now - days * 86_400_000);
    return this.run(() =>
      this.db.transaction(() => {
        this.rollups.prune(cutoff);
        return this.db.prepare('DELETE FROM events WHERE ts < ?').run(cutoff).changes;
      })(),
    );
  }

  async retentionDays(): Promise<number> {
    const row = this.run(() => this.db.prepare("SELECT value FROM meta WHERE key = 'retention_days'").get()) as
      { value: string } | undefined;
    return row ? Number(row.value) : (this.opts.retentionDays ?? 180);
  }

  async write(events: EcsEvent[]): Promise<WriteResult> {
    const r = this.run(() => this.insertBatch(events, Date.now()));
    return { ...r, failed: 0 };
  }

  async get(id: string): Promise<EcsEvent | undefined> {
    const row = this.run(() =>
      this.db.prepare(`SELECT doc, ingested FROM events WHERE ${idKeySql(1)}`).get(...idKeyParams([id])),
    ) as StoredRow | undefined;
    return row ? withIngested(row) : undefined;
  }

  async update(id: string, _dataset: Dataset, patch: Record<string, unknown>): Promise<boolean> {
    return this.run(() => {
      try {
        return this.updateTx(id, patch);
      } finally {
        this.rollups.discard();
      }
    });
  }

  private updateTx(id: string, patch: Record<string, unknown>): boolean {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT seq, doc, ts, org, dataset FROM events WHERE ${idKeySql(1)}`)
        .get(...idKeyParams([id])) as
        { seq: number; doc: string; ts: number; org: string | null; dataset: string } | undefined;
      if (!row) return false;
      const merged = deepMerge(JSON.parse(row.doc), patch);
      const org = merged.organization?.id ?? null;
      this.rows.setPlain.run(JSON.stringify(merged), org, ...plainValues(merged), row.seq);
      if (org !== row.org) {
        this.rollups.add(row.ts, row.org, row.dataset, -1);
        this.rollups.add(row.ts, org, row.dataset, 1);
        this.rollups.flush();
      }
      return true;
    })();
  }

  async search<E = EcsEvent>(q: SearchQuery): Promise<SearchResult<E>> {
    const w = buildWhere(
      q,
      this.run(() => this.hourSpan(q)),
    );
    const { table: from, where, params } = w;
    return this.run(() => {
      const counted = this.countFromRollups(q);
      const total =
        counted?.total ??
        (this.db.prepare(`SELECT count(*) n FROM ${from} WHERE ${where}`).get(...params) as { n: number }).n;
      const order = (q.sort ?? [{ field: '@timestamp', order: 'desc' }])
        .map((s) => `${expr(s.field)} ${s.order === 'asc' ? 'ASC' : 'DESC'}`)
        .concat('seq DESC')
        .join(', ');
      const size = q.size ?? 20;
      const rows =
        size > 0
          ? (this.db
              .prepare(`SELECT doc, ingested FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
              .all(...params, size, q.offset ?? 0) as StoredRow[])
          : [];
      const aggs: Record<string, AggResult> = {};
      for (const [name, agg] of Object.entries(q.aggs ?? {}))
        aggs[name] = counted?.histograms[name] ?? this.aggregate(agg, w);
      return { total, hits: rows.map((r) => withIngested(r) as E), aggs };
    });
  }

  /**
   * The hours a query with an address filter covers, for the hour-led address indexes: its
   * time range, cut to the stored events' range. Undefined when no filter can use those indexes
   * or the span is too long to list.
   */
  private hourSpan(q: SearchQuery): { first: number; last: number } | undefined {
    if (!q.filters?.some(usesAddressIndex)) return undefined;
    const stored = this.db.prepare('SELECT (SELECT min(ts) FROM events) lo, (SELECT max(ts) FROM events) hi').get() as {
      lo: number | null;
      hi: number | null;
    };
    if (stored.lo === null || stored.hi === null) return undefined;
    const from = Math.max(toEpochMs(q.from) ?? stored.lo, stored.lo);
    const to = Math.min(toEpochMs(q.to) ?? stored.hi + 1, stored.hi + 1);
    if (from >= to) return undefined;
    // SQLite's integer division truncates toward zero, and so does this.
    const first = Math.trunc(from / HOUR_MS);
    const last = Math.trunc((to - 1) / HOUR_MS);
    return last - first < MAX_LISTED_HOURS ? { first, last } : undefined;
  }

  /**
   * The total and date histograms of a query on time, organisation and dataset only, read
   * from the rollups for whole buckets and from the events for the partial ones at the edges.
   * Undefined when the query has other conditions or its range holds no whole bucket.
   */
  private countFromRollups(q: SearchQuery): { total: number; histograms: Record<string, AggResult> } | undefined {
    if (q.filters?.length || q.text) return undefined;
    const histograms = Object.entries(q.aggs ?? {}).flatMap(([name, a]) =>
      a.type === 'date_histogram' ? [{ name, interval: Math.max(1, Math.floor(a.intervalMs)) }] : [],
    );
    const spans = ROLLUP_SPANS.filter((s) => histograms.every((h) => h.interval % s === 0));
    const parts = splitRange(toEpochMs(q.from) ?? MIN_TS, toEpochMs(q.to) ?? MAX_TS, spans);
    if (!parts.some((p) => p.span)) return undefined;
    const intervals = histograms.map((h) => h.interval);
    const scope = { orgIds: q.orgIds, datasets: q.datasets?.length ? q.datasets : undefined };
    let total = 0;
    const merged = intervals.map(() => new Map<number, number>());
    for (const part of parts) {
      let counts: { total: number; histograms: Map<number, number>[] };
      if (part.span !== undefined) counts = this.rollups.read({ ...part, span: part.span }, scope, intervals);
      else {
        const w = buildWhere({ ...scope, from: part.from, to: part.to });
        const { table: from, where, params } = w;
        counts = {
          total: (this.db.prepare(`SELECT count(*) n FROM ${from} WHERE ${where}`).get(...params) as { n: number }).n,
          histograms: intervals.map((i) => new Map(this.histogram(i, w).map((b) => [b.key, b.count]))),
        };
      }
      total += counts.total;
      counts.histograms.forEach((h, n) => {
        for (const [k, c] of h) merged[n].set(k, (merged[n].get(k) ?? 0) + c);
      });
    }
    return {
      total,
      histograms: Object.fromEntries(
        histograms.map((h, n) => [
          h.name,
          {
            buckets: [...merged[n]]
              .filter(([, c]) => c > 0)
              .sort((a, b) => a[0] - b[0])
              .map(([key, count]) => ({ key, count })),
          },
        ]),
      ),
    };
  }

  private histogram(interval: number, { table: from, where, params }: Where): { key: number; count: number }[] {
    const rows = this.db
      .prepare(`SELECT ${floorSql('ts', interval)} k, count(*) c FROM ${from} WHERE ${where} GROUP BY k ORDER BY k`)
      .all(...params) as { k: number; c: number }[];
    return rows.map((r) => ({ key: r.k, count: r.c }));
  }

  private aggregate(agg: Aggregation, w: Where): AggResult {
    const { table: from, where, params } = w;
    switch (agg.type) {
      case 'terms': {
        const col = column(agg.field);
        const rows = (
          col
            ? this.db
                .prepare(
                  `SELECT ${col} k, count(*) c FROM ${from} WHERE ${where} AND ${col} IS NOT NULL
                   GROUP BY k ORDER BY c DESC, k LIMIT ?`,
                )
                .all(...params, agg.size ?? 10)
            : // json_each yields one row for a scalar and one per element for an array.
              this.db
                .prepare(
                  `SELECT j.value k, count(*) c FROM ${from}, ${eachOf(agg.field)} j WHERE ${where} AND j.value IS NOT NULL
                   GROUP BY k ORDER BY c DESC, k LIMIT ?`,
                )
                .all(...params, agg.size ?? 10)
        ) as { k: string | number; c: number }[];
        return { buckets: rows.map((r) => ({ key: r.k, count: r.c })) };
      }
      case 'date_histogram':
        return { buckets: this.histogram(Math.max(1, Math.floor(agg.intervalMs)), w) };
      case 'cardinality':
        return {
          value: (
            this.db
              .prepare(`SELECT count(DISTINCT ${expr(agg.field)}) v FROM ${from} WHERE ${where}`)
              .get(...params) as { v: number }
          ).v,
        };
      case 'sum':
        return {
          value: (
            this.db.prepare(`SELECT total(${expr(agg.field)}) v FROM ${from} WHERE ${where}`).get(...params) as {
              v: number;
            }
          ).v,
        };
    }
  }

  async tail(cursor: TailCursor | null, opts: { limit?: number; datasets?: Dataset[] } = {}): Promise<TailResult> {
    const after = typeof cursor?.seq === 'number' ? cursor.seq : 0;
    const datasets = opts.datasets?.length ? ` AND dataset IN (${opts.datasets.map(() => '?').join(',')})` : '';
    return this.run(() => {
      const rows = this.db
        .prepare(`SELECT seq, doc, ingested FROM events WHERE seq > ?${datasets} ORDER BY seq LIMIT ?`)
        .all(after, ...(opts.datasets ?? []), opts.limit ?? 1000) as (StoredRow & { seq: number })[];
      // Skipped datasets still advance the cursor: remember the highest seq looked at.
      let seq = rows.length ? rows[rows.length - 1].seq : after;
      if (datasets && rows.length < (opts.limit ?? 1000)) {
        seq = Math.max(seq, (this.db.prepare('SELECT coalesce(max(seq), 0) m FROM events').get() as { m: number }).m);
      }
      return { events: rows.map(withIngested), cursor: { kind: 'embedded', seq } };
    });
  }

  async tailEnd(): Promise<TailCursor> {
    return this.run(() => ({
      kind: 'embedded',
      seq: (this.db.prepare('SELECT coalesce(max(seq), 0) m FROM events').get() as { m: number }).m,
    }));
  }

  async stats(): Promise<StoreStats> {
    return this.run(() => {
      const by = Object.entries(this.rollups.byDataset()).map(([dataset, n]) => ({ dataset, n }));
      const range = this.db
        .prepare('SELECT (SELECT min(ts) FROM events) lo, (SELECT max(ts) FROM events) hi')
        .get() as {
        lo: number | null;
        hi: number | null;
      };
      const q = (this.db.prepare('SELECT count(*) n FROM quarantine').get() as { n: number }).n;
      const days = Number(
        (this.db.prepare("SELECT value FROM meta WHERE key = 'retention_days'").get() as { value: string } | undefined)
          ?.value ??
          this.opts.retentionDays ??
          180,
      );
      return {
        kind: this.kind,
        location: this.path,
        total: by.reduce((s, r) => s + r.n, 0),
        byDataset: Object.fromEntries(by.map((r) => [r.dataset, r.n])),
        oldest: range.lo != null ? new Date(range.lo).toISOString() : undefined,
        newest: range.hi != null ? new Date(range.hi).toISOString() : undefined,
        retentionDays: days,
        quarantined: q,
      };
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

interface StoredRow {
  doc: string;
  ingested: number;
}

/** A stored document with event.ingested from its column. */
function withIngested(row: StoredRow): EcsEvent {
  const e = JSON.parse(row.doc);
  e.event = { ...e.event, ingested: new Date(row.ingested).toISOString() };
  return e;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return String(v);
  }
}
