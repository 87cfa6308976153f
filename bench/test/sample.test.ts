import { inCidr, invalidReason, subtreeIds } from '@edusentry/core';
import { generateEvents, sampleProvince } from '../src/generate';

describe('sample generator', () => {
  const opts = {
    seed: 7,
    count: 2000,
    from: Date.parse('2026-01-01T00:00:00Z'),
    to: Date.parse('2026-01-01T01:00:00Z'),
  };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateEvents(opts);
    const b = generateEvents(opts);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(generateEvents({ ...opts, seed: 8 })[10]).not.toEqual(a[10]);
    expect(new Set(a.map((e) => e.event.id)).size).toBe(a.length);
  });

  it('produces valid events in time order, scoped to schools, from their campus ranges', () => {
    const orgs = sampleProvince();
    const schools = new Map(orgs.filter((o) => o.level === 'school').map((o) => [o.id, o]));
    const events = generateEvents(opts);
    let last = 0;
    for (const e of events) {
      expect(invalidReason(e)).toBeUndefined();
      const t = Date.parse(e['@timestamp']);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      const school = schools.get(e.organization!.id)!;
      expect(school).toBeDefined();
      const campus = [e.source?.ip, e.destination?.ip].filter(
        (ip): ip is string => !!ip && inCidr(ip, school.cidrs[0]),
      );
      if (e.event.dataset !== 'syslog' || e.destination?.ip) expect(campus.length).toBeGreaterThan(0);
    }
    const datasets = new Set(events.map((e) => e.event.dataset));
    expect([...datasets].sort()).toEqual([
      'network.dns',
      'network.flow',
      'network.http',
      'network.ssh',
      'network.tls',
      'syslog',
    ]);
  });

  it('mixes in attacks for the analyzer to find', () => {
    const events = generateEvents({ ...opts, count: 20000 });
    expect(events.some((e) => /UNION SELECT|<script>/i.test(String(e.url?.original)))).toBe(true);
    expect(events.some((e) => /Failed password/.test(String(e.message)))).toBe(true);
  });

  it('builds a province → city → school tree', () => {
    const orgs = sampleProvince();
    expect(subtreeIds(orgs, 'prov')).toHaveLength(orgs.length);
    expect(subtreeIds(orgs, 'city-1').every((id) => id === 'city-1' || id.startsWith('school-1-'))).toBe(true);
  });
});
