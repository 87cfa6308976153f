/** A rule as a boolean tree of item specs: what both query converters walk. */
import { itemSpec, type CompileOptions, type ItemSpec } from '../compile/item';
import type { Condition, DetectionNode, DetectionRule } from '../types';

export type QueryTree =
  { op: 'and' | 'or'; args: QueryTree[] } | { op: 'not'; arg: QueryTree } | { op: 'item'; spec: ItemSpec };

export function queryTree(rule: DetectionRule, opts: CompileOptions): QueryTree {
  const node = (n: DetectionNode): QueryTree =>
    n.type === 'item' ? { op: 'item', spec: itemSpec(n.item, opts) } : { op: n.type, args: n.children.map(node) };
  const cond = (c: Condition): QueryTree => {
    if (c.op === 'id') return node(rule.detection[c.name]);
    if (c.op === 'not') return { op: 'not', arg: cond(c.arg) };
    return { op: c.op, args: c.args.map(cond) };
  };
  return cond(rule.condition);
}

export class ConversionError extends Error {}
