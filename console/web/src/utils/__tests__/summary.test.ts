import { eventSummary } from '../fields';

const ev = (dataset: string, rest: Record<string, unknown>) => ({
  event: { dataset, ...(rest.event as object) },
  ...rest,
});

describe('one-line summary per dataset (检索 and the alert drawer)', () => {
  it('a flow: transport, both ends, bytes, duration', () => {
    const flow = ev('network.flow', {
      event: { dataset: 'network.flow', duration: 2_400_000_000 },
      network: { transport: 'tcp' },
      source: { ip: '10.1.2.3', port: 51000, bytes: 1000 },
      destination: { ip: '203.0.113.9', port: 443, bytes: 2072 },
    });
    expect(eventSummary(flow)).toBe('TCP · 10.1.2.3:51000 → 203.0.113.9:443 · 3.0 KiB · 2.4 s');
    const v6 = ev('network.flow', {
      event: { dataset: 'network.flow', duration: 350_000_000 },
      network: { transport: 'udp', bytes: 80 },
      source: { ip: '2001:db8::1', port: 5353 },
      destination: { ip: 'ff02::fb', port: 5353 },
    });
    expect(eventSummary(v6)).toBe('UDP · [2001:db8::1]:5353 → [ff02::fb]:5353 · 80 B · 350 ms');
  });

  it('DNS, HTTP, TLS and SSH name what was asked and between whom', () => {
    expect(
      eventSummary(
        ev('network.dns', {
          dns: { question: { name: 'pool.example', type: 'A' }, response_code: 'NXDOMAIN' },
          source: { ip: '10.1.2.3', port: 5000 },
          destination: { ip: '10.0.0.53', port: 53 },
        }),
      ),
    ).toBe('A · pool.example · NXDOMAIN · 10.1.2.3:5000 → 10.0.0.53:53');
    expect(
      eventSummary(
        ev('network.http', {
          http: { request: { method: 'GET' }, response: { status_code: 404 } },
          url: { domain: 'www.example', path: '/admin' },
          source: { ip: '198.51.100.4' },
          destination: { ip: '10.1.0.8', port: 80 },
        }),
      ),
    ).toBe('GET www.example/admin · 404 · 198.51.100.4 → 10.1.0.8:80');
    expect(eventSummary(ev('network.tls', { tls: { version: '1.3', client: { server_name: 'mail.example' } } }))).toBe(
      'TLS 1.3 · mail.example',
    );
    expect(
      eventSummary(
        ev('network.ssh', { edu: { ssh: { client: { software: 'OpenSSH_9.6' }, server: { software: 'dropbear' } } } }),
      ),
    ).toBe('OpenSSH_9.6 → dropbear');
  });

  it('a device log line, a heartbeat and a site check', () => {
    expect(
      eventSummary(
        ev('syslog', {
          event: { dataset: 'syslog', module: 'huawei-usg', action: 'deny' },
          observer: { product: 'USG' },
          source: { ip: '203.0.113.7', port: 4000 },
          destination: { ip: '10.1.0.8', port: 3389 },
          message: '%%01POLICY/6/POLICYDENY(l):…',
        }),
      ),
    ).toBe('USG · deny · 203.0.113.7:4000 → 10.1.0.8:3389 · %%01POLICY/6/POLICYDENY(l):…');
    expect(
      eventSummary(
        ev('collector.heartbeat', {
          observer: { name: 'exit-1' },
          edu: { collector: { version: '0.1.0', uptime_s: 3700, drops: 12 } },
        }),
      ),
    ).toBe('exit-1 · v0.1.0 · 1h 1m · drops=12');
    expect(
      eventSummary(
        ev('site.check', {
          event: { dataset: 'site.check', action: 'tls' },
          url: { full: 'https://www.school.example/' },
          edu: { site: { name: '学校门户', state: 'down' } },
        }),
      ),
    ).toBe('学校门户 · tls · down · https://www.school.example/');
  });

  it('an event of no known dataset still shows its telling fields', () => {
    expect(eventSummary({ event: { action: 'login' }, message: 'ok' })).toBe('login · ok');
    expect(eventSummary(ev('network.flow', {}))).toBe('');
  });
});
