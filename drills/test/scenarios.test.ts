/** Scenario files: every shipped one loads; a bad one is refused naming its file, the field and why. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incidentCategories, loadScenario, loadScenarios } from '../src';

const GOOD = `id: t
title: { zh: 演练, en: Drill }
category: network_attack
grade: IV
roles: [school_officer]
injects:
  - id: a
    offset: 0s
    kind: events
    title: { zh: 注入, en: Inject }
    events: [{ event: { dataset: syslog } }]
    expectations:
      - { id: d, type: detect, rule: r1, within: 5m }
`;

describe('drill scenarios', () => {
  it('ships at least six valid scenarios over the GB/T 20986-2023 categories', () => {
    expect(incidentCategories()).toHaveLength(10);
    const all = loadScenarios();
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const s of all) expect(incidentCategories().map((c) => c.id)).toContain(s.category);
    const defacement = all.find((s) => s.id === 'web-defacement')!;
    expect(defacement.injects[0].expectations[0]).toMatchObject({ type: 'detect', within: 300_000 });
  });

  const dir = mkdtempSync(join(tmpdir(), 'drills-'));
  const refused = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    try {
      loadScenario(file);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error(`${name} was accepted`);
  };

  it('accepts a minimal scenario', () => {
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    expect(loadScenario(join(dir, 'good.yaml')).injects[0].count).toBe(1);
  });

  it.each([
    ['category.yaml', GOOD.replace('network_attack', 'hacking'), 'category: not a GB/T 20986-2023 category'],
    ['rule.yaml', GOOD.replace('rule: r1, ', ''), 'injects.0.expectations.0.rule: a detect expectation names the rule'],
    ['within.yaml', GOOD.replace('within: 5m', 'within: soon'), 'injects.0.expectations.0.within'],
    ['kind.yaml', GOOD.replace('kind: events', 'kind: message'), 'injects.0.text: a message inject needs text'],
    [
      'dataset.yaml',
      GOOD.replace('{ event: { dataset: syslog } }', '{ event: {} }'),
      'injects.0.events.0: an event needs event.dataset',
    ],
    ['unknown.yaml', GOOD.replace('grade: IV', 'grade: IV\nlevel: 3'), "(top): Unrecognized key(s) in object: 'level'"],
    ['yaml.yaml', 'id: [', 'not valid YAML'],
  ])('refuses %s naming the file and field', (name, text, reason) => {
    const msg = refused(name, text);
    expect(msg).toContain(join(dir, name));
    expect(msg).toContain(reason);
  });

  it('refuses an expectation id used twice', () => {
    const twice = GOOD + '      - { id: d, type: acknowledge, within: 5m }\n';
    expect(refused('twice.yaml', twice)).toContain('injects.0.expectations.1.id: expectation id "d" is used twice');
  });
});
