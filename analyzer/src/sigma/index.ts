export * from './types';
export { parseSigmaText } from './parse/document';
export { parseCondition } from './parse/condition';
export { compileItem, type Predicate } from './compile/item';
export { loadPipelines, parsePipeline, applyPipelines, type Pipeline } from './compile/pipeline';
export { EventView } from './match/event-view';
export { RuleSet, ruleKey, type CompiledRule, type CompiledCorrelation, type InactiveRule } from './match/ruleset';
export { parseRuleFiles, ruleFiles } from './load';
