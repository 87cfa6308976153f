/**
 * What each device parser's action means (event.action, kind, type, outcome), checked against
 * what the line says: a statistics line is no deny whatever words it holds, a torn-down session
 * was allowed and has ended, and only whole words count ("bypass" is no pass).
 * Lines follow the vendors' log references, as in devices.test.ts.
 */
import { lineToEvent, selectParser } from '../../src/logs';
import { decision } from '../../src/logs/parsers/util';

const ev = (line: string) => lineToEvent(line, '10.0.0.1', Date.UTC(2026, 0, 1), { plain: true }) as any;
const verdict = (line: string) => {
  const e = ev(line).event;
  return { module: e.module, action: e.action, kind: e.kind, type: e.type, outcome: e.outcome };
};

describe('device action mapping', () => {
  it.each([
    [
      'Huawei interface statistics (SECIF/STREAM)',
      '%%01SECIF/6/STREAM(l):In Last Five Minutes Stream Statistic is :IF1-GigabitEthernet1/0/1,(1)TotalReceive=10240,TotalSend=2048,TotalReceivePkts=80,TotalSendPkts=20',
      { module: 'huawei-usg', action: 'stream-statistics', kind: 'metric', type: ['info'], outcome: undefined },
    ],
    [
      'Huawei statistics whose text says "denied"',
      '%%01SECIF/6/STREAM(l)[1]:In Last Five Minutes Stream Statistic is denied. Src=203.0.113.7 Dst=10.20.1.5 DPort=445',
      { module: 'huawei-usg', action: 'stream-statistics', kind: 'metric', type: ['info'], outcome: undefined },
    ],
    [
      'Huawei session teardown',
      '%%01SECLOG/6/SESSION_TEARDOWN(l):IPVer=4,Protocol=tcp,SourceIP=10.20.1.5,DestinationIP=203.0.113.9,SourcePort=51234,DestinationPort=443,CloseReason=aged-out',
      {
        module: 'huawei-usg',
        action: 'session_teardown',
        kind: 'event',
        type: ['connection', 'end', 'allowed'],
        outcome: 'success',
      },
    ],
    [
      'Huawei policy deny',
      '%%01POLICY/6/POLICYDENY(l):vsys=public, protocol=6, source-ip=10.20.1.5, source-port=40000, destination-ip=198.51.100.7, destination-port=3389, rule-name=deny-rdp.',
      { module: 'huawei-usg', action: 'deny', kind: 'event', type: ['connection', 'denied'], outcome: 'failure' },
    ],
    [
      'Huawei policy permit',
      '%%01POLICY/6/POLICYPERMIT(l):vsys=public, protocol=6, source-ip=10.20.1.5, source-port=40000, destination-ip=198.51.100.7, destination-port=443, rule-name=web.',
      { module: 'huawei-usg', action: 'permit', kind: 'event', type: ['connection', 'allowed'], outcome: 'success' },
    ],
    [
      'Huawei IPS detection: the Action= pair, not the mnemonic',
      '%%01IPS/4/DETECT(l):An intrusion was detected. (SyslogId=1, VSys="public", Policy="ips", SrcIp=203.0.113.4, DstIp=10.20.1.9, SrcPort=4444, DstPort=80, Protocol=TCP, Action=Block)',
      { module: 'huawei-usg', action: 'deny', kind: 'event', type: ['connection', 'denied'], outcome: 'failure' },
    ],
    [
      'H3C flow log without an Action',
      '%%10SESSION/6/SESSION_IPV4_FLOW: Protocol(1001)=TCP;SrcIPAddr(1003)=10.30.2.8;SrcPort(1004)=50321;DstIPAddr(1007)=203.0.113.50;DstPort(1008)=443;Event(1048)=(8)Session created;',
      { module: 'h3c-secpath', action: 'flow', kind: 'event', type: ['connection'], outcome: undefined },
    ],
    [
      'Cisco ASA connection built',
      '%ASA-6-302013: Built inbound TCP connection 123 for outside:203.0.113.4/5555 (203.0.113.4/5555) to inside:10.0.0.1/80 (10.0.0.1/80)',
      {
        module: 'cisco-asa',
        action: 'built',
        kind: 'event',
        type: ['connection', 'start', 'allowed'],
        outcome: 'success',
      },
    ],
    [
      'FortiGate performance statistics',
      'date=2026-01-01 time=10:00:00 devname="FGT-campus" logid="0000000020" type="traffic" subtype="forward" level="notice" srcip=10.60.0.11 srcport=58012 dstip=23.59.154.35 dstport=80 proto=6 action="perf-stats" policyid=3 sentbyte=100 rcvdbyte=200',
      { module: 'fortigate', action: 'perf-stats', kind: 'metric', type: ['info'], outcome: undefined },
    ],
    [
      'FortiGate session closed by a reset',
      'date=2026-01-01 time=10:00:00 devname="FGT-campus" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=10.60.0.11 srcport=58012 dstip=23.59.154.35 dstport=80 proto=6 action="server-rst" policyid=3',
      {
        module: 'fortigate',
        action: 'server-rst',
        kind: 'event',
        type: ['connection', 'end', 'allowed'],
        outcome: 'success',
      },
    ],
    [
      'pfSense pass',
      '5,,,1000000103,em0,match,pass,out,4,0x0,,64,0,0,DF,6,tcp,60,192.168.1.100,192.168.1.1,53432,443,0,S,1234,,64240,,mss',
      { module: 'pfsense', action: 'pass', kind: 'event', type: ['connection', 'allowed'], outcome: 'success' },
    ],
    [
      'iptables log prefix naming no verdict: the prefix is the action, no outcome',
      'AUDIT-SSH IN=eth0 OUT= SRC=10.0.0.5 DST=10.0.0.6 LEN=40 PROTO=TCP SPT=43211 DPT=22',
      { module: 'iptables', action: 'audit-ssh', kind: 'event', type: ['connection'], outcome: undefined },
    ],
    [
      'iptables DROP prefix',
      'DROP-IN IN=eth0 OUT= SRC=10.0.0.5 DST=10.0.0.6 LEN=40 PROTO=TCP SPT=43211 DPT=22',
      { module: 'iptables', action: 'deny', kind: 'event', type: ['connection', 'denied'], outcome: 'failure' },
    ],
    [
      'Sangfor AF allow (允许)',
      'fwlog: 日志类型:应用控制, 用户:2023001234, 源IP:10.40.5.6, 源端口:52000, 目的IP:203.0.113.80, 目的端口:80, 应用类型:P2P, 应用名称:BT下载, 系统动作:允许',
      { module: 'sangfor-af', action: '允许', kind: 'event', type: ['connection', 'allowed'], outcome: 'success' },
    ],
  ])('%s', (_what, line, want) => {
    expect(selectParser(line, undefined, undefined)?.name).toBe(want.module);
    expect(verdict(line)).toEqual(want);
  });

  it('counts whole words only, and Chinese verdicts as substrings', () => {
    expect(decision('bypass').outcome).toBeUndefined();
    expect(decision('sendmail').type).toEqual(['connection']);
    expect(decision('[UFW BLOCK]').action).toBe('deny');
    expect(decision('ACCEPT-IN').outcome).toBe('success');
    expect(decision('已阻断').action).toBe('deny');
    expect(decision('session end').type).toEqual(['connection', 'end', 'allowed']);
    expect(decision(undefined)).toEqual({});
  });

  it('gives every event a fresh type array (no sharing between lines)', () => {
    const a = decision('deny');
    a.type!.push('x');
    expect(decision('deny').type).toEqual(['connection', 'denied']);
  });
});
