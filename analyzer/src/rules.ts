/** Opening the configured rule set: shipped rules and pipelines unless configured otherwise. */
import { resolve } from 'node:path';
import { pipelinesDir, sigmaDir } from '@edusentry/rules';
import type { AnalyzerConfig } from './config';
import { loadPipelines } from './sigma/compile/pipeline';
import { RuleSet } from './sigma/match/ruleset';

export function openRuleSet(config: AnalyzerConfig, paths?: string[]): RuleSet {
  const rulePaths = paths?.length ? paths : config.rules.length ? config.rules : [sigmaDir];
  const pipelines = loadPipelines(config.pipelines ? resolve(config.pipelines) : pipelinesDir);
  return RuleSet.fromPaths(
    rulePaths.map((p) => resolve(p)),
    { pipelines, placeholders: config.placeholders },
  );
}

export { sigmaDir, pipelinesDir };
