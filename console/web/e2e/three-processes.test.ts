/**
 * One system across processes (#14 §1): the console (`console serve`), the analyzer (`analyze`)
 * and a collector (`collect file --follow --store`) run as three separate CLI processes on one
 * store — the embedded one, and OpenSearch when EDUSENTRY_TEST_OPENSEARCH_URL is set — with no
 * in-process link between them. A line the collector reads becomes an alert on a page open in
 * Chromium, and the collector shows up on the 采集器 page, both pushed live from the store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openElasticStore } from '@edusentry/core';
import { requires } from '@edusentry/core/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';

jest.setTimeout(150_000);

const ROOT = resolve(__dirname, '..', '..', '..');
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const PASSWORD = 'Edu-Sentry-2026!';
const cli = (args: string[]) => [join(ROOT, 'cli', 'register.js'), join(ROOT, 'cli', 'src', 'main.ts'), ...args];

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolvePort(port));
    });
  });
}

/** A web server access-log line of a sqlmap run against the school's site, stamped now. */
function attackLine(): string {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p2 = (n: number) => String(n).padStart(2, '0');
  const at = `${p2(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
  return `203.0.113.77 - - [${at}] "GET /news/view.php?id=1%27%20UNION%20SELECT%20username,password%20FROM%20admin-- HTTP/1.1" 200 512 "-" "sqlmap/1.7.2#stable (https://sqlmap.org)"\n`;
}

interface Stack {
  dir: string;
  env: Record<string, string>;
  children: ChildProcess[];
  logs: string[];
}

function run(stack: Stack, name: string, args: string[], ready?: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--require', ...cli(args)], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.children.push(child);
  let out = '';
  const log = (d: Buffer) => {
    out += d;
    stack.logs.push(`[${name}] ${d}`);
  };
  child.stdout!.on('data', log);
  child.stderr!.on('data', log);
  return new Promise((resolveChild, reject) => {
    if (!ready) return resolveChild(child);
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 60_000);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolveChild(child);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out}`)));
  });
}

async function stop(stack: Stack): Promise<void> {
  await Promise.all(
    stack.children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

const OPENSEARCH = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
describe('console, analyzer and collector as three processes on the embedded store', () => threeProcesses());
requires(OPENSEARCH ? undefined : 'EDUSENTRY_TEST_OPENSEARCH_URL is not set').describe(
  'console, analyzer and collector as three processes on OpenSearch',
  () => threeProcesses(OPENSEARCH),
);

/** The suite on the embedded store, or on the OpenSearch node at `url`. */
function threeProcesses(url?: string) {
  const kind = url ? 'opensearch' : 'embedded';
  const stack: Stack = { dir: '', env: {}, children: [], logs: [] };
  let browser: Browser;
  let alertsPage: Page;
  let collectorsPage: Page;
  let consoleUrl: string;
  const indexPrefix = `edu3p-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack.dir = mkdtempSync(join(tmpdir(), 'edu-3proc-'));
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    const store = !url
      ? ''
      : `store:\n  kind: elasticsearch\n  url: ${url}\n  indexPrefix: ${indexPrefix}\n  tailLagMs: 500\n`;
    const config = join(stack.dir, 'edusentry.yaml');
    writeFileSync(
      config,
      [
        store,
        'organization: { id: school-1-1, name: 江城第一中学 }',
        'observer: { id: collector-e2e, name: 三进程采集器 }',
        'collector:\n  shipper: { heartbeatIntervalMs: 1000, flushIntervalMs: 200 }',
        'analyzer: { pollMs: 200, watchRules: false }',
        `console:\n  port: ${port}\n  live: { pollMs: 200 }\n  rateLimit: { max: 100000, loginMax: 1000 }`,
      ].join('\n'),
    );
    stack.env = { EDUSENTRY_CONFIG: config, EDUSENTRY_DATA_DIR: stack.dir, EDUSENTRY_LOG_LEVEL: 'warn' };
    const admin = spawnSync(
      process.execPath,
      [
        '--require',
        ...cli([
          'console',
          'create-admin',
          '--username',
          'monitor',
          '--password',
          PASSWORD,
          '--role',
          'province_monitor',
        ]),
      ],
      { cwd: ROOT, env: { ...process.env, ...stack.env }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(admin.stderr + admin.stdout).toContain('created province_monitor "monitor"');
    await run(stack, 'console', ['console', 'serve'], /console: http/);
    await run(stack, 'analyzer', ['analyze'], /Ctrl-C to stop/);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    alertsPage = await context.newPage();
    await alertsPage.goto(`${consoleUrl}/login`);
    await alertsPage.fill('input[name=username]', 'monitor');
    await alertsPage.fill('input[name=password]', PASSWORD);
    await alertsPage.click('[data-testid=login-submit]');
    await alertsPage.waitForURL('**/posture').catch(async (e) => {
      throw new Error(`${e.message}; page at ${alertsPage.url()}: ${await alertsPage.locator('body').textContent()}`);
    });
    await alertsPage.goto(`${consoleUrl}/alerts`);
    await alertsPage.getByTestId('alert-table').waitFor();
    await alertsPage.waitForSelector('[data-testid=live-status][data-connected=true]');
    collectorsPage = await context.newPage();
    await collectorsPage.goto(`${consoleUrl}/collectors`);
    await collectorsPage.getByTestId('collectors-page').waitFor();
    await collectorsPage.waitForSelector('[data-testid=live-status][data-connected=true]');
  });

  afterAll(async () => {
    await browser?.close();
    await stop(stack);
    if (process.env.EDU_E2E_DEBUG) process.stderr.write(stack.logs.join(''));
    if (stack.dir) rmSync(stack.dir, { recursive: true, force: true });
    if (url) {
      const store = await openElasticStore({ url, indexPrefix });
      await store.destroy();
      await store.close();
    }
  });

  it('shows the alert on a line the collector read, and the collector, live', async () => {
    // Nothing yet: no alert, no collector.
    expect(await alertsPage.locator('tr[data-alert-id]').count()).toBe(0);
    expect(await collectorsPage.getByText('collector-e2e').count()).toBe(0);

    const log = join(stack.dir, 'access.log');
    writeFileSync(log, '');
    await run(stack, 'collector', ['collect', 'file', log, '--follow', '--store']);
    // The collector's heartbeat reaches the page that was already open.
    await collectorsPage.getByTestId('collectors-page').getByText('collector-e2e').waitFor({ timeout: 60_000 });
    expect(await collectorsPage.getByTestId('collectors-page').textContent()).toContain('三进程采集器');
    await collectorsPage.screenshot({ path: join(ARTIFACTS, `3proc-${kind}-collectors.png`), fullPage: true });

    appendFileSync(log, attackLine());
    const row = alertsPage.locator('tr[data-alert-id]').first();
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toMatch(/SQL|sqlmap|Scanner|User.Agent|Hack Tool/i);
    expect(await row.textContent()).toContain('江城第一中学');
    await alertsPage.screenshot({ path: join(ARTIFACTS, `3proc-${kind}-alerts.png`), fullPage: true });
  });
}
