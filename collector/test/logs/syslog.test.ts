/**
 * Syslog parsing against rsyslog's fuzz-corpus seeds (RFC 3164 and RFC 5424, nil
 * values, escaped structured data), RFC 6587 framing, and real senders on loopback:
 * util-linux `logger` over UDP, TCP with newline framing and TCP with octet counting.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcsEvent } from '@edusentry/core';
import { lineToEvent, parseSyslog, SyslogFramer, SyslogTcpReceiver, SyslogUdpReceiver } from '../../src/logs';

const CORPUS = join(__dirname, '../../../../shared/testdata/syslog/rsyslog-fuzz-corpus');
const seed = (name: string) => readFileSync(join(CORPUS, name), 'utf8');

describe('RFC 5424 and RFC 3164 parsing (rsyslog fuzz corpus)', () => {
  it('rfc5424-basic: header and structured data', () => {
    const m = parseSyslog(seed('rfc5424-basic'));
    expect(m).toMatchObject({
      format: 'rfc5424',
      priority: 165,
      facility: 20,
      severity: 5,
      hostname: 'mymachine.example.com',
      appname: 'evntslog',
      msgid: 'ID47',
      timestamp: '2003-10-11T22:14:15.003Z',
    });
    expect(m.procid).toBeUndefined();
    expect(m.structuredData).toEqual({ 'exampleSDID@32473': { iut: '3', eventSource: 'Application' } });
    expect(m.message).toBe('An application event log entry');
  });
  it('rfc5424-escaped-sd: \\] and \\" inside values', () => {
    const m = parseSyslog(seed('rfc5424-escaped-sd'));
    expect(m.structuredData).toEqual({ 'meta@32473': { value: 'escaped]bracket', quote: '"' } });
    expect(m).toMatchObject({ procid: '123', msgid: 'msg', message: 'payload', timestamp: '2026-07-23T07:30:45.000Z' });
  });
  it('rfc5424-nil: every field nil', () => {
    const m = parseSyslog(seed('rfc5424-nil'));
    expect(m).toMatchObject({ format: 'rfc5424', priority: 13, message: 'minimal' });
    expect(m.timestamp ?? m.hostname ?? m.appname ?? m.procid ?? m.msgid ?? m.structuredData).toBeUndefined();
  });
  it('rfc3164-basic: zone from the configured offset, year from the receive time', () => {
    const m = parseSyslog(seed('rfc3164-basic'), { now: Date.UTC(2026, 9, 12), tzOffsetMinutes: 480 });
    expect(m).toMatchObject({
      format: 'rfc3164',
      priority: 34,
      hostname: 'mymachine',
      appname: 'su',
      message: "'su root' failed for lonvick on /dev/pts/8",
      timestamp: '2026-10-11T14:14:15.000Z',
    });
  });
  it('rfc3164 variants: no PRI, RFC 3339 time, too short', () => {
    expect(parseSyslog(seed('rfc3164-no-pri'), { now: Date.UTC(2026, 9, 12) })).toMatchObject({
      hostname: 'host.example',
      appname: 'app',
      procid: '123',
      message: 'legacy message without PRI',
    });
    expect(parseSyslog(seed('rfc3164-rfc3339'))).toMatchObject({
      priority: 13,
      timestamp: '2026-07-23T07:30:45.123Z',
      hostname: 'host',
      appname: 'daemon',
      message: 'timestamp variant',
    });
    expect(parseSyslog(seed('rfc3164-short'))).toMatchObject({ priority: 0, message: 'x' });
  });
  it('a December line received in January gets last year', () => {
    expect(parseSyslog('<13>Dec 31 23:59:59 h app: x', { now: Date.UTC(2027, 0, 1, 0, 0, 5) }).timestamp).toBe(
      '2026-12-31T23:59:59.000Z',
    );
  });
  it('unrecognised lines stay generic syslog events, with deterministic ids', () => {
    const a = lineToEvent('<13>Oct 11 22:14:15 h whatever: no device format here', '10.0.0.9', 0);
    const b = lineToEvent('<13>Oct 11 22:14:15 h whatever: no device format here', '10.0.0.9', 5);
    expect(a.event).toMatchObject({ dataset: 'syslog', module: 'syslog' });
    expect(a.message).toBe('no device format here');
    expect(a.event.id).toBe(b.event.id);
  });
});

describe('RFC 6587 framing', () => {
  it('octet counting and LF framing, split anywhere', () => {
    const stream = Buffer.from('11 <13>1 - - -\n<13>plain line\n5 hello17 <13>1 - - - - - x\n');
    const f = new SyslogFramer(1000);
    const out: string[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(...f.push(stream.subarray(i, i + 3)));
    out.push(...f.end());
    expect(out).toEqual(['<13>1 - - -', '<13>plain line', 'hello', '<13>1 - - - - - x']);
  });
  it('cuts and counts messages over the size limit', () => {
    const f = new SyslogFramer(10);
    expect(f.push(Buffer.from('20 aaaaaaaaaaaaaaaaaaaa'))).toEqual(['aaaaaaaaaa']);
    expect(f.oversize).toBe(1);
  });
});

describe('real senders on loopback (util-linux logger)', () => {
  const collected: EcsEvent[] = [];
  const emit = async (e: EcsEvent[]) => void collected.push(...e);
  const toEvent = (l: string, s: string, t: number) => lineToEvent(l, s, t) as EcsEvent;
  const udp = new SyslogUdpReceiver({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 8192,
    maxPending: 1000,
    toEvent,
    emit,
  });
  const tcp = new SyslogTcpReceiver({ host: '127.0.0.1', port: 0, maxMessageBytes: 8192, toEvent, emit });
  let udpPort = 0;
  let tcpPort = 0;
  beforeAll(async () => {
    udpPort = await udp.start();
    tcpPort = await tcp.start();
  });
  afterAll(async () => {
    await udp.stop();
    await tcp.stop();
  });
  const waitFor = async (pred: () => boolean) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('UDP RFC 3164, TCP newline framing and TCP octet-counted RFC 5424', async () => {
    execFileSync('logger', ['-d', '-n', '127.0.0.1', '-P', String(udpPort), '--rfc3164', '-t', 'udptest', 'via udp']);
    execFileSync('logger', ['-T', '-n', '127.0.0.1', '-P', String(tcpPort), '--rfc3164', '-t', 'tcptest'], {
      input: 'via tcp one\nvia tcp two\n',
    });
    execFileSync('logger', [
      '-T',
      '-n',
      '127.0.0.1',
      '-P',
      String(tcpPort),
      '--rfc5424',
      '--octet-count',
      '--msgid',
      'M1',
      '--sd-id',
      'zoo@123',
      '--sd-param',
      'tiger="hungry"',
      '-t',
      'octtest',
      'via octets',
    ]);
    await waitFor(() => collected.length >= 4);
    const byApp = (a: string) => collected.filter((e) => e.log?.syslog?.appname === a);
    expect(byApp('udptest').map((e) => e.message)).toEqual(['via udp']);
    expect(
      byApp('tcptest')
        .map((e) => e.message)
        .sort(),
    ).toEqual(['via tcp one', 'via tcp two']);
    const oct = byApp('octtest')[0];
    expect(oct.message).toBe('via octets');
    expect(oct.log?.syslog).toMatchObject({
      msgid: 'M1',
      version: '1',
      structured_data: { 'zoo@123': { tiger: 'hungry' } },
    });
    expect(udp.counters().received).toBe(1);
    expect(tcp.counters().received).toBe(3);
  });
});
