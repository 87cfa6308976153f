/**
 * Retro-hunt: run rules over stored history. On the embedded store the events of the rules'
 * datasets are paged through `search` and evaluated in process. On Elasticsearch/OpenSearch
 * each rule is converted to query DSL and run by the cluster; its hits are then evaluated in
 * process too, in time order, so alerts (and correlations) come out exactly as the live
 * analyzer would raise them.
 */
import {
  familyOf,
  type AlertEvent,
  type Dataset,
  type EcsEvent,
  type EventStore,
  type StoreConfig,
} from '@edusentry/core';
import { convertRule, ConversionError, type Dsl } from './sigma/convert';
import { Detector } from './sigma/detector';
import type { RuleSet } from './sigma/match/ruleset';

export interface HuntOptions {
  store: EventStore;
  storeConfig: StoreConfig;
  set: RuleSet;
  fromMs: number;
  toMs: number;
  placeholders: Record<string, string[]>;
  onAlert: (a: AlertEvent) => void;
  pageSize?: number;
  /**
   * For a progress bar: on the embedded store, how far the scan is through the time range (ms
   * done of ms in range, events scanned so far); on a cluster, the rules run so far of all.
   */
  onProgress?: (done: number, total: number, scanned: number) => void;
}

export interface HuntResult {
  scanned: number;
  /** Elasticsearch only: documents the converted queries returned. */
  queryHits?: number;
  alerts: number;
  /** Rules whose exact query the engine rejected and that ran as a relaxed superset query. */
  relaxed: number;
  /** Rules that could not be converted (Elasticsearch only), with the reason. */
  unconverted: { rule: string; reason: string }[];
}

export async function hunt(o: HuntOptions): Promise<HuntResult> {
  const detector = new Detector(o.set, { latenessMs: Number.MAX_SAFE_INTEGER });
  const datasets = [...new Set(o.set.rules.flatMap((r) => r.datasets))] as Dataset[];
  const result: HuntResult = { scanned: 0, alerts: 0, relaxed: 0, unconverted: [] };
  const emit = (ev: Record<string, unknown>) => {
    for (const a of detector.process(ev)) {
      result.alerts++;
      o.onAlert(a);
    }
  };
  const size = o.pageSize ?? 1000;
  if (o.store.kind === 'embedded') {
    for (let offset = 0; ; offset += size) {
      const page = await o.store.search({
        datasets,
        from: o.fromMs,
        to: o.toMs,
        sort: [{ field: '@timestamp', order: 'asc' }],
        size,
        offset,
      });
      page.hits.forEach((h) => emit(h as Record<string, unknown>));
      result.scanned += page.hits.length;
      if (page.hits.length < size) break;
      const last = Date.parse(String(page.hits[page.hits.length - 1]['@timestamp']));
      if (Number.isFinite(last)) o.onProgress?.(last - o.fromMs, o.toMs - o.fromMs, result.scanned);
    }
    return result;
  }
  const hits = new Map<string, EcsEvent>();
  for (const [i, rule] of o.set.rules.entries()) {
    o.onProgress?.(i, o.set.rules.length, hits.size);
    let query: Dsl;
    try {
      query = (convertRule(rule, 'dsl', { placeholders: o.placeholders }) as { query: Dsl }).query;
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      result.unconverted.push({ rule: rule.rule.meta.title, reason: e.message });
      continue;
    }
    const indices = [...new Set(rule.datasets.map((d) => `${o.storeConfig.indexPrefix}-${familyOf(d)}-*`))].join(',');
    try {
      for await (const doc of searchAll(o.storeConfig, indices, query, o.fromMs, o.toMs, size))
        hits.set(String(doc.event?.id), doc);
    } catch {
      // The engine rejected the exact query (a regex Lucene cannot express, too many clauses):
      // run the relaxed superset instead; the in-process evaluation below keeps the result exact.
      try {
        const relaxed = (convertRule(rule, 'dsl', { placeholders: o.placeholders, relax: true }) as { query: Dsl })
          .query;
        for await (const doc of searchAll(o.storeConfig, indices, relaxed, o.fromMs, o.toMs, size))
          hits.set(String(doc.event?.id), doc);
        result.relaxed++;
      } catch (e) {
        result.unconverted.push({ rule: rule.rule.meta.title, reason: (e as Error).message });
      }
    }
  }
  result.queryHits = hits.size;
  const ordered = [...hits.values()].sort((a, b) => String(a['@timestamp']).localeCompare(String(b['@timestamp'])));
  ordered.forEach((h) => emit(h as Record<string, unknown>));
  result.scanned = ordered.length;
  return result;
}

async function* searchAll(
  cfg: StoreConfig,
  indices: string,
  query: Dsl,
  fromMs: number,
  toMs: number,
  size: number,
): AsyncGenerator<EcsEvent> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cfg.username)
    headers.authorization = 'Basic ' + Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64');
  let after: unknown[] | undefined;
  for (;;) {
    const body = {
      size,
      query: {
        bool: { filter: [query, { range: { '@timestamp': { gte: fromMs, lt: toMs, format: 'epoch_millis' } } }] },
      },
      sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
      ...(after ? { search_after: after } : {}),
    };
    const url = `${cfg.url.replace(/\/+$/, '')}/${indices}/_search?ignore_unavailable=true&allow_no_indices=true&allow_partial_search_results=false`;
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (!res.ok)
      throw new Error(
        `search failed (${res.status}): ${JSON.stringify(json.error?.root_cause?.[0]?.reason ?? json.error ?? json).slice(0, 300)}`,
      );
    const hits = json.hits.hits as { _source: EcsEvent; sort: unknown[] }[];
    for (const h of hits) yield h._source;
    if (hits.length < size) return;
    after = hits[hits.length - 1].sort;
  }
}
