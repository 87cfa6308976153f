/**
 * A drill through the real pipeline on the embedded store: the runner writes the scenario's
 * events, a real analyzer service in this process raises alerts carrying edu.drill.id, the
 * officer's triage (the patch the console's triage route writes) meets the acknowledgement,
 * and the run is scored; in the second run nobody acknowledges, so that expectation expires.
 */
import { mkdtempSync } from 'node:fs';
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
import { AnalyzerService, analyzerConfigSchema } from '@edusentry/analyzer';
import { sigmaDir } from '@edusentry/rules';
import { injectEvents, loadScenarios, runDrill } from '../src';

const scenarios = loadScenarios();
const scenario = (id: string) => scenarios.find((s) => s.id === id)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('drill run', () => {
  let dir: string;
  let store: EventStore;
  let analyzer: AnalyzerService;
  let running = true;
  let pump: Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drill-run-'));
    store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
    analyzer = new AnalyzerService({
      store,
      config: analyzerConfigSchema.parse({ watchRules: false }),
      dataDir: dir,
      log: createLogger('test', 'silent'),
      rules: [join(sigmaDir, 'campus'), join(sigmaDir, 'sites')],
    });
    pump = (async () => {
      while (running) if ((await analyzer.runOnce()) === 0) await sleep(50);
    })();
  });
  afterAll(async () => {
    running = false;
    await pump;
    await store.close();
  });

  const drillAlerts = async (drillId: string) =>
    (
      await store.search<AlertEvent>({
        datasets: ['alert'],
        filters: [{ field: 'edu.drill.id', op: 'eq', value: drillId }],
        size: 50,
      })
    ).hits;

  it('events in → alerts with edu.drill.id → detected and acknowledged → scored', async () => {
    // The officer: acknowledges the first drill alert the moment it shows, as the console's triage does.
    let acked: string | undefined;
    const officer = (async () => {
      while (!acked) {
        const [a] = await drillAlerts('drill-sqli-1');
        if (a) {
          await store.update(a.event.id, 'alert', {
            edu: { alert: { status: 'acknowledged', updated_at: new Date().toISOString(), updated_by: 'officer' } },
          });
          acked = a.event.id;
        } else await sleep(50);
      }
    })();
    const result = await runDrill({
      store,
      scenario: scenario('web-sqli'),
      org: { id: 'school-7', name: '第七中学' },
      drillId: 'drill-sqli-1',
      speed: 4,
      pollMs: 100,
    });
    await officer;

    const alerts = await drillAlerts('drill-sqli-1');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]).toMatchObject({
      rule: { id: '0b5fdc39-5e0d-4a1b-9b6e-5b0a0c2f1001' },
      organization: { id: 'school-7' },
      tags: ['drill'],
      edu: { drill: { id: 'drill-sqli-1', scenario: 'web-sqli', inject: 'sqli-requests' } },
    });
    const injected = await store.search({ datasets: ['syslog'], orgIds: ['school-7'], size: 10 });
    expect(injected.total).toBe(3);
    expect(injected.hits[0]).toMatchObject({
      tags: ['drill'],
      observer: { type: 'drill' },
      edu: { drill: { id: 'drill-sqli-1' } },
    });

    const byId = Object.fromEntries(result.expectations.map((e) => [e.id, e]));
    expect(byId['detect-sqli']).toMatchObject({ outcome: 'full', score: 100 });
    expect(alerts.map((a) => a.event.id)).toContain(byId['detect-sqli'].evidence);
    expect(byId['ack-sqli']).toMatchObject({ outcome: 'full', score: 100, evidence: acked });
    // An incident cannot be seen from the store: pending, not scored.
    expect(byId['escalate-sqli']).toMatchObject({ outcome: 'pending', score: null });
    expect(result).toMatchObject({ score: 100, byCategory: { detection: 100, response: 100 }, pending: 1 });
    expect(result.timeline.map((t) => `${t.what}:${t.expectation ?? t.inject}`)).toEqual(
      expect.arrayContaining(['inject:sqli-requests', 'met:detect-sqli', 'met:ack-sqli', 'pending:escalate-sqli']),
    );
  });

  it('an acknowledgement nobody gives expires: 0 for it, partial overall', async () => {
    // The shipped scenario with limits in real time: a minute to detect (slow CI), 1.5 s to acknowledge.
    const smb = structuredClone(scenario('ransomware-smb'));
    const within: Record<string, number> = { 'detect-sweep': 60_000, 'ack-sweep': 1_500 };
    for (const i of smb.injects) {
      i.offset = 0;
      for (const e of i.expectations) e.within = within[e.id] ?? e.within;
    }
    const result = await runDrill({
      store,
      scenario: smb,
      org: { id: 'school-8' },
      drillId: 'drill-smb-1',
      pollMs: 100,
    });
    const byId = Object.fromEntries(result.expectations.map((e) => [e.id, e]));
    expect(byId['detect-sweep']).toMatchObject({ outcome: 'full', score: 100 });
    expect(byId['ack-sweep']).toMatchObject({ outcome: 'none', score: 0 });
    expect(byId['isolated']).toMatchObject({ outcome: 'pending' });
    expect(result.score).toBe(50);
    expect(result.byCategory).toMatchObject({ detection: 100, response: 0 });
    expect(result.timeline.some((t) => t.what === 'expired' && t.expectation === 'ack-sweep')).toBe(true);
    // The drill's alerts are its own, not the other drill's or a real one.
    const alerts = await drillAlerts('drill-smb-1');
    expect(alerts.map((a) => a.rule.name)).toContain('Horizontal Port Scan');
    expect(alerts.every((a) => a.organization?.id === 'school-8')).toBe(true);
  });

  it('a real event beside a drill gives a real alert: no drill id, no drill tag, not aggregated with the drill', async () => {
    const real = injectEvents(scenario('web-sqli').injects[0], {
      drillId: 'x',
      scenario: 'web-sqli',
      org: { id: 'school-7' },
      observer: { name: 'c1' },
      at: Date.now(),
      speed: 1,
    }).map((e) => {
      const { tags: _t, edu: _e, ...rest } = e as Record<string, unknown>;
      return { ...rest, event: { ...(e.event as object), id: `real-${e.event.id}` } } as unknown as EcsEvent;
    });
    await store.write(real);
    let alerts: AlertEvent[] = [];
    for (let i = 0; i < 100 && !alerts.length; i++, await sleep(50))
      alerts = (
        await store.search<AlertEvent>({
          datasets: ['alert'],
          orgIds: ['school-7'],
          filters: [{ field: 'edu.drill.id', op: 'missing' }],
          size: 10,
        })
      ).hits;
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(a.tags).toBeUndefined();
      expect(a.edu.alert.events.every((id) => id.startsWith('real-'))).toBe(true);
    }
  });
});
