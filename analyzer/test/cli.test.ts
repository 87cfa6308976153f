/** The CLI contracts: `sigma check` counts and exit code, `sigma match` NDJSON from stdin. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/src/main.ts'), ...args, '--log-level', 'error'], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
  });

describe('edusentry sigma', () => {
  jest.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'sigma-cli-'));
  writeFileSync(
    join(dir, 'good.yml'),
    'title: probe\nid: 66666666-0000-4000-8000-000000000001\nlogsource: { category: webserver }\ndetection:\n  sel: { cs-uri-stem|startswith: /admin }\n  condition: sel\n---\ntitle: windows only\nlogsource: { product: windows, category: process_creation }\ndetection:\n  sel: { Image|endswith: \\\\cmd.exe }\n  condition: sel\n',
  );
  writeFileSync(
    join(dir, 'bad.yml'),
    'title: broken\nlogsource: { category: webserver }\ndetection:\n  sel: { a|re: "(a)\\\\1" }\n  condition: sel\n',
  );

  it('check reports active, inactive with the reason, and rejected with file and line; exit 1 when rejected', () => {
    const r = cli(['sigma', 'check', dir, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ files: 2, documents: 3, active: 1, inactive: 1, rejected: 1 });
    expect(Object.keys(report.inactiveReasons)).toEqual([
      'no pipeline for logsource category=process_creation product=windows',
    ]);
    expect(report.problems[0]).toMatchObject({ file: join(dir, 'bad.yml'), line: 4 });
  });

  it('match reads NDJSON from stdin, skips bad lines, prints alerts as NDJSON', () => {
    const events = [
      JSON.stringify({
        '@timestamp': '2026-01-01T00:00:00Z',
        event: { id: 'm1', kind: 'event', dataset: 'syslog' },
        url: { path: '/admin/x' },
      }),
      '{not json',
      JSON.stringify({
        '@timestamp': '2026-01-01T00:00:01Z',
        event: { id: 'm2', kind: 'event', dataset: 'syslog' },
        url: { path: '/home' },
      }),
    ].join('\n');
    const r = cli(['sigma', 'match', '--rules', join(dir, 'good.yml'), '--events', '-'], events);
    expect(r.status).toBe(0);
    const alerts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(alerts.map((a) => [a.rule.name, a.edu.alert.events])).toEqual([['probe', ['m1']]]);
    expect(r.stderr).toContain('2 events, 1 alerts (0 from correlations), 1 bad lines');
  });

  it('a missing events file is one clear error line', () => {
    const r = cli(['sigma', 'match', '--rules', join(dir, 'good.yml'), '--events', join(dir, 'nope.ndjson')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
