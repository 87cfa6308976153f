/**
 * Posture knows which side is the campus (#14 §4): the analyzer gives each alert its campus end
 * as edu.alert.asset and the other end as edu.alert.remote — for an outbound alert the campus
 * source (a host asking a public resolver for a mining pool), for an inbound attack and for
 * internal traffic the campus destination — on the real embedded store with a shipped-style rule.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, openStore, storeConfigSchema, type AlertEvent, type EcsEvent } from '@edusentry/core';
import { AnalyzerService, analyzerConfigSchema } from '../src';
import { AlertSides } from '../src/service/alert-sides';

const RULES = `title: Suspicious request
id: 55555555-0000-4000-8000-000000000001
logsource: { category: webserver }
detection:
  sel: { cs-uri-query|contains: 'UNION SELECT' }
  condition: sel
level: high
---
title: Mining pool lookup
id: 55555555-0000-4000-8000-000000000002
logsource: { category: dns }
detection:
  sel: { query|endswith: '.minergate.com' }
  condition: sel
level: high
`;

let n = 0;
function event(dataset: string, src: string, dst: string, extra: Record<string, unknown>): EcsEvent {
  return {
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 8, 0, n)).toISOString(),
    event: { id: `sides-${++n}`, kind: 'event', dataset },
    source: { ip: src, port: 40000 + n },
    destination: { ip: dst, port: dataset === 'network.dns' ? 53 : 80 },
    organization: { id: 'school-1' },
    ...extra,
  } as EcsEvent;
}
const sqli = (src: string, dst: string) =>
  event('network.http', src, dst, {
    url: { original: '/a?id=1 UNION SELECT 1', path: '/a', query: 'id=1 UNION SELECT 1' },
  });
const mining = (src: string, dst: string) =>
  event('network.dns', src, dst, { dns: { type: 'query', question: { name: 'xmr.pool.minergate.com', type: 'A' } } });

describe('the campus side of an alert', () => {
  it('outbound: the campus source; inbound and internal: the campus destination; always the other end as remote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyzer-sides-'));
    writeFileSync(join(dir, 'rules.yml'), RULES);
    const store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
    const config = analyzerConfigSchema.parse({
      watchRules: false,
      dedup: { windowSec: 0 },
      campusNetworks: ['10.1.0.0/16', '2001:db8:10::/48'],
    });
    const alerts: AlertEvent[] = [];
    const s = new AnalyzerService({
      store,
      config,
      dataDir: dir,
      log: createLogger('test', 'silent'),
      rules: [join(dir, 'rules.yml')],
      onAlert: (a) => alerts.push(a),
    });
    await store.write([
      mining('10.1.2.30', '114.114.114.114'), // outbound
      sqli('203.0.113.9', '10.1.0.5'), // inbound
      sqli('10.1.2.31', '10.1.0.5'), // internal
      sqli('2001:db8:ff::1', '2001:db8:10::5'), // inbound, IPv6
      sqli('198.51.100.1', '203.0.113.80'), // neither end on campus
    ]);
    while ((await s.runOnce()) > 0);
    await s.stop();
    const sides = alerts.map((a) => [a.edu.alert.asset, a.edu.alert.remote]);
    expect(sides).toEqual([
      ['10.1.2.30', '114.114.114.114'],
      ['10.1.0.5', '203.0.113.9'],
      ['10.1.0.5', '10.1.2.31'],
      ['2001:db8:10::5', '2001:db8:ff::1'],
      [undefined, undefined],
    ]);
    // As stored: what posture aggregates on.
    const stored = await store.search({
      datasets: ['alert'],
      size: 0,
      aggs: { assets: { type: 'terms', field: 'edu.alert.asset', size: 10 } },
    });
    const buckets = 'buckets' in stored.aggs.assets ? stored.aggs.assets.buckets : [];
    expect(buckets[0]).toEqual({ key: '10.1.0.5', count: 2 });
    await store.close();
  });

  it('refuses a campus range that is not a CIDR block, naming it', () => {
    expect(() => new AlertSides(['10.0.0.0/8', '10.1/33'])).toThrow(/analyzer.campusNetworks: "10.1\/33"/);
  });
});
