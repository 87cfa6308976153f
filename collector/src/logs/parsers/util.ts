/** Small helpers shared by the device parsers. */
import { isIP } from 'node:net';

/** key=value pairs; values may be "quoted". Separators: spaces, commas or semicolons. */
export function keyValues(
  s: string,
  re = /([\w.\-()\u4e00-\u9fa5]+)\s*[=:]\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,;"]*))/g,
): Record<string, string> {
  const out: Record<string, string> = {};
  // exec on the (global) pattern itself: matchAll's iterator and regex clone cost per line.
  if (!re.global) throw new TypeError('keyValues needs a global (/g) pattern');
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out[m[1]] = m[2] ?? m[3] ?? '';
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

export function ip(v: string | undefined): string | undefined {
  return v && isIP(v) ? v : undefined;
}

export function port(v: string | number | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

export function int(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) ? n : undefined;
}

const TRANSPORTS: Record<string, string> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'ipv6-icmp',
  '47': 'gre',
  '132': 'sctp',
};
export function transport(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return TRANSPORTS[v] ?? v.toLowerCase();
}

/** Drops undefined members so events stay small and comparable. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  // for..in without key arrays: this runs on every parsed line (parsers build plain objects).
  for (const k in o) {
    const v = o[k];
    if (v === undefined) delete o[k];
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      compact(v as Record<string, unknown>);
      if (isEmpty(v)) delete o[k];
    }
  }
  return o;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

export interface Tuple {
  srcIp?: string;
  srcPort?: number;
  dstIp?: string;
  dstPort?: number;
  transport?: string;
}

/** source/destination/network from a 5-tuple. */
export function tupleFields(t: Tuple): Record<string, unknown> {
  return {
    source: { ip: t.srcIp, port: t.srcPort },
    destination: { ip: t.dstIp, port: t.dstPort },
    network: { transport: t.transport },
  };
}

/** ECS event.type/outcome for a firewall decision word (allow/deny in English or Chinese). */
export function decision(action: string | undefined): {
  action?: string;
  type?: string[];
  outcome?: 'success' | 'failure';
} {
  if (!action) return {};
  const a = action.toLowerCase();
  if (/deny|drop|block|reject|拒绝|阻断|丢弃/.test(a))
    return { action: 'deny', type: ['connection', 'denied'], outcome: 'failure' };
  if (/permit|allow|accept|pass|允许|放行|close|teardown|built|start|end/.test(a))
    return { action: a, type: ['connection', 'allowed'], outcome: 'success' };
  return { action: a, type: ['connection'] };
}
