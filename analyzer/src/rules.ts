/** Opening the configured rule set: shipped rules and pipelines unless configured otherwise. */
import { resolve } from 'node:path';
import { pipelinesDir, sigmaDir } from '@edusentry/rules';
import type { AnalyzerConfig } from './config';
import { loadPipelines, type Pipeline } from './sigma/compile/pipeline';
import { RuleSet } from './sigma/match/ruleset';

/** The rule files or folders in use: those given, else configured, else the shipped rules. */
export function rulePaths(config: AnalyzerConfig, paths?: string[]): string[] {
  return paths?.length ? paths : config.rules.length ? config.rules : [sigmaDir];
}

export function openPipelines(config: Pick<AnalyzerConfig, 'pipelines'>): Pipeline[] {
  return loadPipelines(config.pipelines ? resolve(config.pipelines) : pipelinesDir);
}

/** `extra`: files loaded besides the rule paths (the rules uploaded through the console). */
export function openRuleSet(config: AnalyzerConfig, paths?: string[], extra: string[] = []): RuleSet {
  return RuleSet.fromPaths(
    [...rulePaths(config, paths), ...extra].map((p) => resolve(p)),
    { pipelines: openPipelines(config), placeholders: config.placeholders },
  );
}

export { sigmaDir, pipelinesDir };
