/**
 * The one CIDR parser ("10.0.0.0/8", "2001:db8::/32", a bare address is a /32 or /128),
 * used by the stores' CIDR filters, the analyzer's campus ranges and the collector's
 * campus matcher, so they accept and refuse the same blocks.
 */
import { isIPv4 } from 'node:net';
import { ipBytes } from './store/ip';

export interface Cidr {
  v4: boolean;
  /** The block's address: 4 bytes (IPv4) or 16, host bits cleared. */
  bytes: Uint8Array;
  /** Prefix length within the family (0-32 or 0-128). */
  prefix: number;
}

export function parseCidr(text: string): Cidr {
  const [addr, lenStr, extra] = text.split('/');
  const b = extra === undefined ? ipBytes(addr) : undefined;
  if (!b) throw new Error(`invalid CIDR "${text}"`);
  const v4 = isIPv4(addr);
  const bits = v4 ? 32 : 128;
  const prefix = lenStr === undefined ? bits : /^\d{1,3}$/.test(lenStr) ? Number(lenStr) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) throw new Error(`invalid CIDR prefix length in "${text}"`);
  const bytes = v4 ? b.slice(12) : b.slice();
  for (let bit = prefix; bit < bits; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return { v4, bytes, prefix };
}
