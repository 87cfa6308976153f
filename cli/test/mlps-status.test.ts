/** `edusentry mlps status` on the embedded store: every item of the level, statuses from the stored alerts and checks. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCatalogue } from '@edusentry/analyzer';
import { openStore, storeConfigSchema, type EcsEvent } from '@edusentry/core';

const ROOT = resolve(__dirname, '../..');

describe('edusentry mlps status', () => {
  jest.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'mlps-status-'));
  const cfg = join(dir, 'edusentry.yml');
  writeFileSync(
    cfg,
    `organizations:
  - { id: prov, name: 省, level: province, parentId: null, cidrs: [] }
  - { id: school-1, name: 一中, level: school, parentId: prov, cidrs: [10.1.0.0/16] }
`,
  );
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'cli/src/main.ts'),
        'mlps',
        'status',
        ...args,
        '--config',
        cfg,
        '--data-dir',
        dir,
        '--log-level',
        'error',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

  beforeAll(async () => {
    const store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
    const now = Date.now();
    const ev = (id: string, dataset: string, extra: Record<string, unknown>) =>
      ({
        '@timestamp': new Date(now - 3_600_000).toISOString(),
        event: { id, kind: dataset === 'alert' ? 'alert' : 'event', dataset },
        organization: { id: 'school-1' },
        ...extra,
      }) as EcsEvent;
    await store.write([
      ev('f1', 'network.flow', { source: { ip: '10.1.0.2' }, destination: { ip: '10.1.0.3', port: 23 } }),
      ev('s1', 'syslog', { message: 'x' }),
      ev('a1', 'alert', {
        rule: { id: 'rule.cleartext-management', name: 'c' },
        edu: { alert: { status: 'new', events: ['f1'] } },
      }),
    ]);
    await store.close();
  });

  it('prints every level-3 item as { clause, item, title, status, evidence, computedAt }', () => {
    const r = run('--org', 'prov', '--level', '3', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const items = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items).toHaveLength(loadCatalogue(3).items.length);
    const at = (c: string, i: string) => items.find((x) => x.clause === c && x.item === i);
    expect(Object.keys(at('8.1.1.1', 'a')).sort()).toEqual([
      'clause',
      'computedAt',
      'evidence',
      'item',
      'status',
      'title',
    ]);
    expect(at('8.1.1.1', 'a').status).toBe('manual');
    // the stored cleartext-management alert is a violation found under 8.1.4.1 c
    expect(at('8.1.4.1', 'c').status).toBe('partial');
    expect(at('8.1.4.1', 'c').evidence).toContainEqual(
      expect.objectContaining({ source: 'rule.cleartext-management', detail: { alerts: 1 } }),
    );
    expect(at('8.1.3.3', 'a')).toMatchObject({ status: 'pass', evidence: [{ source: 'sigma', status: 'pass' }] });
    // backups not connected: the check says na with its reason
    expect(at('8.1.4.9', 'a')).toMatchObject({ status: 'na', evidence: [{ source: 'check.backups', status: 'na' }] });
    expect(at('8.1.4.9', 'a').evidence[0].summary).toMatch(/备份/);
  });

  it('the table on a terminal-less run, and clear errors naming the option', () => {
    const t = run('--org', 'school-1', '--level', '2');
    expect(t.status).toBe(0);
    expect(t.stdout).toContain('7.1.4.1.c');
    expect(t.stdout).toMatch(/部分符合 \d+/);
    const bad = run('--org', 'school-1', '--level', '4');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--level must be 2 or 3');
    expect(run('--org', 'nowhere', '--level', '3').stderr).toContain('--org');
  });
});
