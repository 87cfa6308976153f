/**
 * `pnpm bench console [--count 1000000] [--alert-every 200] [--iterations 30] [--opensearch URL]`:
 * p50/p95 latency of the console's posture and alert-list APIs over generated
 * events (sample province, 24 h) on the embedded store, and of a new alert
 * reaching a connected socket.io client (store write + bus → push → client).
 * One alert is written per `--alert-every` events (a smaller value gives the alert volume
 * of a bigger store, e.g. `--count 1000000 --alert-every 20` has the alerts of 10 M events).
 * Goals (issue #6): dashboard API p95 ≤ 300 ms at 10 M events; alert on screen p95 ≤ 1 s embedded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedStore, EventBus, eventId, type AlertEvent, type EcsEvent, type EventStore } from '@edusentry/core';
import { build, hashPassword } from '@edusentry/console-server';
import { io as connect } from 'socket.io-client';
import { iterateEvents, sampleProvince } from './generate';

const LEVELS = ['low', 'medium', 'medium', 'high', 'high', 'critical'];
const TACTICS = ['initial-access', 'discovery', 'credential-access', 'execution', 'command-and-control'];

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** An alert on generated event `e`, as the analyzer would write it. */
function alertOn(e: EcsEvent, n: number): AlertEvent {
  return {
    '@timestamp': e['@timestamp'],
    event: { id: eventId('bench-alert', `${e.event.id}:${n}`), kind: 'alert', dataset: 'alert', severity: 50 },
    organization: e.organization,
    source: e.source,
    destination: e.destination,
    rule: {
      id: `bench-rule-${n % 25}`,
      name: `Bench rule ${n % 25}`,
      level: LEVELS[n % LEVELS.length],
      author: 'bench',
      license: 'DRL-1.1',
    },
    threat: { framework: 'MITRE ATT&CK', tactic: { name: [TACTICS[n % TACTICS.length]] } },
    edu: { alert: { status: n % 4 === 0 ? 'closed' : 'new', events: [e.event.id] } },
  };
}

async function fill(
  store: EventStore,
  count: number,
  to: number,
  alertEvery: number,
): Promise<{ events: number; alerts: number; seconds: number }> {
  const t0 = performance.now();
  let batch: EcsEvent[] = [];
  let events = 0;
  let alerts = 0;
  for (const e of iterateEvents({ seed: 7, count, from: to - 86_400_000, to })) {
    batch.push(e);
    events++;
    if (events % alertEvery === 0) {
      batch.push(alertOn(e, alerts++) as unknown as EcsEvent);
    }
    if (batch.length >= 5000) {
      await store.write(batch);
      batch = [];
    }
  }
  if (batch.length) await store.write(batch);
  return { events, alerts, seconds: (performance.now() - t0) / 1000 };
}

async function measure(
  label: string,
  n: number,
  fn: () => Promise<void>,
): Promise<{ label: string; p50: number; p95: number }> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return { label, p50: pct(xs, 50), p95: pct(xs, 95) };
}

async function benchStore(kind: string, store: EventStore, args: string[]): Promise<void> {
  const count = Number(arg(args, 'count', '1000000'));
  const iterations = Number(arg(args, 'iterations', '30'));
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'edu-bench-console-'));
  try {
    await store.init();
    const filled = await fill(store, count, now, Number(arg(args, 'alert-every', '200')));
    process.stdout.write(
      `${kind}: ${filled.events} events + ${filled.alerts} alerts written in ${filled.seconds.toFixed(1)} s\n`,
    );
    const bus = new EventBus();
    const app = await build({
      store,
      bus,
      statePath: join(dir, 'console.db'),
      config: { rateLimit: { max: 1_000_000, windowMs: 60_000, loginMax: 1000 } },
    });
    app.ctx.state.orgs.seed(sampleProvince());
    const root = app.ctx.state.orgs.all().find((o) => !o.parentId)!;
    const school = app.ctx.state.orgs.all().find((o) => o.level === 'school')!;
    app.ctx.state.users.create({
      username: 'bench.province',
      role: 'province_monitor',
      orgId: root.id,
      passwordHash: await hashPassword('Bench-Password-1'),
    });
    app.ctx.state.users.create({
      username: 'bench.school',
      role: 'school_officer',
      orgId: school.id,
      passwordHash: await hashPassword('Bench-Password-1'),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const login = async (username: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'Bench-Password-1' },
      });
      const c = res.cookies.find((x) => x.name === 'edu_session')!;
      return `edu_session=${c.value}`;
    };
    const prov = await login('bench.province');
    const officer = await login('bench.school');
    const get = (cookie: string, url: string) => async () => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    };
    const rows = [
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
    const port = (app.server.address() as AddressInfo).port;
    const socket = connect(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      extraHeaders: { cookie: prov },
      reconnection: false,
    });
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
    rows.push({ label: 'new alert → socket.io client', p50: pct(push, 50), p95: pct(push, 95) });
    await app.close();

    process.stdout.write(
      `\nconsole API latency, ${kind} store, ${filled.events.toLocaleString('en')} events, ${iterations} runs each (ms)\n`,
    );
    process.stdout.write(`${'what'.padEnd(52)}${'p50'.padStart(10)}${'p95'.padStart(10)}  goal\n`);
    for (const r of rows) {
      const goal = r.label.startsWith('new alert') ? 1000 : 300;
      process.stdout.write(
        `${r.label.padEnd(52)}${r.p50.toFixed(1).padStart(10)}${r.p95.toFixed(1).padStart(10)}  p95 ${r.p95 <= goal ? '≤' : '>'} ${goal} ms (${(r.p95 / goal).toFixed(2)}× goal)\n`,
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-bench-store-'));
  try {
    await benchStore('embedded', new EmbeddedStore({ path: join(dir, 'events.db') }), args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = arg(args, 'opensearch', '');
  if (url) {
    const core = (await import('@edusentry/core')) as unknown as {
      openElasticStore?: (o: { url: string; indexPrefix: string }) => Promise<EventStore>;
    };
    if (!core.openElasticStore) throw new Error('this build has no Elasticsearch/OpenSearch store');
    await benchStore(
      `opensearch (${url})`,
      await core.openElasticStore({ url, indexPrefix: `edubench${Date.now()}` }),
      args,
    );
  }
}
