/**
 * Huawei USG / Eudemon firewalls: "%%01SECLOG/6/SESSION_TEARDOWN(l):IPVer=4,Protocol=tcp,
 * SourceIP=…" session logs and "%%01POLICY/6/POLICYDENY(l):vsys=public, protocol=6,
 * source-ip=…" policy logs. Fixtures are built from Huawei's published USG log
 * reference (no public capture of these lines exists): on the wire a line is
 * "<PRI>TIMESTAMP HOSTNAME %%ddMODULE/SEVERITY/MNEMONIC(l)[seq]:text", the %% part
 * being the start of the message (the syslog header parser takes no tag from it).
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, int, ip, port, transport } from './util';

/** "%%ddMODULE/SEVERITY/MNEMONIC(l)[seq]:": the (l)/(s)/(d) log type and the [seq] counter are optional. */
const HEAD = /%%\d+(\w+)\/(\d)\/(\w+)(?:\([a-z]+\))?(?:\[\d+\])?:/;
/** "%%01SECIF/6/STREAM(l):In Last Five Minutes Stream Statistic is :…": interface traffic statistics, not a verdict. */
const STATISTICS = /\/STREAM\b|Stream Statistic/;

export const huaweiUsg: DeviceParser = {
  name: 'huawei-usg',
  vendor: 'Huawei',
  product: 'USG',
  // '%%' first: a plain substring search rules out most other lines before the pattern runs.
  matches: (m) => m.includes('%%') && HEAD.test(m) && (/(SourceIP|source-ip|SrcIp)=/i.test(m) || STATISTICS.test(m)),
  parse(m): ParsedLog | undefined {
    const h = HEAD.exec(m);
    if (!h) return undefined;
    const kv = pairs(m, h.index + h[0].length);
    // The verdict: a statistics line has none (whatever its text says); else the Action= pair
    // (IPS, AV: Alert/Block), else the mnemonic (POLICYDENY, POLICYPERMIT, SESSION_TEARDOWN).
    const action = STATISTICS.test(m)
      ? 'stream-statistics'
      : (kv.action ?? (/DENY|BLOCK/i.test(h[3]) ? 'deny' : /PERMIT/i.test(h[3]) ? 'permit' : h[3].toLowerCase()));
    const d = decision(action);
    return {
      fields: compact({
        event: {
          kind: d.kind,
          category: ['network'],
          type: d.type,
          action: d.action,
          outcome: d.outcome,
          code: `${h[1]}/${h[3]}`,
          reason: kv.closereason,
        },
        source: {
          ip: ip(kv.sourceip ?? kv.srcip),
          port: port(kv.sourceport ?? kv.srcport),
          bytes: int(kv.sendbytes),
          packets: int(kv.sendpkts),
          nat: { ip: ip(kv.sourcenatip) },
        },
        destination: {
          ip: ip(kv.destinationip ?? kv.dstip),
          port: port(kv.destinationport ?? kv.dstport),
          bytes: int(kv.rcvbytes),
          packets: int(kv.rcvpkts),
        },
        network: { transport: transport(kv.protocol) },
        observer: { ingress: { zone: kv.sourcezone }, egress: { zone: kv.destinationzone } },
        rule: kv.policyname || kv.rulename ? { name: kv.policyname || kv.rulename } : undefined,
        user: kv.username || kv.user ? { name: kv.username || kv.user } : undefined,
      }),
    };
  },
};

const isKeyChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45; /* [\w-] */

/** The keys parse() reads, lower-cased without '-'; one object shape for every line. */
const blank = () => ({
  action: undefined as string | undefined,
  closereason: undefined as string | undefined,
  sourceip: undefined as string | undefined,
  srcip: undefined as string | undefined,
  sourceport: undefined as string | undefined,
  srcport: undefined as string | undefined,
  sendbytes: undefined as string | undefined,
  sendpkts: undefined as string | undefined,
  sourcenatip: undefined as string | undefined,
  destinationip: undefined as string | undefined,
  dstip: undefined as string | undefined,
  destinationport: undefined as string | undefined,
  dstport: undefined as string | undefined,
  rcvbytes: undefined as string | undefined,
  rcvpkts: undefined as string | undefined,
  protocol: undefined as string | undefined,
  sourcezone: undefined as string | undefined,
  destinationzone: undefined as string | undefined,
  policyname: undefined as string | undefined,
  rulename: undefined as string | undefined,
  username: undefined as string | undefined,
  user: undefined as string | undefined,
});
type Pairs = ReturnType<typeof blank>;
const WANTED = new Set(Object.keys(blank()));
/** Key as sent → the key parse() reads, or '' when it reads none (bounded: devices send a small vocabulary). */
const keyNames = new Map<string, keyof Pairs | ''>();
function keyName(raw: string): keyof Pairs | '' {
  let name = keyNames.get(raw);
  if (name === undefined) {
    const n = raw.toLowerCase().replaceAll('-', '');
    name = WANTED.has(n) ? (n as keyof Pairs) : '';
    if (keyNames.size < 4096) keyNames.set(raw, name);
  }
  return name;
}

/**
 * "IPVer=4,Protocol=tcp,…" and "vsys=public, source-ip=…" from `from` on: the pairs of
 * /([\w-]+)=([^,;]*)/g that parse() reads, keys lower-cased without '-', values trimmed.
 * A scan into one object shape instead of the pattern and a dictionary of every key,
 * which was the largest single cost of these long lines (~77k → ~95k lines/CPU-s).
 */
function pairs(s: string, from: number): Pairs {
  const kv = blank();
  let i = from;
  for (;;) {
    const eq = s.indexOf('=', i);
    if (eq < 0) return kv;
    let k = eq;
    while (k > i && isKeyChar(s.charCodeAt(k - 1))) k--;
    if (k === eq) {
      i = eq + 1; // no key right before this '='
      continue;
    }
    let e = eq + 1;
    for (let c = s.charCodeAt(e); e < s.length && c !== 44 /* , */ && c !== 59 /* ; */; c = s.charCodeAt(++e));
    const name = keyName(s.slice(k, eq));
    if (name) kv[name] = s.slice(eq + 1, e).trim();
    i = e;
  }
}
