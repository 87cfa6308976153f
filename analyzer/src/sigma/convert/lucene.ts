/**
 * Rule → Lucene query string (OpenSearch/Elasticsearch `query_string`), the form pySigma's
 * Lucene backend produces. Lucene on keyword fields compares case-sensitively, and its regular
 * expressions are anchored; use the DSL target for Sigma's case-insensitive semantics.
 */
import type { ItemSpec } from '../compile/item';
import { ANY, ONE, type SigmaString } from '../compile/sigma-string';
import { ConversionError, type QueryTree } from './tree';

const SPECIAL = /[+\-=&|><!(){}[\]^"~*?:\\/\s]/g;

function esc(s: string): string {
  return s.replace(SPECIAL, '\\$&');
}

function fieldName(f: string): string {
  return f.replace(SPECIAL, '\\$&');
}

function pattern(s: SigmaString): string {
  if (s.length === 0) return '""';
  return s.map((p) => (p === ANY ? '*' : p === ONE ? '?' : esc(p))).join('');
}

export function toLucene(t: QueryTree): string {
  switch (t.op) {
    case 'and':
    case 'or': {
      const parts = t.args.map(toLucene);
      return parts.length === 1 ? parts[0] : '(' + parts.join(t.op === 'and' ? ' AND ' : ' OR ') + ')';
    }
    case 'not':
      return `(NOT ${toLucene(t.arg)})`;
    case 'item':
      return item(t.spec);
  }
}

function join(parts: string[], all: boolean, neq: boolean): string {
  const body = parts.length === 1 ? parts[0] : '(' + parts.join(all ? ' AND ' : ' OR ') + ')';
  return neq ? `(NOT ${body})` : body;
}

function item(s: ItemSpec): string {
  switch (s.kind) {
    case 'exists':
      return s.want ? `_exists_:${fieldName(s.field)}` : `(NOT _exists_:${fieldName(s.field)})`;
    case 'fieldref':
      throw new ConversionError(`fieldref (${s.field}) compares two fields of one event; Lucene cannot express it`);
    case 'compare': {
      if (s.timePart) throw new ConversionError(`the ${s.timePart} modifier has no Lucene form`);
      const op = { eq: '', lt: '<', lte: '<=', gt: '>', gte: '>=' }[s.op];
      return join(
        s.nums.map((n) => `${fieldName(s.field)}:${op}${n}`),
        s.all,
        s.neq,
      );
    }
    case 'cidr':
      return join(
        s.nets.map((n) => `${fieldName(s.field)}:${esc(n)}`),
        s.all,
        s.neq,
      );
    case 're': {
      const f = s.field ? `${fieldName(s.field)}:` : '';
      return join(
        s.patterns.map((p) => `${f}/${p.replace(/\//g, '\\/')}/`),
        s.all,
        s.neq,
      );
    }
    case 'str': {
      const parts = s.values.map((v) => {
        if (v === null) {
          if (!s.field) throw new ConversionError('a null keyword has no Lucene form');
          return `(NOT _exists_:${fieldName(s.field)})`;
        }
        return s.field ? `${fieldName(s.field)}:${pattern(v)}` : pattern(v);
      });
      return join(parts, s.all, s.neq);
    }
  }
}
