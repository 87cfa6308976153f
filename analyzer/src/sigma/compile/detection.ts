/** Detection trees and conditions → predicates. */
import type { Condition, DetectionNode } from '../types';
import { SigmaError } from '../types';
import { compileItem, type CompileOptions, type Predicate } from './item';

export function compileNode(node: DetectionNode, opts: CompileOptions): Predicate {
  if (node.type === 'item') return compileItem(node.item, opts);
  const parts = node.children.map((c) => compileNode(c, opts));
  if (parts.length === 1) return parts[0];
  return node.type === 'and' ? andOf(parts) : orOf(parts);
}

export function compileCondition(cond: Condition, ids: Record<string, Predicate>): Predicate {
  switch (cond.op) {
    case 'id': {
      const p = ids[cond.name];
      if (!p) throw new SigmaError(`unknown search identifier "${cond.name}"`, 0);
      return p;
    }
    case 'not': {
      const p = compileCondition(cond.arg, ids);
      return (ev) => !p(ev);
    }
    case 'and':
      return andOf(cond.args.map((a) => compileCondition(a, ids)));
    case 'or':
      return orOf(cond.args.map((a) => compileCondition(a, ids)));
  }
}

function andOf(ps: Predicate[]): Predicate {
  if (ps.length === 2) {
    const [a, b] = ps;
    return (ev) => a(ev) && b(ev);
  }
  return (ev) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i](ev)) return false;
    return true;
  };
}

function orOf(ps: Predicate[]): Predicate {
  if (ps.length === 2) {
    const [a, b] = ps;
    return (ev) => a(ev) || b(ev);
  }
  return (ev) => {
    for (let i = 0; i < ps.length; i++) if (ps[i](ev)) return true;
    return false;
  };
}
