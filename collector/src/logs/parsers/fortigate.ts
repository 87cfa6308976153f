/** FortiGate (FortiOS) key=value logs: type=traffic/utm/event, per Fortinet's "FortiOS Log Message Reference". */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, int, ip, keyValues, port, transport } from './util';

export const fortigate: DeviceParser = {
  name: 'fortigate',
  vendor: 'Fortinet',
  product: 'FortiGate',
  // 'logid=' first: a plain substring search rules out most other lines before the patterns run.
  matches: (m) => m.includes('logid=') && /\blogid="?\d{10}"?/.test(m) && /\btype="?\w+"?/.test(m),
  parse(m): ParsedLog | undefined {
    const kv = keyValues(m);
    if (!kv.logid) return undefined;
    const d = decision(kv.action);
    const ts = kv.eventtime ? Number(kv.eventtime) : undefined;
    return {
      fields: compact({
        '@timestamp': ts ? new Date(ts > 1e15 ? ts / 1e6 : ts > 1e12 ? ts : ts * 1000).toISOString() : undefined,
        event: {
          kind: d.kind,
          category: ['network'],
          type: d.type,
          action: kv.action,
          outcome: d.outcome,
          code: kv.logid,
        },
        source: { ip: ip(kv.srcip), port: port(kv.srcport), bytes: int(kv.sentbyte), packets: int(kv.sentpkt) },
        destination: { ip: ip(kv.dstip), port: port(kv.dstport), bytes: int(kv.rcvdbyte), packets: int(kv.rcvdpkt) },
        network: { transport: transport(kv.proto), protocol: kv.service?.toLowerCase() || undefined },
        observer: {
          name: kv.devname,
          ingress: { interface: { name: kv.srcintf } },
          egress: { interface: { name: kv.dstintf } },
        },
        user: kv.user ? { name: kv.user } : undefined,
        rule: kv.policyid ? { id: kv.policyid, name: kv.policyname } : undefined,
        url: kv.hostname || kv.url ? { domain: kv.hostname, original: kv.url } : undefined,
        // configuration-change events (type=event subtype=system): what was changed, under
        // Elastic's fortinet integration names, for the SigmaHQ FortiGate rules
        fortinet: kv.cfgpath
          ? { firewall: { cfgpath: kv.cfgpath, cfgattr: kv.cfgattr, cfgobj: kv.cfgobj } }
          : undefined,
      }),
    };
  },
};
