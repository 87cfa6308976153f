import type { EcsEvent, HeartbeatEvent } from '@edusentry/core';
import { alert, docs, harness, httpEvent, T0, type Harness } from './helpers';

let h: Harness;

function heartbeat(observer: string, orgId: string | null, at: number, drops = 0): EcsEvent {
  const hb: HeartbeatEvent = {
    '@timestamp': new Date(at).toISOString(),
    event: { id: `hb-${observer}-${at}`, kind: 'metric', dataset: 'collector.heartbeat' },
    observer: { id: observer, name: `采集器 ${observer}` },
    ...(orgId ? { organization: { id: orgId } } : {}),
    edu: {
      collector: {
        uptime_s: 3600,
        counters: { packets: 1000, drops_queue: drops },
        rates: { eps: 12.5 },
        spool_bytes: 2048,
      },
    },
  };
  return hb as unknown as EcsEvent;
}

beforeAll(async () => {
  h = await harness();
  await h.store.write(
    docs(
      ...Array.from({ length: 30 }, (_, i) => httpEvent(i, 's1')),
      ...Array.from({ length: 10 }, (_, i) => httpEvent(i, 's2')),
      ...Array.from({ length: 5 }, (_, i) => httpEvent(i, 's3')),
      alert(0, 's1', { level: 'critical', tactic: 'Execution', dst: '10.1.0.5' }),
      alert(1, 's1', { level: 'critical', tactic: 'Execution', dst: '10.1.0.5' }),
      alert(2, 's1', { level: 'low', status: 'closed' }),
      alert(3, 's2', { level: 'high', tactic: 'Discovery' }),
      alert(4, 's3', { level: 'medium', tactic: 'Impact', dst: '10.3.9.9' }),
      alert(5, 's3', { level: 'medium', tactic: 'Impact', at: T0 - 3 * 86_400_000 }),
      heartbeat('col-s1', 's1', T0 - 30_000, 7),
      heartbeat('col-s1', 's1', T0 - 90_000, 3),
      heartbeat('col-s3', 's3', T0 - 3_600_000),
      heartbeat('col-core', null, T0 - 10_000),
    ),
  );
});
afterAll(() => h.close());

describe('posture', () => {
  it('gives a province monitor KPIs, breakdowns and the rolled-up risk ranking', async () => {
    const s = await h.login('province_monitor.p1');
    const res = await h.req(s, { method: 'GET', url: '/api/posture' });
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.kpis.alertsOpen).toEqual({
      total: 5,
      bySeverity: { critical: 2, high: 1, medium: 2, low: 0, informational: 0 },
    });
    expect(p.kpis.events).toBe(45);
    expect(p.kpis.eventsPerSecond).toBeCloseTo(45 / 86400, 2);
    expect(p.kpis).toMatchObject({ collectorsUp: 2, collectorsTotal: 3 });
    expect(p.severity.find((x: { key: string }) => x.key === 'critical').count).toBe(2);
    expect(p.tactics[0]).toEqual({ key: 'Execution', count: 2 });
    expect(p.topAssets[0]).toEqual({ key: '10.1.0.5', count: 2 });
    expect(p.topRules[0]).toMatchObject({ name: expect.stringMatching(/^Rule /) });
    expect(p.trend.reduce((a: number, t: { events: number }) => a + t.events, 0)).toBe(45);
    expect(p.trend.reduce((a: number, t: { alerts: number }) => a + t.alerts, 0)).toBe(5);
    const risk = Object.fromEntries(p.risk.map((r: { orgId: string; score: number }) => [r.orgId, r.score]));
    expect(risk).toEqual({ s1: 20, s2: 5, s3: 4, c1: 25, c2: 4, p1: 29 });
    expect(p.risk[0].orgId).toBe('p1');
  });

  it('scopes a school officer to their school, and a province monitor narrowing with orgId', async () => {
    const s = await h.login('school_officer.s3');
    const p = (await h.req(s, { method: 'GET', url: '/api/posture' })).json();
    expect(p.kpis.alertsOpen.total).toBe(2);
    expect(p.kpis.events).toBe(5);
    expect(p.kpis.collectorsTotal).toBe(1);
    expect(p.risk.map((r: { orgId: string }) => r.orgId)).toEqual(['s3']);
    expect(p.topAssets.map((a: { key: string }) => a.key)).toEqual(['10.3.9.9']);
    const prov = await h.login('province_monitor.p1');
    const c1 = (
      await h.req(prov, { method: 'GET', url: '/api/posture?orgId=c1&from=' + (T0 - 7 * 86_400_000) })
    ).json();
    expect(c1.kpis.events).toBe(40);
    expect(c1.risk.map((r: { orgId: string }) => r.orgId).sort()).toEqual(['c1', 's1', 's2']);
    expect((await h.req(s, { method: 'GET', url: '/api/posture?orgId=c1' })).json().code).toBe('EDU_ERR_OUT_OF_SCOPE');
    expect((await h.req(prov, { method: 'GET', url: '/api/posture?from=yesterday' })).json().message).toMatch(
      /querystring\/from/,
    );
  });
});

describe('collectors', () => {
  it('shows the latest heartbeat per collector, up or down, with drops; org-less ones only to root users', async () => {
    const prov = await h.login('province_monitor.p1');
    const items = (await h.req(prov, { method: 'GET', url: '/api/collectors' })).json().items;
    expect(items.map((c: { observerId: string; up: boolean }) => `${c.observerId}:${c.up}`)).toEqual([
      'col-core:true',
      'col-s1:true',
      'col-s3:false',
    ]);
    expect(items[1]).toMatchObject({
      orgId: 's1',
      drops: 7,
      spoolBytes: 2048,
      rates: { eps: 12.5 },
      lastSeen: new Date(T0 - 30_000).toISOString(),
    });
    const city = await h.login('city_monitor.c1');
    expect(
      (await h.req(city, { method: 'GET', url: '/api/collectors' }))
        .json()
        .items.map((c: { observerId: string }) => c.observerId),
    ).toEqual(['col-s1']);
  });
});

describe('search', () => {
  it('searches events in scope with filters and a sidebar of top values', async () => {
    const s = await h.login('city_monitor.c1');
    const res = await h.req(s, {
      method: 'POST',
      url: '/api/search',
      payload: {
        datasets: ['network.http'],
        pageSize: 5,
        filters: [{ field: 'source.ip', op: 'cidr', value: '10.1.0.0/16' }],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(30);
    expect(res.json().items).toHaveLength(5);
    const org = res.json().sidebar.find((f: { field: string }) => f.field === 'organization.id');
    expect(org.top).toEqual([{ value: 's1', count: 30 }]);
    const all = await h.req(s, {
      method: 'POST',
      url: '/api/search',
      payload: { datasets: ['network.http'], fields: ['organization.id'] },
    });
    expect(
      all
        .json()
        .sidebar[0].top.map((t: { value: string }) => t.value)
        .sort(),
    ).toEqual(['s1', 's2']);
    const text = await h.req(s, { method: 'POST', url: '/api/search', payload: { text: 's2-3' } });
    expect(text.json().total).toBe(1);
    const bad = await h.req(s, {
      method: 'POST',
      url: '/api/search',
      payload: { filters: [{ field: "x') OR 1=1 --", op: 'eq', value: 1 }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/body\/filters\/0\/field/);
    const noValue = await h.req(s, {
      method: 'POST',
      url: '/api/search',
      payload: { filters: [{ field: 'user.name', op: 'eq' }] },
    });
    expect(noValue.json().message).toMatch(/body\/filters\/0\/value/);
    expect((await h.req(s, { method: 'GET', url: '/api/search/fields' })).json().fields).toContain('source.ip');
  });
});

describe('posture on the campus side', () => {
  let c: Harness;
  beforeAll(async () => {
    c = await harness();
    const resolver = '114.114.114.114';
    await c.store.write(
      docs(
        // Outbound: campus hosts asking the public resolver for a mining pool — the hosts are the assets.
        alert(10, 's1', { src: '10.1.0.9', dst: resolver, asset: '10.1.0.9' }),
        alert(11, 's1', { src: '10.1.0.9', dst: resolver, asset: '10.1.0.9' }),
        alert(12, 's1', { src: '10.1.0.10', dst: resolver, asset: '10.1.0.10' }),
        // Inbound: an attack on the school's server.
        alert(13, 's1', { src: '203.0.113.5', dst: '10.1.0.5' }),
        // Internal: one campus host attacking another.
        alert(14, 's1', { src: '10.1.0.77', dst: '10.1.0.5' }),
      ),
    );
  });
  afterAll(() => c.close());

  it('ranks campus assets (never the resolver they asked) and the remote parties apart', async () => {
    const s = await c.login('province_monitor.p1');
    const p = (await c.req(s, { method: 'GET', url: '/api/posture' })).json();
    expect(p.topAssets).toEqual([
      { key: '10.1.0.5', count: 2 },
      { key: '10.1.0.9', count: 2 },
      { key: '10.1.0.10', count: 1 },
    ]);
    expect(p.topSources[0]).toEqual({ key: '114.114.114.114', count: 3 });
    expect(p.topSources.map((b: { key: string }) => b.key).sort()).toEqual([
      '10.1.0.77',
      '114.114.114.114',
      '203.0.113.5',
    ]);
  });
});
