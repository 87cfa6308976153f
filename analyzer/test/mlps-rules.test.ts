/**
 * The level-protection rules in the analyzer loop, on the real embedded store: a telnet session
 * and an RDP session from outside in a generated capture read by the real collector, TLS, login
 * and flow events as the collector writes them, and a syslog device that falls silent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger, openStore, storeConfigSchema, type AlertEvent, type EcsEvent } from '@edusentry/core';
import { AnalyzerService, analyzerConfigSchema, evidenceSources, knownClauseTags, MLPS_RULES } from '../src';
import { writeSessions } from './mlps/capture';

const ROOT = resolve(__dirname, '../..');
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0) / 1000;
const at = (sec: number) => new Date((T0 + sec) * 1000).toISOString();
let n = 0;
const ev = (sec: number, dataset: string, fields: Record<string, unknown>): EcsEvent =>
  ({
    '@timestamp': at(sec),
    event: { id: `mlps-${++n}`, kind: 'event', dataset },
    organization: { id: 'school-1' },
    ...fields,
  }) as EcsEvent;

function captureEvents(dir: string): EcsEvent[] {
  const file = join(dir, 'sessions.pcap');
  writeSessions(file, [
    {
      client: '10.20.1.7',
      server: '10.20.0.5',
      cport: 40001,
      sport: 23,
      startSec: T0,
      data: [
        [1, 'login: '],
        [0, 'admin\r\n'],
        [1, 'Password: '],
        [0, 'secret\r\n'],
      ],
    },
    {
      client: '198.51.100.9',
      server: '10.20.0.6',
      cport: 40002,
      sport: 3389,
      startSec: T0 + 10,
      data: [
        [0, 'rdp'],
        [1, 'rdp'],
      ],
    },
    // The same port from inside the campus is not exposure.
    {
      client: '10.20.1.8',
      server: '10.20.0.6',
      cport: 40003,
      sport: 3389,
      startSec: T0 + 20,
      data: [
        [0, 'rdp'],
        [1, 'rdp'],
      ],
    },
  ]);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'cli/src/main.ts'), 'collect', 'pcap', file, '--log-level', 'error'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EcsEvent);
}

describe('level-protection rules', () => {
  jest.setTimeout(60_000);
  const log = createLogger('test', 'silent');
  const config = analyzerConfigSchema.parse({
    watchRules: false,
    dedup: { windowSec: 0 },
    campusNetworks: ['10.20.0.0/16'],
    mlps: {
      forbiddenNetworks: ['203.0.113.0/24'],
      forbiddenDomains: ['bypass.example'],
      exitObservers: ['collector-1'],
      silentAfterMin: 30,
      loginFailures: 5,
    },
  });

  it('each rule names a catalogue evidence source and only catalogue clause tags', () => {
    const sources = evidenceSources();
    const known = knownClauseTags();
    for (const make of MLPS_RULES) {
      const r = make();
      expect(sources[r.id]).toBeDefined();
      const djbh = r.tags.filter((t) => t.startsWith('djbh.'));
      expect(djbh.length).toBeGreaterThan(0);
      expect(djbh.filter((t) => !known.has(t))).toEqual([]);
    }
    expect(MLPS_RULES.map((m) => m().id).sort()).toEqual(
      Object.keys(sources)
        .filter((s) => s.startsWith('rule.'))
        .sort(),
    );
  });

  it('raise alerts in the analyzer loop with deterministic ids, once each, beside Sigma', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlps-rules-'));
    const store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
    try {
      const packets = captureEvents(dir);
      expect(packets.filter((e) => e.event.dataset === 'network.flow')).toHaveLength(3);
      const fixtures = [
        // weak and strong TLS chosen by campus servers (network.tls as the packet path writes it)
        ev(30, 'network.tls', {
          source: { ip: '198.51.100.2', port: 50000 },
          destination: { ip: '10.20.0.9', port: 443 },
          tls: { version_protocol: 'tls', version: '1.0', cipher: '0x002f', established: true },
        }),
        ev(31, 'network.tls', {
          source: { ip: '198.51.100.2', port: 50001 },
          destination: { ip: '10.20.0.10', port: 443 },
          tls: { version_protocol: 'tls', version: '1.2', cipher: '0x000a', established: true },
        }),
        ev(32, 'network.tls', {
          source: { ip: '198.51.100.2', port: 50002 },
          destination: { ip: '10.20.0.11', port: 443 },
          tls: { version_protocol: 'tls', version: '1.3', cipher: '0x1301', established: true },
        }),
        // 非法外联: a forbidden network, a forbidden domain, an exit bypass; normal traffic through the exit
        ev(40, 'network.flow', {
          source: { ip: '10.20.3.3', port: 1 },
          destination: { ip: '203.0.113.50', port: 443 },
          network: { transport: 'tcp' },
          observer: { id: 'collector-1' },
        }),
        ev(41, 'network.dns', {
          source: { ip: '10.20.3.4', port: 2 },
          destination: { ip: '10.20.0.53', port: 53 },
          dns: { question: { name: 'a.bypass.example' } },
          observer: { id: 'collector-1' },
        }),
        ev(42, 'network.flow', {
          source: { ip: '10.20.3.5', port: 3 },
          destination: { ip: '192.0.2.80', port: 443 },
          network: { transport: 'tcp' },
          observer: { id: 'rogue-4g-router' },
        }),
        ev(43, 'network.flow', {
          source: { ip: '10.20.3.6', port: 4 },
          destination: { ip: '192.0.2.80', port: 443 },
          network: { transport: 'tcp' },
          observer: { id: 'collector-1' },
        }),
        // five failures then a success (alert); two failures then a success (none)
        ...[50, 51, 52, 53, 54].map((s) =>
          ev(s, 'syslog', {
            event: {
              id: `mlps-f${s}`,
              kind: 'event',
              dataset: 'syslog',
              category: ['authentication'],
              outcome: 'failure',
            },
            source: { ip: '198.51.100.30' },
            destination: { ip: '10.20.0.22' },
            user: { name: 'root' },
          }),
        ),
        ev(55, 'syslog', {
          event: { id: 'mlps-ok1', kind: 'event', dataset: 'syslog', category: ['authentication'], outcome: 'success' },
          source: { ip: '198.51.100.30' },
          destination: { ip: '10.20.0.22' },
          user: { name: 'root' },
        }),
        ...[60, 61].map((s) =>
          ev(s, 'syslog', {
            event: {
              id: `mlps-g${s}`,
              kind: 'event',
              dataset: 'syslog',
              category: ['authentication'],
              outcome: 'failure',
            },
            source: { ip: '10.20.5.5' },
            destination: { ip: '10.20.0.22' },
            user: { name: 'li.si' },
          }),
        ),
        ev(62, 'syslog', {
          event: { id: 'mlps-ok2', kind: 'event', dataset: 'syslog', category: ['authentication'], outcome: 'success' },
          source: { ip: '10.20.5.5' },
          destination: { ip: '10.20.0.22' },
          user: { name: 'li.si' },
        }),
        // a syslog device that reports, then falls silent while another keeps reporting
        ev(70, 'syslog', { observer: { hostname: 'core-switch-1' }, message: 'link up' }),
        ev(80, 'syslog', { observer: { hostname: 'firewall-1' }, message: 'ok' }),
      ];
      await store.write([...packets, ...fixtures]);
      const alerts: AlertEvent[] = [];
      const service = () => new AnalyzerService({ store, config, dataDir: dir, log, onAlert: (a) => alerts.push(a) });
      const s1 = service();
      while ((await s1.runOnce()) > 0);
      // An hour later only firewall-1 speaks: core-switch-1 has been silent for over 30 minutes.
      await store.write([
        ev(3700, 'syslog', { observer: { hostname: 'firewall-1' }, message: 'ok' }),
        ev(3800, 'syslog', { observer: { hostname: 'firewall-1' }, message: 'ok' }),
      ]);
      while ((await s1.runOnce()) > 0);
      await s1.stop();

      const mlps = alerts.filter((a) => a.event.module === 'mlps');
      const by = (id: string) => mlps.filter((a) => a.rule.id === id);
      const clear = by('rule.cleartext-management');
      expect(clear.map((a) => [a.destination?.ip, a.destination?.port, a.edu.alert.asset])).toEqual([
        ['10.20.0.5', 23, '10.20.0.5'],
      ]);
      expect(clear[0].event.reason).toContain('telnet');
      expect(clear[0].rule.ruleset).toBe('mlps');
      expect(by('rule.high-risk-inbound').map((a) => [a.source?.ip, a.destination?.ip, a.destination?.port])).toEqual([
        ['198.51.100.9', '10.20.0.6', 3389],
      ]);
      expect(
        by('rule.weak-tls')
          .map((a) => a.destination?.ip)
          .sort(),
      ).toEqual(['10.20.0.10', '10.20.0.9']);
      expect(by('rule.weak-tls').find((a) => a.destination?.ip === '10.20.0.10')!.event.reason).toContain('0x000a');
      expect(
        by('rule.unauthorised-outbound')
          .map((a) => a.source?.ip)
          .sort(),
      ).toEqual(['10.20.3.3', '10.20.3.4', '10.20.3.5']);
      const login = by('rule.login-after-failures');
      expect(login.map((a) => [a.source?.ip, a.user?.name, a.edu.alert.count])).toEqual([['198.51.100.30', 'root', 6]]);
      const silent = by('rule.silent-log-source');
      // Every source that stopped is reported once (the packet-path observers stopped too, per
      // organisation); firewall-1, which kept reporting, is not.
      expect(silent.map((a) => a.event.reason).sort()).toEqual([
        'syslog 设备 core-switch-1 已静默 62 分钟',
        '流量探针 collector-1 已静默 63 分钟',
        '流量探针 collector-1 已静默 63 分钟',
        '流量探针 rogue-4g-router 已静默 63 分钟',
      ]);
      expect(silent.find((a) => a.event.reason?.includes('core-switch-1'))!.organization).toEqual({ id: 'school-1' });
      expect(new Set(silent.map((a) => a.organization?.id))).toEqual(new Set(['school-1', 'school-demo']));
      // Sigma still runs beside them on the same events.
      expect(alerts.some((a) => a.event.module === 'sigma')).toBe(true);

      // A fresh analyzer over the same store from the start (lost cursor) writes the same ids, none twice.
      const stored = await store.search({ datasets: ['alert'], size: 1000 });
      const again = new AnalyzerService({ store, config, dataDir: mkdtempSync(join(tmpdir(), 'mlps-replay-')), log });
      while ((await again.runOnce()) > 0);
      await again.stop();
      const after = await store.search({ datasets: ['alert'], size: 1000 });
      expect(after.total).toBe(stored.total);
    } finally {
      await store.close();
    }
  });
});
