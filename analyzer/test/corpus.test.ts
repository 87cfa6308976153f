/**
 * Ground truth: every rule of the SigmaHQ corpus (3,754 files) parses and compiles. A rule is
 * active, inactive with a reason (no pipeline for its log source) or rejected with a reason;
 * nothing is skipped silently and nothing crashes.
 */
import { join } from 'node:path';
import { pipelinesDir } from '@edusentry/rules';
import { loadPipelines, RuleSet } from '../src/sigma';

const CORPUS = join(__dirname, '../../../shared/testdata/sigma');

describe('SigmaHQ corpus', () => {
  const set = RuleSet.fromPaths([CORPUS], { pipelines: loadPipelines(pipelinesDir) });

  it('loads every file and accounts for every document', () => {
    const rejected = set.problems.length;
    process.stdout.write(
      `sigma corpus: ${set.files} files, ${set.documents} documents: ${set.rules.length} active, ${set.inactive.length} inactive, ${rejected} rejected\n`,
    );
    expect(set.files).toBe(3754);
    expect(set.documents).toBe(3754);
    expect(set.rules.length + set.inactive.length + set.correlations.length + rejected).toBe(set.documents);
  });

  it('rejects only rules whose placeholders are not configured', () => {
    for (const p of set.problems) expect(p.message).toMatch(/placeholder %\w+% is not configured/);
    expect(set.problems.length).toBe(2);
  });

  it('routes the network and web rules to our events', () => {
    const webActive = set.rules.filter(
      (r) => r.rule.logsource.category === 'webserver' || r.rule.logsource.category === 'proxy',
    );
    expect(webActive.length).toBeGreaterThanOrEqual(100);
    expect(set.rules.some((r) => r.rule.logsource.category === 'dns')).toBe(true);
    expect(set.rules.some((r) => r.rule.logsource.category === 'firewall')).toBe(true);
    for (const i of set.inactive) expect(i.reason).toMatch(/^no pipeline for logsource|^correlation refers/);
    expect(set.inactive.some((i) => /product=windows/.test(i.reason))).toBe(true);
  });

  it('with the placeholders configured, every rule compiles', () => {
    const withVars = RuleSet.fromPaths([join(CORPUS, 'rules-emerging-threats/2026')], {
      pipelines: loadPipelines(pipelinesDir),
      placeholders: { known_cdcs: ['dc01.example.edu'] },
    });
    expect(withVars.problems).toEqual([]);
  });
});
