import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

const root = join(__dirname, '..', '..');

/** Starts `edusentry start`, waits until it says it is running, stops it with SIGTERM. */
function startAndStop(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'src', 'main.ts'), 'start', ...args], {
      cwd: root,
      env: { ...process.env, EDUSENTRY_LOG_LEVEL: 'error', ...env },
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!signalled && stdout.includes('Press Ctrl-C to stop.')) signalled = child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve({ code, stdout }) : reject(new Error(`exit ${code} ${signal}: ${stdout} ${stderr}`)),
    );
  });
}

describe('edusentry start', () => {
  it('loads the sample province into the embedded store, reports it, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edusentry-start-'));
    const cfg = join(dataDir, 'edusentry.yaml');
    writeFileSync(cfg, 'sample:\n  historyEvents: 3000\n  eventsPerSecond: 0\n');
    const env = { EDUSENTRY_DATA_DIR: dataDir, EDUSENTRY_CONFIG: cfg };
    const run = await startAndStop(['--only', 'sample-traffic'], env);
    expect(run.stdout).toContain(`embedded at ${join(dataDir, 'events.db')} (3000 events`);
    expect(run.stdout).toContain('stopped.');

    const stats = JSON.parse(runCli(['store', 'stats', '--json'], env).stdout);
    expect(stats.total).toBe(3000);
    expect(Object.keys(stats.byDataset).sort()).toEqual([
      'network.dns',
      'network.flow',
      'network.http',
      'network.ssh',
      'network.tls',
      'syslog',
    ]);

    const q = runCli(
      [
        'store',
        'query',
        '--dataset',
        'network.flow',
        '--org',
        'school-1-1',
        '--size',
        '5',
        '--terms',
        'destination.port',
      ],
      env,
    );
    expect(q.code).toBe(0);
    const lines = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const hits = lines.filter((l) => l.event);
    expect(hits.length).toBe(5);
    for (const h of hits)
      expect(h).toMatchObject({ event: { dataset: 'network.flow' }, organization: { id: 'school-1-1' } });
    const aggs = lines.find((l) => l.aggs).aggs;
    expect(aggs.terms.buckets[0].count).toBeGreaterThan(0);
  }, 120_000);

  it('runs a demo collector that ships the live sample traffic with its heartbeats', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edusentry-start-'));
    const cfg = join(dataDir, 'edusentry.yaml');
    writeFileSync(cfg, 'sample:\n  historyEvents: 0\n  eventsPerSecond: 5\n');
    const env = { EDUSENTRY_DATA_DIR: dataDir, EDUSENTRY_CONFIG: cfg };
    const run = await startAndStop(['--only', 'sample-traffic'], env);
    expect(run.stdout).toContain('collector "样例采集器" replaying 5 events/s');
    const q = runCli(['store', 'query', '--dataset', 'collector.heartbeat', '--size', '10'], env);
    expect(q.code).toBe(0);
    const hbs = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.event);
    // One when it starts (so the console shows it online at once) and a last one when it stops.
    expect(hbs.length).toBeGreaterThanOrEqual(2);
    for (const hb of hbs)
      expect(hb).toMatchObject({
        observer: { id: 'collector-sample', name: '样例采集器', type: 'collector' },
        organization: { id: 'prov' },
        edu: { collector: { counters: { heartbeats: expect.any(Number) } } },
      });
  }, 120_000);

  it('takes its organisation tree from organizations: in the configuration, and names a bad parent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edusentry-start-'));
    const cfg = join(dataDir, 'edusentry.yaml');
    const tree = [
      'organizations:',
      '  - { id: hq, name: 某市教育局, level: city }',
      '  - { id: east, name: 东区中学, level: school, parentId: hq, cidrs: [10.50.1.0/24] }',
      '  - { id: west, name: 西区小学, level: school, parentId: hq, cidrs: [10.50.2.0/24] }',
    ];
    writeFileSync(cfg, ['sample:\n  historyEvents: 500\n  eventsPerSecond: 0', ...tree].join('\n') + '\n');
    const env = { EDUSENTRY_DATA_DIR: dataDir, EDUSENTRY_CONFIG: cfg };
    await startAndStop(['--only', 'sample-traffic'], env);
    const q = runCli(['store', 'query', '--size', '0', '--terms', 'organization.id'], env);
    const aggs = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.aggs).aggs;
    expect(aggs.terms.buckets.map((b: { key: string }) => b.key).sort()).toEqual(['east', 'west']);

    writeFileSync(cfg, [...tree, '  - { id: lost, name: 孤校, level: school, parentId: nowhere }'].join('\n') + '\n');
    const bad = runCli(['start'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/organizations\.3\.parentId|organizations\[3\]\.parentId/);
    expect(bad.stderr).toContain('"nowhere" is not an organisation id here');
  }, 120_000);
});
