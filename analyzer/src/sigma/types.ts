/** The parsed form of Sigma documents (spec v2.1): detection rules, correlations, filters. */

export type RawValue = string | number | boolean | null;

export interface Logsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

export interface RuleMeta {
  title: string;
  id?: string;
  name?: string;
  status?: string;
  description?: string;
  author?: string;
  references: string[];
  license?: string;
  level?: string;
  tags: string[];
  date?: string;
  modified?: string;
  falsepositives: string[];
}

/** One `field|mod1|mod2: values` entry, or a keyword list when `field` is null. */
export interface DetectionItem {
  field: string | null;
  modifiers: string[];
  values: RawValue[];
  line: number;
}

export type DetectionNode = { type: 'and' | 'or'; children: DetectionNode[] } | { type: 'item'; item: DetectionItem };

export type Condition =
  { op: 'and' | 'or'; args: Condition[] } | { op: 'not'; arg: Condition } | { op: 'id'; name: string };

export interface SourceRef {
  file: string;
  line: number;
}

export interface DetectionRule {
  kind: 'rule';
  meta: RuleMeta;
  logsource: Logsource;
  detection: Record<string, DetectionNode>;
  /** Already resolved: `1 of x*` expanded against the detection's identifiers; a list is OR'd. */
  condition: Condition;
  source: SourceRef;
}

export type CorrelationType =
  'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export interface CountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
}

export interface CorrelationRule {
  kind: 'correlation';
  meta: RuleMeta;
  type: CorrelationType;
  /** Ids or names of detection or correlation rules. */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition: CountCondition;
  /** value_count / value_sum / value_avg / value_percentile. */
  field?: string;
  /** value_percentile: which percentile (default 95). */
  percentile?: number;
  /** alias → (rule name or id → field). */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
  source: SourceRef;
}

export interface FilterRule {
  kind: 'filter';
  meta: RuleMeta;
  logsource: Logsource;
  /** Rule ids or names the filter applies to. */
  rules: string[];
  detection: Record<string, DetectionNode>;
  condition: Condition;
  source: SourceRef;
}

export type SigmaDocument = DetectionRule | CorrelationRule | FilterRule;

/** A problem with one document: which file, which line, what. */
export interface RuleProblem {
  file: string;
  line: number;
  title?: string;
  id?: string;
  message: string;
}

export class SigmaError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}
