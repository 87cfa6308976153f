/**
 * Sample data for the end-to-end tests and the preview server: a province with two
 * cities and four schools, one user per working role, a day of events, alerts and
 * collector heartbeats — and one event whose URL and user agent carry XSS payloads.
 */
import { eventId, type AlertEvent, type EcsEvent, type HeartbeatEvent, type OrgNode } from '@edusentry/core';

export const PASSWORD = 'Edu-Sentry-2026!';

export const ORGS: OrgNode[] = [
  { id: 'prov', name: '示范省教育厅', level: 'province', parentId: null, cidrs: [] },
  { id: 'east', name: '东城市', level: 'city', parentId: 'prov', cidrs: [] },
  { id: 'west', name: '西城市', level: 'city', parentId: 'prov', cidrs: [] },
  { id: 'east-no1', name: '东城第一中学', level: 'school', parentId: 'east', cidrs: ['10.11.0.0/16'] },
  { id: 'east-exp', name: '东城实验小学', level: 'school', parentId: 'east', cidrs: ['10.12.0.0/16'] },
  { id: 'west-no2', name: '西城第二中学', level: 'school', parentId: 'west', cidrs: ['10.21.0.0/16'] },
  {
    id: 'west-voc',
    name: '西城职业技术学院',
    level: 'school',
    parentId: 'west',
    cidrs: ['10.22.0.0/16', '2001:db8:22::/48'],
  },
];
export const SCHOOLS = ORGS.filter((o) => o.level === 'school');

export const USERS = [
  { username: 'monitor', displayName: '王监测', role: 'province_monitor', orgId: 'prov' },
  { username: 'officer', displayName: '李安全', role: 'school_officer', orgId: 'east-no1' },
  { username: 'sysadmin', displayName: '赵系统', role: 'sys_admin', orgId: 'prov' },
  { username: 'auditadmin', displayName: '钱审计', role: 'audit_admin', orgId: 'prov' },
] as const;

/** The XSS payloads: if either ever runs, window.__xss gets set. */
export const XSS_URL = '/search?q=<img src=x onerror="window.__xss=1">';
export const XSS_UA = '<script>window.__xss=2</script>Mozilla/5.0 (evil)';

const RULES = [
  { id: 'sqli-url', name: 'SQL Injection Attempt In URL', level: 'high', tactic: 'Initial Access', technique: 'T1190' },
  {
    id: 'webshell',
    name: 'Web Shell Upload Attempt',
    level: 'critical',
    tactic: 'Persistence',
    technique: 'T1505.003',
  },
  {
    id: 'ssh-brute',
    name: 'SSH Brute Force From Internet',
    level: 'medium',
    tactic: 'Credential Access',
    technique: 'T1110',
  },
  { id: 'mining-dns', name: 'DNS Query To Crypto Mining Pool', level: 'high', tactic: 'Impact', technique: 'T1496' },
  { id: 'scan', name: 'Port Scan Against Campus Hosts', level: 'low', tactic: 'Discovery', technique: 'T1046' },
  {
    id: 'c2-beacon',
    name: 'Periodic Beacon To Rare Domain',
    level: 'medium',
    tactic: 'Command and Control',
    technique: 'T1071',
  },
  { id: 'sus-ua', name: 'Suspicious Scanner User Agent', level: 'low', tactic: 'Reconnaissance', technique: 'T1595' },
] as const;

export interface SeedRule {
  id: string;
  name: string;
  level: string;
  tactic: string;
  technique: string;
}

const SEVERITY: Record<string, number> = { critical: 99, high: 73, medium: 47, low: 21, informational: 1 };

function schoolNet(orgId: string): string {
  return ORGS.find((o) => o.id === orgId)!
    .cidrs[0].split('.')
    .slice(0, 2)
    .join('.');
}

export function httpEvent(
  n: number,
  orgId: string,
  at: number,
  over: Partial<{ url: string; ua: string; user: string }> = {},
): EcsEvent {
  const net = schoolNet(orgId);
  return {
    '@timestamp': new Date(at).toISOString(),
    event: {
      id: eventId('e2e-http', `${orgId}:${n}:${at}`),
      kind: 'event',
      dataset: 'network.http',
      category: ['web', 'network'],
      action: 'http-request',
    },
    organization: { id: orgId, name: ORGS.find((o) => o.id === orgId)!.name },
    observer: { id: `col-${orgId}`, name: `collector-${orgId}` },
    source: { ip: `198.51.100.${(n % 200) + 1}`, port: 40000 + (n % 2000) },
    destination: { ip: `${net}.1.${(n % 20) + 10}`, port: 80 },
    network: { transport: 'tcp', protocol: 'http', direction: 'inbound' },
    http: { request: { method: n % 4 ? 'GET' : 'POST' }, response: { status_code: n % 9 ? 200 : 404 } },
    url: { original: over.url ?? `/portal/index.php?id=${n}` },
    user_agent: { original: over.ua ?? 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
    user: { name: over.user ?? `stu${(n % 40) + 1000}` },
  };
}

function dnsEvent(n: number, orgId: string, at: number): EcsEvent {
  const net = schoolNet(orgId);
  return {
    '@timestamp': new Date(at).toISOString(),
    event: {
      id: eventId('e2e-dns', `${orgId}:${n}:${at}`),
      kind: 'event',
      dataset: 'network.dns',
      category: ['network'],
      action: 'dns-query',
    },
    organization: { id: orgId },
    source: { ip: `${net}.3.${(n % 50) + 2}`, port: 50000 + n },
    destination: { ip: '10.0.0.53', port: 53 },
    network: { transport: 'udp', protocol: 'dns', direction: 'outbound' },
    dns: {
      type: 'query',
      question: {
        name: ['www.moe.gov.cn', 'pool.minexmr.example', 'cdn.example.edu.cn', 'mail.school.example'][n % 4],
        type: 'A',
      },
    },
  };
}

export function alertDoc(
  n: number,
  orgId: string,
  at: number,
  over: Partial<{
    rule: SeedRule;
    status: AlertEvent['edu']['alert']['status'];
    events: string[];
    url: string;
    ua: string;
    user: string;
    src: string;
  }> = {},
): AlertEvent {
  const rule: SeedRule = over.rule ?? RULES[n % RULES.length];
  const net = schoolNet(orgId);
  const src = over.src ?? `203.0.113.${(n * 7) % 40}`;
  const dst = `${net}.1.${(n % 6) + 10}`;
  const doc: AlertEvent & Record<string, unknown> = {
    '@timestamp': new Date(at).toISOString(),
    event: { id: '', kind: 'alert', dataset: 'alert', severity: SEVERITY[rule.level] },
    organization: { id: orgId, name: ORGS.find((o) => o.id === orgId)!.name },
    source: { ip: src },
    destination: { ip: dst },
    rule: {
      id: rule.id,
      name: rule.name,
      description: `Detects ${rule.name.toLowerCase()}.`,
      author: 'EduSentry Rules Team',
      license: 'DRL-1.1',
      level: rule.level,
      reference: ['https://attack.mitre.org/techniques/' + rule.technique.replace('.', '/')],
    },
    threat: { framework: 'MITRE ATT&CK', tactic: { name: [rule.tactic] }, technique: { id: [rule.technique] } },
    edu: {
      alert: {
        status: over.status ?? 'new',
        events: over.events ?? [],
        count: 1 + (n % 5),
        // An inbound attack: the campus end is the destination (as the analyzer sets it).
        asset: dst,
        remote: src,
        first_seen: new Date(at - 60_000).toISOString(),
        last_seen: new Date(at).toISOString(),
      },
    },
  };
  if (over.url) doc.url = { original: over.url };
  if (over.ua) doc.user_agent = { original: over.ua };
  if (over.user) doc.user = { name: over.user };
  doc.event.id = eventId('e2e-alert', `${orgId}:${n}:${at}`);
  return doc;
}

export function heartbeat(orgId: string, at: number, n: number): HeartbeatEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id: eventId('e2e-hb', `${orgId}:${at}`), kind: 'metric', dataset: 'collector.heartbeat' },
    organization: { id: orgId },
    observer: { id: `col-${orgId}`, name: `collector-${orgId}`, hostname: `sensor-${orgId}.edu.example` },
    edu: {
      collector: {
        uptime_s: 86400 * (n + 1) + 3600 * n,
        counters: {
          packets: 1_200_000 * (n + 1),
          events: 84_000 * (n + 1),
          dropped: n === 2 ? 1532 : 0,
          decode_errors: 3 * n,
        },
        rates: { packets_per_s: 3200 + 500 * n, events_per_s: 210 + 40 * n, bytes_per_s: 9_800_000 },
        spool_bytes: n === 2 ? 48_000_000 : 0,
      },
    },
  };
}

export interface Seed {
  events: EcsEvent[];
  alerts: AlertEvent[];
  heartbeats: HeartbeatEvent[];
  /** The alert whose triggering event carries the XSS payloads. */
  xssAlert: AlertEvent;
}

/** A day of data ending at `now`. */
export function sampleData(now: number): Seed {
  const events: EcsEvent[] = [];
  const alerts: AlertEvent[] = [];
  for (let i = 0; i < 480; i++) {
    const org = SCHOOLS[i % SCHOOLS.length].id;
    const at = now - Math.floor((i / 480) * 23.5 * 3600_000) - 30_000;
    events.push(i % 3 ? httpEvent(i, org, at) : dnsEvent(i, org, at));
  }
  for (let i = 0; i < 64; i++) {
    // Weighted towards two schools so the risk ranking has a shape.
    const org = SCHOOLS[[0, 0, 0, 2, 2, 1, 3][i % 7]].id;
    const at = now - Math.floor((((i * 37) % 64) / 64) * 23 * 3600_000) - 120_000;
    const status = i % 11 === 0 ? 'closed' : i % 7 === 0 ? 'acknowledged' : i % 13 === 0 ? 'false_positive' : 'new';
    const trigger = events[(i * 5) % events.length];
    alerts.push(
      alertDoc(i, org, at, { status, events: [trigger.event.id], user: i % 3 === 0 ? `stu${1000 + i}` : undefined }),
    );
  }
  const xssEvent = httpEvent(9999, 'east-no1', now - 600_000, { url: XSS_URL, ua: XSS_UA, user: 'stu4242' });
  events.push(xssEvent);
  const xssAlert = alertDoc(9999, 'east-no1', now - 590_000, {
    rule: {
      id: 'xss-url',
      name: 'Cross-Site Scripting Attempt In URL',
      level: 'high',
      tactic: 'Initial Access',
      technique: 'T1189',
    },
    events: [xssEvent.event.id],
    url: XSS_URL,
    ua: XSS_UA,
    src: '198.51.100.66',
  });
  alerts.push(xssAlert);
  const heartbeats = SCHOOLS.map((s, n) => heartbeat(s.id, n === 3 ? now - 3 * 3600_000 : now - 20_000, n));
  return { events, alerts, heartbeats, xssAlert };
}

export { RULES };
