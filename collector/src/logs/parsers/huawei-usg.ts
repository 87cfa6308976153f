/**
 * Huawei USG / Eudemon firewalls: "%%01SECLOG/6/SESSION_TEARDOWN(l):IPVer=4,Protocol=tcp,
 * SourceIP=…" session logs and "%%01POLICY/6/POLICYDENY(l):vsys=public, protocol=6,
 * source-ip=…" policy logs. Fixtures are built from Huawei's published USG log
 * reference (no public capture of these lines exists): on the wire a line is
 * "<PRI>TIMESTAMP HOSTNAME %%ddMODULE/SEVERITY/MNEMONIC(l)[seq]:text", the %% part
 * being the start of the message (the syslog header parser takes no tag from it).
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, int, ip, keyValues, port, transport } from './util';

/** "%%ddMODULE/SEVERITY/MNEMONIC(l)[seq]:": the (l)/(s)/(d) log type and the [seq] counter are optional. */
const HEAD = /%%\d+(\w+)\/(\d)\/(\w+)(?:\([a-z]+\))?(?:\[\d+\])?:/;

export const huaweiUsg: DeviceParser = {
  name: 'huawei-usg',
  vendor: 'Huawei',
  product: 'USG',
  // '%%' first: a plain substring search rules out most other lines before the pattern runs.
  matches: (m) => m.includes('%%') && HEAD.test(m) && /(SourceIP|source-ip|SrcIp)=/i.test(m),
  parse(m): ParsedLog | undefined {
    const h = HEAD.exec(m);
    if (!h) return undefined;
    const raw = keyValues(m.slice(h.index + h[0].length), /([\w-]+)=([^,;]*)()/g);
    const kv: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) kv[k.toLowerCase().replace(/-/g, '')] = v.trim();
    const action = /DENY|BLOCK/i.test(h[3]) ? 'deny' : h[3].toLowerCase();
    const d = decision(action);
    return {
      fields: compact({
        event: {
          category: ['network'],
          type: d.type,
          action,
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
