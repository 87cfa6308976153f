/**
 * The rule policy across processes: the analyzer runs as its own process (`edusentry analyze`,
 * the CLI as operators start it), the console in this one; they share the embedded store file and
 * the data directory, nothing else (in the opensearch jest project, the OpenSearch indices). Changes made through the console's API reach the running
 * analyzer without a restart: a rule switched off alerts no more, an exception suppresses until
 * it expires and then the rule alerts again, an uploaded rule fires.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AlertEvent, EcsEvent } from '@edusentry/core';
import { policyDirOf, readCatalogue } from '@edusentry/analyzer';
import type { InjectOptions } from 'fastify';
import { harness, userName, type Harness, type Session } from './helpers';

const ROOT = resolve(__dirname, '..', '..', '..');
const PROBE = '88888888-0000-4000-8000-000000000001';
const MARKER = '88888888-0000-4000-8000-000000000002';
const UPLOADED = '88888888-0000-4000-8000-000000000003';
const rule = (id: string, title: string, suffix: string, where = 'startswith') => `title: ${title}
id: ${id}
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|${where}: ${suffix} }
  condition: sel
level: medium
`;

let h: Harness;
let analyzer: ChildProcess;
let output = '';
let admin: Session;
let seq = 0;

function web(path: string, ip = '10.1.5.5'): EcsEvent {
  seq++;
  return {
    '@timestamp': new Date().toISOString(),
    event: { id: `proc-${seq}`, kind: 'event', dataset: 'syslog' },
    url: { original: path, path },
    source: { ip },
    organization: { id: 's1' },
  } as EcsEvent;
}

async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    // A search engine answers 503 while the index a first alert created still allocates its shards.
    const v = await Promise.resolve()
      .then(get)
      .catch((e: Error) => void (last = e.message));
    if (v) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what} (${last || 'no error'}); analyzer output:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const alertsOf = async (eventId: string) =>
  ((await h.store.search({ datasets: ['alert'], size: 500 })).hits as unknown as AlertEvent[]).filter((a) =>
    a.edu.alert.events.includes(eventId),
  );

/**
 * Writes `ev`, then a marker event only the (always on) marker rule matches, and waits for the
 * marker's alert: the analyzer reads in ingest order, so by then it has evaluated `ev`.
 */
async function evaluated(ev: EcsEvent): Promise<AlertEvent[]> {
  const marker = web('/backup.bak');
  await h.store.write([ev, marker]);
  await until('the marker alert', async () => (await alertsOf(marker.event.id)).length > 0);
  return alertsOf(ev.event.id);
}

/** Waits until the analyzer process reports running the policy version a change answered. */
const applied = (v: number) =>
  until(`policy version ${v}`, () => (readCatalogue(policyDirOf(h.dir))?.policyVersion ?? -1) >= v);

/** The analyzer process's store: the harness's (the embedded file, or its OpenSearch indices). */
function storeConfig(): string {
  const store = h.app.ctx.store;
  if (store.kind === 'embedded') return '';
  // The harness names its indices per run; the process must open the same ones.
  const { url, prefix } = store as unknown as { url: string; prefix: string };
  return `store: { kind: elasticsearch, url: '${url}', indexPrefix: '${prefix}', tailLagMs: 0 }\n`;
}

const call = (method: InjectOptions['method'], url: string, payload?: object) =>
  h.req(admin, { method, url, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  h = await harness();
  h.clock.now = Date.now(); // the analyzer process judges expiry by the real clock
  writeFileSync(
    join(h.dir, 'rules.yml'),
    `${rule(PROBE, 'Admin probe', '/admin')}---\n${rule(MARKER, 'Backup file', '.bak', 'endswith')}`,
  );
  writeFileSync(
    join(h.dir, 'edusentry.yaml'),
    `${storeConfig()}analyzer: { pollMs: 50, watchRules: false, stateSaveMs: 0, dedup: { windowSec: 0 } }\n`,
  );
  analyzer = spawn(
    process.execPath,
    [
      '--require',
      join(ROOT, 'cli', 'register.js'),
      join(ROOT, 'cli', 'src', 'main.ts'),
      'analyze',
      '--config',
      join(h.dir, 'edusentry.yaml'),
      '--data-dir',
      h.dir,
      '--log-level',
      'warn',
      '--rules',
      join(h.dir, 'rules.yml'),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  analyzer.stdout!.on('data', (d) => (output += d));
  analyzer.stderr!.on('data', (d) => (output += d));
  await until('the analyzer process to start', () => output.includes('Ctrl-C to stop'), 60_000);
  admin = await h.login(userName('sec_admin', 'p1'));
}, 90_000);

afterAll(async () => {
  if (analyzer && analyzer.exitCode === null) {
    const exited = new Promise((r) => analyzer.once('exit', r));
    analyzer.kill('SIGTERM');
    await exited;
  }
  await h.close();
});

describe('rule policy from the console to an analyzer process', () => {
  it('the analyzer process reports its rules, and the console lists them', async () => {
    expect((await evaluated(web('/admin/1'))).map((a) => a.rule.id)).toEqual([PROBE]);
    const listed = (await call('GET', '/api/rules')).json();
    expect(listed.analyzer.policyVersion).toBe(0);
    expect(listed.items.map((r: { id: string }) => r.id).sort()).toEqual([PROBE, MARKER]);
  });

  it('a rule switched off alerts no more, switched on alerts again', async () => {
    const off = (await call('PATCH', `/api/rules/${PROBE}`, { enabled: false })).json();
    await applied(off.policyVersion);
    expect(await evaluated(web('/admin/2'))).toEqual([]);
    const on = (await call('PATCH', `/api/rules/${PROBE}`, { enabled: true })).json();
    await applied(on.policyVersion);
    expect(await evaluated(web('/admin/3'))).toHaveLength(1);
  });

  it('an exception suppresses until it expires, then the rule alerts again', async () => {
    const expiresMs = Date.now() + 2500;
    h.clock.now = Date.now();
    const res = await call('POST', '/api/rules/exceptions', {
      ruleId: PROBE,
      source: '10.1.5.0/24',
      expiresAt: new Date(expiresMs).toISOString(),
      reason: 'scanner',
    });
    expect(res.statusCode).toBe(201);
    await applied(res.json().policyVersion);
    expect(await evaluated(web('/admin/4', '10.1.5.9'))).toEqual([]);
    expect(await evaluated(web('/admin/5', '10.1.6.9'))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresMs - Date.now() + 100)));
    expect(await evaluated(web('/admin/6', '10.1.5.9'))).toHaveLength(1);
  });

  it('an uploaded rule fires in the running analyzer process', async () => {
    const res = await call('POST', '/api/rules/upload', {
      filename: 'jsp.yml',
      content: rule(UPLOADED, 'JSP shell', '/cmd.jsp', 'endswith'),
    });
    expect(res.statusCode).toBe(201);
    await applied(res.json().policyVersion);
    expect((await evaluated(web('/x/cmd.jsp'))).map((a) => a.rule.id)).toEqual([UPLOADED]);
    expect(analyzer.exitCode).toBeNull();
  });
});
