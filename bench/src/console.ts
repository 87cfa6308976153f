/**
 * `pnpm bench console [--store embedded|opensearch] [--store-url URL] [--count 1000000]
 *  [--alert-every 200] [--iterations 30] [--browser-alerts 50] [--opensearch URL]`:
 * p50/p95 latency of the console's posture and alert-list APIs over generated events
 * (sample province, 24 h), of a new alert reaching a connected socket.io client, and of a
 * new alert reaching the screen: its row in the alert list of the SPA in real Chromium
 * (timed from the start of the store write, and from the bus announcement after it; one alert
 * every 200 ms once the previous one is on screen, so critical/high ones also stack notifications).
 * `--store opensearch --store-url URL` runs on an OpenSearch/Elasticsearch node (bulk-loaded
 * with refresh off); `--opensearch URL` (older form) runs embedded and then OpenSearch.
 * One alert is written per `--alert-every` events (a smaller value gives the alert volume
 * of a bigger store, e.g. `--count 1000000 --alert-every 20` has the alerts of 10 M events).
 * `--browser-alerts 0` skips Chromium. Goals (issue #6): dashboard API p95 ≤ 300 ms at 10 M
 * events; alert on screen p95 ≤ 1 s embedded, ≤ 2 s OpenSearch.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedStore, EventBus, openElasticStore, type EcsEvent, type EventStore } from '@edusentry/core';
import { build, hashPassword } from '@edusentry/console-server';
import { io as connect } from 'socket.io-client';
import { alertToScreen } from './console-browser';
import { alertOn, fill, type BulkTarget } from './console-fill';
import { iterateEvents, sampleProvince } from '@edusentry/sample';

const PASSWORD = 'Bench-Password-1';
const WEB_DIST = resolve(__dirname, '..', '..', 'console', 'web', 'dist');

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

interface Row {
  label: string;
  p50: number;
  p95: number;
  goal: number;
}

async function measure(label: string, n: number, fn: () => Promise<void>): Promise<Row> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return { label, p50: pct(xs, 50), p95: pct(xs, 95), goal: 300 };
}

async function benchStore(kind: 'embedded' | 'opensearch', store: EventStore, args: string[], bulk?: BulkTarget) {
  const count = Number(arg(args, 'count', '1000000'));
  const iterations = Number(arg(args, 'iterations', '30'));
  const browserAlerts = Number(arg(args, 'browser-alerts', '50'));
  const screenGoal = kind === 'embedded' ? 1000 : 2000;
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'edu-bench-console-'));
  try {
    await store.init();
    const filled = await fill(store, {
      count,
      to: now,
      alertEvery: Number(arg(args, 'alert-every', '200')),
      bulk,
      progress: count >= 2_000_000,
    });
    process.stdout.write(
      `${kind}: ${filled.events.toLocaleString('en')} events + ${filled.alerts.toLocaleString('en')} alerts written in ${filled.seconds.toFixed(1)} s wall, ${filled.cpuSeconds.toFixed(1)} s CPU of this process (${Math.round(filled.events / filled.seconds).toLocaleString('en')} events/s wall)\n`,
    );
    const bus = new EventBus();
    const app = await build({
      store,
      bus,
      statePath: join(dir, 'console.db'),
      config: { webDist: WEB_DIST, rateLimit: { max: 1_000_000, windowMs: 60_000, loginMax: 1000 } },
    });
    app.ctx.state.orgs.seed(sampleProvince());
    const root = app.ctx.state.orgs.all().find((o) => !o.parentId)!;
    const school = app.ctx.state.orgs.all().find((o) => o.level === 'school')!;
    const hash = await hashPassword(PASSWORD);
    app.ctx.state.users.create({
      username: 'bench.province',
      role: 'province_monitor',
      orgId: root.id,
      passwordHash: hash,
    });
    app.ctx.state.users.create({
      username: 'bench.school',
      role: 'school_officer',
      orgId: school.id,
      passwordHash: hash,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const login = async (username: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: PASSWORD },
      });
      const c = res.cookies.find((x) => x.name === 'edu_session')!;
      return `edu_session=${c.value}`;
    };
    const prov = await login('bench.province');
    const officer = await login('bench.school');
    const get = (cookie: string, path: string) => async () => {
      const res = await app.inject({ method: 'GET', url: path, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
    };
    const rows: Row[] = [
      await measure('posture, province, 24 h', iterations, get(prov, '/api/posture')),
      await measure('posture, one school, 24 h', iterations, get(officer, '/api/posture')),
      await measure('alert list, province, page 1 of 50', iterations, get(prov, '/api/alerts?pageSize=50')),
      await measure(
        'alert list, province, status=new&severity=high',
        iterations,
        get(prov, '/api/alerts?pageSize=50&status=new&severity=high'),
      ),
      await measure('alert list, one school', iterations, get(officer, '/api/alerts?pageSize=50')),
    ];

    // A new alert: written to the store and announced on the bus, as the analyzer does; timed until the client has it.
    const socket = connect(url, { transports: ['websocket'], extraHeaders: { cookie: prov }, reconnection: false });
    await new Promise<void>(
      (resolve, reject) => (socket.on('connect', () => resolve()), socket.on('connect_error', reject)),
    );
    const push: number[] = [];
    const sample = [...iterateEvents({ seed: 99, count: iterations + 1, from: now - 1000, to: now })];
    for (const [i, e] of sample.entries()) {
      const a = alertOn(e, 10_000_000 + i);
      const got = new Promise<void>((resolve) => socket.once('alert:new', () => resolve()));
      const t0 = performance.now();
      await store.write([a as unknown as EcsEvent]);
      bus.emit('alert', a);
      await got;
      if (i > 0) push.push(performance.now() - t0);
    }
    socket.close();
    rows.push({ label: 'new alert → socket.io client', p50: pct(push, 50), p95: pct(push, 95), goal: screenGoal });

    let screenNote = '';
    const hasSpa = existsSync(join(WEB_DIST, 'index.html'));
    if (browserAlerts > 0 && !hasSpa)
      screenNote = `Chromium skipped: no built SPA in ${WEB_DIST} (pnpm --filter @edusentry/console-web build)`;
    if (browserAlerts > 0 && hasSpa) {
      // Fresh alerts stamped now, so the open list (newest first, last 24 h) shows them at the top.
      const fresh = [...iterateEvents({ seed: 123, count: browserAlerts + 1, from: now, to: now + 1000 })].map((e, i) =>
        alertOn({ ...e, '@timestamp': new Date().toISOString() }, 20_000_000 + i * 4 + 1),
      );
      const c0 = process.cpuUsage();
      const t = await alertToScreen({
        url,
        username: 'bench.province',
        password: PASSWORD,
        store,
        bus,
        alerts: fresh,
      });
      const cpu = process.cpuUsage(c0);
      const written = t.written.slice(1);
      const announced = t.announced.slice(1);
      rows.push(
        {
          label: 'new alert: store write → row in Chromium DOM',
          p50: pct(written, 50),
          p95: pct(written, 95),
          goal: screenGoal,
        },
        {
          label: 'new alert: bus announce → row in Chromium DOM',
          p50: pct(announced, 50),
          p95: pct(announced, 95),
          goal: screenGoal,
        },
      );
      screenNote = `Chromium: ${written.length} alerts timed (first one is warm-up), max ${Math.max(...written).toFixed(1)} ms; console process CPU during it ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`;
    }
    await app.close();

    process.stdout.write(
      `\nconsole API latency, ${kind} store, ${filled.events.toLocaleString('en')} events + ${filled.alerts.toLocaleString('en')} alerts, ${iterations} runs each (ms); load average ${loadavg()[0].toFixed(1)} on 2 cores\n`,
    );
    process.stdout.write(`${'what'.padEnd(52)}${'p50'.padStart(10)}${'p95'.padStart(10)}  goal\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.label.padEnd(52)}${r.p50.toFixed(1).padStart(10)}${r.p95.toFixed(1).padStart(10)}  p95 ${r.p95 <= r.goal ? '≤' : '>'} ${r.goal} ms (${(r.p95 / r.goal).toFixed(2)}× goal)\n`,
      );
    }
    if (screenNote) process.stdout.write(`${screenNote}\n`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onEmbedded(args: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-bench-store-'));
  try {
    await benchStore('embedded', new EmbeddedStore({ path: join(dir, 'events.db') }), args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onOpenSearch(url: string, args: string[]): Promise<void> {
  const indexPrefix = `edubench-console-${Date.now().toString(36)}`;
  const store = await openElasticStore({ url, indexPrefix, bulkDocs: 5000, concurrency: 2 });
  try {
    await benchStore('opensearch', store, args, { url, indexPrefix });
  } finally {
    if (!args.includes('--keep-indices')) {
      const drop = await openElasticStore({ url, indexPrefix });
      await drop.destroy();
      await drop.close();
    }
  }
}

export async function run(args: string[]): Promise<void> {
  const kind = arg(args, 'store', 'embedded');
  if (kind !== 'embedded' && kind !== 'opensearch') throw new Error(`--store ${kind}: expected embedded or opensearch`);
  if (kind === 'opensearch') {
    const url = arg(args, 'store-url', arg(args, 'opensearch', ''));
    if (!url)
      throw new Error('--store opensearch needs --store-url http://host:port (e.g. from deploy/opensearch/run/url)');
    return onOpenSearch(url, args);
  }
  await onEmbedded(args);
  const url = arg(args, 'opensearch', '');
  if (url) await onOpenSearch(url, args);
}
