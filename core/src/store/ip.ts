/** IP address helpers shared by the stores, the collector and the analyzer. */
import { isIPv4, isIPv6 } from 'node:net';
import { parseCidr } from '../cidr';

/** 16 bytes of an IPv4 or IPv6 address (IPv4 as ::ffff:a.b.c.d), or undefined. */
export function ipBytes(ip: string): Uint8Array | undefined {
  if (isIPv4(ip)) {
    const b = new Uint8Array(16);
    b[10] = 0xff;
    b[11] = 0xff;
    ip.split('.').forEach((p, i) => (b[12 + i] = Number(p)));
    return b;
  }
  if (!isIPv6(ip)) return undefined;
  let addr = ip.split('%')[0];
  const v4 = addr.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const parts = v4[1].split('.').map(Number);
    addr =
      addr.slice(0, -v4[1].length) +
      ((parts[0] << 8) | parts[1]).toString(16) +
      ':' +
      ((parts[2] << 8) | parts[3]).toString(16);
  }
  const [head, tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    b[i * 2] = n >> 8;
    b[i * 2 + 1] = n & 0xff;
  });
  return b;
}

export function ipKey(ip: string): string | undefined {
  const b = ipBytes(ip);
  return b ? Buffer.from(b).toString('hex') : undefined;
}

/** Lowest and highest key of a CIDR block ("10.0.0.0/8", "2001:db8::/32"). */
export function cidrRange(cidr: string): [string, string] {
  const { v4, bytes, prefix } = parseCidr(cidr);
  const lo = new Uint8Array(16);
  if (v4) {
    lo[10] = 0xff;
    lo[11] = 0xff;
  }
  lo.set(bytes, v4 ? 12 : 0);
  const hi = new Uint8Array(lo);
  for (let bit = prefix + (v4 ? 96 : 0); bit < 128; bit++) hi[bit >> 3] |= 0x80 >> (bit & 7);
  return [Buffer.from(lo).toString('hex'), Buffer.from(hi).toString('hex')];
}

export function inCidr(ip: string, cidr: string): boolean {
  const k = ipKey(ip);
  if (!k) return false;
  const [lo, hi] = cidrRange(cidr);
  return k >= lo && k <= hi;
}
