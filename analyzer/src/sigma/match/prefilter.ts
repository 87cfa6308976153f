/**
 * Narrows the rules of one log source to those that could match an event: one Aho-Corasick
 * pass over the event's values finds which rules' necessary literals occur (see literals.ts);
 * rules without literals are always candidates. Candidates missing a field their condition
 * cannot do without are skipped too. Only then are predicates evaluated.
 */
import type { Condition, DetectionNode } from '../types';
import { AhoCorasick } from './aho-corasick';
import type { EventView } from './event-view';
import type { CompiledRule } from './ruleset';

export class Prefilter {
  private always: number[] = [];
  private ac?: AhoCorasick;
  private byLiteral: number[][] = [];
  private required: string[][];
  private mark: Uint8Array;

  /** The fields whose values the scan reads; null = every value (keyword rules present). */
  private scanFields: string[] | null;

  constructor(private rules: CompiledRule[]) {
    this.scanFields = scanFieldsOf(rules);
    this.required = rules.map((r) => [...requiredFields(r.rule.condition, r.rule.detection)]);
    this.mark = new Uint8Array(rules.length);
    const ids = new Map<string, number>();
    rules.forEach((r, i) => {
      if (!r.literals) return void this.always.push(i);
      for (const lit of r.literals) {
        let id = ids.get(lit);
        if (id === undefined) {
          id = ids.size;
          ids.set(lit, id);
          this.byLiteral.push([]);
        }
        this.byLiteral[id].push(i);
      }
    });
    if (ids.size) this.ac = new AhoCorasick([...ids.keys()]);
  }

  private text(view: EventView): string {
    if (this.scanFields === null) return view.joinedLower();
    let acc = '';
    for (const f of this.scanFields) for (const v of view.strings(f)) acc += '\u0000' + v;
    return acc.toLowerCase();
  }

  /** Rules that could match, in load order: those without literals, and those whose literal occurs. */
  candidates(view: EventView): CompiledRule[] {
    const picked: number[] = [];
    const { mark, byLiteral } = this;
    if (this.ac) {
      this.ac.scan(this.text(view), (id) => {
        for (const i of byLiteral[id]) {
          if (!mark[i]) {
            mark[i] = 1;
            picked.push(i);
          }
        }
      });
      for (const i of picked) mark[i] = 0;
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
