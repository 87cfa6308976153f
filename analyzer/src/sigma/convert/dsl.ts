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

/**
 * `relax`: for retro-hunts, whose hits are re-checked in process, replace what engines reject
 * or expand badly (regular expressions, keyword searches over every field) by a clause that
 * selects a superset: match_all where it counts positively, match_none under a negation.
 */
export function toDsl(t: QueryTree, relax = false, positive = true): Dsl {
  switch (t.op) {
    case 'and':
      return { bool: { filter: t.args.map((a) => toDsl(a, relax, positive)) } };
    case 'or':
      return { bool: { should: t.args.map((a) => toDsl(a, relax, positive)), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [toDsl(t.arg, relax, !positive)] } };
    case 'item':
      if (relax && (t.spec.kind === 're' || (t.spec.kind === 'str' && t.spec.field === null))) {
        return positive !== Boolean((t.spec as { neq?: boolean }).neq) ? { match_all: {} } : { match_none: {} };
      }
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

/**
 * RE2 pattern → Lucene regexp: Lucene's are anchored and know neither `(?:`, lazy quantifiers
 * nor `\d \w \s`; translate those, and wrap unanchored patterns in `.*`. What cannot be
 * translated is left for the engine to reject (reported per rule).
 */
function luceneRegex(p: string): string {
  const CLASSES: Record<string, string> = { d: '0-9', w: 'a-zA-Z0-9_', s: ' \t\n\r\f\v' };
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) {
      const n = p[++i];
      if (CLASSES[n]) out += inClass ? CLASSES[n] : `[${CLASSES[n]}]`;
      else if ((n === 'b' || n === 'B') && !inClass)
        out += ''; // no word boundaries in Lucene: a superset
      else if (!inClass && 'DWS'.includes(n)) out += `[^${CLASSES[n.toLowerCase()]}]`;
      else if (n === 't' || n === 'n' || n === 'r') out += { t: '\t', n: '\n', r: '\r' }[n];
      else out += '\\' + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '"' ? '\\"' : c;
      continue;
    }
    if (c === '[') inClass = true;
    if (c === '(' && p[i + 1] === '?' && p[i + 2] === ':') {
      out += '(';
      i += 2;
      continue;
    }
    if ((c === '?' || c === '+' || c === '*' || c === '}') && p[i + 1] === '?') {
      out += c;
      i++;
      continue;
    }
    out += c === '"' || c === '<' || c === '>' || c === '#' || c === '@' || c === '&' || c === '~' ? '\\' + c : c;
  }
  const start = out.startsWith('^');
  const end = out.endsWith('$') && !out.endsWith('\\$');
  if (start) out = out.slice(1);
  if (end) out = out.slice(0, -1);
  return `${start ? '' : '.*'}${out}${end ? '' : '.*'}`;
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
