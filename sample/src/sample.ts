/**
 * Deterministic sample traffic for a province: flows, DNS, HTTP, TLS, SSH and
 * syslog from the schools of sampleProvince(), with a few attacks mixed in
 * (port scans, SSH brute force, SQL injection and XSS in URLs, scanners, DNS
 * tunnelling, mining pools) so the analyzer has something to find.
 * The same seed and options always give the same events (and event ids).
 */
import { eventId, type EcsEvent, type OrgNode } from '@edusentry/core';
import { Random } from './random';
import { sampleProvince } from './sample-province';

export interface GenerateOptions {
  seed?: number;
  count: number;
  /** Time range of the events (epoch ms); default: the hour before now. */
  from?: number;
  to?: number;
  orgs?: OrgNode[];
  observer?: { id: string; name?: string };
  /** Share of events that belong to an attack episode (default 0.05). */
  attackShare?: number;
  /** Spread the events by a school day's rhythm (busy in class hours, quiet at night, Beijing time); default true. */
  rhythm?: boolean;
}

/** Relative traffic of each hour of the day (UTC+8): a campus is busy in class hours and quiet at night. */
const HOURLY = [
  0.12, 0.08, 0.06, 0.05, 0.05, 0.08, 0.2, 0.55, 1, 1, 0.95, 0.9, 0.6, 0.65, 1, 1, 0.95, 0.85, 0.6, 0.7, 0.7, 0.55,
  0.35, 0.2,
];
const BEIJING_MS = 8 * 3_600_000;

/**
 * Where the i-th of `count` events falls in [from, to]: evenly spaced, or with `rhythm`, by the
 * inverse of the cumulative hourly weight (minute buckets), so the trend line has days and nights.
 */
function timeline(from: number, to: number, count: number, rhythm: boolean): (i: number) => number {
  const span = to - from;
  if (count <= 1 || span <= 0) return () => from;
  if (!rhythm || span < 3_600_000) return (i) => from + (span * i) / (count - 1);
  const buckets = Math.ceil(span / 60_000);
  const cum = new Float64Array(buckets + 1);
  for (let b = 0; b < buckets; b++)
    cum[b + 1] = cum[b] + HOURLY[new Date(from + b * 60_000 + BEIJING_MS).getUTCHours()];
  const total = cum[buckets];
  let b = 0;
  // Called with ascending i: the bucket search only moves forward.
  return (i) => {
    const want = (total * i) / (count - 1);
    while (b < buckets - 1 && cum[b + 1] < want) b++;
    const inBucket = cum[b + 1] > cum[b] ? (want - cum[b]) / (cum[b + 1] - cum[b]) : 0;
    return Math.min(to, from + (b + Math.min(1, inBucket)) * 60_000);
  };
}

/**
 * The events of an episode follow each other this closely (ms), as a real scan or brute force
 * does, whatever the spacing of the rest: a port scan fits in the minute of its correlation rule.
 */
const EPISODE_STEP_MS = [200, 3000, 3000, 3000, 1000, 5000];

const DOMAINS = [
  'www.baidu.com',
  'www.qq.com',
  'weixin.qq.com',
  'www.moe.gov.cn',
  'www.edu.cn',
  'www.chsi.com.cn',
  'mooc.icourse163.org',
  'www.bilibili.com',
  'cdn.jsdelivr.net',
  'update.microsoft.com',
  'dns.alidns.com',
  'www.zhihu.com',
  'smartedu.cn',
];
const BAD_DOMAINS = ['xmr.pool.minergate.com', 'pool.supportxmr.com', 'stratum.f2pool.com'];
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15',
];
const PATHS = [
  '/',
  '/index.html',
  '/news/list?page=2',
  '/jwc/notice/2024.html',
  '/static/app.js',
  '/login',
  '/api/score?id=1023',
  '/library/search?q=math',
];
const ATTACK_URIS = [
  "/news/view.php?id=1' UNION SELECT username,password FROM admin--",
  '/search?q=<script>alert(document.cookie)</script>',
  "/login.php?user=admin' or '1'='1",
  '/index.php?page=../../../../etc/passwd',
  '/api/item?id=1;DROP TABLE students',
];
const SCANNER_UAS = [
  'sqlmap/1.7.2#stable (https://sqlmap.org)',
  'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)',
  'Mozilla/5.0 zgrab/0.x',
];
const EXTERNAL_NETS = ['203.0.113.', '198.51.100.', '45.33.32.', '185.220.101.', '61.177.172.', '112.85.42.'];
const TLS_VERSIONS = ['1.2', '1.3'];

export function* iterateEvents(opts: GenerateOptions): Generator<EcsEvent> {
  const rnd = new Random(opts.seed ?? 1);
  const to = opts.to ?? Date.now();
  const from = opts.from ?? to - 3_600_000;
  const schools = (opts.orgs ?? sampleProvince()).filter((o) => o.level === 'school' && o.cidrs.length);
  const observer = opts.observer ?? { id: 'collector-sample', name: '样例采集器' };
  const attackShare = opts.attackShare ?? 0.05;
  const source = `sample:${opts.seed ?? 1}`;
  const timeOf = timeline(from, to, opts.count, opts.rhythm ?? true);
  let last = -Infinity;

  const campusIp = (school: OrgNode) => school.cidrs[0].replace(/0\/24$/, String(rnd.int(10, 250)));
  const serverIp = (school: OrgNode) => school.cidrs[0].replace(/0\/24$/, String(rnd.int(2, 5)));
  const externalIp = () => rnd.pick(EXTERNAL_NETS) + rnd.int(1, 254);
  const publicIp = () => `${rnd.int(36, 223)}.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`;

  // An attack episode keeps its attacker and victim for a run of events.
  let episode:
    { kind: number; attacker: string; school: OrgNode; victim: string; left: number; port: number } | undefined;

  for (let i = 0; i < opts.count; i++) {
    // In an episode the clock runs at the episode's pace (never past the even one, never backwards).
    const at = episode ? Math.min(last + EPISODE_STEP_MS[episode.kind], timeOf(i)) : timeOf(i);
    last = Math.max(last, Math.round(at));
    const ts = new Date(last).toISOString();
    if (!episode && rnd.chance(attackShare / 20)) {
      const school = rnd.pick(schools);
      const kind = rnd.int(0, 5);
      // A port scan needs 100+ ports in a minute to be one (campus net_port_scan.yml); the rest are short.
      episode = {
        kind,
        attacker: externalIp(),
        school,
        victim: serverIp(school),
        left: kind === 0 ? 150 : 20,
        port: 1,
      };
    }
    const school = episode?.school ?? rnd.pick(schools);
    const base = (dataset: EcsEvent['event']['dataset'], category: string[]): EcsEvent => ({
      '@timestamp': ts,
      event: { id: eventId(source, i), kind: 'event', dataset, category, module: 'sample' },
      organization: { id: school.id, name: school.name },
      observer: { ...observer, type: 'sensor' },
    });

    if (episode && rnd.chance(0.8)) {
      const ep = episode;
      if (--ep.left <= 0) episode = undefined;
      switch (ep.kind) {
        case 0: // vertical port scan from outside
          yield flow(
            base('network.flow', ['network']),
            ep.attacker,
            rnd.int(40000, 60000),
            ep.victim,
            ep.port++ * 7 + rnd.int(0, 6),
            'tcp',
            'inbound',
            60,
            0,
            ['S'],
          );
          continue;
        case 1: // SSH brute force, seen in the server's auth log
          yield {
            ...base('syslog', ['authentication']),
            event: { ...base('syslog', ['authentication']).event, action: 'ssh_login', outcome: 'failure' },
            message: `Failed password for root from ${ep.attacker} port ${rnd.int(30000, 65000)} ssh2`,
            source: { ip: ep.attacker },
            destination: { ip: ep.victim, port: 22 },
            host: { name: `web-${school.id}` },
            process: { name: 'sshd', pid: rnd.int(1000, 30000) },
            log: {
              syslog: {
                facility: { code: 10, name: 'authpriv' },
                severity: { code: 6, name: 'info' },
                hostname: `web-${school.id}`,
                appname: 'sshd',
              },
            },
          };
          continue;
        case 2: // web attack against the school's site
        case 3:
          yield http(
            base('network.http', ['web', 'network']),
            ep.attacker,
            ep.victim,
            rnd.pick(ATTACK_URIS),
            rnd.pick(SCANNER_UAS),
            rnd.pick([200, 403, 404, 500]),
            `www.${school.id}.edu.cn`,
          );
          continue;
        case 4: // DNS tunnelling from a campus host
          yield dns(
            base('network.dns', ['network']),
            campusIp(school),
            '114.114.114.114',
            `${randomLabel(rnd, 48)}.${randomLabel(rnd, 30)}.t.example-tunnel.net`,
            'TXT',
          );
          continue;
        default: // cryptomining pool connection
          yield dns(base('network.dns', ['network']), campusIp(school), '114.114.114.114', rnd.pick(BAD_DOMAINS), 'A');
          continue;
      }
    }

    const r = rnd.next();
    if (r < 0.45) {
      const [dport, proto] = rnd.pick([
        [443, 'tcp'],
        [443, 'tcp'],
        [80, 'tcp'],
        [53, 'udp'],
        [123, 'udp'],
        [8080, 'tcp'],
        [22, 'tcp'],
      ] as const);
      const outbound = rnd.chance(0.85);
      const bytesOut = rnd.int(200, 20000);
      const bytesIn = outbound ? rnd.int(500, 2_000_000) : rnd.int(200, 50000);
      yield outbound
        ? flow(
            base('network.flow', ['network']),
            campusIp(school),
            rnd.int(1024, 65535),
            publicIp(),
            dport,
            proto,
            'outbound',
            bytesOut,
            bytesIn,
            proto === 'tcp' ? ['S', 'A', 'P', 'F'] : [],
          )
        : flow(
            base('network.flow', ['network']),
            publicIp(),
            rnd.int(1024, 65535),
            serverIp(school),
            rnd.pick([80, 443]),
            'tcp',
            'inbound',
            bytesOut,
            bytesIn,
            ['S', 'A', 'P', 'F'],
          );
    } else if (r < 0.65) {
      yield dns(
        base('network.dns', ['network']),
        campusIp(school),
        rnd.pick(['114.114.114.114', '223.5.5.5', '8.8.8.8']),
        rnd.pick(DOMAINS),
        rnd.pick(['A', 'A', 'AAAA', 'HTTPS']),
      );
    } else if (r < 0.8) {
      yield http(
        base('network.http', ['web', 'network']),
        publicIp(),
        serverIp(school),
        rnd.pick(PATHS),
        rnd.pick(UAS),
        rnd.pick([200, 200, 200, 304, 404]),
        `www.${school.id}.edu.cn`,
      );
    } else if (r < 0.9) {
      const e = base('network.tls', ['network']);
      yield {
        ...e,
        source: { ip: campusIp(school), port: rnd.int(1024, 65535) },
        destination: { ip: publicIp(), port: 443 },
        network: { transport: 'tcp', protocol: 'tls', direction: 'outbound', type: 'ipv4' },
        tls: {
          version: rnd.pick(TLS_VERSIONS),
          version_protocol: 'tls',
          client: { server_name: rnd.pick(DOMAINS), ja3: 'e7d705a3286e19ea42f587b344ee6865' },
        },
      };
    } else if (r < 0.98) {
      const e = base('syslog', ['network']);
      const src = publicIp();
      const dst = serverIp(school);
      const dport = rnd.pick([23, 445, 3389, 1433, 6379]);
      const sport = rnd.int(1024, 65535);
      // A policy deny, as the huawei-usg parser reads it (a SECIF/STREAM line is traffic statistics, not a deny).
      yield {
        ...e,
        event: { ...e.event, action: 'deny', outcome: 'failure', type: ['connection', 'denied'], module: 'huawei-usg' },
        message: `%%01POLICY/6/POLICYDENY(l):vsys=public, protocol=6, source-ip=${src}, source-port=${sport}, destination-ip=${dst}, destination-port=${dport}, source-zone=untrust, destination-zone=trust, rule-name=deny-inbound.`,
        source: { ip: src, port: sport },
        destination: { ip: dst, port: dport },
        network: { transport: 'tcp', direction: 'inbound' },
        observer: { ...e.observer, vendor: 'Huawei', product: 'USG6000', type: 'firewall' },
        log: {
          syslog: {
            facility: { code: 16, name: 'local0' },
            severity: { code: 4, name: 'warning' },
            hostname: `fw-${school.id}`,
            appname: 'USG',
          },
        },
      };
    } else {
      const e = base('network.ssh', ['network']);
      yield {
        ...e,
        source: { ip: campusIp(school), port: rnd.int(1024, 65535) },
        destination: { ip: serverIp(school), port: 22 },
        network: { transport: 'tcp', protocol: 'ssh', direction: 'internal', type: 'ipv4' },
        edu: {
          ssh: {
            client: { software: 'OpenSSH_9.6', proto: '2.0' },
            server: { software: 'OpenSSH_8.9p1', proto: '2.0' },
          },
        },
      };
    }
  }
}

export function generateEvents(opts: GenerateOptions): EcsEvent[] {
  return [...iterateEvents(opts)];
}

function flow(
  e: EcsEvent,
  sip: string,
  sport: number,
  dip: string,
  dport: number,
  transport: string,
  direction: 'inbound' | 'outbound',
  bOut: number,
  bIn: number,
  flags: string[],
): EcsEvent {
  const pOut = Math.max(1, Math.round(bOut / 600));
  const pIn = Math.round(bIn / 1200);
  return {
    ...e,
    source: { ip: sip, port: sport, bytes: bOut, packets: pOut },
    destination: { ip: dip, port: dport, bytes: bIn, packets: pIn },
    network: {
      transport,
      type: 'ipv4',
      direction,
      bytes: bOut + bIn,
      packets: pOut + pIn,
      iana_number: transport === 'tcp' ? '6' : '17',
    },
    edu: { flow: { tcp_flags: flags } },
  };
}

function dns(e: EcsEvent, client: string, resolver: string, name: string, type: string): EcsEvent {
  return {
    ...e,
    source: { ip: client, port: 53000 + (name.length % 1000) },
    destination: { ip: resolver, port: 53 },
    network: { transport: 'udp', protocol: 'dns', direction: 'outbound', type: 'ipv4' },
    dns: { type: 'query', question: { name, type, class: 'IN' }, response_code: 'NOERROR' },
  };
}

function http(
  e: EcsEvent,
  client: string,
  server: string,
  uri: string,
  ua: string,
  status: number,
  host: string,
): EcsEvent {
  const [path, query] = uri.split('?');
  return {
    ...e,
    source: { ip: client, port: 40000 + (uri.length % 20000) },
    destination: { ip: server, port: 80 },
    network: { transport: 'tcp', protocol: 'http', direction: 'inbound', type: 'ipv4' },
    url: { original: uri, path, query, domain: host },
    http: {
      version: '1.1',
      request: { method: uri.includes('login') ? 'POST' : 'GET' },
      response: { status_code: status },
    },
    user_agent: { original: ua },
  };
}

function randomLabel(rnd: Random, len: number): string {
  const abc = 'abcdefghijklmnopqrstuvwxyz234567';
  let s = '';
  for (let i = 0; i < len; i++) s += abc[rnd.int(0, 31)];
  return s;
}
