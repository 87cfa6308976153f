import { parsePipeline, parseSigmaText, RuleSet } from '../src/sigma';

/** Routes `product: test` rules to syslog events, with no field mapping. */
export const TEST_PIPELINE = parsePipeline(
  `name: test
transformations:
  - type: add_condition
    conditions: { event.dataset: syslog }
    rule_conditions: [{ type: logsource, product: test }]
`,
  'test-pipeline.yml',
);

export function ruleSet(yamlText: string, placeholders: Record<string, string[]> = {}): RuleSet {
  const parsed = parseSigmaText(yamlText, 'inline.yml');
  if (parsed.problems.length) throw new Error(parsed.problems.map((p) => `${p.line}: ${p.message}`).join('; '));
  const set = new RuleSet(parsed.documents, { pipelines: [TEST_PIPELINE], placeholders });
  if (set.problems.length) throw new Error(set.problems.map((p) => `${p.line}: ${p.message}`).join('; '));
  return set;
}

/** A one-selection rule: `detection` is the YAML body under detection:, condition included. */
export function rule(detection: string): string {
  return `title: t
id: 00000000-0000-4000-8000-000000000001
logsource: { product: test }
detection:
${detection
  .trim()
  .split('\n')
  .map((l) => '  ' + l)
  .join('\n')}
`;
}

export function ev(fields: Record<string, unknown>): Record<string, unknown> {
  return { '@timestamp': '2026-01-01T00:00:00Z', event: { id: 'e1', kind: 'event', dataset: 'syslog' }, ...fields };
}

export function matches(
  detection: string,
  fields: Record<string, unknown>,
  placeholders?: Record<string, string[]>,
): boolean {
  return ruleSet(rule(detection), placeholders).match(ev(fields)).length > 0;
}

export function rejects(detection: string, placeholders?: Record<string, string[]>): string {
  const parsed = parseSigmaText(rule(detection), 'inline.yml');
  if (parsed.problems.length) return parsed.problems[0].message;
  const set = new RuleSet(parsed.documents, { pipelines: [TEST_PIPELINE], placeholders });
  if (set.problems.length) return set.problems[0].message;
  throw new Error('rule was accepted');
}
