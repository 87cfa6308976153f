/** Translates a SearchQuery (filters, time range, org scope, aggregations) into query DSL. */
import { EduError } from '../errors';
import { fieldType } from './elastic-mappings';
import type { AggResult, Aggregation, Filter, SearchQuery } from './types';
import { toEpochMs } from './validate';

type Dsl = Record<string, any>;

export function buildQuery(q: SearchQuery): Dsl {
  const filter: Dsl[] = [];
  const mustNot: Dsl[] = [];
  const from = toEpochMs(q.from);
  const to = toEpochMs(q.to);
  if (from !== undefined || to !== undefined) {
    filter.push({ range: { '@timestamp': { gte: from, lt: to, format: 'epoch_millis' } } });
  }
  if (q.datasets?.length) filter.push({ terms: { 'event.dataset': q.datasets } });
  if (q.orgIds) filter.push(q.orgIds.length ? { terms: { 'organization.id': q.orgIds } } : { match_none: {} });
  if (q.text) filter.push(textQuery(q.text));
  for (const f of q.filters ?? []) {
    const { clause, negate } = filterClause(f);
    (negate ? mustNot : filter).push(clause);
  }
  return { bool: { filter, must_not: mustNot } };
}

/** Free text: phrases in the analysed fields, substrings in the usual keyword ones. */
function textQuery(text: string): Dsl {
  const phrase = ['message', 'event.original'].map((f) => ({ match_phrase: { [f]: text } }));
  const sub = [
    'url.original',
    'url.full',
    'user_agent.original',
    'dns.question.name',
    'tls.client.server_name',
    'rule.name',
  ].map((f) => ({ wildcard: { [f]: { value: `*${escapeWildcard(text)}*`, case_insensitive: true } } }));
  return { bool: { should: [...phrase, ...sub], minimum_should_match: 1 } };
}

function escapeWildcard(v: string): string {
  return v.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function filterClause(f: Filter): { clause: Dsl; negate?: boolean } {
  const type = fieldType(f.field);
  switch (f.op) {
    case 'eq':
      return { clause: type === 'text' ? { match_phrase: { [f.field]: f.value } } : { term: { [f.field]: f.value } } };
    case 'neq':
      return {
        clause: type === 'text' ? { match_phrase: { [f.field]: f.value } } : { term: { [f.field]: f.value } },
        negate: true,
      };
    case 'in':
      return { clause: { terms: { [f.field]: f.values } } };
    case 'prefix':
      return { clause: { prefix: { [f.field]: { value: f.value } } } };
    case 'contains':
      if (type === 'text') {
        // Analysed text has no substrings: a word matches inside tokens, several words as a phrase.
        return {
          clause: /\s/.test(f.value.trim())
            ? { match_phrase: { [f.field]: f.value } }
            : { wildcard: { [f.field]: { value: `*${escapeWildcard(f.value.trim().toLowerCase())}*` } } },
        };
      }
      return { clause: { wildcard: { [f.field]: { value: `*${escapeWildcard(f.value)}*`, case_insensitive: true } } } };
    case 'exists':
      return { clause: { exists: { field: f.field } } };
    case 'missing':
      return { clause: { exists: { field: f.field } }, negate: true };
    case 'range': {
      const r: Dsl = { gte: f.gte, gt: f.gt, lte: f.lte, lt: f.lt };
      if (type === 'date') for (const k of Object.keys(r)) if (r[k] !== undefined) r[k] = toEpochMs(r[k]);
      if (type === 'date') r.format = 'epoch_millis';
      return { clause: { range: { [f.field]: r } } };
    }
    case 'cidr':
      if (type !== 'ip') throw new EduError('EDU_ERR_USAGE', `cidr filter needs an ip field; "${f.field}" is not one`);
      return { clause: { term: { [f.field]: f.value } } };
  }
}

export function buildAggs(aggs: Record<string, Aggregation>): Dsl {
  const out: Dsl = {};
  for (const [name, a] of Object.entries(aggs)) {
    switch (a.type) {
      case 'terms':
        out[name] = { terms: { field: a.field, size: a.size ?? 10, order: [{ _count: 'desc' }, { _key: 'asc' }] } };
        break;
      case 'date_histogram':
        out[name] = {
          date_histogram: {
            field: a.field ?? '@timestamp',
            fixed_interval: `${Math.max(1, Math.floor(a.intervalMs))}ms`,
            min_doc_count: 1,
          },
        };
        break;
      case 'cardinality':
        // Exact up to the threshold, which covers what the console counts.
        out[name] = { cardinality: { field: a.field, precision_threshold: 40000 } };
        break;
      case 'sum':
        out[name] = { sum: { field: a.field } };
        break;
    }
  }
  return out;
}

export function readAggs(aggs: Record<string, Aggregation>, body: Dsl | undefined): Record<string, AggResult> {
  const out: Record<string, AggResult> = {};
  for (const [name, a] of Object.entries(aggs)) {
    const r = body?.[name];
    if (a.type === 'cardinality' || a.type === 'sum') out[name] = { value: Number(r?.value ?? 0) };
    else out[name] = { buckets: (r?.buckets ?? []).map((b: Dsl) => ({ key: b.key, count: b.doc_count })) };
  }
  return out;
}
