/** Retro-hunt conversion: a compiled rule (pipelines applied) → Lucene or query DSL. */
import type { CompiledRule } from '../match/ruleset';
import type { CompileOptions } from '../compile/item';
import { toDsl, type Dsl } from './dsl';
import { toLucene } from './lucene';
import { queryTree } from './tree';

export type Target = 'lucene' | 'dsl';

export function convertRule(
  rule: CompiledRule,
  target: Target,
  opts?: CompileOptions & { relax?: boolean },
): string | Dsl {
  const tree = queryTree(rule.rule, { placeholders: { ...rule.placeholders, ...(opts?.placeholders ?? {}) } });
  return target === 'lucene' ? toLucene(tree) : { query: toDsl(tree, opts?.relax ?? false) };
}

export { ConversionError } from './tree';
export type { Dsl };
