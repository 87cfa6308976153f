/** Linux netfilter LOG target lines (iptables/nftables "IN=… OUT=… SRC=… DST=…"), as the kernel writes them. */
import type { DeviceParser, ParsedLog } from './types';
import { decision, forEachWordPair, ip, port } from './util';

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
/** An endpoint with the members that are defined, in this order; undefined when none is. */
function endpoint(ip: string | undefined, port: number | undefined, mac?: string): Record<string, unknown> | undefined {
  if (ip === undefined && port === undefined && mac === undefined) return undefined;
  const e: Record<string, unknown> = {};
  if (ip !== undefined) e.ip = ip;
  if (port !== undefined) e.port = port;
  if (mac !== undefined) e.mac = mac;
  return e;
}

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
  // ' SRC=' first: a plain substring search rules out most other lines before the pattern runs.
  matches: (m) => m.includes(' SRC=') && /\bIN=\S* OUT=\S*/.test(m),
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
    // Built member by member rather than through compact(): only defined members, in
    // the order compact would have kept (source, destination, network, event, observer, rule).
    const fields: Record<string, unknown> = {};
    const source = endpoint(ip(kv.SRC), port(kv.SPT), kv.MAC ? sourceMac(kv.MAC) : undefined);
    if (source) fields.source = source;
    const destination = endpoint(ip(kv.DST), port(kv.DPT));
    if (destination) fields.destination = destination;
    const transport = kv.PROTO?.toLowerCase();
    if (transport !== undefined) fields.network = { transport };
    const event: Record<string, unknown> = { category: ['network'], type: d.type ?? ['connection'] };
    if (d.action !== undefined) event.action = d.action;
    if (d.outcome !== undefined) event.outcome = d.outcome;
    fields.event = event;
    const observer: Record<string, unknown> = {};
    if (kv.IN) observer.ingress = { interface: { name: kv.IN } };
    if (kv.OUT) observer.egress = { interface: { name: kv.OUT } };
    if (kv.IN || kv.OUT) fields.observer = observer;
    if (prefix) fields.rule = { name: prefix };
    return { fields };
  },
};
