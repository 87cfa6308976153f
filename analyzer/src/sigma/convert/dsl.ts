/**
 * Rule → OpenSearch/Elasticsearch query DSL with Sigma's semantics: case-insensitive term,
 * wildcard and regexp queries (`case_insensitive`, OpenSearch 2.x / Elasticsearch 7.10+),
 * unanchored regular expressions, CIDR terms on ip fields, ranges, exists.
 */
import { isIP } from 'node:net';
import { fieldType } from '@edusentry/core';
import type { ItemSpec } from '../compile/item';
import { ANY, ONE, hasWildcards, type SigmaString } from '../compile/sigma-string';
import { ConversionError, type QueryTree } from './tree';

export type Dsl = Record<string, unknown>;

export function toDsl(t: QueryTree): Dsl {
  switch (t.op) {
    case 'and':
      return { bool: { filter: t.args.map(toDsl) } };
    case 'or':
      return { bool: { should: t.args.map(toDsl), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [toDsl(t.arg)] } };
    case 'item':
      return item(t.spec);
  }
}

function combine(parts: Dsl[], all: boolean, neq: boolean): Dsl {
  const body =
    parts.length === 1
      ? parts[0]
      : all
        ? { bool: { filter: parts } }
        : { bool: { should: parts, minimum_should_match: 1 } };
  return neq ? { bool: { must_not: [body] } } : body;
}

function wildcardText(s: SigmaString): string {
  return s.map((p) => (p === ANY ? '*' : p === ONE ? '?' : p.replace(/[\\*?]/g, '\\$&'))).join('');
}

/** Lucene regular expressions are anchored and lack `(?:`; make an unanchored RE2 pattern whole-value. */
function luceneRegex(p: string): string {
  let body = p.replace(/\(\?:/g, '(');
  const start = body.startsWith('^');
  const end = body.endsWith('$') && !body.endsWith('\\$');
  if (start) body = body.slice(1);
  if (end) body = body.slice(0, -1);
  return `${start ? '' : '.*'}${body}${end ? '' : '.*'}`;
}

function item(s: ItemSpec): Dsl {
  switch (s.kind) {
    case 'exists':
      return s.want ? { exists: { field: s.field } } : { bool: { must_not: [{ exists: { field: s.field } }] } };
    case 'fieldref':
      throw new ConversionError(
        `fieldref (${s.field}) compares two fields of one event; a query cannot express it without a script`,
      );
    case 'compare': {
      if (s.timePart) throw new ConversionError(`the ${s.timePart} modifier has no query form`);
      return combine(
        s.nums.map((n) => (s.op === 'eq' ? { term: { [s.field]: n } } : { range: { [s.field]: { [s.op]: n } } })),
        s.all,
        s.neq,
      );
    }
    case 'cidr':
      return combine(
        s.nets.map((n) => ({ term: { [s.field]: n } })),
        s.all,
        s.neq,
      );
    case 're':
      return combine(
        s.patterns.map((p) => {
          const q = { value: luceneRegex(p), flags: 'NONE', case_insensitive: s.flags.includes('i') };
          return s.field
            ? { regexp: { [s.field]: q } }
            : { query_string: { query: `/${luceneRegex(p).replace(/\//g, '\\/')}/`, fields: ['*'] } };
        }),
        s.all,
        s.neq,
      );
    case 'str':
      return combine(
        s.values.map((v): Dsl => {
          if (v === null) {
            if (!s.field) throw new ConversionError('a null keyword has no query form');
            return { bool: { must_not: [{ exists: { field: s.field } }] } };
          }
          if (!s.field)
            return {
              query_string: {
                query: wildcardText(v).replace(/[+\-=&|><!(){}[\]^"~:/\s]/g, '\\$&'),
                fields: ['*'],
                analyze_wildcard: false,
              },
            };
          const type = fieldType(s.field) ?? 'keyword';
          if (type !== 'keyword' && type !== 'text') {
            // Numbers, addresses, dates: exact terms only (a wildcard cannot apply to them).
            if (hasWildcards(v)) return { match_none: {} };
            const text = v.join('');
            if ((type === 'long' || type === 'float') && !Number.isFinite(Number(text))) return { match_none: {} };
            if (type === 'ip' && !isIP(text)) return { match_none: {} };
            return { term: { [s.field]: type === 'long' || type === 'float' ? Number(text) : text } };
          }
          if (!hasWildcards(v)) return { term: { [s.field]: { value: v.join(''), case_insensitive: !s.cased } } };
          return { wildcard: { [s.field]: { value: wildcardText(v), case_insensitive: !s.cased } } };
        }),
        s.all,
        s.neq,
      );
  }
}
