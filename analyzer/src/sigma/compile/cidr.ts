/** CIDR membership for IPv4 and IPv6 (`cidr` modifier), without allocating per test. */
import { isIP } from 'node:net';

export type CidrTest = (ip: string) => boolean;

export function parseCidr(text: string): CidrTest {
  const [addr, lenText] = text.trim().split('/');
  const family = isIP(addr);
  if (!family) throw new Error(`"${text}" is not a CIDR block`);
  const bits = family === 4 ? 32 : 128;
  const len = lenText === undefined ? bits : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > bits) throw new Error(`"${text}" has an invalid prefix length`);
  const net = toBigInt(addr, family);
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  const want = net & mask;
  if (family === 4) {
    const m = Number(mask);
    const w = Number(want);
    return (ip) => {
      const n = ipv4ToInt(ip);
      return n !== -1 && (n & m) >>> 0 === w;
    };
  }
  return (ip) => isIP(ip) === 6 && (toBigInt(ip, 6) & mask) === want;
}

function ipv4ToInt(ip: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return (n * 256 + part) >>> 0;
}

function toBigInt(addr: string, family: number): bigint {
  if (family === 4) return BigInt(ipv4ToInt(addr));
  let a = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const n = ipv4ToInt(v4[1]);
    a = a.slice(0, -v4[1].length) + ((n >>> 16) & 0xffff).toString(16) + ':' + (n & 0xffff).toString(16);
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g || '0', 16));
  return n;
}
