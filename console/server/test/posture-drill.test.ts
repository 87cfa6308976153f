/** Drill alerts (edu.drill.id, tags: [drill]) stay out of real posture; drill=include counts them. */
import type { AlertEvent } from '@edusentry/core';
import { alert, docs, harness, type Harness } from './helpers';

let h: Harness;
const drill = (a: AlertEvent): AlertEvent => ({
  ...a,
  tags: ['drill'],
  edu: { ...a.edu, drill: { id: 'drill-1', scenario: 'web-sqli', inject: 'sqli-requests' } },
});

beforeAll(async () => {
  h = await harness();
  await h.store.write(
    docs(
      alert(0, 's1', { level: 'critical', rule: 'real-rule' }),
      alert(1, 's1', { level: 'critical', rule: 'real-rule' }),
      ...[2, 3, 4].map((n) => drill(alert(n, 's1', { level: 'high', rule: 'drill-rule', tactic: 'Impact' }))),
    ),
  );
});
afterAll(() => h.close());

describe('posture and drills', () => {
  it('leaves drill alerts out by default: KPIs, breakdowns, top rules, risk', async () => {
    const s = await h.login('province_monitor.p1');
    const p = (await h.req(s, { method: 'GET', url: '/api/posture' })).json();
    expect(p.kpis.alertsOpen).toMatchObject({ total: 2, bySeverity: { critical: 2, high: 0 } });
    expect(p.severity.find((x: { key: string }) => x.key === 'high').count).toBe(0);
    expect(p.topRules.map((r: { id: string }) => r.id)).toEqual(['real-rule']);
    expect(p.tactics.map((t: { key: string }) => t.key)).not.toContain('Impact');
    expect(p.trend.reduce((a: number, t: { alerts: number }) => a + t.alerts, 0)).toBe(2);
    const s1 = p.risk.find((r: { orgId: string }) => r.orgId === 's1');
    expect(s1.open).toBe(2);
  });

  it('counts them with drill=include, and refuses another value naming the field', async () => {
    const s = await h.login('province_monitor.p1');
    const p = (await h.req(s, { method: 'GET', url: '/api/posture?drill=include' })).json();
    expect(p.kpis.alertsOpen).toMatchObject({ total: 5, bySeverity: { critical: 2, high: 3 } });
    expect(p.topRules.map((r: { id: string }) => r.id).sort()).toEqual(['drill-rule', 'real-rule']);
    expect(p.risk.find((r: { orgId: string }) => r.orgId === 's1').open).toBe(5);
    const bad = await h.req(s, { method: 'GET', url: '/api/posture?drill=yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('drill');
  });
});
