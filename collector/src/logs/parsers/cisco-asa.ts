/**
 * Cisco ASA / FTD syslog ("%ASA-6-302013: …"): connection build/teardown and the
 * deny messages (106001, 106006, 106014, 106015, 106021, 106023, 106100),
 * following Cisco's "ASA Series Syslog Messages" reference.
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, ip, port } from './util';

const HEAD = /%?(?:ASA|FTD|FWSM|PIX)-(\d)-(\d{6}): ?/;
const ep = (s: string) => /(?:(\S+?):)?([\d.a-fA-F:]+?)(?:\/(\d+)|\((\d+)\))?$/.exec(s);

const PATTERNS: { re: RegExp; map: (m: RegExpExecArray) => Record<string, unknown> }[] = [
  {
    // 302013/302015: Built inbound TCP connection 123 for outside:1.2.3.4/5 (1.2.3.4/5) to inside:10.0.0.1/80 (…)
    re: /^(Built|Teardown) (?:(inbound|outbound) )?(TCP|UDP|ICMP|GRE)\S* connection (\d+) for (\S+?):(\S+?)\/(\d+)(?: \([^)]*\))? to (\S+?):(\S+?)\/(\d+)/i,
    map: (m) => ({
      action: m[1].toLowerCase(),
      dir: m[2],
      transport: m[3],
      src: [m[5], m[6], m[7]],
      dst: [m[8], m[9], m[10]],
      conn: m[4],
    }),
  },
  {
    // 106001: Inbound TCP connection denied from A/p to B/p flags SYN on interface X
    re: /^(Inbound|Outbound) (\w+) connection denied from (\S+?)\/(\d+) to (\S+?)\/(\d+) .*on interface (\S+)/,
    map: (m) => ({ action: 'deny', dir: m[1], transport: m[2], src: [undefined, m[3], m[4]], dst: [m[7], m[5], m[6]] }),
  },
  {
    // 106006/106015: Deny inbound UDP from A/p to B/p on interface X ; Deny TCP (no connection) from …
    re: /^Deny (?:(inbound|outbound) )?(\w+)(?: \(no connection\))? from (\S+?)\/(\d+) to (\S+?)\/(\d+) .*?on interface (\S+)/,
    map: (m) => ({ action: 'deny', dir: m[1], transport: m[2], src: [undefined, m[3], m[4]], dst: [m[7], m[5], m[6]] }),
  },
  {
    // 106023 / 106014: Deny tcp src outside:A/p dst inside:B/p by access-group "ACL"
    re: /^Deny (?:(inbound|outbound) )?(?:protocol )?(\w+) src (\S+) dst (\S+?)(?:\(type \d+, code \d+\))?(?: by access-group "([^"]+)")?(?: |$)/,
    map: (m) => {
      const s = ep(m[3]);
      const d = ep(m[4]);
      return {
        action: 'deny',
        dir: m[1],
        transport: m[2],
        src: [s?.[1], s?.[2], s?.[3]],
        dst: [d?.[1], d?.[2], d?.[3]],
        rule: m[5],
      };
    },
  },
  {
    // 106021: Deny TCP reverse path check from A to B on interface X
    re: /^Deny (\w+) reverse path check from (\S+) to (\S+) on interface (\S+)/,
    map: (m) => ({ action: 'deny', transport: m[1], src: [undefined, m[2]], dst: [m[4], m[3]] }),
  },
  {
    // 106100: access-list NAME permitted tcp inside/A(p) -> outside/B(p) hit-cnt …
    re: /^access-list (\S+) (permitted|denied|est-allowed) (\w+) (\S+?)\/(\S+?)\((\d+)\) -> (\S+?)\/(\S+?)\((\d+)\)/,
    map: (m) => ({
      action: m[2] === 'denied' ? 'deny' : 'permit',
      transport: m[3],
      src: [m[4], m[5], m[6]],
      dst: [m[7], m[8], m[9]],
      rule: m[1],
    }),
  },
];

export const ciscoAsa: DeviceParser = {
  name: 'cisco-asa',
  vendor: 'Cisco',
  product: 'ASA',
  matches: (m) => HEAD.test(m),
  parse(message): ParsedLog | undefined {
    const h = HEAD.exec(message);
    const text = h ? message.slice(h.index + h[0].length) : message;
    for (const p of PATTERNS) {
      const m = p.re.exec(text);
      if (!m) continue;
      const v = p.map(m) as {
        action: string;
        dir?: string;
        transport: string;
        src: (string | undefined)[];
        dst: (string | undefined)[];
        rule?: string;
        conn?: string;
      };
      const d = decision(v.action);
      return {
        fields: compact({
          event: { category: ['network'], type: d.type, action: v.action, outcome: d.outcome, code: h?.[2] },
          source: { ip: ip(v.src[1]), port: port(v.src[2]) },
          destination: { ip: ip(v.dst[1]), port: port(v.dst[2]) },
          network: {
            transport: v.transport.toLowerCase(),
            direction: v.dir ? (v.dir.toLowerCase() === 'inbound' ? 'inbound' : 'outbound') : undefined,
          },
          observer: { ingress: { interface: { name: v.src[0] } }, egress: { interface: { name: v.dst[0] } } },
          rule: v.rule ? { name: v.rule } : undefined,
        }),
      };
    }
    return h ? { fields: { event: { code: h[2] } } as Record<string, unknown> } : undefined;
  },
};
