/**
 * H3C SecPath firewalls: "%%10FILTER/6/FILTER_ZONE_IPV4_EXECUTION: SrcZoneName(1025)=Trust;
 * …;SrcIPAddr(1003)=…;Action(1053)=Deny;" and SESSION_IPV4_FLOW logs, with H3C's
 * numbered field ids. Fixtures follow H3C's published "SecPath Log Message Reference":
 * on the wire "<PRI>TIMESTAMP Sysname %%10MODULE/SEVERITY/MNEMONIC: text", the %% part
 * being the start of the message (the syslog header parser takes no tag from it).
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, int, ip, port, transport } from './util';

/** "%%10MODULE/SEVERITY/MNEMONIC:", Comware 5 with a "(l)" log type and some releases with a "[seq]" counter. */
const HEAD = /%%\d+(\w+)\/(\d)\/(\w+)(?:\([a-z]+\))?(?:\[\d+\])?:\s*/;

export const h3cSecpath: DeviceParser = {
  name: 'h3c-secpath',
  vendor: 'H3C',
  product: 'SecPath',
  // '%%' first: a plain substring search rules out most other lines before the pattern runs.
  matches: (m) => m.includes('%%') && HEAD.test(m) && /\w+\(\d{4}\)=/.test(m),
  parse(m): ParsedLog | undefined {
    const h = HEAD.exec(m);
    if (!h) return undefined;
    const kv: Record<string, string> = {};
    for (const x of m.slice(h.index + h[0].length).matchAll(/(\w+)\(\d{4}\)=([^;]*)/g)) kv[x[1]] = x[2].trim();
    const action = kv.Action ?? (h[3].includes('FLOW') ? 'flow' : undefined);
    const d = decision(action);
    return {
      fields: compact({
        event: {
          category: ['network'],
          type: d.type,
          action: action?.toLowerCase(),
          outcome: d.outcome,
          code: `${h[1]}/${h[3]}`,
          reason: kv.Event,
        },
        source: {
          ip: ip(kv.SrcIPAddr),
          port: port(kv.SrcPort),
          nat: { ip: ip(kv.NATSrcIPAddr), port: port(kv.NATSrcPort) },
          bytes: int(kv.InitiatorBytes),
          packets: int(kv.InitiatorPackets),
        },
        destination: {
          ip: ip(kv.DstIPAddr),
          port: port(kv.DstPort),
          bytes: int(kv.ResponderBytes),
          packets: int(kv.ResponderPackets),
        },
        network: { transport: transport(kv.Protocol), protocol: kv.Application?.toLowerCase() },
        observer: { ingress: { zone: kv.SrcZoneName }, egress: { zone: kv.DstZoneName } },
        rule: kv.SecurityPolicy || kv.RuleID ? { name: kv.SecurityPolicy, id: kv.RuleID } : undefined,
        user: kv.UserName && kv.UserName !== '-' ? { name: kv.UserName } : undefined,
      }),
    };
  },
};
