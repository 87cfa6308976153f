/**
 * Elasticsearch / OpenSearch EventStore, through the official OpenSearch client and
 * only the REST API common to OpenSearch 2.x and Elasticsearch 7.10+.
 *
 * Layout: one index family per event kind (datasets.ts). Each family is a set of
 * time-bucketed indices `<prefix>-<family>-YYYY.MM.DD`, one per `rolloverDays` of
 * *event* time, all in the read alias `<prefix>-<family>` (added by the template).
 * Why not a write alias with rollover: the backing index a rollover alias points at
 * depends on when a document is written, so the same event.id written before and
 * after a rollover would be stored twice. Here the index follows from the event's
 * own @timestamp and documents are written with `op_type: create`, so a rewrite
 * lands on the same index and is refused as a duplicate (counted as written).
 * Rollover is thereby by time; size is bounded by `shards`.
 *
 * Retention: every family's template records it in `_meta`; where the engine has a
 * lifecycle plugin (OpenSearch ISM, Elasticsearch ILM) a delete policy is attached
 * as well. `init()` and `prune()` delete the buckets wholly older than retention,
 * which also covers engines without the plugin (the bare test nodes).
 */
import { Client, errors } from '@opensearch-project/opensearch';
import { EduError } from '../../errors';
import type { StoreConfig } from '../../config/config';
import { DATASETS, FAMILIES, familyOf, type Dataset, type Family } from '../../schema/datasets';
import type { EcsEvent } from '../../schema/ecs';
import { eventMappings, exactField, quarantineMappings } from './mappings';
import { buildAggs, buildQuery, readAggs } from './query';
import type {
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
import { invalidReason } from '../validate';

const DAY_MS = 86_400_000;

export interface ElasticStoreOptions extends Partial<StoreConfig> {
  url: string;
  /** Refresh after each write/update so it is searchable at once (tests; costly under load). */
  refresh?: boolean;
  /** Documents per bulk request. */
  bulkDocs?: number;
  /** Bulk requests in flight at once. */
  concurrency?: number;
  /** Retries of a bulk request or item that failed with 429/5xx, with exponential backoff from retryBaseMs. */
  bulkRetries?: number;
  retryBaseMs?: number;
}

export interface SnapshotInfo {
  name: string;
  indices: string[];
  state: string;
}

type Engine = { distribution: 'opensearch' | 'elasticsearch'; version: string; lifecycle: 'ism' | 'ilm' | 'none' };

interface BulkItem {
  event: EcsEvent;
  /** What is sent (event.ingested left to the pipeline). */
  doc: EcsEvent;
  /** The action and source lines, serialised when its chunk is first sent. */
  lines?: string;
}

export class ElasticStore implements EventStore {
  readonly kind = 'elasticsearch' as const;
  readonly url: string;
  private readonly client: Client;
  private readonly prefix: string;
  private readonly o: Required<
    Pick<
      ElasticStoreOptions,
      | 'retentionDays'
      | 'rolloverDays'
      | 'shards'
      | 'replicas'
      | 'tailLagMs'
      | 'tailOverlapMs'
      | 'requestTimeoutMs'
      | 'bulkDocs'
      | 'concurrency'
      | 'bulkRetries'
      | 'retryBaseMs'
    >
  > & { refresh: boolean };
  private engineInfo?: Engine;
  /** Set once templates and pipeline are known to exist (see ready()). */
  private prepared?: Promise<void>;

  constructor(opts: ElasticStoreOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.prefix = opts.indexPrefix ?? 'edusentry';
    this.o = {
      retentionDays: opts.retentionDays ?? 180,
      rolloverDays: opts.rolloverDays ?? 1,
      shards: opts.shards ?? 1,
      replicas: opts.replicas ?? 0,
      tailLagMs: opts.tailLagMs ?? 1000,
      tailOverlapMs: opts.tailOverlapMs ?? 3000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30000,
      bulkDocs: opts.bulkDocs ?? 5000,
      concurrency: opts.concurrency ?? 2,
      bulkRetries: opts.bulkRetries ?? 5,
      retryBaseMs: opts.retryBaseMs ?? 100,
      refresh: opts.refresh ?? false,
    };
    this.client = new Client({
      node: this.url,
      auth: opts.username ? { username: opts.username, password: opts.password ?? '' } : undefined,
      requestTimeout: this.o.requestTimeoutMs,
      maxRetries: 0, // retries are ours: per bulk item, with backoff
    });
  }

  // ---- names ------------------------------------------------------------------

  private alias(family: Family): string {
    return `${this.prefix}-${family}`;
  }
  private pattern(family: Family): string {
    return `${this.prefix}-${family}-*`;
  }
  private get quarantineIndex(): string {
    return `${this.prefix}-quarantine`;
  }
  private get pipeline(): string {
    return `${this.prefix}-ingested`;
  }
  private get policy(): string {
    return `${this.prefix}-retention`;
  }
  private indicesFor(datasets?: Dataset[]): string {
    const families = datasets?.length ? [...new Set(datasets.map(familyOf))] : FAMILIES;
    return families.map((f) => this.pattern(f)).join(',');
  }

  /** The bucket index an event belongs to, from its own @timestamp. */
  indexFor(e: EcsEvent): string {
    const bucket = this.o.rolloverDays * DAY_MS;
    const start = Math.floor(Date.parse(e['@timestamp']) / bucket) * bucket;
    const d = new Date(start).toISOString();
    return `${this.prefix}-${familyOf(e.event.dataset)}-${d.slice(0, 4)}.${d.slice(5, 7)}.${d.slice(8, 10)}`;
  }

  // ---- transport ----------------------------------------------------------------

  private async req<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts: { querystring?: Record<string, unknown>; ignore?: number[]; timeoutMs?: number; bulk?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    try {
      const r = await this.client.transport.request(
        {
          method,
          path,
          querystring: opts.querystring,
          ...(opts.bulk ? { bulkBody: body as string } : { body: body as any }),
        },
        { ignore: opts.ignore, requestTimeout: opts.timeoutMs, maxRetries: 0 },
      );
      return { status: r.statusCode ?? 200, body: r.body as T };
    } catch (err) {
      throw this.explain(err, `${method} ${path.length > 60 ? path.slice(0, 57) + '...' : path}`);
    }
  }

  private explain(err: unknown, what: string): Error {
    if (
      err instanceof errors.ConnectionError ||
      err instanceof errors.TimeoutError ||
      err instanceof errors.NoLivingConnectionsError
    ) {
      return new EduError(
        'EDU_ERR_STORE_UNREACHABLE',
        `the store at ${this.url} did not answer (${err.message}); start it (e.g. deploy/opensearch/node.sh start) or fix store.url`,
      );
    }
    if (err instanceof errors.ResponseError) {
      const status = err.meta.statusCode;
      if (status === 401 || status === 403) {
        return new EduError(
          'EDU_ERR_STORE',
          `the store at ${this.url} refused ${what} (HTTP ${status}); check store.username/password`,
        );
      }
      return new EduError(
        'EDU_ERR_STORE',
        `the store at ${this.url} rejected ${what} (HTTP ${status}): ${reasonOf(err.meta.body?.error) ?? err.message}`,
      );
    }
    return err as Error;
  }

  /** Fails fast with EDU_ERR_STORE_UNREACHABLE naming the URL; learns which engine it is. */
  async ping(): Promise<void> {
    await this.engine(Math.min(this.o.requestTimeoutMs, 5000));
  }

  private async engine(timeoutMs = this.o.requestTimeoutMs): Promise<Engine> {
    if (this.engineInfo) return this.engineInfo;
    const root = await this.req('GET', '/', undefined, { timeoutMs });
    const distribution = root.body?.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
    // Lifecycle plugins are optional (the bare runner nodes have neither): probe for them.
    const probe = distribution === 'opensearch' ? '/_plugins/_ism/policies' : '/_ilm/status';
    const has = await this.req('GET', probe, undefined, { ignore: [400, 404, 405], timeoutMs }).then(
      (r) => r.status === 200,
      () => false,
    );
    this.engineInfo = {
      distribution,
      version: String(root.body?.version?.number ?? '?'),
      lifecycle: has ? (distribution === 'opensearch' ? 'ism' : 'ilm') : 'none',
    };
    return this.engineInfo;
  }

  // ---- init / retention -----------------------------------------------------------

  /**
   * Writing before `store init` would let the engine guess mappings and skip the
   * ingest pipeline (no event.ingested, so no tail): the first write checks and inits.
   */
  private ready(): Promise<void> {
    this.prepared ??= (async () => {
      const r = await this.req('GET', `/_ingest/pipeline/${this.pipeline}`, undefined, { ignore: [404] });
      const t = await this.req('HEAD', `/_index_template/${this.alias(FAMILIES[FAMILIES.length - 1])}`, undefined, {
        ignore: [404],
      });
      if (r.status === 404 || t.status === 404) await this.init();
    })().catch((err) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  async init(opts: InitOptions = {}): Promise<void> {
    this.prepared = Promise.resolve();
    const engine = await this.engine();
    const days = opts.retentionDays ?? this.o.retentionDays;
    // pipeline, lifecycle policy, one template per family, quarantine index, prune
    const steps = 4 + FAMILIES.length;
    let done = 0;
    const step = (name: string) => opts.onProgress?.(++done, steps, name);
    await this.req('PUT', `/_ingest/pipeline/${this.pipeline}`, {
      description: 'EduSentry: event.ingested is the time the store received the event',
      processors: [{ set: { field: 'event.ingested', value: '{{_ingest.timestamp}}', override: false } }],
    });
    step('ingest pipeline');
    if (engine.lifecycle === 'ism') await this.putIsmPolicy(days);
    if (engine.lifecycle === 'ilm') {
      await this.req('PUT', `/_ilm/policy/${this.policy}`, {
        policy: { phases: { hot: { actions: {} }, delete: { min_age: `${days}d`, actions: { delete: {} } } } },
      });
    }
    step('retention policy');
    const mappings = eventMappings();
    await Promise.all(
      FAMILIES.map(async (family) => {
        await this.req('PUT', `/_index_template/${this.alias(family)}`, {
          index_patterns: [this.pattern(family)],
          priority: 200,
          _meta: { edusentry: { family, retention_days: days } },
          template: {
            settings: {
              number_of_shards: this.o.shards,
              number_of_replicas: this.o.replicas,
              'index.default_pipeline': this.pipeline,
              ...(engine.lifecycle === 'ilm' ? { 'index.lifecycle.name': this.policy } : {}),
            },
            mappings,
            aliases: { [this.alias(family)]: {} },
          },
        });
        step(`template ${family}`);
      }),
    );
    await this.req(
      'PUT',
      `/${this.quarantineIndex}`,
      { settings: { number_of_shards: 1, number_of_replicas: this.o.replicas }, mappings: quarantineMappings() },
      { ignore: [400] },
    );
    step('quarantine index');
    this.o.retentionDays = days;
    await this.prune();
    step('retention prune');
  }

  private async putIsmPolicy(days: number): Promise<void> {
    const path = `/_plugins/_ism/policies/${this.policy}`;
    const existing = await this.req('GET', path, undefined, { ignore: [404] });
    const policy = {
      policy: {
        description: `EduSentry retention: delete after ${days} days`,
        default_state: 'hot',
        states: [
          {
            name: 'hot',
            actions: [],
            transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
          },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: FAMILIES.map((f) => this.pattern(f)), priority: 100 }],
      },
    };
    const qs =
      existing.status === 200
        ? { if_seq_no: existing.body._seq_no, if_primary_term: existing.body._primary_term }
        : undefined;
    await this.req('PUT', path, policy, { querystring: qs });
  }

  async retentionDays(): Promise<number> {
    const engine = await this.engine();
    if (engine.lifecycle === 'ism') {
      const r = await this.req('GET', `/_plugins/_ism/policies/${this.policy}`, undefined, { ignore: [404] });
      const age = r.body?.policy?.states?.[0]?.transitions?.[0]?.conditions?.min_index_age;
      if (typeof age === 'string') return parseInt(age, 10);
    }
    if (engine.lifecycle === 'ilm') {
      const r = await this.req('GET', `/_ilm/policy/${this.policy}`, undefined, { ignore: [404] });
      const age = r.body?.[this.policy]?.policy?.phases?.delete?.min_age;
      if (typeof age === 'string') return parseInt(age, 10);
    }
    const t = await this.req('GET', `/_index_template/${this.alias(FAMILIES[0])}`, undefined, { ignore: [404] });
    const days = t.body?.index_templates?.[0]?.index_template?._meta?.edusentry?.retention_days;
    return typeof days === 'number' ? days : this.o.retentionDays;
  }

  /** ISM/ILM only when the engine has the plugin and our delete policy is on it; otherwise the daily prune job. */
  async retentionMechanism(): Promise<RetentionMechanism> {
    const engine = await this.engine();
    if (engine.lifecycle === 'none') return 'prune-job';
    const path = engine.lifecycle === 'ism' ? `/_plugins/_ism/policies/${this.policy}` : `/_ilm/policy/${this.policy}`;
    const r = await this.req('GET', path, undefined, { ignore: [404] });
    return r.status === 200 ? engine.lifecycle : 'prune-job';
  }

  /** Deletes the bucket indices whose whole time span is older than retention. */
  async prune(now = Date.now()): Promise<number> {
    const days = await this.retentionDays();
    const r = await this.req('GET', `/_cat/indices/${this.indicesFor()}`, undefined, {
      querystring: { format: 'json', h: 'index', expand_wildcards: 'open' },
    });
    const bucketMs = this.o.rolloverDays * DAY_MS;
    const old = (r.body as { index: string }[])
      .map((i) => i.index)
      .filter((name) => {
        const m = name.match(/-(\d{4})\.(\d{2})\.(\d{2})$/);
        return m !== null && Date.UTC(+m[1], +m[2] - 1, +m[3]) + bucketMs <= now - days * DAY_MS;
      });
    for (let i = 0; i < old.length; i += 50)
      await this.req('DELETE', `/${old.slice(i, i + 50).join(',')}`, undefined, { ignore: [404] });
    return old.length;
  }

  // ---- write ----------------------------------------------------------------------

  async write(events: EcsEvent[]): Promise<WriteResult> {
    await this.ready();
    const quarantined: Quarantined[] = [];
    const items: BulkItem[] = [];
    for (const e of events) {
      const reason = invalidReason(e);
      if (reason) {
        quarantined.push({
          id: String((e as any)?.event?.id ?? ''),
          dataset: String((e as any)?.event?.dataset ?? ''),
          reason,
          event: e,
        });
        continue;
      }
      // event.ingested is the store's to set (the pipeline keeps an existing value, for updates).
      const doc = e.event.ingested === undefined ? e : { ...e, event: { ...e.event, ingested: undefined } };
      items.push({ event: e, doc });
    }
    let written = 0;
    let failed = 0;
    const chunks: BulkItem[][] = [];
    for (let i = 0; i < items.length; i += this.o.bulkDocs) chunks.push(items.slice(i, i + this.o.bulkDocs));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const r = await this.bulk(chunks[next++]);
        written += r.written;
        failed += r.failed;
        quarantined.push(...r.quarantined);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, chunks.length) }, worker));
    if (quarantined.length) await this.keepQuarantined(quarantined);
    return { written, quarantined, failed };
  }

  /** One bulk request, retrying retryable items (429, 5xx) with backoff; quarantining what the engine rejects for good. */
  private async bulk(items: BulkItem[]): Promise<{ written: number; failed: number; quarantined: Quarantined[] }> {
    let pending = items;
    let written = 0;
    const quarantined: Quarantined[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(5000, this.o.retryBaseMs * 2 ** attempt) * (0.5 + Math.random() / 2));
      // Serialised here, a chunk at a time: the engine indexes one chunk while the next is built.
      const body = pending.map((i) => (i.lines ??= this.bulkLines(i))).join('');
      let res: { status: number; body: any };
      try {
        res = await this.req('POST', '/_bulk', body, {
          bulk: true,
          querystring: {
            filter_path: 'errors,items.*.status,items.*.error',
            ...(this.o.refresh ? { refresh: 'true' } : {}),
          },
          ignore: [429, 500, 502, 503, 504],
        });
      } catch (err) {
        // The store being down for a moment is retryable; a rejected request is not.
        if ((err as EduError).code === 'EDU_ERR_STORE_UNREACHABLE' && attempt < this.o.bulkRetries) continue;
        throw err;
      }
      if (res.status !== 200) {
        if (attempt < this.o.bulkRetries) continue;
        return { written, failed: pending.length, quarantined };
      }
      const retry: BulkItem[] = [];
      const results: any[] = res.body.items ?? [];
      pending.forEach((item, i) => {
        const r = results[i]?.create ?? results[i]?.index ?? {};
        const status: number = r.status ?? 500;
        // 409: an event with this id is already stored, which is what idempotent means.
        if (status < 300 || status === 409) written++;
        else if (status === 429 || status >= 500) retry.push(item);
        else
          quarantined.push({
            id: item.event.event.id,
            dataset: item.event.event.dataset,
            reason: reasonOf(r.error) ?? `HTTP ${status}`,
            event: item.event,
          });
      });
      if (retry.length && attempt >= this.o.bulkRetries) return { written, failed: retry.length, quarantined };
      pending = retry;
    }
    return { written, failed: 0, quarantined };
  }

  private bulkLines({ event, doc }: BulkItem): string {
    const action = `{"create":{"_index":${JSON.stringify(this.indexFor(event))},"_id":${JSON.stringify(event.event.id)}}}`;
    return `${action}\n${JSON.stringify(doc)}\n`;
  }

  private async keepQuarantined(list: Quarantined[]): Promise<void> {
    const at = new Date().toISOString();
    const body = list
      .map(
        (q) =>
          `{"index":{"_index":${JSON.stringify(this.quarantineIndex)}}}\n${JSON.stringify({ event: { id: q.id, dataset: q.dataset }, reason: q.reason, at, doc: safeJson(q.event) })}\n`,
      )
      .join('');
    await this.req('POST', '/_bulk', body, {
      bulk: true,
      querystring: { filter_path: 'errors', ...(this.o.refresh ? { refresh: 'true' } : {}) },
    });
  }

  // ---- read -----------------------------------------------------------------------

  async search<E = EcsEvent>(q: SearchQuery): Promise<SearchResult<E>> {
    const sort: Record<string, Record<string, string>>[] = (
      q.sort ?? [{ field: '@timestamp', order: 'desc' as const }]
    ).map((s) => ({
      // Missing values first when ascending, last when descending, as SQL orders NULL.
      [exactField(s.field)]: {
        order: s.order,
        unmapped_type: 'keyword',
        missing: s.order === 'asc' ? '_first' : '_last',
      },
    }));
    sort.push({ 'event.id': { order: 'desc', unmapped_type: 'keyword' } });
    const body: Record<string, unknown> = {
      query: buildQuery(q),
      size: q.size ?? 20,
      from: q.offset ?? 0,
      sort,
      track_total_hits: true,
    };
    if (q.aggs && Object.keys(q.aggs).length) body.aggs = buildAggs(q.aggs);
    // The engine stops the search itself before the client gives up on the request (which
    // would leave it running): a query that cannot finish in time fails instead of piling up.
    const budgetMs = Math.max(100, Math.floor(this.o.requestTimeoutMs * 0.8));
    body.timeout = `${budgetMs}ms`;
    const r = await this.req('POST', `/${this.indicesFor(q.datasets)}/_search`, body, {
      querystring: { ignore_unavailable: true, allow_no_indices: true },
    });
    // Partial hits and counts would be shown as if whole.
    if (r.body.timed_out)
      throw new EduError(
        'EDU_ERR_STORE_TIMEOUT',
        `the search did not finish within ${budgetMs} ms; narrow the time range or the filters`,
      );
    return {
      total: typeof r.body.hits.total === 'number' ? r.body.hits.total : r.body.hits.total.value,
      hits: r.body.hits.hits.map((h: any) => h._source as E),
      aggs: q.aggs ? readAggs(q.aggs, r.body.aggregations) : {},
    };
  }

  /**
   * Finds a document by id. A document written a moment ago may not be searchable yet
   * (writes do not refresh unless `refresh` is set): on a miss, the indices are
   * refreshed once and the search repeated, so what was written can be read and updated.
   */
  private async locate(id: string, dataset?: Dataset): Promise<{ index: string; source: EcsEvent } | undefined> {
    const indices = this.indicesFor(dataset ? [dataset] : undefined);
    const qs = { ignore_unavailable: true, allow_no_indices: true };
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) await this.req('POST', `/${indices}/_refresh`, undefined, { querystring: qs });
      const body = { query: { ids: { values: [id] } }, size: 1 };
      const r = await this.req('POST', `/${indices}/_search`, body, { querystring: qs });
      const hit = r.body.hits.hits[0];
      if (hit) return { index: hit._index, source: hit._source };
      if (this.o.refresh) break;
    }
    return undefined;
  }

  async get(id: string, dataset?: Dataset): Promise<EcsEvent | undefined> {
    return (await this.locate(id, dataset))?.source;
  }

  /**
   * Updates are rare (alert triage, alert aggregation) and read back at once by whoever
   * made them (the console shows the new state, lists it, refuses a second acknowledge):
   * the update refreshes its index so the next get and search see it.
   */
  async update(id: string, dataset: Dataset, patch: Record<string, unknown>): Promise<boolean> {
    const found = await this.locate(id, dataset);
    if (!found) return false;
    const r = await this.req(
      'POST',
      `/${found.index}/_update/${encodeURIComponent(id)}`,
      { doc: patch },
      { querystring: { retry_on_conflict: 3, refresh: 'true' }, ignore: [404] },
    );
    return r.status !== 404;
  }

  /**
   * Ingest order is (event.ingested, event.id). Only events ingested at least
   * `tailLagMs` ago (by the engine's clock) are returned, so documents still on their
   * way to being searchable are not overtaken. In case one is slower still, each call
   * also looks back over an overlap window before the cursor and skips the ids the
   * cursor says were delivered there: late arrivals are delivered, nothing twice.
   */
  async tail(cursor: TailCursor | null, opts: { limit?: number; datasets?: Dataset[] } = {}): Promise<TailResult> {
    const limit = opts.limit ?? 1000;
    const overlapMs = this.o.tailOverlapMs;
    const ts = typeof cursor?.ts === 'number' ? cursor.ts : undefined;
    const seen = new Map<string, number>(Array.isArray(cursor?.seen) ? (cursor.seen as [string, number][]) : []);
    const filter: Record<string, unknown>[] = [
      {
        range: {
          'event.ingested': {
            // Date math has no millisecond unit: the lag is rounded up to whole seconds.
            lte: this.o.tailLagMs > 0 ? `now-${Math.ceil(this.o.tailLagMs / 1000)}s` : 'now',
            ...(ts !== undefined ? { gte: ts - overlapMs, format: 'epoch_millis||strict_date_optional_time' } : {}),
          },
        },
      },
    ];
    if (opts.datasets?.length) filter.push({ terms: { 'event.dataset': opts.datasets } });
    const r = await this.req(
      'POST',
      `/${this.indicesFor(opts.datasets)}/_search`,
      {
        query: { bool: { filter, must_not: seen.size ? [{ ids: { values: [...seen.keys()] } }] : [] } },
        sort: [{ 'event.ingested': { order: 'asc' } }, { 'event.id': { order: 'asc' } }],
        size: limit,
        track_total_hits: false,
      },
      { querystring: { ignore_unavailable: true, allow_no_indices: true } },
    );
    const hits: any[] = r.body.hits.hits;
    let newTs = ts;
    for (const h of hits) {
      const at = Number(h.sort[0]);
      seen.set(h._id, at);
      newTs = newTs === undefined ? at : Math.max(newTs, at);
    }
    const keep: [string, number][] = newTs === undefined ? [] : [...seen].filter(([, at]) => at >= newTs - overlapMs);
    return { events: hits.map((h) => h._source), cursor: { kind: 'elasticsearch', ts: newTs, seen: keep } };
  }

  /**
   * The newest event.ingested, with the ids ingested within the overlap window before it as
   * already delivered: tail() from here returns what is ingested later, and what was ingested
   * earlier but becomes searchable only now (inside the overlap), never what is there already.
   */
  async tailEnd(): Promise<TailCursor> {
    const q = { querystring: { ignore_unavailable: true, allow_no_indices: true } };
    const r = await this.req(
      'POST',
      `/${this.indicesFor()}/_search`,
      { size: 0, track_total_hits: false, aggs: { last: { max: { field: 'event.ingested' } } } },
      q,
    );
    const last = r.body.aggregations?.last?.value as number | null | undefined;
    if (last == null) return { kind: 'elasticsearch', ts: undefined, seen: [] };
    const recent = await this.req(
      'POST',
      `/${this.indicesFor()}/_search`,
      {
        query: { range: { 'event.ingested': { gte: last - this.o.tailOverlapMs, format: 'epoch_millis' } } },
        sort: [{ 'event.ingested': { order: 'asc' } }, { 'event.id': { order: 'asc' } }],
        size: 10_000,
        _source: false,
        track_total_hits: false,
      },
      q,
    );
    const seen: [string, number][] = recent.body.hits.hits.map((h: any) => [h._id, Number(h.sort[0])]);
    return { kind: 'elasticsearch', ts: last, seen };
  }

  async stats(): Promise<StoreStats> {
    const r = await this.req(
      'POST',
      `/${this.indicesFor()}/_search`,
      {
        size: 0,
        track_total_hits: true,
        aggs: {
          datasets: { terms: { field: 'event.dataset', size: Object.keys(DATASETS).length + 10 } },
          oldest: { min: { field: '@timestamp' } },
          newest: { max: { field: '@timestamp' } },
        },
      },
      { querystring: { ignore_unavailable: true, allow_no_indices: true } },
    );
    const q = await this.req('GET', `/${this.quarantineIndex}/_count`, undefined, { ignore: [404] });
    const a = r.body.aggregations ?? {};
    return {
      kind: this.kind,
      location: this.url,
      total: typeof r.body.hits.total === 'number' ? r.body.hits.total : r.body.hits.total.value,
      byDataset: Object.fromEntries((a.datasets?.buckets ?? []).map((b: any) => [b.key, b.doc_count])),
      oldest: a.oldest?.value != null ? new Date(a.oldest.value).toISOString() : undefined,
      newest: a.newest?.value != null ? new Date(a.newest.value).toISOString() : undefined,
      retentionDays: await this.retentionDays(),
      quarantined: q.status === 200 ? q.body.count : 0,
    };
  }

  /** Makes everything written so far searchable (tests, benchmarks). */
  async refresh(): Promise<void> {
    await this.req('POST', `/${this.indicesFor()},${this.quarantineIndex}/_refresh`, undefined, {
      querystring: { ignore_unavailable: true, allow_no_indices: true },
    });
  }

  // ---- snapshot (edusentry backup) --------------------------------------------------

  /**
   * Snapshots every event index of this prefix into an `fs` repository at `location` (a folder
   * under the node's path.repo), registered under `repository`; waits until it is complete.
   */
  async snapshot(o: { repository: string; location: string; name: string }): Promise<SnapshotInfo> {
    await this.req('PUT', `/_snapshot/${o.repository}`, { type: 'fs', settings: { location: o.location } });
    const r = await this.req(
      'PUT',
      `/_snapshot/${o.repository}/${o.name}`,
      {
        indices: `${this.indicesFor()},${this.quarantineIndex}`,
        ignore_unavailable: true,
        include_global_state: false,
      },
      { querystring: { wait_for_completion: true } },
    );
    const snap = r.body?.snapshot ?? {};
    if (snap.state !== 'SUCCESS')
      throw new EduError('EDU_ERR_STORE', `snapshot ${o.name} ended ${String(snap.state)}, not SUCCESS`);
    return { name: o.name, indices: [...(snap.indices ?? [])].sort(), state: snap.state };
  }

  /** The node's first path.repo (where an fs repository may be), if it has one. */
  async pathRepo(): Promise<string | undefined> {
    const r = await this.req('GET', '/_nodes/settings', undefined, {
      querystring: { filter_path: 'nodes.*.settings.path.repo' },
    });
    const node = Object.values(r.body?.nodes ?? {})[0] as any;
    const repo = node?.settings?.path?.repo;
    return Array.isArray(repo) ? repo[0] : repo;
  }

  /** A snapshot's state as the engine reports it (SUCCESS, PARTIAL, FAILED) or undefined when it has none of that name. */
  async snapshotState(repository: string, name: string): Promise<string | undefined> {
    const r = await this.req('GET', `/_snapshot/${repository}/${name}`, undefined, { ignore: [404] });
    return r.status === 200 ? r.body?.snapshots?.[0]?.state : undefined;
  }

  /** Restores a snapshot of this prefix as new indices under `targetPrefix` (the originals stay). */
  async restoreSnapshot(o: { repository: string; name: string; targetPrefix: string }): Promise<string[]> {
    if (o.targetPrefix === this.prefix)
      throw new EduError(
        'EDU_ERR_USAGE',
        `restore into new indices: the target prefix must differ from ${this.prefix}`,
      );
    const r = await this.req(
      'POST',
      `/_snapshot/${o.repository}/${o.name}/_restore`,
      {
        indices: `${this.prefix}-*`,
        include_aliases: false,
        include_global_state: false,
        rename_pattern: `${this.prefix}-(.+)`,
        rename_replacement: `${o.targetPrefix}-$1`,
      },
      { querystring: { wait_for_completion: true } },
    );
    return [...(r.body?.snapshot?.indices ?? [])].sort();
  }

  /** Deletes every index, template, pipeline and policy of this prefix (tests). */
  async destroy(): Promise<void> {
    await this.req('DELETE', `/${this.indicesFor()},${this.quarantineIndex}`, undefined, {
      querystring: { ignore_unavailable: true, allow_no_indices: true },
      ignore: [404],
    });
    await Promise.all(
      FAMILIES.map((f) => this.req('DELETE', `/_index_template/${this.alias(f)}`, undefined, { ignore: [404] })),
    );
    await this.req('DELETE', `/_ingest/pipeline/${this.pipeline}`, undefined, { ignore: [404] });
    const engine = await this.engine();
    if (engine.lifecycle === 'ism')
      await this.req('DELETE', `/_plugins/_ism/policies/${this.policy}`, undefined, { ignore: [404] });
    if (engine.lifecycle === 'ilm')
      await this.req('DELETE', `/_ilm/policy/${this.policy}`, undefined, { ignore: [404] });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function reasonOf(error: any): string | undefined {
  if (!error) return undefined;
  if (typeof error === 'string') return error;
  const detail = error.caused_by?.reason ?? error.root_cause?.[0]?.reason ?? error.failed_shards?.[0]?.reason?.reason;
  const cause = detail && detail !== error.reason ? ` (${detail})` : '';
  return `${error.type ?? 'error'}: ${error.reason ?? ''}${cause}`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return String(v);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
