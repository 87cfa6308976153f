/**
 * The analyzer service on the real embedded store: tails events, writes alerts with
 * deterministic ids, never analyses its own alerts, resumes from its cursor after a
 * restart without skipping or re-alerting, and keeps correlation windows across restarts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  openStore,
  storeConfigSchema,
  type AlertEvent,
  type EcsEvent,
  type EventStore,
} from '@edusentry/core';
import { AnalyzerService, analyzerConfigSchema } from '../src';

const RULES = `title: Admin panel probe
id: 44444444-0000-4000-8000-000000000001
name: admin_probe
author: EduSentry tests
logsource: { category: webserver }
detection:
  sel: { cs-uri-stem|startswith: /admin }
  condition: sel
level: high
tags: [attack.initial-access, attack.t1190]
---
title: Repeated admin probes
id: 44444444-0000-4000-8000-000000000002
correlation:
  type: event_count
  rules: [admin_probe]
  group-by: [c-ip]
  timespan: 1m
  condition: { gte: 3 }
  generate: true
`;

let seq = 0;
function web(sec: number, path: string, ip = '198.51.100.7'): EcsEvent {
  seq++;
  return {
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 8, 0, sec)).toISOString(),
    event: { id: `web-${seq}`, kind: 'event', dataset: 'syslog' },
    url: { original: path, path },
    source: { ip },
    organization: { id: 'school-7' },
    user: { name: 'zhang.san' },
  } as EcsEvent;
}

describe('analyzer service', () => {
  let dir: string;
  let store: EventStore;
  const log = createLogger('test', 'silent');
  // Every match its own alert (no aggregation window): what these restart and replay cases count.
  const config = analyzerConfigSchema.parse({ watchRules: false, dedup: { windowSec: 0 } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'analyzer-'));
    writeFileSync(join(dir, 'rules.yml'), RULES);
    store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
  });
  afterAll(() => store.close());

  const service = (onAlert?: (a: AlertEvent) => void) =>
    new AnalyzerService({ store, config, dataDir: dir, log, rules: [join(dir, 'rules.yml')], onAlert });

  async function drain(s: AnalyzerService) {
    while ((await s.runOnce()) > 0);
  }

  it('alerts once per matching event, resumes after a restart and keeps correlation state', async () => {
    const announced: AlertEvent[] = [];
    await store.write([web(0, '/admin/login'), web(1, '/index.html'), web(2, '/admin/config')]);
    const first = service((a) => announced.push(a));
    await drain(first);
    expect(announced.map((a) => a.rule.name)).toEqual(['Admin panel probe', 'Admin panel probe']);
    const a0 = announced[0];
    expect(a0.rule.author).toBe('EduSentry tests');
    expect(a0.event.severity).toBe(73);
    expect(a0.threat?.technique?.id).toEqual(['T1190']);
    expect(a0.organization).toEqual({ id: 'school-7' });
    expect(a0.user?.name).toBe('zhang.san');
    expect(a0.edu.alert.events).toEqual(['web-1']);

    // Restart: a new service reads the saved cursor; nothing is re-alerted.
    const again: AlertEvent[] = [];
    const second = service((a) => again.push(a));
    await drain(second);
    expect(again).toEqual([]);

    // A third probe completes the correlation that began before the restart.
    await store.write([web(30, '/admin/users')]);
    await drain(second);
    expect(again.map((a) => a.rule.name).sort()).toEqual(['Admin panel probe', 'Repeated admin probes']);
    const corr = again.find((a) => a.rule.name === 'Repeated admin probes')!;
    expect(corr.edu.alert.count).toBe(3);
    expect(corr.edu.alert.group).toEqual({ 'c-ip': '198.51.100.7' });

    // Alerts are in the store once each, and were not analysed as events.
    const stored = await store.search({ datasets: ['alert'], size: 100 });
    expect(stored.total).toBe(4);
  });

  it('between state saves a crash replays the batches since the last save: same alert ids, none stored twice', async () => {
    const d = mkdtempSync(join(tmpdir(), 'analyzer-save-'));
    writeFileSync(join(d, 'rules.yml'), RULES);
    const st = await openStore(storeConfigSchema.parse({}), d);
    await st.init();
    const cfg = analyzerConfigSchema.parse({
      watchRules: false,
      batchSize: 1,
      stateSaveMs: 3_600_000,
      dedup: { windowSec: 0 },
    });
    const make = (out: AlertEvent[]) =>
      new AnalyzerService({
        store: st,
        config: cfg,
        dataDir: d,
        log,
        rules: [join(d, 'rules.yml')],
        onAlert: (a) => out.push(a),
      });
    await st.write([
      web(0, '/admin/a', '198.51.100.8'),
      web(5, '/admin/b', '198.51.100.8'),
      web(9, '/admin/c', '198.51.100.8'),
    ]);
    const first: AlertEvent[] = [];
    const crashed = make(first);
    for (let i = 0; i < 3; i++) expect(await crashed.runOnce()).toBe(1); // the first batch saves; the next two do not
    expect(first.filter((a) => a.rule.name === 'Admin panel probe')).toHaveLength(3);

    const replayed: AlertEvent[] = [];
    const second = make(replayed);
    while ((await second.runOnce()) > 0);
    const probes = replayed.filter((a) => a.rule.name === 'Admin panel probe').map((a) => a.event.id);
    expect(probes).toEqual(
      first
        .filter((a) => a.rule.name === 'Admin panel probe')
        .slice(1)
        .map((a) => a.event.id),
    );
    expect((await st.search({ datasets: ['alert'], size: 100 })).total).toBe(
      new Set([...first, ...replayed].map((a) => a.event.id)).size,
    );

    // Caught up, the state was saved: a third start has nothing to replay.
    const third: AlertEvent[] = [];
    const resumed = make(third);
    while ((await resumed.runOnce()) > 0);
    expect(third).toEqual([]);
    await st.close();
  });

  it('a replay from the start rewrites the same alert ids instead of new ones', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'analyzer-replay-'));
    const replay = new AnalyzerService({ store, config, dataDir: fresh, log, rules: [join(dir, 'rules.yml')] });
    await drain(replay);
    const stored = await store.search({ datasets: ['alert'], size: 100 });
    expect(stored.total).toBe(4);
  });

  it('by default repeated matches of one rule, source and destination within 10 minutes are one alert with a count', async () => {
    const d = mkdtempSync(join(tmpdir(), 'analyzer-agg-'));
    writeFileSync(join(d, 'rules.yml'), RULES);
    const st = await openStore(storeConfigSchema.parse({}), d);
    await st.init();
    const cfg = analyzerConfigSchema.parse({ watchRules: false, batchSize: 2 });
    const run = async (dataDir: string) => {
      const s = new AnalyzerService({ store: st, config: cfg, dataDir, log, rules: [join(d, 'rules.yml')] });
      while ((await s.runOnce()) > 0);
    };
    await st.write([
      web(0, '/admin/a', '198.51.100.9'),
      web(100, '/admin/b', '198.51.100.9'),
      web(200, '/admin/c', '198.51.100.9'),
      web(210, '/admin/d', '198.51.100.10'),
    ]);
    await run(d);
    const probes = async () =>
      ((await st.search({ datasets: ['alert'], size: 100 })).hits as unknown as AlertEvent[]).filter(
        (a) => a.rule.name === 'Admin panel probe',
      );
    const bySource = (as: AlertEvent[]) => Object.fromEntries(as.map((a) => [a.source?.ip, a.edu.alert.count ?? 1]));
    // Three batches grew the first one (batch size 2): its count reached the store by update.
    expect(bySource(await probes())).toEqual({ '198.51.100.9': 3, '198.51.100.10': 1 });
    // A replay from the start on a fresh cursor writes the same aggregated ids: still two alerts.
    await run(mkdtempSync(join(tmpdir(), 'analyzer-agg-replay-')));
    expect(await probes()).toHaveLength(2);
    await st.close();
  });
});
