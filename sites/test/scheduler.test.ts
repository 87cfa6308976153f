/** The one scheduler: global and per-host limits, jittered start, back-off, batched writes. */
import type { EcsEvent } from '@edusentry/core';
import { defaultSitesConfig, Scheduler, type Site } from '../src';
import { startWorld, type World } from './helpers/world';

let w: World;
const live = new Map<string, number>();
const peak = new Map<string, number>();

beforeAll(async () => {
  w = await startWorld();
  for (const host of ['normal.test', 'slow.test', 'own.test']) {
    w.web.route(host, '*', (req, res) => {
      const n = (live.get(host) ?? 0) + 1;
      live.set(host, n);
      peak.set(host, Math.max(peak.get(host) ?? 0, n));
      setTimeout(() => {
        live.set(host, (live.get(host) ?? 1) - 1);
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<p>ok</p>');
      }, 80);
    });
  }
}, 60_000);
afterAll(() => w.close());

test('at most perHost runs per host and concurrency runs in all; results written in batches', async () => {
  const sites: Site[] = [];
  for (let i = 0; i < 6; i++) sites.push(w.site(`a${i}`, w.http('normal.test', `/p${i}`)));
  for (let i = 0; i < 6; i++) sites.push(w.site(`b${i}`, w.http(i % 2 ? 'slow.test' : 'own.test', `/p${i}`)));
  const monitor = w.monitor();
  const batches: number[] = [];
  let globalPeak = 0;
  const s = new Scheduler({
    monitor,
    config: {
      ...defaultSitesConfig(),
      scheduler: { concurrency: 3, perHost: 2, batchSize: 10, flushMs: 60_000, maxBackoffSec: 3600 },
    },
    sites: () => sites,
    noJitter: true,
    write: async (events: EcsEvent[]) => void batches.push(events.length),
    onResult: () => (globalPeak = Math.max(globalPeak, s.stats.running)),
  });
  s.start();
  await s.drain();
  await s.stop();
  expect(s.stats.runs).toBe(12);
  expect(Math.max(...peak.values())).toBeLessThanOrEqual(2);
  expect(peak.get('normal.test')).toBe(2);
  expect(globalPeak).toBeLessThanOrEqual(3);
  // Batches of at least batchSize while running, the rest at stop; nothing lost.
  expect(batches.slice(0, -1).every((n) => n >= 10)).toBe(true);
  expect(batches.reduce((a, b) => a + b, 0)).toBe(s.stats.written);
  expect(s.stats.written).toBeGreaterThanOrEqual(12 * 5);
});

test('a jittered start spreads first runs over the interval; failures back off', async () => {
  const monitor = w.monitor({ retries: 0 });
  const sites = [
    w.site('j1', w.http('normal.test', '/j1'), { intervalSec: 100 }),
    w.site('dn', 'http://down.test:1/', { intervalSec: 30 }),
  ];
  const rnd = [0.5, 0];
  const s = new Scheduler({
    monitor,
    config: defaults(),
    sites: () => sites,
    write: async () => {},
    random: () => rnd.shift() ?? 0,
  });
  const t0 = Date.now();
  s.start();
  const entries = s['entries' as never] as Map<string, { due: number }>;
  expect(entries.get('j1')!.due - t0).toBeGreaterThanOrEqual(49_000);
  expect(entries.get('j1')!.due - t0).toBeLessThanOrEqual(51_000);
  await new Promise((r) => setTimeout(r, 300));
  // The down site ran at once (jitter 0); run it twice more by hand to see the back-off grow.
  expect(s.stats.runs).toBe(1);
  const dueAfter = (): number => entries.get('dn')!.due - Date.now();
  expect(dueAfter()).toBeGreaterThan(25_000);
  expect(dueAfter()).toBeLessThanOrEqual(30_000);
  entries.get('dn')!.due = 0;
  s.wake();
  await new Promise((r) => setTimeout(r, 300));
  expect(dueAfter()).toBeGreaterThan(55_000); // 2 failures in a row: twice the interval
  await s.stop();
});

const defaults = () => defaultSitesConfig();
