/**
 * Hillstone (山石网科) StoneOS session and policy logs: "Traffic@FLOW: SESSION:
 * 10.1.1.2:49778->8.8.8.8:53(UDP), application DNS, interface ethernet0/0, vr trust-vr,
 * policy 1, user -@-, …, send bytes 70, receive bytes 86, …". Fixtures are built from
 * Hillstone's published StoneOS log message reference.
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, decision, int, ip, port, transport } from './util';

const TUPLE = /([\d.a-fA-F:]+?):(\d+)->([\d.a-fA-F:]+?):(\d+)\((\w+)\)/;

export const hillstone: DeviceParser = {
  name: 'hillstone',
  vendor: 'Hillstone',
  product: 'StoneOS',
  // The '@' test first: the unanchored \w+ is costly on every line content detection tries.
  matches: (m) => m.includes('@') && /\w+@(FLOW|NET|SECURITY)\b/i.test(m) && TUPLE.test(m),
  parse(m): ParsedLog | undefined {
    const t = TUPLE.exec(m);
    if (!t) return undefined;
    const get = (k: string) => new RegExp(`${k} ([^,]+)`).exec(m)?.[1]?.trim();
    const action = /\bdeny\b|denied/i.test(m)
      ? 'deny'
      : /session end/.test(m)
        ? 'session end'
        : /session start/.test(m)
          ? 'session start'
          : get('action');
    const d = decision(action);
    const user = get('user')?.split('@')[0];
    return {
      fields: compact({
        event: { category: ['network'], type: d.type, action, outcome: d.outcome },
        source: { ip: ip(t[1]), port: port(t[2]), bytes: int(get('send bytes')), packets: int(get('send packets')) },
        destination: {
          ip: ip(t[3]),
          port: port(t[4]),
          bytes: int(get('receive bytes')),
          packets: int(get('receive packets')),
        },
        network: { transport: transport(t[5]), protocol: get('application')?.toLowerCase() },
        observer: { ingress: { interface: { name: get('interface') } } },
        rule: get('policy') ? { id: get('policy') } : undefined,
        user: user && user !== '-' ? { name: user } : undefined,
      }),
    };
  },
};
