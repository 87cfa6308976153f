/**
 * The hand-written scanners of the syslog and device-parser hot paths replaced
 * regular expressions; each must accept exactly what its pattern did and return the
 * same parts. Checked against the patterns themselves on real lines from the tests'
 * fixtures and the benchmark, and on many mutations of them (cut, characters
 * replaced or inserted: separators, digits, Unicode spaces).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sourceMac } from '../../src/logs/parsers/iptables';
import { keyValues, wordKeyValues } from '../../src/logs/parsers/util';
import { scanBsdTime, scanPri, scanTag } from '../../src/logs/syslog/parse';

const PRI = /^<(\d{1,3})>/;
const BSD_TS = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? /;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]]{1,32})\])?:\s?/;

const CORPUS = join(__dirname, '../../../../shared/testdata/syslog/rsyslog-fuzz-corpus');
const seeds = [
  ...readdirSync(CORPUS).flatMap((f) => readFileSync(join(CORPUS, f), 'utf8').split('\n')),
  '<188>Mar  1 08:00:07 USG6000 %%01SECLOG/4/SESSION_TEARDOWN(l)[7]:IPVer=4,Protocol=tcp,SourceIP=10.0.0.7',
  '<4>Mar  1 08:00:01 fw kernel: [2.123] IN=eth0 OUT=eth1 MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=10.0.0.2 DST=8.8.8.8 PROTO=TCP SPT=1024 DPT=53 SYN',
  'Oct 11 22:14:15.123 host app[12]: message',
  'sshd[123]: Accepted password for x',
  'a_very_long_program_name_that_goes_on_and_on_past_48_chars[1]: x',
  `${'p'.repeat(48)}[1]: x`,
  `${'p'.repeat(49)}: x`,
  `app[${'1'.repeat(32)}]: x`,
  'app[]: x',
  'app[0123456789012345678901234567890123]: x',
  'kernel:\u00a0x',
  'DST=1 SRC== a.b=c x=y=z =v k= MAC=aa:bb:cc:dd:ee:ff:11:22:33:44:55:66 MAC=1:2:3:4:5:6:7',
];

/** Each seed, its suffixes after a PRI and a timestamp, and seeded random mutations. */
function inputs(): string[] {
  const out: string[] = [];
  const chars = [' ', ':', '[', ']', '=', '<', '>', '.', '1', '9', 'a', 'Z', '\t', '\u00a0', '\u3000', '\ufeff', '\n'];
  let seed = 4242;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  for (const s of seeds) {
    const parts = [s, s.replace(/^<\d+>/, ''), s.replace(/^(<\d+>)?\w{3} +\d+ [\d:.]+ /, '')];
    for (const p of parts) {
      out.push(p);
      for (let k = 0; k < 200; k++) {
        const i = rnd(Math.min(p.length, 60) + 1);
        const c = chars[rnd(chars.length)];
        const op = rnd(3);
        out.push(
          op === 0 ? p.slice(0, i) : op === 1 ? p.slice(0, i) + c + p.slice(i + 1) : p.slice(0, i) + c + p.slice(i),
        );
      }
    }
  }
  return out;
}

describe('hand-written scanners accept exactly what their patterns did', () => {
  const all = inputs();

  it('PRI', () => {
    for (const s of all) {
      const r = PRI.exec(s);
      expect([s, scanPri(s)]).toEqual([s, r ? r[0].length : 0]);
    }
  });

  it('RFC 3164 timestamp', () => {
    let matched = 0;
    for (const s of all) {
      const r = BSD_TS.exec(s);
      const b = scanBsdTime(s);
      const want = r ? { month: r[1], day: +r[2], h: +r[3], m: +r[4], s: +r[5], len: r[0].length } : undefined;
      expect([s, b]).toEqual([s, want]);
      if (r) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('tag (program[pid]:)', () => {
    let matched = 0;
    for (const s of all) {
      const r = TAG.exec(s);
      const t = scanTag(s);
      const want = r ? { app: r[1], pid: r[2], len: r[0].length } : undefined;
      expect([s, t]).toEqual([s, want]);
      if (r) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('word=value pairs', () => {
    for (const s of all) expect([s, wordKeyValues(s)]).toEqual([s, keyValues(s, /(\w+)=(\S*)()/g)]);
  });

  it("netfilter's source MAC", () => {
    for (const s of all) {
      const mac = s.slice(s.indexOf('MAC=') + 4).split(' ')[0];
      expect([mac, sourceMac(mac)]).toEqual([mac, mac.split(':').slice(6, 12).join(':') || undefined]);
    }
  });
});
