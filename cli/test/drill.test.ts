/** `edusentry drill` as a user runs it: validate names the bad field, list, and a run that scores what it saw. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, storeConfigSchema } from '@edusentry/core';
import { runCli } from './run-cli';

describe('edusentry drill', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-drill-'));

  it('validate: ok for a shipped scenario; a bad file exits 1 naming the file and the field', () => {
    const good = runCli(['drill', 'validate', 'rules/drills/web-defacement.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('ok — web-defacement, 3 injects');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'id: x\ntitle: { zh: 演练, en: Drill }\ncategory: cyber\ngrade: IV\nroles: [school_officer]\ninjects:\n  - { id: a, offset: 1m, kind: manual, title: { zh: a, en: a } }\n',
    );
    const r = runCli(['drill', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: category: not a GB/T 20986-2023 category`);
    expect(r.stderr).toContain(`${bad}: injects.0.text: a manual inject needs text`);
  });

  it('run without an analyzer: the events are in the store as the drill’s, the detection expires (score 0)', async () => {
    const r = runCli([
      'drill',
      'run',
      '--scenario',
      'web-sqli',
      '--org',
      'school-1-1',
      '--speed',
      '600',
      '--drill-id',
      'drill-cli-1',
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ drillId: 'drill-cli-1', orgId: 'school-1-1', score: 0, pending: 1 });
    expect(result.expectations.find((e: { id: string }) => e.id === 'detect-sqli')).toMatchObject({ outcome: 'none' });
    const store = await openStore(storeConfigSchema.parse({}), dir);
    try {
      const events = await store.search({
        datasets: ['syslog'],
        filters: [{ field: 'edu.drill.id', op: 'eq', value: 'drill-cli-1' }],
        size: 10,
      });
      expect(events.total).toBe(3);
      expect(events.hits[0]).toMatchObject({ organization: { id: 'school-1-1' }, tags: ['drill'] });
    } finally {
      await store.close();
    }
    const unknown = runCli(['drill', 'run', '--scenario', 'web-sqli', '--org', 'nowhere', '--data-dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--org "nowhere" is not an organisation');
  });
});
