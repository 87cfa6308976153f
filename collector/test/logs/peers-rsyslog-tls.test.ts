/**
 * A real TLS sender on loopback: a private Debian rsyslogd (its own config, pid file
 * and work directory in a temp dir) reads a file with imfile and forwards it with
 * omfwd over TLS (rsyslog-gnutls, RFC 5425 octet counting) to `edusentry collect
 * listen --syslog-tls`, started as a child process with a throwaway certificate made
 * by openssl. rsyslog verifies our certificate (x509/name, permitted peer 127.0.0.1),
 * so a wrong certificate or a broken handshake fails the test.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingCommands, requires } from '@edusentry/core/testing';
import { runToExit, startListen, waitFor } from './peer-helpers';

const LINES = Array.from({ length: 300 }, (_, i) => `tls line ${i} 认证 user${i % 7} from 10.1.${i % 250}.${i % 200}`);

function ndjson(file: string): Record<string, any>[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

requires(missingCommands('rsyslogd', 'openssl')).describe('rsyslog over TLS → collect listen --syslog-tls', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'edu-rsyslog-tls-'))));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every line, in order, with its syslog header', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const out = join(dir, 'events.ndjson');
    const listen = await startListen(
      ['--syslog-tls', '0', '--tls-cert', cert, '--tls-key', key, '--ndjson'],
      join(dir, 'data'),
      out,
    );
    children.push(listen.child);

    const input = join(dir, 'input.log');
    writeFileSync(input, LINES.join('\n') + '\n');
    const work = join(dir, 'rsyslog-work');
    mkdirSync(work);
    const conf = join(dir, 'rsyslog.conf');
    writeFileSync(
      conf,
      [
        `global(workDirectory="${work}" defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="${cert}")`,
        'module(load="imfile")',
        `input(type="imfile" File="${input}" Tag="edutest" Facility="local3" Severity="info" freshStartTail="off")`,
        // rsyslog's own messages (TLS errors, …) go to a file the test shows when it fails.
        `if $syslogtag == "rsyslogd:" or $syslogfacility-text == "syslog" then { action(type="omfile" file="${dir}/rsyslogd.log") stop }`,
        `action(type="omfwd" target="127.0.0.1" port="${listen.port}" protocol="tcp" StreamDriver="gtls"`,
        '  StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="127.0.0.1"',
        '  TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")',
        '',
      ].join('\n'),
    );
    const rsyslogd = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(rsyslogd);
    const rsyslogExit = runToExit(rsyslogd, 60000);
    const own = () => (existsSync(join(dir, 'rsyslogd.log')) ? readFileSync(join(dir, 'rsyslogd.log'), 'utf8') : '');
    try {
      await waitFor(() => ndjson(out).length >= LINES.length, 30000, `${LINES.length} events`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; got ${ndjson(out).length}. rsyslogd said:\n${own()}`);
    }
    rsyslogd.kill('SIGTERM');
    await rsyslogExit;
    listen.child.kill('SIGTERM');
    await runToExit(listen.child, 20000);

    const events = ndjson(out);
    expect(events.map((e) => e.message)).toEqual(LINES);
    for (const e of events) {
      expect(e.event.dataset).toBe('syslog');
      expect(e.log.syslog).toMatchObject({ appname: 'edutest', facility: { name: 'local3' }, severity: { code: 6 } });
      expect(e.observer.ip).toBe('127.0.0.1');
      expect(e.event.original.endsWith('\n')).toBe(false);
    }
    expect(new Set(events.map((e) => e.event.id)).size).toBe(LINES.length);
    // The final counter line on stderr: one TLS connection, every frame received, no framing errors.
    const counters = JSON.parse(listen.stderr().trim().split('\n').pop()!).counters;
    expect(counters).toMatchObject({
      'syslog-tls.connections': 1,
      'syslog-tls.received': LINES.length,
      'syslog-tls.framing_errors': 0,
    });
  }, 120000);
});
