/** The campus rules we ship fire on the events they describe, and stay quiet on normal traffic. */
import { lineToEvent } from '@edusentry/collector';
import { analyzerConfigSchema, Detector, openRuleSet } from '../src';

const set = openRuleSet(analyzerConfigSchema.parse({}));
let n = 0;
function flow(sec: number, src: string, dst: string, port: number, extra: Record<string, unknown> = {}) {
  return {
    '@timestamp': new Date(Date.UTC(2026, 2, 1, 10, 0, sec)).toISOString(),
    event: { id: `f${++n}`, kind: 'event', dataset: 'network.flow' },
    source: { ip: src, port: 40000 + (n % 1000) },
    destination: { ip: dst, port, bytes: 0 },
    network: { transport: 'tcp' },
    ...extra,
  };
}
const names = (alerts: { rule: { name: string } }[]) => [...new Set(alerts.map((a) => a.rule.name))].sort();

describe('shipped campus rules', () => {
  it('loads without rejections', () => {
    expect(set.problems).toEqual([]);
    expect(set.correlations.length).toBeGreaterThanOrEqual(7);
  });

  it('vertical and horizontal port scans (value_count)', () => {
    const d = new Detector(set);
    const vertical = Array.from({ length: 120 }, (_, i) => flow(i % 50, '203.0.113.9', '10.1.1.5', 1000 + i));
    expect(names(vertical.flatMap((e) => d.process(e)))).toEqual(['Vertical Port Scan']);
    const horizontal = Array.from({ length: 60 }, (_, i) => flow(i % 50, '203.0.113.10', `10.1.2.${i + 1}`, 445));
    expect(names(horizontal.flatMap((e) => d.process(e)))).toEqual(['Horizontal Port Scan']);
  });

  it('SSH brute force by connection rate (event_count), not by a normal session', () => {
    const d = new Detector(set);
    expect(d.process(flow(0, '10.1.1.7', '10.1.1.5', 22))).toEqual([]);
    const burst = Array.from({ length: 30 }, (_, i) => flow(1 + i, '198.51.100.3', '10.1.1.5', 22));
    expect(names(burst.flatMap((e) => d.process(e)))).toEqual(['SSH Brute Force (Connection Rate)']);
  });

  it('web login brute force from one client', () => {
    const d = new Detector(set);
    const posts = Array.from({ length: 20 }, (_, i) => ({
      '@timestamp': new Date(Date.UTC(2026, 2, 1, 10, 0, i)).toISOString(),
      event: { id: `w${i}`, kind: 'event', dataset: 'syslog' },
      source: { ip: '198.51.100.20' },
      url: { original: '/cas/login', path: '/cas/login' },
      http: { request: { method: 'POST' }, response: { status_code: 401 } },
    }));
    expect(names(posts.flatMap((e) => d.process(e)))).toEqual(['Web Login Brute Force']);
  });

  it('high-risk service answered from outside; internal use is fine', () => {
    const d = new Detector(set);
    const exposed = flow(0, '198.51.100.4', '10.1.1.9', 3389, {
      destination: { ip: '10.1.1.9', port: 3389, bytes: 5400 },
    });
    expect(names(d.process(exposed))).toEqual(['High-Risk Service Reachable From The Internet']);
    const internal = flow(0, '10.1.3.4', '10.1.1.9', 3389, {
      destination: { ip: '10.1.1.9', port: 3389, bytes: 5400 },
    });
    expect(d.process(internal)).toEqual([]);
    const telnet = flow(0, '198.51.100.4', '10.1.1.9', 23, { network: { transport: 'tcp', direction: 'inbound' } });
    expect(names(d.process(telnet))).toContain('Cleartext Administration Protocol From Outside');
    // A firewall's deny line: the attempt never reached the service.
    const denied = flow(1, '198.51.100.4', '10.1.1.9', 23, {
      event: { id: 'deny-1', kind: 'event', dataset: 'syslog', action: 'deny', outcome: 'failure' },
      network: { transport: 'tcp', direction: 'inbound' },
    });
    expect(names(d.process(denied))).not.toContain('Cleartext Administration Protocol From Outside');
  });

  it('DNS tunnelling names and mining pools', () => {
    const d = new Detector(set);
    const dns = (name: string, type = 'A') => ({
      '@timestamp': '2026-03-01T10:00:00Z',
      event: { id: name, kind: 'event', dataset: 'network.dns' },
      source: { ip: '10.1.1.30' },
      dns: { question: { name, type } },
    });
    expect(
      names(d.process(dns('mxa2bf7c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8.t.example.net', 'TXT'))),
    ).toContain('DNS Tunnelling Query Name');
    expect(names(d.process(dns('xmr.pool.minexmr.com')))).toContain('Mining Pool DNS Lookup');
    expect(d.process(dns('www.moe.gov.cn'))).toEqual([]);
  });
  it('web SQLi/XSS rules fire on nginx access-log lines as the collector parses them (raw, percent-encoded target)', () => {
    const line = (target: string) =>
      `203.0.113.50 - - [01/Mar/2026:10:00:00 +0800] "GET ${target} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0"`;
    const webAlerts = (target: string) => {
      const e = lineToEvent(line(target), '10.0.0.80', Date.UTC(2026, 2, 1), { plain: true }) as unknown as Record<
        string,
        unknown
      >;
      return set
        .match(e)
        .map((r) => r.rule.meta.title)
        .filter((t) => /SQL Injection In Web|Cross-Site Scripting In Web/.test(t));
    };
    expect(webAlerts('/news.php?id=12%20OR%20(7319%3D7319)')).toEqual(['SQL Injection In Web Request']);
    expect(webAlerts("/item?id=1'%20UNION%20ALL%20SELECT%20NULL,NULL--")).toEqual(['SQL Injection In Web Request']);
    expect(webAlerts('/q?x=%22%20onmouseover%3Dalert(1)%20x%3D%22')).toEqual(['Cross-Site Scripting In Web Request']);
    expect(webAlerts('/q?x=self%5B%22alert%22%5D(1)')).toEqual(['Cross-Site Scripting In Web Request']);
    expect(webAlerts('/news.php?id=12&page=2&sort=date')).toEqual([]);
    expect(webAlerts('/search?q=what+to+do+if+(it)+rains')).toEqual([]);
  });
});
