/** Translates a SearchQuery (filters, time range, org scope, aggregations) into query DSL. */
import { isIP } from 'node:net';
import { EduError } from '../../errors';
import { ECS_FIELDS, exactField, fieldType } from './mappings';
import type { AggResult, Aggregation, Filter, SearchQuery } from '../types';
import { toEpochMs } from '../validate';

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

const TEXT_FIELDS = Object.keys(ECS_FIELDS).filter((f) => ECS_FIELDS[f] === 'text');
const IP_FIELDS = Object.keys(ECS_FIELDS).filter((f) => ECS_FIELDS[f] === 'ip');
/** Keyword fields a person searches by: names, addresses, rules, what was asked for. */
const TEXT_KEYWORDS = [
  'url.original',
  'url.full',
  'url.domain',
  'user_agent.original',
  'dns.question.name',
  'tls.client.server_name',
  'rule.id',
  'rule.name',
  'user.name',
  'source.user.name',
  'destination.user.name',
  'threat.tactic.name',
  'threat.technique.name',
  'threat.technique.id',
  'event.action',
  'organization.name',
  'observer.name',
  'host.name',
  'log.syslog.hostname',
  'log.syslog.appname',
];

/**
 * Free text, as the embedded store has it (a case-insensitive substring of the event):
 * phrases and substrings of analysed text, substrings of the keyword fields people
 * search by, and substrings of the addresses when the text can be part of one.
 */
function textQuery(text: string): Dsl {
  const phrase = TEXT_FIELDS.map((f) => ({ match_phrase: { [f]: text } }));
  const sub = [...TEXT_KEYWORDS, ...TEXT_FIELDS.map(exactField)].map((f) => ({
    wildcard: { [f]: { value: `*${escapeWildcard(text)}*`, case_insensitive: true } },
  }));
  const ips = /^[0-9a-fA-F:.]+$/.test(text) && /[.:]/.test(text) ? [docValueMatch(IP_FIELDS, text, 'contains')] : [];
  return { bool: { should: [...phrase, ...sub, ...ips], minimum_should_match: 1 } };
}

function escapeWildcard(v: string): string {
  return v.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/**
 * Prefix or substring of the string form of addresses and numbers, which have no
 * wildcard queries: a script over doc values (slower, but filters by time and
 * organisation run first, and it answers what the embedded store answers).
 */
function docValueMatch(fields: string[], value: string, mode: 'prefix' | 'contains'): Dsl {
  return {
    script: {
      script: {
        lang: 'painless',
        source:
          'for (String f : params.fields) { if (!doc.containsKey(f)) continue; for (def v : doc[f]) { ' +
          'String s = String.valueOf(v); if (params.prefix ? s.startsWith(params.v) : s.toLowerCase().contains(params.v)) return true; } } return false;',
        params: { fields, v: mode === 'prefix' ? value : value.toLowerCase(), prefix: mode === 'prefix' },
      },
    },
  };
}

const NONE: Dsl = { match_none: {} };

/** Whether `v` can be a value of a field of this type; a term query with one that cannot is an engine error. */
function fits(type: string | undefined, v: string | number | boolean): boolean {
  if (type === 'ip') return typeof v === 'string' && isIP(v) !== 0;
  if (type === 'long' || type === 'float') return v !== '' && Number.isFinite(Number(v));
  return true;
}

function exact(field: string, type: string | undefined, v: string | number | boolean): Dsl {
  return fits(type, v) ? { term: { [exactField(field)]: v } } : NONE;
}

function filterClause(f: Filter): { clause: Dsl; negate?: boolean } {
  const type = fieldType(f.field);
  const numeric = type === 'ip' || type === 'long' || type === 'float';
  switch (f.op) {
    case 'eq':
      return { clause: exact(f.field, type, f.value) };
    case 'neq':
      return { clause: exact(f.field, type, f.value), negate: true };
    case 'in': {
      const values = f.values.filter((v) => fits(type, v));
      return { clause: values.length ? { terms: { [exactField(f.field)]: values } } : NONE };
    }
    case 'prefix':
      if (numeric) return { clause: docValueMatch([f.field], f.value, 'prefix') };
      return { clause: { prefix: { [exactField(f.field)]: { value: f.value } } } };
    case 'contains': {
      if (numeric) return { clause: docValueMatch([f.field], f.value, 'contains') };
      const sub = {
        wildcard: { [exactField(f.field)]: { value: `*${escapeWildcard(f.value)}*`, case_insensitive: true } },
      };
      if (type !== 'text') return { clause: sub };
      // Whole values up to the keyword's length through the sub-field; longer ones by their words.
      const words = /\s/.test(f.value.trim())
        ? { match_phrase: { [f.field]: f.value } }
        : { wildcard: { [f.field]: { value: `*${escapeWildcard(f.value.trim().toLowerCase())}*` } } };
      return { clause: { bool: { should: [sub, words], minimum_should_match: 1 } } };
    }
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
        out[name] = {
          terms: { field: exactField(a.field), size: a.size ?? 10, order: [{ _count: 'desc' }, { _key: 'asc' }] },
        };
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
        out[name] = { cardinality: { field: exactField(a.field), precision_threshold: 40000 } };
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
