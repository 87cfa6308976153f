/**
 * Processing pipelines as data (rules/pipelines/*.yml), in pySigma's YAML pipeline format
 * so the same file drives pySigma in the differential test. Supported transformations:
 * `field_name_mapping` (one field to one or several), `add_condition` (an `event.dataset`
 * condition is also the rule's routing key) and `value_placeholders` (fills `expand`
 * placeholders from the pipeline's `vars`). Rule conditions: `logsource`
 * (category/product/service; unset means any), combined with `rule_cond_op` and/or.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EduError } from '@edusentry/core';
import type { DetectionItem, DetectionNode, DetectionRule, Logsource, RawValue } from '../types';

export interface LogsourceCondition {
  type: 'logsource';
  category?: string;
  product?: string;
  service?: string;
}

export interface Transformation {
  id?: string;
  type: 'field_name_mapping' | 'add_condition' | 'value_placeholders';
  mapping?: Record<string, string | string[]>;
  conditions?: Record<string, RawValue | RawValue[]>;
  rule_conditions?: LogsourceCondition[];
  rule_cond_op?: 'and' | 'or';
}

export interface Pipeline {
  name: string;
  priority: number;
  vars: Record<string, string[]>;
  transformations: Transformation[];
  file: string;
}

export function loadPipelines(dir: string): Pipeline[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return files
    .map((f) => parsePipeline(readFileSync(join(dir, f), 'utf8'), join(dir, f)))
    .sort((a, b) => a.priority - b.priority);
}

export function parsePipeline(text: string, file: string): Pipeline {
  const d = parse(text) as Record<string, any>;
  if (!d || typeof d !== 'object' || !Array.isArray(d.transformations)) {
    throw new EduError('EDU_ERR_CONFIG', `${file}: a pipeline needs "name" and a "transformations" list`);
  }
  for (const t of d.transformations) {
    if (!['field_name_mapping', 'add_condition', 'value_placeholders'].includes(t.type)) {
      throw new EduError('EDU_ERR_CONFIG', `${file}: transformation ${t.id ?? ''} has unsupported type "${t.type}"`);
    }
  }
  const vars: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(d.vars ?? {})) vars[k] = (Array.isArray(v) ? v : [v]).map(String);
  return {
    name: String(d.name ?? file),
    priority: Number(d.priority ?? 50),
    vars,
    transformations: d.transformations,
    file,
  };
}

function logsourceMatches(c: LogsourceCondition, ls: Logsource): boolean {
  return (
    (c.category === undefined || c.category === ls.category) &&
    (c.product === undefined || c.product === ls.product) &&
    (c.service === undefined || c.service === ls.service)
  );
}

export function transformationApplies(t: Transformation, ls: Logsource): boolean {
  const conds = t.rule_conditions ?? [];
  if (conds.length === 0) return true;
  return t.rule_cond_op === 'or'
    ? conds.some((c) => logsourceMatches(c, ls))
    : conds.every((c) => logsourceMatches(c, ls));
}

export interface PipelineResult {
  rule: DetectionRule;
  /** event.dataset values from add_condition: where the rule's events come from. */
  datasets: string[];
  /** Field name mapping that applied (for correlation group-by and conversion). */
  fieldMap: Record<string, string[]>;
  placeholders: Record<string, string[]>;
  pipelines: string[];
}

/** Applies every pipeline transformation whose rule conditions match the rule's log source. */
export function applyPipelines(rule: DetectionRule, pipelines: Pipeline[]): PipelineResult {
  const fieldMap: Record<string, string[]> = {};
  const added: DetectionNode[] = [];
  const datasets = new Set<string>();
  const placeholders: Record<string, string[]> = {};
  const used = new Set<string>();
  for (const p of pipelines) {
    for (const t of p.transformations) {
      if (!transformationApplies(t, rule.logsource)) continue;
      used.add(p.name);
      if (t.type === 'field_name_mapping') {
        for (const [from, to] of Object.entries(t.mapping ?? {}))
          fieldMap[from] ??= Array.isArray(to) ? to.map(String) : [String(to)];
      } else if (t.type === 'add_condition') {
        const children: DetectionNode[] = [];
        for (const [field, v] of Object.entries(t.conditions ?? {})) {
          const values = Array.isArray(v) ? v : [v];
          if (field === 'event.dataset') values.forEach((x) => datasets.add(String(x)));
          children.push({ type: 'item', item: { field, modifiers: [], values, line: 0 } });
        }
        if (children.length) added.push(children.length === 1 ? children[0] : { type: 'and', children });
      } else if (t.type === 'value_placeholders') {
        Object.assign(placeholders, p.vars);
      }
    }
  }
  const mapNode = (n: DetectionNode): DetectionNode => {
    if (n.type !== 'item') return { type: n.type, children: n.children.map(mapNode) };
    const to = n.item.field ? fieldMap[n.item.field] : undefined;
    if (!to) return n;
    const items = to.map((f): DetectionNode => ({ type: 'item', item: { ...n.item, field: f } as DetectionItem }));
    return items.length === 1 ? items[0] : { type: 'or', children: items };
  };
  const detection: Record<string, DetectionNode> = {};
  for (const [k, v] of Object.entries(rule.detection)) detection[k] = mapNode(v);
  let condition = rule.condition;
  added.forEach((node, i) => {
    const name = `_pipeline_${i}`;
    detection[name] = node;
    condition = { op: 'and', args: [{ op: 'id', name }, condition] };
  });
  return {
    rule: { ...rule, detection, condition },
    datasets: [...datasets],
    fieldMap,
    placeholders,
    pipelines: [...used],
  };
}
