/**
 * The `edusentry sites` commands as a user runs them, against the loopback fixture web and
 * resolvers: import with bad rows, list, check twice (the second run compares with the first's
 * baselines), the lying resolver named, results into the embedded store, usage errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { html } from './helpers/site-server';
import { startWorld, type World } from './helpers/world';

const root = join(__dirname, '..', '..');
let w: World;

/** The CLI in a child process (async: the fixture servers live in this process). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--require', './cli/register.js', 'cli/src/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, EDUSENTRY_LOG_LEVEL: 'error' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const PAGE = '<html><head><title>一中</title></head><body><p>欢迎</p><p>新闻一</p><p>新闻二</p></body></html>';

beforeAll(async () => {
  w = await startWorld();
  w.web.route('normal.test', '/', html(PAGE));
  w.web.route('hijack.test', '/', html(PAGE));
  w.web.route('deface.test', '/', html(PAGE));
}, 60_000);
afterAll(() => w.close());

test('import reports bad rows by line and column and keeps the good ones; list shows them', async () => {
  const dir = mkdtempSync(join(w.dir, 'cli-'));
  const csv = join(dir, 'sites.csv');
  writeFileSync(
    csv,
    `org_id,name,url,key_pages,expected_dns,interval_sec,owner\nschool-1,一中,${w.http('normal.test')},,,300,张\nschool-1,坏,gopher://x/,,,300,\n`,
  );
  const imp = await cli(['sites', 'import', csv, '--data-dir', dir]);
  expect(imp.code).toBe(0);
  expect(imp.stderr).toContain(`${csv}:3: url:`);
  expect(imp.stdout).toContain('1 created, 0 updated, 1 rows skipped');
  const again = await cli(['sites', 'import', csv, '--data-dir', dir]);
  expect(again.stdout).toContain('0 created, 1 updated');
  const list = await cli(['sites', 'list', '--json', '--data-dir', dir]);
  expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: '一中', orgId: 'school-1' })]);
}, 60_000);

test('check --once twice: exit 0 with a site down, the lying resolver named, the defacement found on the second run; --store writes them', async () => {
  const dir = mkdtempSync(join(w.dir, 'cli-'));
  const csv = join(dir, 'sites.csv');
  writeFileSync(
    csv,
    [
      'org_id,name,url,key_pages,expected_dns,interval_sec,owner',
      `school-1,一中,${w.http('normal.test')},,,300,`,
      `school-1,二中,${w.http('hijack.test')},,,300,`,
      `school-2,三中,${w.http('deface.test')},,,300,`,
      `school-2,四中,http://down.test:1/,,,300,`,
    ].join('\n'),
  );
  const config = join(dir, 'edusentry.yaml');
  writeFileSync(config, 'sites:\n  retryDelayMs: 50\n  timeoutMs: 3000\n');
  const args = [
    'sites',
    'check',
    '--sites',
    csv,
    '--once',
    ...w.resolvers.flatMap((r) => ['--resolver', r.spec]),
    '--data-dir',
    dir,
    '--config',
    config,
  ];
  const first = await cli([...args, '--ndjson']);
  expect(first.stderr).toContain('4 sites checked, 1 down');
  expect(first.code).toBe(0);
  const events = first.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(new Set(events.map((e) => e.event.dataset))).toEqual(new Set(['site.check']));
  const mismatch = events.flatMap((e) => e.edu.site.findings).find((f: { kind: string }) => f.kind === 'dns_mismatch');
  expect(mismatch.detail).toContain(`resolver:${w.resolvers[2].spec}`);
  w.web.route(
    'deface.test',
    '/',
    html('<html><head><title>Hacked by X</title></head><body><h1>hacked by X</h1></body></html>'),
  );
  const second = await cli([...args, '--store', 'embedded']);
  expect(second.code).toBe(0);
  expect(second.stderr).toMatch(/tampered 1/);
  const q = await cli([
    'store',
    'query',
    '--dataset',
    'site.check',
    '--filter',
    'event.action=content',
    '--size',
    '10',
    '--data-dir',
    dir,
  ]);
  const stored = q.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const tampered = stored.find((e) => e.edu.site.findings.some((f: { kind: string }) => f.kind === 'tampered'));
  expect(tampered).toMatchObject({
    organization: { id: 'school-2' },
    edu: { site: { name: '三中', new_findings: ['tampered'] } },
  });
}, 90_000);

test('a collector as a DNS vantage point: `sites check --checks dns` with its observer, into the store', async () => {
  const dir = mkdtempSync(join(w.dir, 'collector-'));
  const csv = join(dir, 'school.csv');
  writeFileSync(
    csv,
    `org_id,name,url,key_pages,expected_dns,interval_sec,owner\nschool-2,二中,${w.http('hijack.test')},,127.0.0.1/32,300,\n`,
  );
  const config = join(dir, 'collector.yaml');
  writeFileSync(config, 'observer:\n  id: collector-school-2\n  name: 二中出口采集器\n');
  const liar = w.resolvers[2].spec;
  const run = await cli([
    'sites',
    'check',
    '--sites',
    csv,
    '--once',
    '--checks',
    'dns',
    '--resolver',
    liar,
    '--store',
    'embedded',
    '--data-dir',
    dir,
    '--config',
    config,
  ]);
  expect(run.code).toBe(0);
  const q = await cli(['store', 'query', '--dataset', 'site.check', '--data-dir', dir]);
  const stored = q.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({
    event: { action: 'dns' },
    observer: { id: 'collector-school-2', name: `resolver:${liar}`, type: 'dns-vantage' },
    organization: { id: 'school-2' },
    edu: { site: { answers: ['127.0.0.9'], new_findings: ['dns_mismatch'] } },
  });
  const bad = await cli(['sites', 'check', '--sites', csv, '--checks', 'ping', '--data-dir', dir]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('--checks "ping"');
}, 60_000);

test('a bad --resolver is a usage error naming it', async () => {
  const dir = mkdtempSync(join(w.dir, 'cli-'));
  const csv = join(dir, 's.csv');
  writeFileSync(
    csv,
    `org_id,name,url,key_pages,expected_dns,interval_sec,owner\ns,a,${w.http('normal.test')},,,300,\n`,
  );
  const r = await cli(['sites', 'check', '--sites', csv, '--once', '--resolver', 'dns.example:53', '--data-dir', dir]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('--resolver "dns.example:53"');
}, 60_000);
