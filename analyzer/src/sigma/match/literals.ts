/**
 * Necessary literals: for a rule, a set of lower-case strings at least one of which must occur
 * somewhere in an event's values for the rule to be able to match (null = no such set, the
 * rule is always evaluated). Derived from the compiled item specs, so modifiers (contains,
 * base64, windash, expand, ...) are already applied. Sound by construction: AND picks one
 * conjunct's set, OR unions, NOT gives up.
 */
import { itemSpec, type CompileOptions } from '../compile/item';
import type { Condition, DetectionNode, DetectionRule } from '../types';

export type Literals = Set<string> | null;

export function ruleLiterals(rule: DetectionRule, opts: CompileOptions): Literals {
  const node = (n: DetectionNode): Literals => {
    if (n.type === 'item') {
      if (n.item.field === 'event.dataset') return null; // routing, present in every candidate
      const spec = itemSpec(n.item, opts);
      if (spec.kind !== 'str' || spec.neq) return null;
      const out = new Set<string>();
      for (const v of spec.values) {
        if (v === null) return null;
        const texts = v.filter((p): p is string => typeof p === 'string');
        if (texts.length === 0) return null;
        out.add(texts.reduce((a, b) => (b.length > a.length ? b : a)).toLowerCase());
      }
      return out;
    }
    const sets = n.children.map(node);
    return n.type === 'and' ? best(sets) : union(sets);
  };
  const cond = (c: Condition): Literals => {
    if (c.op === 'id') return node(rule.detection[c.name]);
    if (c.op === 'not') return null;
    const sets = c.args.map(cond);
    return c.op === 'and' ? best(sets) : union(sets);
  };
  return cond(rule.condition);
}

function union(sets: Literals[]): Literals {
  const out = new Set<string>();
  for (const s of sets) {
    if (s === null) return null;
    for (const x of s) out.add(x);
  }
  return out;
}

/** Of several necessary sets, the most selective: longest shortest literal, then fewest. */
function best(sets: Literals[]): Literals {
  let pick: Literals = null;
  let score = -1;
  for (const s of sets) {
    if (!s || s.size === 0) continue;
    const shortest = Math.min(...[...s].map((x) => x.length));
    const sc = Math.min(shortest, 8) * 1000 - Math.min(s.size, 999);
    if (sc > score) {
      score = sc;
      pick = s;
    }
  }
  return pick;
}
