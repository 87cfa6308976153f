/**
 * Community ID v1 of a flow-log record's 5-tuple (corelight community-id-spec), so
 * flow records join with the packet path's flows and with Zeek/Suricata.
 * Temporary twin of collector/src/packet's implementation until that is exported.
 */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { ipBytes } from '@edusentry/core';

/** 4 bytes for IPv4, 16 for IPv6 (core's ipBytes maps IPv4 into IPv6). */
function addrBytes(ip: string): Uint8Array | undefined {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number));
  return ipBytes(ip);
}

const ICMP4: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
const ICMP6: Record<number, number> = {
  128: 129,
  129: 128,
  133: 134,
  134: 133,
  135: 136,
  136: 135,
  130: 131,
  131: 130,
  144: 145,
  145: 144,
};

function less(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function communityId(
  proto: number,
  srcIp: string,
  dstIp: string,
  srcPort: number,
  dstPort: number,
  seed = 0,
): string | undefined {
  const src = addrBytes(srcIp);
  const dst = addrBytes(dstIp);
  if (!src || !dst || src.length !== dst.length) return undefined;
  let sp = srcPort;
  let dp = dstPort;
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    const pair = (proto === 1 ? ICMP4 : ICMP6)[sp];
    if (pair === undefined) oneWay = true;
    else dp = pair;
  }
  let a = src;
  let b = dst;
  const c = less(src, dst);
  if (!oneWay && (c > 0 || (c === 0 && sp > dp))) {
    [a, b] = [b, a];
    [sp, dp] = [dp, sp];
  }
  const hasPorts = proto === 6 || proto === 17 || proto === 132 || proto === 1 || proto === 58;
  const buf = Buffer.alloc(2 + a.length * 2 + 2 + (hasPorts ? 4 : 0));
  buf.writeUInt16BE(seed & 0xffff, 0);
  buf.set(a, 2);
  buf.set(b, 2 + a.length);
  let o = 2 + a.length * 2;
  buf[o++] = proto;
  buf[o++] = 0;
  if (hasPorts) {
    buf.writeUInt16BE(sp & 0xffff, o);
    buf.writeUInt16BE(dp & 0xffff, o + 2);
  }
  return '1:' + createHash('sha1').update(buf).digest('base64');
}
