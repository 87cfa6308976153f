/** Linux netfilter LOG target lines (iptables/nftables "IN=… OUT=… SRC=… DST=…"), as the kernel writes them. */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, ip, keyValues, port, tupleFields } from './util';

export const iptables: DeviceParser = {
  name: 'iptables',
  vendor: 'Linux',
  product: 'netfilter',
  programs: ['kernel'],
  matches: (m) => /\bIN=\S* OUT=\S*/.test(m) && / SRC=/.test(m),
  parse(m): ParsedLog | undefined {
    const at = m.search(/\bIN=/);
    const kv = keyValues(m.slice(at), /(\w+)=(\S*)()/g);
    if (!kv.SRC) return undefined;
    // The log prefix (e.g. "[UFW BLOCK]" or "DROP-IN ") names the rule and usually the verdict.
    const prefix = m
      .slice(0, at)
      .replace(/^\[\s*\d+\.\d+\]\s*/, '')
      .trim();
    const d = decision(prefix);
    const fields = tupleFields({
      srcIp: ip(kv.SRC),
      dstIp: ip(kv.DST),
      srcPort: port(kv.SPT),
      dstPort: port(kv.DPT),
      transport: kv.PROTO?.toLowerCase(),
    });
    // MAC= is destination MAC, source MAC and ethertype run together.
    (fields.source as Record<string, unknown>).mac = kv.MAC
      ? kv.MAC.split(':').slice(6, 12).join(':') || undefined
      : undefined;
    return {
      fields: compact({
        ...fields,
        event: { category: ['network'], type: d.type ?? ['connection'], action: d.action, outcome: d.outcome },
        observer: {
          ingress: { interface: { name: kv.IN || undefined } },
          egress: { interface: { name: kv.OUT || undefined } },
        },
        rule: prefix ? { name: prefix } : undefined,
      }),
    };
  },
};
