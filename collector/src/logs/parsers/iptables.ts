/** Linux netfilter LOG target lines (iptables/nftables "IN=… OUT=… SRC=… DST=…"), as the kernel writes them. */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, forEachWordPair, ip, port, tupleFields } from './util';

/** The pairs of a netfilter line this parser reads (the last of each, like a key=value object would keep). */
interface NetfilterPairs {
  IN?: string;
  OUT?: string;
  MAC?: string;
  SRC?: string;
  DST?: string;
  SPT?: string;
  DPT?: string;
  PROTO?: string;
}

function netfilterPairs(s: string): NetfilterPairs {
  const kv: NetfilterPairs = {
    IN: undefined,
    OUT: undefined,
    MAC: undefined,
    SRC: undefined,
    DST: undefined,
    SPT: undefined,
    DPT: undefined,
    PROTO: undefined,
  };
  forEachWordPair(s, (key, from, to) => {
    switch (key) {
      case 'IN':
      case 'OUT':
      case 'MAC':
      case 'SRC':
      case 'DST':
      case 'SPT':
      case 'DPT':
      case 'PROTO':
        kv[key] = s.slice(from, to);
    }
  });
  return kv;
}

/** The source MAC in MAC= (destination MAC, source MAC, ethertype): its colon-separated parts 6..11, as text. */
export function sourceMac(mac: string): string | undefined {
  let from = -1;
  for (let k = 0; k < 6; k++) {
    from = mac.indexOf(':', from + 1);
    if (from < 0) return undefined;
  }
  let to = from;
  for (let k = 0; k < 6 && to < mac.length; k++) {
    to = mac.indexOf(':', to + 1);
    if (to < 0) to = mac.length;
  }
  return mac.slice(from + 1, to) || undefined;
}

export const iptables: DeviceParser = {
  name: 'iptables',
  vendor: 'Linux',
  product: 'netfilter',
  programs: ['kernel'],
  matches: (m) => /\bIN=\S* OUT=\S*/.test(m) && / SRC=/.test(m),
  parse(m): ParsedLog | undefined {
    const at = m.search(/\bIN=/);
    const kv = netfilterPairs(m.slice(at));
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
    (fields.source as Record<string, unknown>).mac = kv.MAC ? sourceMac(kv.MAC) : undefined;
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
