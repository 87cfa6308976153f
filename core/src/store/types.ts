/**
 * The EventStore contract. Two implementations (embedded SQLite, Elasticsearch/
 * OpenSearch) answer the same queries and are held to one contract test suite
 * (core/test/store-contract.ts).
 */
import type { Dataset } from '../schema/datasets';
import type { EcsEvent } from '../schema/ecs';

export type StoreKind = 'embedded' | 'elasticsearch';

export interface Quarantined {
  id: string;
  dataset: string;
  reason: string;
  event: unknown;
}

export interface WriteResult {
  /** Accepted by the store (new or identical rewrite of an existing id). */
  written: number;
  /** Rejected for good (mapping conflict, bad document): kept with the engine's reason. */
  quarantined: Quarantined[];
  /** Retryable failures that still failed after the store's own retries. */
  failed: number;
}

export type Filter =
  | { field: string; op: 'eq'; value: string | number | boolean }
  | { field: string; op: 'in'; values: (string | number)[] }
  | { field: string; op: 'neq'; value: string | number | boolean }
  | { field: string; op: 'prefix'; value: string }
  | { field: string; op: 'contains'; value: string }
  | { field: string; op: 'exists' }
  | { field: string; op: 'missing' }
  | {
      field: string;
      op: 'range';
      gte?: number | string;
      lte?: number | string;
      gt?: number | string;
      lt?: number | string;
    }
  /** IPv4/IPv6 address in a CIDR block (field must be an ip field). */
  | { field: string; op: 'cidr'; value: string };

export type Aggregation =
  | { type: 'terms'; field: string; size?: number }
  | { type: 'date_histogram'; field?: string; intervalMs: number }
  | { type: 'cardinality'; field: string }
  | { type: 'sum'; field: string };

export interface AggBucket {
  key: string | number;
  count: number;
}
export type AggResult = { buckets: AggBucket[] } | { value: number };

export interface SearchQuery {
  datasets?: Dataset[];
  /** ISO timestamps or epoch ms; inclusive from, exclusive to. */
  from?: string | number;
  to?: string | number;
  /** Organisation scope: only events whose organization.id is one of these. Undefined = no scope. */
  orgIds?: string[];
  filters?: Filter[];
  /** Free-text search over message / original / url / user agent. */
  text?: string;
  sort?: { field: string; order: 'asc' | 'desc' }[];
  size?: number;
  offset?: number;
  aggs?: Record<string, Aggregation>;
}

export interface SearchResult<E = EcsEvent> {
  total: number;
  hits: E[];
  aggs: Record<string, AggResult>;
}

/** Opaque, JSON-serialisable position in ingest order; persist it and pass it back. */
export interface TailCursor {
  kind: StoreKind;
  [k: string]: unknown;
}

export interface TailResult {
  events: EcsEvent[];
  cursor: TailCursor;
}

export interface StoreStats {
  kind: StoreKind;
  location: string;
  total: number;
  byDataset: Record<string, number>;
  oldest?: string;
  newest?: string;
  retentionDays: number;
  quarantined: number;
}

export interface InitOptions {
  retentionDays?: number;
  /** Called after each step of a cluster's init (pipeline, policy, each template…), for a progress bar. */
  onProgress?: (done: number, total: number, step: string) => void;
}

/** ism / ilm: a delete policy found on the engine; prune-job: EduSentry deletes date-named buckets itself. */
export type RetentionMechanism = 'ism' | 'ilm' | 'prune-job';

export interface EventStore {
  readonly kind: StoreKind;
  /** Creates schema / templates / pipelines / retention policy. Idempotent. */
  init(opts?: InitOptions): Promise<void>;
  /** Writes events; the same event.id written twice is stored once. */
  write(events: EcsEvent[]): Promise<WriteResult>;
  search<E = EcsEvent>(q: SearchQuery): Promise<SearchResult<E>>;
  get(id: string, dataset?: Dataset): Promise<EcsEvent | undefined>;
  /** Merges a partial document into an existing one (alert triage). Returns false if absent. */
  update(id: string, dataset: Dataset, patch: Record<string, unknown>): Promise<boolean>;
  /**
   * Events in ingest order after `cursor` (null = from the beginning). A consumer that
   * persists the returned cursor never misses or repeats an event.
   */
  tail(cursor: TailCursor | null, opts?: { limit?: number; datasets?: Dataset[] }): Promise<TailResult>;
  /**
   * A cursor at the end of the store, found without reading what is before it: tail() from
   * here delivers only what is written afterwards (a consumer that wants only what is new,
   * like the console's live push on its first start, begins here).
   */
  tailEnd?(): Promise<TailCursor>;
  stats(): Promise<StoreStats>;
  /** Configured retention in days (what init applied). */
  retentionDays(): Promise<number>;
  /** Deletes what lies wholly past retention now (the daily retention job, retention.ts); returns how many it removed (events embedded, indices on a cluster). */
  prune?(now?: number): Promise<number>;
  /** What enforces retention, as the engine says: its lifecycle policy (ISM, ILM) or EduSentry's own daily prune job. */
  retentionMechanism?(): Promise<RetentionMechanism>;
  close(): Promise<void>;
}
