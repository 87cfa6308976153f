import { inCidr, invalidReason, subtreeIds } from '@edusentry/core';
import { generateEvents, sampleProvince } from '../src';

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

  it('spreads a day of events by a school day: busy in class hours, quiet at night, never flat', () => {
    const from = Date.parse('2026-01-01T16:00:00Z'); // 00:00 in Beijing
    const events = generateEvents({ seed: 3, count: 24_000, from, to: from + 86_400_000, attackShare: 0 });
    const perHour = new Array(24).fill(0);
    for (const e of events) perHour[new Date(Date.parse(e['@timestamp']) + 8 * 3_600_000).getUTCHours()]++;
    expect(perHour[10]).toBeGreaterThan(5 * perHour[3]); // 10:00 vs 03:00
    expect(Math.min(...perHour)).toBeGreaterThan(0);
    expect(Date.parse(events[events.length - 1]['@timestamp'])).toBeLessThanOrEqual(from + 86_400_000);
  });

  it('gives an attack episode its own pace: a port scan fits in a minute even in a sparse day', () => {
    const from = Date.parse('2026-01-01T16:00:00Z');
    const events = generateEvents({ seed: 7, count: 20_000, from, to: from + 86_400_000, attackShare: 0.05 });
    // The SYN-only probes of one attacker at one victim, by scan.
    const scans = new Map<string, number[]>();
    for (const e of events) {
      const flags = (e.edu as { flow?: { tcp_flags?: string[] } } | undefined)?.flow?.tcp_flags;
      if (e.event.dataset !== 'network.flow' || flags?.join() !== 'S') continue;
      const key = `${e.source!.ip}>${e.destination!.ip}`;
      scans.set(key, [...(scans.get(key) ?? []), Date.parse(e['@timestamp'])]);
    }
    const big = [...scans.values()].filter((t) => t.length >= 100);
    expect(big.length).toBeGreaterThan(0);
    for (const t of big) expect(t[t.length - 1] - t[0]).toBeLessThan(60_000);
  });
});
