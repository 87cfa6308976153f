/**
 * Narrows the rules of one log source to those that could match an event: one Aho-Corasick
 * pass over the event's values finds which necessary literals occur (see literals.ts); a rule
 * is a candidate when every one of its clauses has a literal that occurs (rules without clauses
 * always are). Candidates missing a field their condition cannot do without are skipped too.
 * Only then are predicates evaluated.
 */
import type { Condition, DetectionNode } from '../types';
import { AhoCorasick, foldable } from './aho-corasick';
import type { EventView } from './event-view';
import type { CompiledRule } from './ruleset';

export class Prefilter {
  private always: number[] = [];
  private ac?: AhoCorasick;
  /** Per literal id: (rule index << 3 | clause index) for each clause it belongs to. */
  private byLiteral: number[][] = [];
  /** Per rule: the bit mask with one bit per clause. */
  private full: Uint8Array;
  private hits: Uint8Array;
  private touched: Int32Array;
  private found = new Int32Array(0);
  private required: string[][];

  /** The fields whose values the scan reads; null = every value (keyword rules present). */
  private scanFields: string[] | null;

  constructor(private rules: CompiledRule[]) {
    this.scanFields = scanFieldsOf(rules);
    this.required = rules.map((r) => [...requiredFields(r.rule.condition, r.rule.detection)]);
    this.full = new Uint8Array(rules.length);
    this.hits = new Uint8Array(rules.length);
    this.touched = new Int32Array(rules.length);
    const ids = new Map<string, number>();
    rules.forEach((r, i) => {
      // A clause with a literal the scan cannot lose (empty once folded) always holds: dropped.
      const clauses = r.literals.map((clause) => [...clause].map(foldable)).filter((lits) => !lits.includes(''));
      if (clauses.length === 0) return void this.always.push(i);
      this.full[i] = (1 << clauses.length) - 1;
      clauses.forEach((lits, c) => {
        for (const lit of lits) {
          let id = ids.get(lit);
          if (id === undefined) {
            id = ids.size;
            ids.set(lit, id);
            this.byLiteral.push([]);
          }
          this.byLiteral[id].push((i << 3) | c);
        }
      });
    });
    if (ids.size) {
      this.ac = new AhoCorasick([...ids.keys()]);
      this.found = new Int32Array(ids.size);
    }
  }

  /** Scans the values the rules can test; returns how many literal ids were found. */
  private scan(ac: AhoCorasick, view: EventView): number {
    ac.start();
    if (this.scanFields === null) return scanValues(view.doc, ac, this.found, 0);
    let n = 0;
    for (const f of this.scanFields) {
      const vs = view.strings(f);
      for (let i = 0; i < vs.length; i++) n = ac.feed(vs[i], this.found, n);
    }
    return n;
  }

  /** Rules that could match, in load order: those without clauses, and those whose every clause has a literal that occurs. */
  candidates(view: EventView): CompiledRule[] {
    const picked: number[] = [];
    if (this.ac) {
      const { byLiteral, hits, touched, found, full } = this;
      const n = this.scan(this.ac, view);
      let t = 0;
      for (let k = 0; k < n; k++) {
        const entries = byLiteral[found[k]];
        for (let j = 0; j < entries.length; j++) {
          const e = entries[j];
          const r = e >> 3;
          if (hits[r] === 0) touched[t++] = r;
          hits[r] |= 1 << (e & 7);
        }
      }
      for (let k = 0; k < t; k++) {
        const r = touched[k];
        if (hits[r] === full[r]) picked.push(r);
        hits[r] = 0;
      }
    }
    for (const i of this.always) picked.push(i);
    if (picked.length > 1) picked.sort((a, b) => a - b);
    const out: CompiledRule[] = [];
    outer: for (const i of picked) {
      for (const f of this.required[i]) if (!view.exists(f)) continue outer;
      out.push(this.rules[i]);
    }
    return out;
  }
}

/** Every scalar value of the event (for-in: own and inherited enumerable properties, a superset). */
function scanValues(v: unknown, ac: AhoCorasick, found: Int32Array, n: number): number {
  if (typeof v === 'string') return ac.feed(v, found, n);
  if (v === null || v === undefined) return n;
  if (typeof v !== 'object') return ac.feed(String(v), found, n);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n = scanValues(v[i], ac, found, n);
    return n;
  }
  for (const k in v) n = scanValues((v as Record<string, unknown>)[k], ac, found, n);
  return n;
}

/** Every field the rules test (their literals can only occur there), or null if one searches all. */
function scanFieldsOf(rules: CompiledRule[]): string[] | null {
  const fields = new Set<string>();
  let all = false;
  const walk = (n: DetectionNode) => {
    if (n.type !== 'item') return n.children.forEach(walk);
    if (n.item.field === null) all = true;
    else fields.add(n.item.field);
  };
  for (const r of rules) Object.values(r.rule.detection).forEach(walk);
  return all ? null : [...fields].sort();
}

/** Fields that must exist for the condition to hold (a conservative under-approximation). */
export function requiredFields(c: Condition, det: Record<string, DetectionNode>): Set<string> {
  switch (c.op) {
    case 'id':
      return nodeRequired(det[c.name]);
    case 'not':
      return new Set();
    case 'and': {
      const out = new Set<string>();
      for (const a of c.args) for (const f of requiredFields(a, det)) out.add(f);
      return out;
    }
    case 'or':
      return intersect(c.args.map((a) => requiredFields(a, det)));
  }
}

function nodeRequired(n: DetectionNode | undefined): Set<string> {
  if (!n) return new Set();
  if (n.type === 'item') {
    const { field, modifiers, values } = n.item;
    const mods = modifiers.map((m) => m.toLowerCase());
    if (!field || mods.includes('neq') || mods.includes('exists') || values.some((v) => v === null)) return new Set();
    return new Set([field]);
  }
  const sets = n.children.map(nodeRequired);
  if (n.type === 'or') return intersect(sets);
  const out = new Set<string>();
  for (const s of sets) for (const f of s) out.add(f);
  return out;
}

function intersect(sets: Set<string>[]): Set<string> {
  if (sets.length === 0) return new Set();
  const [first, ...rest] = sets;
  return new Set([...first].filter((f) => rest.every((s) => s.has(f))));
}
