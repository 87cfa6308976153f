/**
 * Necessary literals of a rule, as clauses: each clause is a set of lower-case strings, each in a
 * field (or, for keywords, anywhere), at least one of which must occur in that field's values for
 * the rule to be able to match; all clauses must hold (an empty list: the rule is always
 * evaluated). A clause's members are keys `field + "\u0001" + text` (field empty: any value);
 * a text starting with "\u0002" is a whole value (the item compares for equality) rather than
 * a substring. Derived from the compiled item
 * specs, so modifiers (contains, base64, windash, expand, ...) are already applied, and from
 * regular expressions (regex-literals.ts). Sound by construction: AND keeps every conjunct's
 * clauses, OR unions one clause per alternative, NOT gives up.
 */
import { itemSpec, type CompileOptions } from '../compile/item';
import type { Condition, DetectionNode, DetectionRule } from '../types';
import { best as mostSelective, regexLiterals, type LiteralSet } from './regex-literals';

export type Clauses = Set<string>[];

const SEP = '\u0001';

/** A clause member: a literal in a field ('' or null: in any value). */
export function literalKey(field: string | null, text: string): string {
  return (field ?? '') + SEP + text;
}

const WHOLE = '\u0002';

export function splitKey(key: string): { field: string | null; text: string; whole: boolean } {
  const at = key.indexOf(SEP);
  const whole = key[at + 1] === WHOLE;
  return { field: at > 0 ? key.slice(0, at) : null, text: key.slice(at + (whole ? 2 : 1)), whole };
}

/**
 * Selectivity of a clause (see regex-literals `score`), judged on the texts; equality with a
 * whole value counts as two characters longer than containing it (so "GET" loses to "/solr/").
 */
function score(c: LiteralSet): number {
  if (!c || c.size === 0) return -1;
  let shortest = Infinity;
  for (const k of c) {
    const l = splitKey(k);
    shortest = Math.min(shortest, l.whole ? l.text.length + 2 : l.text.length);
  }
  if (shortest === 0) return -1;
  return Math.min(shortest, 8) * 1000 - Math.min(c.size, 999);
}

/** The prefilter tracks at most this many clauses per rule (the most selective ones). */
export const MAX_CLAUSES = 8;

export function ruleLiterals(rule: DetectionRule, opts: CompileOptions): Clauses {
  const node = (n: DetectionNode): Clauses => {
    if (n.type === 'item') return itemClauses(n, opts);
    const parts = n.children.map(node);
    return n.type === 'and' ? parts.flat() : anyOf(parts);
  };
  const cond = (c: Condition): Clauses => {
    if (c.op === 'id') return node(rule.detection[c.name]);
    if (c.op === 'not') return [];
    const parts = c.args.map(cond);
    return c.op === 'and' ? parts.flat() : anyOf(parts);
  };
  return dedupe(cond(rule.condition))
    .sort((a, b) => score(b) - score(a))
    .slice(0, MAX_CLAUSES);
}

function itemClauses(n: DetectionNode & { type: 'item' }, opts: CompileOptions): Clauses {
  if (n.item.field === 'event.dataset') return []; // routing, present in every candidate
  const spec = itemSpec(n.item, opts);
  if (spec.kind !== 'str' && spec.kind !== 're') return [];
  if (spec.neq) return [];
  const sets: LiteralSet[] = [];
  if (spec.kind === 'str') {
    for (const v of spec.values) {
      if (v === null) return []; // "missing or null" needs no text
      if (spec.field !== null && v.every((p) => typeof p === 'string')) {
        sets.push(new Set([WHOLE + v.join('').toLowerCase()])); // equality (no wildcards): the whole value
        continue;
      }
      const texts = v.filter((p): p is string => typeof p === 'string');
      sets.push(texts.length ? new Set([texts.reduce((a, b) => (b.length > a.length ? b : a)).toLowerCase()]) : null);
    }
  } else for (const p of spec.patterns) sets.push(regexLiterals(p, spec.flags));
  const field = spec.field;
  const keyed = sets.map((set) => set && new Set([...set].map((t) => literalKey(field, t))));
  // `all`: every value must match, so each one's literals are a clause; otherwise any one.
  if (spec.all) return keyed.filter((s): s is Set<string> => s !== null && score(s) >= 0);
  const one = union(keyed);
  return one && score(one) >= 0 ? [one] : [];
}

/** OR of alternatives: one clause, the union of each alternative's most selective clause. */
function anyOf(parts: Clauses[]): Clauses {
  const picks = parts.map((p) => mostSelective(p, score));
  const one = union(picks);
  return one && score(one) >= 0 ? [one] : [];
}

function union(sets: LiteralSet[]): LiteralSet {
  if (sets.length === 0) return null;
  const out = new Set<string>();
  for (const s of sets) {
    if (s === null) return null;
    for (const x of s) out.add(x);
  }
  return out;
}

function dedupe(clauses: Clauses): Clauses {
  const seen = new Set<string>();
  return clauses.filter((c) => {
    const k = [...c].sort().join('\u0000');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
