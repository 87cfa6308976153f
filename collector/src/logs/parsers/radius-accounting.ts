/**
 * RADIUS accounting (RFC 2866) as campus gateways and FreeRADIUS log it, one
 * record per line: Acct-Status-Type, User-Name, Framed-IP-Address, … as "name = value"
 * or "name=value" pairs. Start/Interim are an authentication session's start, Stop its end
 * (event.type), which core's bindingOf reads as the address bound to the account.
 * Fixtures follow RFC 2866's attribute names.
 */
import type { DeviceParser, ParsedLog } from './types';
import { compact, ip, keyValues } from './util';

export const radiusAccounting: DeviceParser = {
  name: 'radius',
  vendor: 'RADIUS',
  product: 'accounting',
  programs: ['radiusd', 'freeradius'],
  matches: (m) => /Acct-Status-Type\s*[=:]/.test(m),
  parse(m): ParsedLog | undefined {
    const kv = keyValues(m, /([\w-]+)\s*[=:]\s*(?:"([^"]*)"|([^\s,;"]*))/g);
    const status = kv['Acct-Status-Type']?.toLowerCase();
    const user = kv['User-Name'];
    const addr = ip(kv['Framed-IP-Address']);
    if (!status) return undefined;
    const start = status === 'start' || status.startsWith('interim');
    return {
      fields: compact({
        event: {
          category: ['authentication', 'session'],
          type: [start ? 'start' : status === 'stop' ? 'end' : 'info'],
          action: `radius-${status}`,
          outcome: 'success',
        },
        user: user ? { name: user } : undefined,
        source: { ip: addr, mac: kv['Calling-Station-Id'] },
        client: { ip: addr },
        edu: {
          session: { id: kv['Acct-Session-Id'] },
          radius: { nas_ip: kv['NAS-IP-Address'], terminate_cause: kv['Acct-Terminate-Cause'] },
        },
      }),
    };
  },
};
