/**
 * Query-to-SQL for the embedded store: a SearchQuery becomes a table (with the index to
 * use), a WHERE clause and its parameters; fields map to their indexed columns where
 * they have one (rows.ts) and to json_extract over the document otherwise.
 */
import { EduError } from '../../errors';
import { isDataset } from '../../schema/datasets';
import { cidrRange } from '../ip';
import type { Filter, SearchQuery } from '../types';
import { toEpochMs } from '../validate';
import { idKeyParams, idKeySql } from './id-key';
import { JSON_COLUMNS, PLAIN_COLUMNS, VIRTUAL_COLUMNS } from './rows';
import { ADDRESS_COLUMNS, HOUR_SQL } from './schema';

/** Scalar fields with a column of their own; everything else is read with json_extract. */
const COLUMNS: Record<string, string> = { ...PLAIN_COLUMNS, ...VIRTUAL_COLUMNS };

/** event.ingested as SQL: the ISO text the documents carry. */
const INGESTED_SQL = `strftime('%Y-%m-%dT%H:%M:%fZ', ingested / 1000.0, 'unixepoch')`;

function jsonPath(field: string): string {
  if (!/^[@A-Za-z0-9_.-]+$/.test(field)) throw new EduError('EDU_ERR_USAGE', `invalid field name "${field}"`);
  return (
    '$.' +
    field
      .split('.')
      .map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : `"${p}"`))
      .join('.')
  );
}

/** The column that holds a scalar field, if there is one. */
export function column(field: string): string | undefined {
  const e = expr(field);
  return e.startsWith('json_extract(') ? undefined : e;
}

/** json_each over a field's value: one row for a scalar, one per element of an array. */
export function eachOf(field: string): string {
  const col = JSON_COLUMNS[field];
  return col ? `json_each(events.${col})` : `json_each(events.doc, '${jsonPath(field)}')`;
}

/** SQL expression for a field: an indexed column where there is one. */
export function expr(field: string): string {
  if (field === '@timestamp') return 'ts';
  if (field === 'event.dataset') return 'dataset';
  if (field === 'organization.id') return 'org';
  if (field === 'event.id') return 'id';
  if (field === 'event.ingested') return INGESTED_SQL;
  const col = COLUMNS[field];
  return col ?? `json_extract(doc, '${jsonPath(field)}')`;
}

/** A query's table (with the index to use) and WHERE clause. */
export interface Where {
  table: string;
  where: string;
  params: unknown[];
}

/**
 * The table to read, naming an alert index for alert-only queries (without statistics the
 * planner prefers (dataset, ts), not knowing how few rows the partial alert indexes hold),
 * and an address index for other queries with an address filter.
 */
function table(q: SearchQuery, hours?: { first: number; last: number }): string {
  const filters = q.filters ?? [];
  if (filters.some((f) => f.field === 'event.id')) return 'events';
  if (q.datasets?.length !== 1 || q.datasets[0] !== 'alert') {
    // An address seek beats a dataset or time range, which the planner cannot tell without statistics.
    const address = hours && filters.find(usesAddressIndex);
    return address ? `events INDEXED BY events_${PLAIN_COLUMNS[address.field]}` : 'events';
  }
  const narrows = (field: string) => filters.some((f) => f.field === field && (f.op === 'eq' || f.op === 'in'));
  if (narrows('rule.id')) return 'events INDEXED BY events_alert_rule';
  const open = narrows('edu.alert.status') && q.from === undefined && q.to === undefined;
  return `events INDEXED BY ${open ? 'events_alert_open' : 'events_alert_ts'}`;
}

/** An eq/in filter on an address: the hour-led address indexes serve it. */
export function usesAddressIndex(f: Filter): boolean {
  return (f.op === 'eq' || f.op === 'in') && ADDRESS_COLUMNS.includes(PLAIN_COLUMNS[f.field]);
}

/** Beyond this many hours (about 14 months) a query does not list them. */
export const MAX_LISTED_HOURS = 10_000;

export function buildWhere(q: SearchQuery, hours?: { first: number; last: number }): Where {
  const parts: string[] = ['1=1'];
  const params: unknown[] = [];
  if (hours) {
    // Computed integers, written inline: a long range would pass SQLite's limit on bound parameters.
    const list = Array.from({ length: hours.last - hours.first + 1 }, (_, i) => hours.first + i);
    parts.push(`${HOUR_SQL} IN (${list.join(',')})`);
  }
  const from = toEpochMs(q.from);
  const to = toEpochMs(q.to);
  if (from !== undefined) {
    parts.push('ts >= ?');
    params.push(from);
  }
  if (to !== undefined) {
    parts.push('ts < ?');
    params.push(to);
  }
  if (q.datasets?.length) {
    // Known dataset names are written literally: the partial alert indexes need `dataset = 'alert'` in the query.
    if (q.datasets.every((d) => isDataset(d) && /^[a-z.]+$/.test(d)))
      parts.push(
        q.datasets.length === 1
          ? `dataset = '${q.datasets[0]}'`
          : `dataset IN (${q.datasets.map((d) => `'${d}'`).join(',')})`,
      );
    else {
      parts.push(`dataset IN (${q.datasets.map(() => '?').join(',')})`);
      params.push(...q.datasets);
    }
  }
  if (q.orgIds) {
    if (q.orgIds.length === 0) parts.push('0');
    else {
      parts.push(`org IN (${q.orgIds.map(() => '?').join(',')})`);
      params.push(...q.orgIds);
    }
  }
  if (q.text) {
    parts.push('instr(lower(doc), lower(?)) > 0');
    params.push(q.text);
  }
  for (const f of q.filters ?? []) {
    const { sql, values } = filterSql(f);
    parts.push(sql);
    params.push(...values);
  }
  return { table: table(q, hours), where: parts.join(' AND '), params };
}

function anyElement(field: string, cond: string): string {
  // Matches a scalar field or any element of an array field.
  return `EXISTS (SELECT 1 FROM ${eachOf(field)} j WHERE ${cond.replaceAll('$v', 'j.value')})`;
}

function filterSql(f: Filter): { sql: string; values: unknown[] } {
  // Ids are found through their integer key (its index), not by scanning the id text.
  if (f.field === 'event.id' && f.op === 'eq' && typeof f.value !== 'boolean')
    return { sql: idKeySql(1), values: idKeyParams([f.value]) };
  if (f.field === 'event.id' && f.op === 'in' && f.values.length)
    return { sql: `(${idKeySql(f.values.length)})`, values: idKeyParams(f.values) };
  const e = expr(f.field);
  const direct = e !== `json_extract(doc, '${jsonPath(f.field)}')`;
  const cmp = (cond: string) => (direct ? cond.replaceAll('$v', e) : anyElement(f.field, cond));
  switch (f.op) {
    case 'eq':
      return { sql: cmp('$v = ?'), values: [typeof f.value === 'boolean' ? Number(f.value) : f.value] };
    case 'neq':
      // A missing field is not equal either (SQL's NULL would drop the row).
      return {
        sql: `NOT coalesce((${cmp('$v = ?')}), 0)`,
        values: [typeof f.value === 'boolean' ? Number(f.value) : f.value],
      };
    case 'in':
      return { sql: cmp(`$v IN (${f.values.map(() => '?').join(',')})`), values: f.values };
    case 'prefix':
      return { sql: cmp('substr($v, 1, length(?)) = ?'), values: [f.value, f.value] };
    case 'contains':
      return { sql: cmp('instr(lower($v), lower(?)) > 0'), values: [f.value] };
    case 'exists':
      return { sql: `${e} IS NOT NULL`, values: [] };
    case 'missing':
      return { sql: `${e} IS NULL`, values: [] };
    case 'range': {
      const conds: string[] = [];
      const values: unknown[] = [];
      const norm = (v: string | number) => (f.field === '@timestamp' ? toEpochMs(v) : v);
      if (f.gte !== undefined) {
        conds.push('$v >= ?');
        values.push(norm(f.gte));
      }
      if (f.gt !== undefined) {
        conds.push('$v > ?');
        values.push(norm(f.gt));
      }
      if (f.lte !== undefined) {
        conds.push('$v <= ?');
        values.push(norm(f.lte));
      }
      if (f.lt !== undefined) {
        conds.push('$v < ?');
        values.push(norm(f.lt));
      }
      return { sql: cmp(conds.join(' AND ') || '1'), values };
    }
    case 'cidr': {
      const [lo, hi] = cidrRange(f.value);
      return { sql: cmp('edu_ip_key($v) BETWEEN ? AND ?'), values: [lo, hi] };
    }
  }
}
