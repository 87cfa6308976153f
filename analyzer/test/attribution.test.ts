/**
 * 实名可溯源 on alerts: the analyzer service, on the real embedded store, learns IP → account
 * bindings from RADIUS accounting and web-portal lines parsed by the collector's parsers, and
 * gives the shipped campus rules' alerts on NetFlow records (mapped by the collector's flowToEcs,
 * no user.name) the account bound to the campus address at the alert's event time: a port-scan
 * correlation grouped by the campus source, a single-event rule on a campus destination, the
 * interval edges (before the login, after the logout), and the bindings surviving a restart.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  openStore,
  storeConfigSchema,
  type AlertEvent,
  type EcsEvent,
  type EventStore,
} from '@edusentry/core';
import { flowToEcs, lineToEvent, type FlowRecord } from '@edusentry/collector';
import { AnalyzerService, analyzerConfigSchema, sigmaDir } from '../src';
import { UserAttribution } from '../src/service/user-attribution';

const T = (h: number, m = 0, s = 0) => Date.UTC(2026, 0, 1, h, m, s);
const iso = (ms: number) => new Date(ms).toISOString();

/** An authentication line as the gateway sends it (RFC 5424), parsed by the collector. */
const auth = (ms: number, app: string, msg: string) =>
  lineToEvent(`<38>1 ${iso(ms)} gw ${app} - - - ${msg}`, '10.0.0.2', ms) as unknown as EcsEvent;

let flowSeq = 0;
/** A NetFlow v5 record through the collector's ECS mapping. */
function flow(ms: number, src: string, dst: string, dstPort: number, fields: Record<string, unknown> = {}): EcsEvent {
  const r: FlowRecord = {
    protocol: 'netflow5',
    exporter: '10.0.0.1',
    domain: 0,
    exportMs: ms,
    options: false,
    samplingRate: 1,
    key: `r${flowSeq++}`,
    fields: {
      ipv4_src_addr: src,
      ipv4_dst_addr: dst,
      l4_src_port: 40000 + (flowSeq % 20000),
      l4_dst_port: dstPort,
      protocol: 6,
      in_bytes: 120,
      in_pkts: 2,
      first_switched: ms,
      last_switched: ms,
      ...fields,
    },
  };
  return flowToEcs(r) as unknown as EcsEvent;
}

const OUTSIDE = '198.51.100.9';
const telnet = (ms: number, dst: string, fields?: Record<string, unknown>) => flow(ms, OUTSIDE, dst, 23, fields);
/** 120 ports of one outside host from one campus address within a minute (a vertical scan). */
const scan = (ms: number, src: string) =>
  Array.from({ length: 120 }, (_, i) => flow(ms + i * 100, src, '203.0.113.50', 1000 + i));

describe('alerts carry the account bound to their campus address', () => {
  const log = createLogger('test', 'silent');
  const config = analyzerConfigSchema.parse({ watchRules: false });
  let dir: string;
  let store: EventStore;
  const alerts: AlertEvent[] = [];
  const service = () =>
    new AnalyzerService({
      store,
      config,
      dataDir: dir,
      log,
      rules: [join(sigmaDir, 'campus')],
      onAlert: (a) => alerts.push(a),
    });
  const drain = async (s: AnalyzerService) => {
    while ((await s.runOnce()) > 0);
  };
  const cleartext = (dst: string, at: number) =>
    alerts.find(
      (a) =>
        a.rule.name === 'Cleartext Administration Protocol From Outside' &&
        a.destination?.ip === dst &&
        a['@timestamp'] === iso(at),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'analyzer-attr-'));
    store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
  });
  afterAll(() => store.close());

  it('learns RADIUS/portal bindings and attributes correlation and single-event alerts within their intervals', async () => {
    const logins = [
      auth(
        T(8),
        'radiusd',
        'Acct-Status-Type = Start, User-Name = "2023001234", Framed-IP-Address = 10.70.1.5, Acct-Session-Id = "s1"',
      ),
      auth(T(9), 'portal', 'portal: action=login user=teacher02 ip=10.70.1.6 mac=00:11:22:33:44:55'),
      auth(
        T(10, 30),
        'radiusd',
        'Acct-Status-Type = Interim-Update, User-Name = "2023001234", Framed-IP-Address = 10.70.1.5',
      ),
      auth(T(12), 'radiusd', 'Acct-Status-Type = Stop, User-Name = "2023001234", Framed-IP-Address = 10.70.1.5'),
      auth(T(13), 'portal', 'portal: action=logout user=teacher02 ip=10.70.1.6'),
      auth(T(12, 30), 'portal', '用户上线 用户名=lab03 用户IP=10.70.1.7'), // still logged in
    ];
    expect(logins.map((e) => e.event.module)).toEqual(['radius', 'portal', 'radius', 'radius', 'portal', 'portal']);
    const flows = [
      ...scan(T(10), '10.70.1.5'), // campus source, inside the RADIUS session
      telnet(T(10, 15), '10.70.1.6'), // campus destination, inside the portal session
      telnet(T(7, 59, 59), '10.70.1.5'), // a second before the RADIUS start
      telnet(T(8), '10.70.1.5'), // at the start
      telnet(T(12), '10.70.1.5'), // at the stop
      telnet(T(12, 0, 1), '10.70.1.5'), // a second after the stop
      telnet(T(13, 0, 1), '10.70.1.6'), // after the portal logout
      telnet(T(10, 20), '10.70.1.6', { username: 'from-the-exporter' }), // a user already on the flow
    ];
    expect(flows.every((f) => !f.user || f.user.name === 'from-the-exporter')).toBe(true);
    // The flows reached the store before the logins (exported before the login was seen).
    await store.write([...flows, ...logins]);
    const s = service();
    await drain(s);

    const scanAlert = alerts.find((a) => a.rule.name === 'Vertical Port Scan');
    expect(scanAlert?.edu.alert.group).toEqual({ src_ip: '10.70.1.5', dst_ip: '203.0.113.50' });
    expect(scanAlert?.user?.name).toBe('2023001234');

    const inPortal = cleartext('10.70.1.6', T(10, 15));
    expect(inPortal?.user?.name).toBe('teacher02');
    expect(inPortal?.destination?.user?.name).toBe('teacher02');
    expect(inPortal?.source?.user).toBeUndefined(); // the outside address is nobody's

    expect(cleartext('10.70.1.5', T(7, 59, 59))?.user).toBeUndefined();
    expect(cleartext('10.70.1.5', T(8))?.user?.name).toBe('2023001234');
    expect(cleartext('10.70.1.5', T(12))?.user?.name).toBe('2023001234');
    expect(cleartext('10.70.1.5', T(12, 0, 1))?.user).toBeUndefined();
    expect(cleartext('10.70.1.6', T(13, 0, 1))?.user).toBeUndefined();
    expect(cleartext('10.70.1.6', T(10, 20))?.user?.name).toBe('from-the-exporter');

    // What was announced is what was stored.
    const stored = await store.get(scanAlert!.event.id, 'alert');
    expect((stored as AlertEvent | undefined)?.user?.name).toBe('2023001234');
    // Five bindings journalled: the interim update of an open session is not a new one.
    expect(s.users?.size()).toBe(5);
  });

  it('keeps the bindings across a restart: later alerts on the same addresses are attributed', async () => {
    const journal = readFileSync(join(dir, 'analyzer', 'user-bindings.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(journal).toHaveLength(5);
    const restarted = service();
    expect(restarted.users?.size()).toBe(5);
    alerts.length = 0;
    // Only new flows: the logins are behind the saved cursor and are not read again.
    await store.write([telnet(T(11), '10.70.1.5'), telnet(T(9, 30), '10.70.1.6'), ...scan(T(13, 0, 30), '10.70.1.7')]);
    await drain(restarted);
    expect(alerts.length).toBeGreaterThanOrEqual(3);
    expect(cleartext('10.70.1.5', T(11))?.user?.name).toBe('2023001234');
    expect(cleartext('10.70.1.6', T(9, 30))?.user?.name).toBe('teacher02');
    expect(alerts.find((a) => a.rule.name === 'Vertical Port Scan')?.user?.name).toBe('lab03');
  });

  it('leaves alerts without a user when attribution is off', async () => {
    const off = mkdtempSync(join(tmpdir(), 'analyzer-attr-off-'));
    const seen: AlertEvent[] = [];
    const plain = new AnalyzerService({
      store,
      config: analyzerConfigSchema.parse({ watchRules: false, attribution: { enabled: false } }),
      dataDir: off,
      log,
      rules: [join(sigmaDir, 'campus')],
      onAlert: (a) => seen.push(a),
    });
    await drain(plain);
    const scanAlert = seen.find((a) => a.rule.name === 'Vertical Port Scan');
    expect(scanAlert).toBeDefined();
    expect(scanAlert?.user).toBeUndefined();
  });
});

describe('the user-binding journal', () => {
  const log = createLogger('test', 'silent');
  const cfg = (o: Record<string, unknown> = {}) => analyzerConfigSchema.parse({ attribution: o }).attribution;
  const alertOn = (ip: string, ms: number) =>
    ({
      '@timestamp': iso(ms),
      event: { id: `a${ms}`, kind: 'alert', dataset: 'alert' },
      rule: { id: 'r', name: 'r' },
      source: { ip },
      edu: { alert: { status: 'new', events: [] } },
    }) as AlertEvent;

  it('skips a line torn by a crash and keeps the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attr-journal-'));
    const file = join(dir, 'user-bindings.ndjson');
    writeFileSync(file, `${JSON.stringify(['10.1.1.1', 'alice', 'start', T(8)])}\n["10.1.1.2","bo`);
    const u = new UserAttribution(cfg(), file, log);
    expect(u.size()).toBe(1);
    const a = alertOn('10.1.1.1', T(9));
    expect(u.attribute(a)).toBe(true);
    expect(a.user?.name).toBe('alice');
    expect(a.source?.user?.name).toBe('alice');
  });

  it('forgets bindings older than the retention and compacts the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attr-journal-'));
    const file = join(dir, 'user-bindings.ndjson');
    const u = new UserAttribution(cfg({ retainHours: 2 }), file, log);
    const portal = (ms: number, user: string, ip: string, action = 'login') =>
      auth(ms, 'portal', `portal: action=${action} user=${user} ip=${ip}`) as unknown as Record<string, unknown>;
    u.learn([portal(T(8), 'alice', '10.1.1.1'), portal(T(9), 'alice', '10.1.1.1', 'logout')]);
    expect(u.attribute(alertOn('10.1.1.1', T(8, 30)))).toBe(true);
    u.learn([portal(T(12), 'bob', '10.1.1.2')]);
    expect(u.size()).toBe(1);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual([
      JSON.stringify(['10.1.1.2', 'bob', 'start', T(12)]),
    ]);
    expect(u.attribute(alertOn('10.1.1.1', T(8, 30)))).toBe(false);
    expect(u.attribute(alertOn('10.1.1.2', T(12, 30)))).toBe(true);
    // Not on campus: never attributed, whatever the bindings say.
    u.learn([portal(T(12, 5), 'carol', '203.0.113.5')]);
    expect(u.attribute(alertOn('203.0.113.5', T(12, 30)))).toBe(false);
  });

  it('names a campus network that is not a CIDR block', () => {
    expect(() => new UserAttribution(cfg({ campusNetworks: ['10.0.0.0/40'] }), '/nonexistent/j', log)).toThrow(
      /analyzer\.attribution\.campusNetworks: "10\.0\.0\.0\/40"/,
    );
  });
});
