/** pfSense / OPNsense filterlog CSV lines, per pfSense's documented "Filter Log Format". */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, ip, port } from './util';

export const pfsenseFilterlog: DeviceParser = {
  name: 'pfsense',
  vendor: 'Netgate',
  product: 'pfSense',
  programs: ['filterlog'],
  matches: (m) => /^\d*,\d*,[^,]*,\d+,[\w.]+,\w+,(pass|block|reject),(in|out),(4|6),/.test(m),
  parse(m): ParsedLog | undefined {
    const f = m.split(',');
    if (f.length < 9) return undefined;
    const [, , , tracker, iface, reason, action, dir, ipver] = f;
    let i = 9;
    let proto: string | undefined;
    let src: string | undefined;
    let dst: string | undefined;
    if (ipver === '4') {
      proto = f[i + 7]; // tos, ecn, ttl, id, offset, flags, protonum, protoname, length, src, dst
      src = f[i + 9];
      dst = f[i + 10];
      i += 11;
    } else if (ipver === '6') {
      proto = f[i + 3]; // class, flowlabel, hoplimit, protoname, protonum, length, src, dst
      src = f[i + 6];
      dst = f[i + 7];
      i += 8;
    }
    const hasPorts = proto === 'tcp' || proto === 'udp';
    const d = decision(action);
    return {
      fields: compact({
        event: { category: ['network'], type: d.type, action, outcome: d.outcome, reason },
        source: { ip: ip(src), port: hasPorts ? port(f[i]) : undefined },
        destination: { ip: ip(dst), port: hasPorts ? port(f[i + 1]) : undefined },
        network: {
          transport: proto,
          direction: dir === 'in' ? 'inbound' : 'outbound',
          type: ipver === '6' ? 'ipv6' : 'ipv4',
        },
        observer: { ingress: { interface: { name: iface } } },
        rule: { id: tracker },
      }),
    };
  },
};
