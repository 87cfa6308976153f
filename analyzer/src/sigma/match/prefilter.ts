/**
 * Narrows the rules of one log source to those that could match an event. Each rule gets
 * the fields it cannot match without (from the AND structure of its condition); an event
 * missing one of them skips the rule without evaluating it.
 */
import type { Condition, DetectionNode } from '../types';
import type { EventView } from './event-view';
import type { CompiledRule } from './ruleset';

export class Prefilter {
  private entries: { rule: CompiledRule; required: string[] }[];

  constructor(rules: CompiledRule[]) {
    this.entries = rules.map((rule) => ({
      rule,
      required: [...requiredFields(rule.rule.condition, rule.rule.detection)],
    }));
  }

  *candidates(view: EventView): Iterable<CompiledRule> {
    outer: for (const e of this.entries) {
      for (const f of e.required) if (!view.exists(f)) continue outer;
      yield e.rule;
    }
  }
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
